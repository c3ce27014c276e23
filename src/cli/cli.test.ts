import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbedded } from '../db/connect.ts';
import { testEngine } from '../../tests/support/engine.ts';

/** The real `accord` binary, run as a user would, on a throwaway embedded data directory. */
const root = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-cli-'));
  dirs.push(d);
  return d;
}

function accord(args: string[], opts: { dataDir: string; input?: string; env?: Record<string, string> }) {
  const res = spawnSync(process.execPath, [path.join(root, 'bin/accord.mjs'), ...args], {
    cwd: root,
    input: opts.input ?? '',
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ACCORD_DATA_DIR: opts.dataDir,
      ACCORD_LOG_LEVEL: 'warn',
      ...opts.env,
    },
    timeout: 120_000,
  });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

// The CLI tests exercise the embedded engine only; the commands they call run on both engines in the other suites.
describe.skipIf(testEngine() !== 'embedded')('accord command line', { timeout: 300_000 }, () => {
  beforeAll(() => {
    // The packaged entry (what `npm start` runs): one pre-compiled file starts far faster than tsx
    // compiling every source file on each of the many CLI calls below.
    const built = spawnSync(process.execPath, [path.join(root, 'scripts/build-server.mjs')], {
      cwd: root,
      encoding: 'utf8',
    });
    if (built.status !== 0) throw new Error(`could not build the server bundle: ${built.stderr}`);
  }, 120_000);
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const data = tempDir();

  it('prints help for every command', () => {
    const res = accord(['--help'], { dataDir: data });
    expect(res.code).toBe(0);
    for (const c of ['serve', 'migrate', 'user', 'org', 'token', 'audit', 'backup', 'restore'])
      expect(res.out).toContain(c);
    expect(accord(['user', 'add', '--help'], { dataDir: data }).out).toContain('--password-stdin');
  });

  it('creates the first administrator, an org and a token; refuses a duplicate with a clear message', () => {
    const add = accord(
      ['user', 'add', '--email', 'admin@example.org', '--name', 'Admin', '--role', 'admin', '--password-stdin'],
      { dataDir: data, input: 'correct horse battery staple\n' },
    );
    expect(add.err).toBe('');
    expect(add.code).toBe(0);
    expect(JSON.parse(add.out)).toMatchObject({ email: 'admin@example.org', role: 'admin' });
    const dup = accord(['user', 'add', '--email', 'ADMIN@example.org', '--name', 'Again', '--password-stdin'], {
      dataDir: data,
      input: 'correct horse battery staple\n',
    });
    expect(dup.code).toBe(1);
    expect(dup.err).toContain('accord: a user with e-mail admin@example.org exists already');
    const weak = accord(['user', 'add', '--email', 'weak@example.org', '--name', 'Weak', '--password-stdin'], {
      dataDir: data,
      input: 'short\n',
    });
    expect(weak.code).toBe(1);
    expect(weak.err).toMatch(/at least 12 characters/);
    expect(accord(['org', 'add', '--name', 'ACME', '--kind', 'vendor'], { dataDir: data }).code).toBe(0);
    const token = accord(['token', 'create', '--email', 'admin@example.org', '--name', 'ci'], { dataDir: data });
    expect(token.out.trim()).toMatch(/^acc_[A-Za-z0-9_-]{40,}$/);
  });

  it('verifies the audit chain, and exits 1 naming the first altered event', async () => {
    const ok = accord(['audit', 'verify'], { dataDir: data });
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/audit log intact: \d+ events/);
    const backupFile = path.join(tempDir(), 'before-tamper.accord');
    const b = accord(['backup', backupFile], { dataDir: data });
    expect(b.code).toBe(0);
    expect(b.err).toMatch(/users: 1 rows/);

    const handle = await openEmbedded(data);
    await sql`alter table audit_events disable trigger audit_events_no_change`.execute(handle.db);
    await sql`update audit_events set actor_label = 'someone else' where seq = 2`.execute(handle.db);
    await handle.close();
    const broken = accord(['audit', 'verify'], { dataDir: data });
    expect(broken.code).toBe(1);
    expect(broken.out).toContain('audit log BROKEN at event #2');

    // The backup taken before the tampering restores into a fresh directory, intact.
    const restored = tempDir();
    const r = accord(['restore', backupFile], { dataDir: restored });
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/restored \d+ rows/);
    expect(accord(['audit', 'verify'], { dataDir: restored }).code).toBe(0);
    const again = accord(['restore', backupFile], { dataDir: restored });
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/not empty/);
  });

  it('refuses a second process on the same embedded data directory', async () => {
    const handle = await openEmbedded(data);
    try {
      const res = accord(['migrate'], { dataDir: data });
      expect(res.code).toBe(1);
      expect(res.err).toMatch(/in use by process \d+/);
    } finally {
      await handle.close();
    }
    expect(accord(['migrate'], { dataDir: data }).err).toContain('up to date');
  });

  it('stops with a clear message on invalid configuration', () => {
    const res = accord(['migrate'], { dataDir: data, env: { PORT: 'eighty', DATABASE_URL: 'mysql://db' } });
    expect(res.code).toBe(1);
    expect(res.err).toContain('PORT="eighty" is not a whole number');
    expect(res.err).toContain('DATABASE_URL must start with postgres://');
  });

  it('serves on the configured port, keeps data across a restart, and stops cleanly on SIGTERM', async () => {
    const own = tempDir();
    const add = accord(
      ['user', 'add', '--email', 'admin@example.org', '--name', 'Admin', '--role', 'admin', '--password-stdin'],
      { dataDir: own, input: 'correct horse battery staple\n' },
    );
    expect(add.code).toBe(0);
    const port = await freePort();
    const env = { ...process.env, ACCORD_DATA_DIR: own, PORT: String(port), ACCORD_LOG_LEVEL: 'info' };
    for (let round = 0; round < 2; round++) {
      const child = spawn(process.execPath, [path.join(root, 'bin/accord.mjs'), 'serve'], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      child.stdout.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr.on('data', (d: Buffer) => (log += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 150_000);
      const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
      expect(health).toMatchObject({ status: 'ok', database: 'embedded' });
      // The admin created by the CLI signs in on every start: the data survives restarts.
      const signin = await fetch(`http://127.0.0.1:${port}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.org', password: 'correct horse battery staple' }),
      });
      expect(signin.status).toBe(200);
      const firstLine = log.split('\n').find((l) => l.includes('"reqId"')) ?? '';
      expect(JSON.parse(firstLine)).toHaveProperty('reqId'); // JSON logs with request ids
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(log).toContain('stopped');
    }
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if (await check()) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready within ${ms} ms`);
}
