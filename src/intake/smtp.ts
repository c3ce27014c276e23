import type { AddressInfo } from 'node:net';
import type { SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import type { Logger } from '../app/context.ts';
import { asError } from '../core/errors.ts';

export interface IntakeEnvelope {
  /** The envelope sender; '' for the null sender (`MAIL FROM:<>`). Never mailed to from here. */
  mailFrom: string;
  rcptTo: string[];
  remoteAddress: string;
}

export interface IntakeSmtpOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Whole message, as received; larger mail is refused with 552. */
  maxMessageBytes: number;
  /** When given, other recipients are refused at RCPT with 550 (case-insensitive). */
  allowedRecipients?: readonly string[];
  /** PEM key and certificate to offer STARTTLS; without them STARTTLS is not offered. */
  tls?: { key: string | Buffer; cert: string | Buffer } | null;
  /** Stores the mail. A rejection answers 451, so the relay keeps the mail and tries again. */
  onMessage: (raw: Buffer, envelope: IntakeEnvelope) => Promise<void>;
  log: Logger;
  maxClients?: number;
  /** How long close() lets running sessions finish. */
  closeTimeoutMs?: number;
}

export interface IntakeSmtp {
  port: number;
  close(): Promise<void>;
}

function smtpError(responseCode: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

function envelopeOf(session: SMTPServerSession): IntakeEnvelope {
  return {
    mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    rcptTo: session.envelope.rcptTo.map((r) => r.address),
    remoteAddress: session.remoteAddress,
  };
}

/**
 * The SMTP endpoint the organization's mail server relays security@ mail to. No AUTH (the relay is
 * trusted by network placement), no bounces: every refusal is an SMTP reply to the relay, and
 * this module never sends mail. Logs name the envelope, never the body.
 */
export async function startIntakeSmtp(opts: IntakeSmtpOptions): Promise<IntakeSmtp> {
  // smtp-server is loaded only when the intake is switched on.
  const { SMTPServer } = await import('smtp-server');
  const allowed = opts.allowedRecipients ? new Set(opts.allowedRecipients.map((r) => r.trim().toLowerCase())) : null;
  const { log } = opts;

  const options: SMTPServerOptions = {
    secure: false,
    ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : {}),
    disabledCommands: opts.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    authOptional: true,
    size: opts.maxMessageBytes,
    rejectOversized: true,
    disableReverseLookup: true,
    logger: false,
    maxClients: opts.maxClients ?? 50,
    closeTimeout: opts.closeTimeoutMs ?? 10_000,

    onRcptTo(address, session, callback) {
      if (allowed && !allowed.has(address.address.trim().toLowerCase())) {
        log.warn(
          { smtpSession: session.id, remoteAddress: session.remoteAddress, rcptTo: address.address },
          'intake refused an unknown recipient',
        );
        callback(smtpError(550, `5.1.1 <${address.address}>: no such recipient here`));
        return;
      }
      callback();
    },

    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let failed: Error | null = null;
      stream.on('data', (chunk: Buffer) => {
        // past the limit nothing more is kept; the rest is read and dropped so the reply can be 552
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      stream.on('error', (err) => {
        failed = err;
      });
      stream.on('end', () => {
        const envelope = envelopeOf(session);
        const meta = { smtpSession: session.id, ...envelope, bytes: stream.byteLength };
        if (stream.sizeExceeded) {
          log.warn({ ...meta, limit: opts.maxMessageBytes }, 'intake refused an oversized mail');
          callback(smtpError(552, `5.3.4 message exceeds the limit of ${opts.maxMessageBytes} bytes`));
          return;
        }
        if (failed) {
          log.warn({ ...meta, err: asError(failed).message }, 'intake lost a mail while receiving it');
          callback(smtpError(451, '4.3.0 the message was not received completely, try again later'));
          return;
        }
        const raw = Buffer.concat(chunks);
        Promise.resolve()
          .then(() => opts.onMessage(raw, envelope))
          .then(
            () => {
              log.info(meta, 'intake accepted a mail');
              callback(null, 'OK: message accepted');
            },
            (err: unknown) => {
              log.error({ ...meta, err: asError(err).message }, 'intake could not store a mail; the relay will retry');
              callback(smtpError(451, '4.3.0 temporary failure storing the message, try again later'));
            },
          );
      });
    },
  };

  const server = new SMTPServer(options);
  // Connection errors (resets, TLS failures) are the client's problem: log them, never crash.
  server.on('error', (err) => log.warn({ err: asError(err).message }, 'intake SMTP connection error'));

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) =>
      reject(new Error(`intake SMTP cannot listen on ${opts.host}:${opts.port}: ${err.message}`));
    server.server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  log.info({ host: opts.host, port, starttls: Boolean(opts.tls) }, 'intake SMTP listening');

  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
