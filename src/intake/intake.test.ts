import nodemailer from 'nodemailer';
import type { SendMailOptions } from 'nodemailer/lib/mailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { makeCtx, silentLog, testConfig } from '../../tests/support/factories.ts';
import type { Ctx } from '../app/context.ts';
import { ensureInstanceKey } from '../keys/commands.ts';
import { systemActor } from '../policy/actor.ts';
import { acceptIntakeMail, processIntakeMail } from './commands.ts';
import { startIntakeSmtp, type IntakeSmtp } from './smtp.ts';

/**
 * The whole e-mail path: a real SMTP conversation on loopback into the listener, the raw mail
 * stored before 250, then the job turns it into a report or a message on an existing one.
 */
describe('e-mail intake into reports', () => {
  let db: TestDatabase;
  let smtp: IntakeSmtp;
  let ctx: Ctx;
  let send: (mail: SendMailOptions) => Promise<unknown>;

  beforeAll(async () => {
    db = await createTestDatabase();
    smtp = await startIntakeSmtp({
      host: '127.0.0.1',
      port: 0,
      maxMessageBytes: 1024 * 1024,
      allowedRecipients: ['security@example.org'],
      onMessage: async (raw, envelope) => {
        await acceptIntakeMail(db.db, raw, envelope, new Date());
      },
      log: silentLog,
    });
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      ignoreTLS: true,
    });
    send = (mail) => transport.sendMail({ from: 'finder@example.net', to: 'security@example.org', ...mail });
  });
  afterAll(async () => {
    await smtp.close();
    await db.close();
  });
  beforeEach(async () => {
    await db.reset();
    ctx = { ...makeCtx(db, { config: testConfig() }), actor: systemActor('intake') };
  });

  /** Runs the queued intake jobs, as the worker would. */
  async function drain(): Promise<void> {
    const pending = await db.db.selectFrom('intake_mail').select('id').where('status', '=', 'pending').execute();
    for (const p of pending) await processIntakeMail(ctx, p.id);
  }

  it('turns a plain mail with an attachment into a report, and acknowledges the sender', async () => {
    await send({
      subject: 'SQL injection in the partner portal login',
      text: 'The username field of /partner/login is injectable: a single quote gives a database error.',
      attachments: [{ filename: 'request.txt', content: 'POST /partner/login user=admin%27--' }],
    });
    const stored = await db.db.selectFrom('intake_mail').selectAll().executeTakeFirstOrThrow();
    expect(stored.status).toBe('pending');
    expect(await db.db.selectFrom('jobs').select('kind').execute()).toEqual([{ kind: 'intake.mail' }]);
    await drain();
    const report = await db.db.selectFrom('reports').selectAll().executeTakeFirstOrThrow();
    expect(report).toMatchObject({
      channel: 'email',
      title: 'SQL injection in the partner portal login',
      rm_state: 'R',
    });
    expect(report.description).toContain('single quote');
    const file = await db.db.selectFrom('attachments').selectAll().executeTakeFirstOrThrow();
    expect(file.filename).toBe('request.txt');
    expect(Buffer.from(file.content).toString()).toContain('admin%27--');
    const ack = await db.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    expect(ack.to_address).toBe('finder@example.net');
    expect(ack.subject).toContain(report.tracking_id);
    expect(
      (await db.db.selectFrom('intake_mail').select(['status', 'report_id']).executeTakeFirstOrThrow()).report_id,
    ).toBe(report.id);
  });

  it('decrypts mail encrypted to the instance key', async () => {
    const key = await ensureInstanceKey(ctx);
    const openpgp = await import('openpgp');
    const armored = await openpgp.encrypt({
      message: await openpgp.createMessage({
        text: 'Heap overflow in the image parser of the mobile app, PoC on request.',
      }),
      encryptionKeys: await openpgp.readKey({ armoredKey: key.public_key }),
    });
    await send({ subject: 'Encrypted report', text: armored });
    await drain();
    const report = await db.db.selectFrom('reports').selectAll().executeTakeFirstOrThrow();
    expect(report.submitted_encrypted).toBe(true);
    expect(report.description).toContain('Heap overflow in the image parser');
  });

  it('threads a reply from the finder into the report named in the subject; others open a new report', async () => {
    await send({
      subject: 'Path traversal in the export endpoint',
      text: 'GET /export?file=../../etc/passwd returns the file.',
    });
    await drain();
    const first = await db.db.selectFrom('reports').selectAll().executeTakeFirstOrThrow();
    await send({
      subject: `Re: [${first.tracking_id}] Your report was received`,
      text: 'Also works with URL encoding.',
    });
    await send({
      from: 'someone-else@example.com',
      subject: `Re: [${first.tracking_id}] Your report was received`,
      text: 'I am not the finder, but I want to add this to the report.',
    });
    await drain();
    const messages = await db.db.selectFrom('report_messages').selectAll().where('report_id', '=', first.id).execute();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ from_finder: true, via: 'email' });
    expect(messages[0]?.body).toContain('URL encoding');
    const reports = await db.db
      .selectFrom('reports')
      .select(['tracking_id', 'channel'])
      .orderBy('created_at')
      .execute();
    expect(reports).toHaveLength(2); // the stranger's mail became its own report
  });

  it('keeps an unreadable mail as a report with the raw message attached', async () => {
    await send({
      subject: 'Encrypted to someone else',
      text: '-----BEGIN PGP MESSAGE-----\n\nbm90IHJlYWw=\n-----END PGP MESSAGE-----',
    });
    await drain();
    const row = await db.db.selectFrom('intake_mail').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(row.error).toBeTruthy();
    const file = await db.db.selectFrom('attachments').selectAll().executeTakeFirstOrThrow();
    expect(file).toMatchObject({ filename: 'message.eml', content_type: 'message/rfc822' });
    // No mail goes back to the sender of something we could not read (no backscatter).
    expect(await db.db.selectFrom('outbox').select('id').execute()).toEqual([]);
  });
});
