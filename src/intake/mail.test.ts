import { createHash, randomBytes } from 'node:crypto';
import nodemailer, { type Mail } from 'nodemailer';
import type { SendMailOptions } from 'nodemailer/lib/mailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIntakeError, parseIntakeMail, type IntakeParseOptions } from './mail.ts';
import { startIntakeSmtp, type IntakeSmtp } from './smtp.ts';

const CRLF = '\r\n';
let smtp: IntakeSmtp;
let transport: Mail;
const inbox: Buffer[] = [];
let instanceKey: openpgp.PrivateKey;
let finderKey: openpgp.PrivateKey;
let strangerKey: openpgp.PrivateKey;

beforeAll(async () => {
  const ecc = (email: string) =>
    openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ email }], format: 'object' });
  [instanceKey, finderKey, strangerKey] = (
    await Promise.all([ecc('security@example.org'), ecc('finder@example.net'), ecc('someone@example.com')])
  ).map((pair) => pair.privateKey) as [openpgp.PrivateKey, openpgp.PrivateKey, openpgp.PrivateKey];
  smtp = await startIntakeSmtp({
    host: '127.0.0.1',
    port: 0,
    maxMessageBytes: 1024 * 1024,
    allowedRecipients: ['security@example.org'],
    onMessage: async (raw) => {
      inbox.push(raw);
    },
    log: { info() {}, warn() {}, error() {} },
  });
  transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
});
afterAll(async () => {
  await smtp.close();
});

const envelope = { from: 'finder@example.net', to: 'security@example.org' };

/** Sends through the intake SMTP server and returns the raw mail it handed over. */
async function deliver(mail: SendMailOptions): Promise<Buffer> {
  await transport.sendMail({ from: 'Fay Finder <finder@example.net>', to: envelope.to, envelope, ...mail });
  const raw = inbox.at(-1);
  if (!raw) throw new Error('nothing arrived');
  return raw;
}

