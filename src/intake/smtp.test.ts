import net from 'node:net';
import nodemailer from 'nodemailer';
import type { SendMailOptions } from 'nodemailer/lib/mailer';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../app/context.ts';
import { startIntakeSmtp, type IntakeEnvelope, type IntakeSmtp, type IntakeSmtpOptions } from './smtp.ts';

interface LogLine {
  level: string;
  obj: object;
  msg: string | undefined;
}

const servers: IntakeSmtp[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A listening intake on an ephemeral port and a nodemailer client pointed at it. */
async function intake(overrides: Partial<IntakeSmtpOptions> = {}) {
  const received: { raw: Buffer; envelope: IntakeEnvelope }[] = [];
  const logs: LogLine[] = [];
  const log: Logger = {
    info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => logs.push({ level: 'error', obj, msg }),
  };
  const smtp = await startIntakeSmtp({
    host: '127.0.0.1',
    port: 0,
    maxMessageBytes: 32 * 1024,
    allowedRecipients: ['security@example.org'],
    onMessage: async (raw, envelope) => {
      received.push({ raw, envelope });
    },
    log,
    closeTimeoutMs: 500,
    ...overrides,
  });
  servers.push(smtp);
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
  const send = (mail: SendMailOptions) =>
    transport.sendMail({ from: 'finder@example.net', to: 'security@example.org', subject: 'Report', ...mail });
  return { smtp, received, logs, send };
}

/** What the client saw when the server refused: the SMTP reply code and text. */
async function refusal(sending: Promise<unknown>): Promise<{ responseCode?: number; response?: string }> {
  try {
    await sending;
  } catch (err) {
    return err as { responseCode?: number; response?: string };
  }
  throw new Error('the mail was accepted');
}

describe('intake SMTP server', () => {
  it('accepts mail for an allowed recipient and hands over the raw message and envelope', async () => {
    const { received, logs, send } = await intake();
    const info = await send({ to: 'SECURITY@example.org', text: 'secret body marker 7731' });
    expect(info.accepted).toEqual(['SECURITY@example.org']);
    expect(received).toHaveLength(1);
    expect(received[0]?.envelope).toEqual({
      mailFrom: 'finder@example.net',
      rcptTo: ['SECURITY@example.org'],
      remoteAddress: '127.0.0.1',
    });
    expect(received[0]?.raw.toString('utf8')).toContain('secret body marker 7731');
    expect(logs.find((l) => l.msg === 'intake accepted a mail')?.obj).toMatchObject({ mailFrom: 'finder@example.net' });
    expect(JSON.stringify(logs)).not.toContain('7731'); // envelopes are logged, bodies never
  });

  it('refuses an unknown recipient at RCPT with 550', async () => {
    const { received, send } = await intake();
    const err = await refusal(send({ to: 'sales@example.org', text: 'hello' }));
    expect(err.responseCode).toBe(550);
    expect(err.response).toMatch(/no such recipient/);
    expect(received).toHaveLength(0);
  });

  it('takes any recipient when no list is given', async () => {
    const { received, send } = await intake({ allowedRecipients: undefined });
    await send({ to: 'psirt@example.com', text: 'hello' });
    expect(received[0]?.envelope.rcptTo).toEqual(['psirt@example.com']);
  });

  it('refuses an oversized mail with 552 and does not hand it over', async () => {
    const { received, logs, send } = await intake({ maxMessageBytes: 4096 });
    const err = await refusal(send({ text: 'x'.repeat(10_000) }));
    expect(err.responseCode).toBe(552);
    expect(received).toHaveLength(0);
    expect(logs.find((l) => l.msg === 'intake refused an oversized mail')?.level).toBe('warn');
  });

  it('refuses an oversized mail announced with SIZE= at MAIL FROM with 552', async () => {
    const { smtp, received } = await intake({ maxMessageBytes: 4096 });
    const replies = await converse(smtp.port, ['EHLO relay.example.org', 'MAIL FROM:<finder@example.net> SIZE=999999']);
    expect(replies.at(-1)).toMatch(/^552 /);
    expect(received).toHaveLength(0);
  });

  it('answers 451 when storing fails, so the relay retries; nothing is sent back to the sender', async () => {
    const { logs, send } = await intake({
      onMessage: async () => {
        throw new Error('database is down');
      },
    });
    const err = await refusal(send({ text: 'report' }));
    expect(err.responseCode).toBe(451);
    expect(err.response).not.toContain('database'); // internals stay in the log
    expect(logs.find((l) => l.level === 'error')?.obj).toMatchObject({ err: 'database is down' });
  });

  it('offers neither AUTH nor STARTTLS without a certificate', async () => {
    const { smtp } = await intake();
    const replies = await converse(smtp.port, ['EHLO relay.example.org', 'STARTTLS']);
    const ehlo = replies.find((r) => r.startsWith('250-') || r.startsWith('250 ')) ?? '';
    expect(replies.join('\n')).not.toMatch(/AUTH|250-STARTTLS/);
    expect(ehlo).toContain('250');
    expect(replies.at(-1)).toMatch(/^5\d\d /);
  });

  it('reports a port already taken', async () => {
    const { smtp } = await intake();
    await expect(
      startIntakeSmtp({
        host: '127.0.0.1',
        port: smtp.port,
        maxMessageBytes: 1024,
        onMessage: async () => {},
        log: { info() {}, warn() {}, error() {} },
      }),
    ).rejects.toThrow(/cannot listen on 127\.0\.0\.1/);
  });
});

/** A hand-driven SMTP conversation: sends each command once the previous reply has come, returns every reply line. */
async function converse(port: number, commands: string[]): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  const lines: string[] = [];
  let buffer = '';
  let waiting: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    let i: number;
    while ((i = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      lines.push(line);
      if (/^\d{3} /.test(line)) waiting?.();
    }
  });
  const reply = () => new Promise<void>((resolve) => (waiting = resolve));
  await reply(); // greeting
  for (const command of commands) {
    socket.write(`${command}\r\n`);
    await reply();
  }
  socket.end('QUIT\r\n');
  return lines;
}
