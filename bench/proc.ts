// Child-process helpers for the benchmark: every child is tracked so it can be ended on any exit.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export type Env = Record<string, string | undefined>;

const children = new Set<ChildProcess>();

export const progress = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

/** Copies a child's output to our stderr (stdout is reserved for the JSON result). */
function forward(child: ChildProcess, label: string, onLine?: (line: string) => void): void {
  const relay = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      if (onLine) onLine(line);
      else process.stderr.write(`  [${label}] ${line}\n`);
    }
  };
  child.stdout?.on('data', relay);
  child.stderr?.on('data', relay);
}

/** Starts a long-running Node process (a server) from the repository root. Output goes to
 * `onLine` when given (line by line), else to our stderr. */
export function startNode(label: string, args: string[], env: Env, onLine?: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: rootDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  forward(child, label, onLine);
  return child;
}

/** Runs a command to completion and returns its stdout; rejects on a non-zero exit. */
export function runCommand(
  command: string,
  args: string[],
  opts: { env?: Env; input?: string; cwd?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd ?? rootDir,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', (e) => {
      children.delete(child);
      reject(e);
    });
    child.on('close', (code) => {
      children.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${err.trim() || out.trim()}`));
    });
    // A command that exits without reading its input (`id`, `initdb`) makes the write fail with
    // EPIPE; its exit code decides, not the write.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Last resort (failure paths, signals): kills whatever is still running. Synchronous. */
export function killAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function getStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Polls `url` every `intervalMs` until it answers 200; fails if `child` exits first. */
export async function waitFor200(
  url: string,
  child: ChildProcess,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the process for ${url} exited (${child.exitCode ?? child.signalCode}) before answering`);
    }
    if ((await getStatus(url)) === 200) return;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 10));
  }
  throw new Error(`${url} did not answer 200 within ${opts.timeoutMs ?? 60_000} ms`);
}
