import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { makeCtx, makeUser, testConfig } from '../../tests/support/factories.ts';
import { requestPasswordReset } from '../auth/reset.ts';
import { startWorker } from '../jobs/worker.ts';
import { listOutbox } from './queries.ts';
import { MAIL_JOB } from './outbox.ts';
import { mailSendHandler } from './transport.ts';

describe('mail delivery over SMTP', () => {
  let db: TestDatabase;
  let server: SMTPServer;
  let port: number;
  const received: { from: string; to: string[]; data: string }[] = [];
  let connections = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      onConnect(_session, callback) {
        connections += 1;
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.close();
  });

  it('queues mail in the outbox and a job delivers it to the SMTP server', async () => {
    const config = testConfig({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), MAIL_FROM: 'psirt@example.org' });
    const ctx = makeCtx(db, { config });
    const user = await makeUser(ctx);
    await requestPasswordReset(ctx, user.email);
    expect((await listOutbox(db.db, {})).items[0]?.status).toBe('queued');
    if (!config.smtp) throw new Error('SMTP not configured');
    const send = mailSendHandler(config.smtp, config.mailFrom);
    const worker = startWorker(ctx, { [MAIL_JOB]: send }, 0);
    await worker.drain();
    await worker.stop();
    send.close();
    expect(received).toHaveLength(1);
    expect(received[0]?.from).toBe('psirt@example.org');
    expect(received[0]?.to).toEqual([user.email]);
    expect(received[0]?.data).toContain('Subject: [Accord] Reset your password');
    const sent = (await listOutbox(db.db, {})).items[0];
    expect(sent?.status).toBe('sent');
    expect(sent?.sent_at).toBeInstanceOf(Date);
  });

  it('sends many mails over one reused SMTP connection', async () => {
    await db.reset();
    received.length = 0;
    connections = 0;
    const config = testConfig({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), MAIL_FROM: 'psirt@example.org' });
    const ctx = makeCtx(db, { config });
    for (let i = 0; i < 5; i++) await requestPasswordReset(ctx, (await makeUser(ctx)).email);
    if (!config.smtp) throw new Error('SMTP not configured');
    const send = mailSendHandler(config.smtp, config.mailFrom);
    const worker = startWorker(ctx, { [MAIL_JOB]: send }, 0);
    await worker.drain();
    await worker.stop();
    send.close();
    expect(received).toHaveLength(5);
    expect(connections).toBe(1);
    expect((await listOutbox(db.db, {})).items.every((m) => m.status === 'sent')).toBe(true);
  });

  it('a refused delivery stays queued with the error, and is retried later', async () => {
    await db.reset();
    const config = testConfig({ SMTP_HOST: '127.0.0.1', SMTP_PORT: '1', MAIL_FROM: 'psirt@example.org' });
    const ctx = makeCtx(db, { config });
    const user = await makeUser(ctx);
    await requestPasswordReset(ctx, user.email);
    if (!config.smtp) throw new Error('SMTP not configured');
    const send = mailSendHandler(config.smtp, config.mailFrom);
    const worker = startWorker(ctx, { [MAIL_JOB]: send }, 0);
    await worker.drain();
    await worker.stop();
    send.close();
    const mail = (await listOutbox(db.db, {})).items[0];
    expect(mail?.status).toBe('queued');
    expect(mail?.last_error).toMatch(/ECONNREFUSED|connect/);
    const job = await db.db.selectFrom('jobs').selectAll().where('kind', '=', MAIL_JOB).executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: 'pending', attempts: 1 });
  });
});
