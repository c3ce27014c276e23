import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { actorOf, makeCtx, makeOrg, makeUser, PASSWORD } from '../../tests/support/factories.ts';
import { verifyAuditChain } from '../audit/verify.ts';
import { login } from '../auth/sessions.ts';
import { createApiToken } from '../auth/tokens.ts';
import { updateSettings } from '../settings/settings.ts';
import { markDuplicate, submitReport } from '../reports/commands.ts';
import { addVulnerability, openCase } from '../cases/commands.ts';
import { sampleReport } from '../../tests/support/reports.ts';
import { backup, restore } from './backup.ts';

describe('backup and restore', () => {
  let source: TestDatabase;
  let target: TestDatabase;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-backup-'));
  beforeAll(async () => {
    source = await createTestDatabase();
    target = await createTestDatabase();
  });
  afterAll(async () => {
    await source.close();
    await target.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips every row losslessly, including the audit chain', async () => {
    const ctx = makeCtx(source);
    const admin = await makeUser(ctx, { role: 'admin', name: 'Ädmin 管理者 <b>' });
    await makeOrg(ctx, { name: 'ACME' });
    await login(ctx, { email: admin.email, password: PASSWORD }, 'agent');
    await createApiToken({ ...ctx, actor: await actorOf(ctx, admin.id) }, { name: 'ci' });
    await updateSettings(ctx, { require2faForStaff: true });
    // Reports with an attachment, messages, events, and a duplicate of a NEWER report (deferred FK).
    const older = await submitReport(
      ctx,
      sampleReport({
        attachments: [{ filename: 'poc.bin', contentType: 'application/zip', contentBase64: 'AAECA/8=' }],
      }),
      { channel: 'api', submittedEncrypted: false },
    );
    const newer = await submitReport(ctx, sampleReport(), { channel: 'web', submittedEncrypted: false });
    await markDuplicate(ctx, older.report.id, newer.report.tracking_id);
    const c = await openCase(ctx, { title: 'A case to back up' });
    await addVulnerability(ctx, c.id, { title: 'A bug', cveId: 'CVE-2026-20001' });
    const file = path.join(dir, 'one.accord');
    const progress: string[] = [];
    const counts = await backup(source.db, file, (m) => progress.push(m));
    expect(counts.users).toBe(1);
    expect(counts.cases).toBe(1);
    expect(progress).toContain('users: 1 rows');

    await restore(target.db, file);
    expect(await verifyAuditChain(target.db)).toMatchObject({ ok: true });
    const again = path.join(dir, 'two.accord');
    await backup(target.db, again);
    const rows = (f: string) => readLines(f).slice(1); // the header holds the creation time
    expect(rows(again)).toEqual(rows(file));
    // The restored instance works: the same password signs in.
    await expect(login(makeCtx(target), { email: admin.email, password: PASSWORD }, null)).resolves.toBeTruthy();
    const bytes = await target.db.selectFrom('attachments').select('content').executeTakeFirstOrThrow();
    expect(Buffer.from(bytes.content)).toEqual(Buffer.from([0, 1, 2, 3, 255]));
    // Sequences continue after the restored rows: new report events insert fine.
    await submitReport(makeCtx(target), sampleReport(), { channel: 'api', submittedEncrypted: false });
    // Restoring into a database that holds data is refused.
    await expect(restore(target.db, file)).rejects.toMatchObject({ code: 'ERR_RESTORE_NOT_EMPTY' });
  });

  it('refuses files that are not backups', async () => {
    const junk = path.join(dir, 'junk.accord');
    fs.writeFileSync(junk, 'hello');
    await expect(restore(target.db, junk)).rejects.toThrow();
    await expect(restore(target.db, path.join(dir, 'missing'))).rejects.toThrow(/does not exist/);
  });
});

function readLines(file: string): string[] {
  return gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n');
}
