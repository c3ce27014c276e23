import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Helpers for the browser journey: build the UI, run the real CLI and server as child processes. */
export const rootDir = path.resolve(import.meta.dirname, '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** The server's environment: ours only, so a developer's ACCORD_* or DATABASE_URL cannot leak in. */
export function serverEnv(port: number, dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('ACCORD_') && !k.startsWith('SMTP_') && k !== 'DATABASE_URL' && k !== 'PORT' && k !== 'HOST') {
      env[k] = v;
    }
  }
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    ACCORD_DATA_DIR: dataDir,
    ACCORD_LOG_LEVEL: 'warn',
  });
  const db = process.env.ACCORD_BROWSER_DATABASE_URL;
  if (db) env.DATABASE_URL = db;
  return env;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'accord-browser-'));
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, optionally feeding stdin. */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: rootDir, env: opts.env ?? process.env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...fs.readdirSync(p).map((f) => newestMtime(path.join(p, f))));
}

/** Builds web/dist when it is missing, or older than the UI sources (so the journey never tests a stale UI). */
export async function ensureWebBuilt(): Promise<void> {
  const index = path.join(rootDir, 'web', 'dist', 'index.html');
  const sources = ['src', 'public', 'index.html', 'vite.config.ts']
    .map((f) => path.join(rootDir, 'web', f))
    .filter((f) => fs.existsSync(f));
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  const res = await run('npm', ['run', 'build:web']);
  if (res.code !== 0) throw new Error(`npm run build:web failed:\n${res.stdout}\n${res.stderr}`);
}

/** Runs `accord <args>` against the instance of `env`; answers its standard output, throws when it fails. */
export async function accord(env: NodeJS.ProcessEnv, args: string[], input = ''): Promise<string> {
  const res = await run(process.execPath, ['bin/accord.mjs', ...args], { env, input });
  if (res.code !== 0) throw new Error(`accord ${args.join(' ')} failed (${res.code}):\n${res.stdout}\n${res.stderr}`);
  return res.stdout;
}

export interface NewUser {
  email: string;
  name: string;
  role: string;
  password: string;
}

export async function addUser(env: NodeJS.ProcessEnv, user: NewUser): Promise<void> {
  const args = ['user', 'add', '--email', user.email, '--name', user.name, '--role', user.role, '--password-stdin'];
  await accord(env, args, `${user.password}\n`);
}

export async function addAdmin(env: NodeJS.ProcessEnv, email: string, password: string): Promise<void> {
  await addUser(env, { email, name: 'Admin', role: 'admin', password });
}

/** Adds an organization with the CLI and answers its id. */
export async function addOrg(env: NodeJS.ProcessEnv, name: string, kind = 'vendor'): Promise<string> {
  return (JSON.parse(await accord(env, ['org', 'add', '--name', name, '--kind', kind])) as { id: string }).id;
}

export interface RunningServer {
  baseUrl: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts `accord serve` and waits until GET /healthz answers 200. */
export async function startServer(env: NodeJS.ProcessEnv, port: number): Promise<RunningServer> {
  const child: ChildProcess = spawn(process.execPath, ['bin/accord.mjs', 'serve'], {
    cwd: rootDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let exited = false;
  const done = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  void done.then(() => (exited = true));

  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`accord serve exited early:\n${output}`);
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.ok) return { baseUrl, output: () => output, stop };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`accord serve did not answer /healthz within 60 s:\n${output}`);
}

/**
 * A fresh instance for one journey: the built UI, its own data directory and port, and an admin.
 * The embedded database admits one process, so accounts and organizations are added with the CLI
 * (`env`) before `start()`; `stop()` stops the server and removes the data directory.
 */
export interface Instance {
  env: NodeJS.ProcessEnv;
  /** Starts `accord serve` and answers its base URL. */
  start: () => Promise<string>;
  stop: () => Promise<void>;
}

export async function newInstance(
  admin: { email: string; password: string },
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<Instance> {
  await ensureWebBuilt();
  const dataDir = tempDir();
  const port = await freePort();
  const env = { ...serverEnv(port, dataDir), ...extraEnv };
  let server: RunningServer | null = null;
  try {
    await addAdmin(env, admin.email, admin.password);
  } catch (err) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    env,
    start: async () => {
      server = await startServer(env, port);
      return server.baseUrl;
    },
    stop: async () => {
      await server?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