const options = (extra: Partial<IntakeParseOptions> = {}): IntakeParseOptions => ({
  decryptionKeys: [instanceKey],
  maxAttachmentBytes: 64 * 1024,
  maxAttachments: 5,
  ...extra,
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function encryptTo(data: Uint8Array | string, key: openpgp.PrivateKey, signer?: openpgp.PrivateKey) {
  const message = await (typeof data === 'string'
    ? openpgp.createMessage({ text: data })
    : openpgp.createMessage({ binary: data }));
  return openpgp.encrypt({ message, encryptionKeys: key.toPublic(), ...(signer ? { signingKeys: signer } : {}) });
}

/** An RFC 3156 multipart/encrypted mail around an armored OpenPGP message. */
function pgpMime(armored: string, subject: string): Buffer {
  return Buffer.from(
    [
      'From: Fay Finder <finder@example.net>',
      'To: security@example.org',
      `Subject: ${subject}`,
      'Message-ID: <pgp-mime-1@example.net>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="enc-b0undary"',
      '',
      'This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)',
      '--enc-b0undary',
      'Content-Type: application/pgp-encrypted',
      'Content-Description: PGP/MIME version identification',
      '',
      'Version: 1',
      '',
      '--enc-b0undary',
      'Content-Type: application/octet-stream; name="encrypted.asc"',
      'Content-Description: OpenPGP encrypted message',
      'Content-Disposition: inline; filename="encrypted.asc"',
      '',
      armored.trimEnd(),
      '',
      '--enc-b0undary--',
      '',
    ].join(CRLF),
  );
}

describe('parseIntakeMail (delivered over SMTP)', () => {
  it('reads a plain mail', async () => {
    const raw = await deliver({ subject: 'XSS in the login form', text: 'Steps to reproduce: …\n' });
    const mail = await parseIntakeMail(raw, options());
    expect(mail).toMatchObject({
      from: { address: 'finder@example.net', name: 'Fay Finder' },
      subject: 'XSS in the login form',
      text: 'Steps to reproduce: …\n',
      encryption: 'none',
      attachments: [],
      rejectedAttachments: [],
      trackingId: null,
      inReplyTo: null,
      references: [],
    });
    expect(mail.messageId).toMatch(/^<.+@.+>$/);
    expect(mail.signature).toBeUndefined();
  });

  it('keeps an attachment with its SHA-256, and refuses those over the limits', async () => {
    const poc = randomBytes(5000);
    const raw = await deliver({
      text: 'see attached',
      attachments: [
        { filename: '../../poc.bin', content: poc, contentType: 'application/octet-stream' },
        { filename: 'big.log', content: Buffer.alloc(70 * 1024, 'a') },
        { filename: 'second.txt', content: 'two' },
      ],
    });
    const mail = await parseIntakeMail(raw, options({ maxAttachments: 1 }));
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ filename: 'poc.bin', size: 5000, sha256: sha256(poc) });
    expect(mail.attachments[0]?.content.equals(poc)).toBe(true);
    expect(mail.rejectedAttachments).toEqual([
      expect.objectContaining({ filename: 'big.log', size: 70 * 1024, reason: 'larger than the limit of 65536 bytes' }),
      expect.objectContaining({ filename: 'second.txt', reason: 'more than 1 attachments' }),
    ]);
  });

  it('turns an HTML-only mail into text without its scripts', async () => {
    const raw = await deliver({
      html: '<p>Hello <b>PSIRT</b></p><script>alert("x")</script><p>Second &amp; last</p>',
    });
    const mail = await parseIntakeMail(raw, options());
    expect(mail.text).toContain('Hello PSIRT');
    expect(mail.text).toContain('Second & last');
    expect(mail.text).not.toContain('alert');
    expect(mail.text).not.toContain('<');
  });

  it('decrypts a PGP/MIME mail, its attachment and its protected subject, and checks its signature', async () => {
    const poc = randomBytes(3000);
    const inner = await new MailComposer({
      subject: '[ACC-2026-0007] RCE in the upload handler',
      text: 'The upload handler runs anything.',
      attachments: [{ filename: 'exploit.py', content: poc }],
    })
      .compile()
      .build();
    const armored = await encryptTo(inner, instanceKey, finderKey);
    const raw = await deliver({ raw: pgpMime(armored, '...') });
    const mail = await parseIntakeMail(raw, options({ verificationKeys: [finderKey.toPublic().armor()] }));
    expect(mail.encryption).toBe('pgp-mime');
    expect(mail.subject).toBe('[ACC-2026-0007] RCE in the upload handler');
    expect(mail.trackingId).toBe('ACC-2026-0007');
    expect(mail.text.trim()).toBe('The upload handler runs anything.');
    expect(mail.attachments.map((a) => [a.filename, a.sha256])).toEqual([['exploit.py', sha256(poc)]]);
    expect(mail.signature).toEqual({
      keyId: finderKey.getKeyID().toHex().toUpperCase(),
      fingerprint: finderKey.getFingerprint().toUpperCase(),
      verified: true,
    });
  });

  it('reads the signature of a PGP/MIME mail as unverified when the sender key is not given', async () => {
    const inner = Buffer.from(`Content-Type: text/plain; charset=utf-8${CRLF}${CRLF}signed and sealed${CRLF}`);
    const raw = await deliver({ raw: pgpMime(await encryptTo(inner, instanceKey, finderKey), 'Report') });
    const mail = await parseIntakeMail(raw, options());
    expect(mail.text.trim()).toBe('signed and sealed');
    expect(mail.subject).toBe('Report');
    expect(mail.signature).toMatchObject({ verified: false, keyId: finderKey.getKeyID().toHex().toUpperCase() });
    expect(mail.signature?.fingerprint).toBeUndefined();
  });

  it('decrypts inline PGP in the body', async () => {
    const armored = await encryptTo('Inline secret: the admin password is in config.js', instanceKey, finderKey);
    const raw = await deliver({ subject: 'Inline', text: `Hello,\n\n${armored}\nRegards, Fay\n` });
    const mail = await parseIntakeMail(raw, options({ verificationKeys: [finderKey.toPublic()] }));
    expect(mail.encryption).toBe('pgp-inline');
    expect(mail.text).toContain('Inline secret: the admin password is in config.js');
    expect(mail.text).not.toContain('BEGIN PGP');
    expect(mail.text).toContain('Regards, Fay');
    expect(mail.signature?.verified).toBe(true);
  });

  it('decrypts an inline PGP attachment (report.pdf.pgp)', async () => {
    const pdf = randomBytes(2000);
    const encrypted = await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: pdf }),
      encryptionKeys: instanceKey.toPublic(),
      format: 'binary',
    });
    const raw = await deliver({
      text: 'report attached',
      attachments: [{ filename: 'report.pdf.pgp', content: Buffer.from(encrypted) }],
    });
    const mail = await parseIntakeMail(raw, options());
    expect(mail.encryption).toBe('pgp-inline');
    expect(mail.attachments.map((a) => [a.filename, a.sha256])).toEqual([['report.pdf', sha256(pdf)]]);
  });

  it('threads a reply by the tracking id in its subject', async () => {
    const raw = await deliver({
      subject: 'Re: [ACC-2026-0042] XSS in the login form',
      text: 'Any news?',
      inReplyTo: '<case-42@accord.example.org>',
      references: ['<case-42@accord.example.org>', '<case-42-b@accord.example.org>'],
    });
    const mail = await parseIntakeMail(raw, options());
    expect(mail.trackingId).toBe('ACC-2026-0042');
    expect(mail.inReplyTo).toBe('<case-42@accord.example.org>');
    expect(mail.references).toEqual(['<case-42@accord.example.org>', '<case-42-b@accord.example.org>']);
    expect((await parseIntakeMail(raw, options({ trackingPrefix: 'PSIRT' }))).trackingId).toBeNull();
  });

  it('checks an RFC 3156 multipart/signed mail', async () => {
    const part = `Content-Type: text/plain; charset=utf-8${CRLF}${CRLF}Signed, not sealed.`;
    const signature = await openpgp.sign({
      message: await openpgp.createMessage({ binary: Buffer.from(part) }),
      signingKeys: finderKey,
      detached: true,
    });
    const signed = (body: string) =>
      Buffer.from(
        [
          'From: finder@example.net',
          'Subject: signed',
          'MIME-Version: 1.0',
          'Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="s1g"',
          '',
          '--s1g',
          body,
          '--s1g',
          'Content-Type: application/pgp-signature; name="signature.asc"',
          '',
          signature.trimEnd(),
          '--s1g--',
          '',
        ].join(CRLF),
      );
    const opts = options({ verificationKeys: [finderKey.toPublic()] });
    const good = await parseIntakeMail(await deliver({ raw: signed(part) }), opts);
    expect(good).toMatchObject({ text: 'Signed, not sealed.', encryption: 'none', signature: { verified: true } });
    const forged = await parseIntakeMail(await deliver({ raw: signed(part.replace('not', 'NOT')) }), opts);
    expect(forged.signature).toMatchObject({ verified: false, problem: expect.stringMatching(/does not match/) });
  });

  it('refuses mail encrypted to another key, with a message that says so', async () => {
    const raw = await deliver({ raw: pgpMime(await encryptTo('hi', strangerKey), 'Report') });
    const err = await parseIntakeMail(raw, options()).catch((e: unknown) => e);
    expect(isIntakeError(err, 'undecryptable')).toBe(true);
    expect((err as Error).message).toMatch(/encrypted to key [0-9A-F]{16}, not to the instance key [0-9A-F]{40}/);
  });

  it('refuses a damaged encrypted part and a compression bomb with their own reasons', async () => {
    const damaged = await deliver({
      raw: pgpMime('-----BEGIN PGP MESSAGE-----\r\n\r\nnot base64 !!\r\n-----END PGP MESSAGE-----', 'x'),
    });
    const err = await parseIntakeMail(damaged, options()).catch((e: unknown) => e);
    expect(isIntakeError(err, 'malformed')).toBe(true);
    expect((err as Error).message).toBe('the mail is not a readable OpenPGP message');

    const bomb = await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: new Uint8Array(2_000_000) }),
      encryptionKeys: instanceKey.toPublic(),
      config: { preferredCompressionAlgorithm: openpgp.enums.compression.zlib },
    });
    const raw = await deliver({ raw: pgpMime(bomb, 'zip') });
    const tooLarge = await parseIntakeMail(raw, options({ maxDecryptedBytes: 100_000 })).catch((e: unknown) => e);
    expect(isIntakeError(tooLarge, 'too-large')).toBe(true);
  });

  it('refuses encrypted mail when no instance key is configured, and a locked key as a configuration error', async () => {
    const raw = await deliver({ raw: pgpMime(await encryptTo('hi', instanceKey), 'Report') });
    await expect(parseIntakeMail(raw, options({ decryptionKeys: [] }))).rejects.toThrow(
      /no instance key is configured/,
    );
    const locked = await openpgp.encryptKey({ privateKey: instanceKey, passphrase: 'pw' });
    await expect(parseIntakeMail(raw, options({ decryptionKeys: [locked] }))).rejects.toMatchObject({
      code: 'ERR_CONFIG',
      message: expect.stringMatching(/locked with a passphrase/),
    });
  });
});
