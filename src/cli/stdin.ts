import { AppError } from '../core/errors.ts';

/** Reads a secret from standard input (first line), so it never shows in `ps` or shell history. */
export async function readStdinSecret(what: string): Promise<string> {
  if (process.stdin.isTTY) {
    process.stderr.write(`${what}: `);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (process.stdin.isTTY && Buffer.concat(chunks).includes(10)) break;
  }
  const value = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (value === '')
    throw new AppError('ERR_VALIDATION', `no ${what} on standard input; pipe it in, e.g. echo "$PASSWORD" | accord …`);
  return value;
}
