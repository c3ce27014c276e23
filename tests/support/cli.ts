import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

export interface CliResult {
  out: string;
  err: string;
  /** `process.exitCode` as the command left it (0 when unset); reset to 0 afterwards. */
  code: number;
}

/**
 * Runs `accord <args>` in-process (the commander program of src/cli/main.ts), capturing what it
 * writes to stdout and stderr. The environment (ACCORD_DATA_DIR and so on) is the caller's to set.
 * For the real binary in a child process, see src/cli/cli.test.ts.
 */
export async function runCli(args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  process.exitCode = 0;
  try {
    await main(['node', 'accord', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}
