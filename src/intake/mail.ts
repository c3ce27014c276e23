import { createHash } from 'node:crypto';
import type { AddressObject, Attachment, ParsedMail } from 'mailparser';
import type { PrivateKey, PublicKey } from 'openpgp';
import { AppError } from '../core/errors.ts';
import { canonicalCrlf, contentTypeOf, intakeError, parseEntity, splitMultipart } from './mime.ts';
import { createPgp, isArmoredMessage, type IntakeSignature, type Pgp } from './pgp.ts';
import { DEFAULT_TRACKING_PREFIX, extractTrackingId, htmlToPlainText, safeFilename } from './rules.ts';

export { extractTrackingId } from './rules.ts';
export { isIntakeError, type IntakeFailure } from './mime.ts';
export type { IntakeSignature } from './pgp.ts';

export type IntakeEncryption = 'none' | 'pgp-mime' | 'pgp-inline';

export interface IntakeAttachment {
  /** Cleaned of directories and control characters; never use it as a path. */
  filename: string;
  contentType: string;
  size: number;
  /** Hex SHA-256 of `content`. */
  sha256: string;
  content: Buffer;
}

export interface RejectedAttachment {
  filename: string;
  contentType: string;
  size: number;
  reason: string;
}

/** A finder's mail, decrypted, as the report intake needs it. */
export interface IntakeMail {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /** The From header; null when the mail has none (fall back to the envelope sender). */
  from: { address: string; name: string } | null;
  /** The protected (encrypted) subject when the sender's client hid the real one. */
  subject: string;
  text: string;
  attachments: IntakeAttachment[];
  encryption: IntakeEncryption;
  /** Set when the mail (or its encrypted content) is signed, whether or not it could be verified. */
  signature?: IntakeSignature;
  rejectedAttachments: RejectedAttachment[];
  trackingId: string | null;
}

export interface IntakeParseOptions {
  /** The instance's private keys, unlocked (or armored). Empty: encrypted mail is refused as undecryptable. */
  decryptionKeys: readonly (PrivateKey | string)[];
  /** Public keys to check signatures against, e.g. the sender's key from their profile. */
  verificationKeys?: readonly (PublicKey | string)[];
  maxAttachmentBytes: number;
  maxAttachments: number;
  /** Tracking id prefix, `ACC` by default. */
  trackingPrefix?: string;
  /** Decrypted, decompressed data beyond this is refused; default max(64 MiB, 10 × the mail). */
  maxDecryptedBytes?: number;
}

const MAX_NESTING = 4;

/**
 * Reads a raw mail sent to security@: PGP/MIME (RFC 3156) and inline PGP are decrypted with the
 * instance key, signatures checked, attachments hashed and limited. Throws only AppError:
 * ERR_VALIDATION with `details.reason` (see IntakeFailure) for a bad mail, ERR_CONFIG for bad keys.
 */
export async function parseIntakeMail(raw: Buffer, opts: IntakeParseOptions): Promise<IntakeMail> {
  try {
    return await parse(raw, opts);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw intakeError('malformed', 'the mail could not be read', err);
  }
}

interface Opened {
  mail: ParsedMail;
  encryption: 'none' | 'pgp-mime';
  signature?: IntakeSignature | undefined;
  protectedSubject?: string | undefined;
}

interface Part {
  filename: string | undefined;
  contentType: string;
  content: Buffer;
}

async function parse(raw: Buffer, opts: IntakeParseOptions): Promise<IntakeMail> {
  if (raw.length === 0) throw intakeError('malformed', 'the mail is empty');
  const pgp = createPgp({
    decryptionKeys: opts.decryptionKeys,
    verificationKeys: opts.verificationKeys,
    maxDecryptedBytes: opts.maxDecryptedBytes ?? Math.max(64 * 1024 * 1024, 10 * raw.length),
  });
  const outer = await parseEntity(raw, 'the mail');
  const opened = await openEntity(raw, outer, pgp, 0);
  let text = bodyText(opened.mail);
  let encryption: IntakeEncryption = opened.encryption;
  let signature = opened.signature;
  let parts: Part[] = opened.mail.attachments.map(toPart);
  if (encryption === 'none') {
    const inline = await openInline(text, pgp);
    const files = await openInlineAttachments(parts, pgp);
    text = inline.text;
    parts = files.parts;
    signature ??= inline.signature;
    if (inline.decrypted || files.decrypted) encryption = 'pgp-inline';
  }
  const subject = opened.protectedSubject ?? outer.subject ?? '';
  return {
    messageId: outer.messageId ?? null,
    inReplyTo: outer.inReplyTo ?? null,
    references: outer.references === undefined ? [] : [outer.references].flat(),
    from: firstAddress(outer.from),
    subject,
    text,
    ...limitAttachments(parts, opts),
    encryption,
    ...(signature ? { signature } : {}),
    trackingId: extractTrackingId(subject, opts.trackingPrefix ?? DEFAULT_TRACKING_PREFIX),
  };
}

/** Unwraps multipart/encrypted and multipart/signed layers down to the content the sender wrote. */
async function openEntity(raw: Buffer, mail: ParsedMail, pgp: Pgp, depth: number): Promise<Opened> {
  const { type, params } = contentTypeOf(mail);
  if (type !== 'multipart/encrypted' && type !== 'multipart/signed') return { mail, encryption: 'none' };
  if (depth >= MAX_NESTING) {
    throw intakeError('malformed', `the mail nests encrypted or signed parts more than ${MAX_NESTING} deep`);
  }
  const protocol = (params.protocol ?? '').toLowerCase();
  const parts = params.boundary ? splitMultipart(raw, params.boundary) : [];
  if (type === 'multipart/encrypted') {
    if (protocol !== 'application/pgp-encrypted') {
      throw intakeError(
        'unsupported',
        `the mail is encrypted with "${protocol}"; only OpenPGP (PGP/MIME) is supported`,
      );
    }
    const encrypted = parts[1];
    if (!encrypted) throw intakeError('malformed', 'the PGP/MIME mail has no encrypted part');
    const payload = await partBody(encrypted, 'the encrypted part');
    const { data, signature } = await pgp.decrypt(payload, 'the mail');
    const inner = await parseEntity(data, 'the decrypted mail');
    const opened = await openEntity(data, inner, pgp, depth + 1);
    return {
      mail: opened.mail,
      encryption: 'pgp-mime',
      signature: signature ?? opened.signature,
      protectedSubject: opened.protectedSubject ?? inner.subject,
    };
  }
  if (protocol !== 'application/pgp-signature') return { mail, encryption: 'none' }; // S/MIME: the content stays readable
  const [signed, signaturePart] = parts;
  if (!signed || !signaturePart) throw intakeError('malformed', 'the signed mail does not have its two parts');
  const signature = await pgp.verifyDetached(canonicalCrlf(signed), await partBody(signaturePart, 'the signature'));
  const inner = await parseEntity(signed, 'the signed content');
  const opened = await openEntity(signed, inner, pgp, depth + 1);
  return { ...opened, signature };
}

/** The decoded body of one raw MIME part (transfer encoding undone). */
async function partBody(part: Buffer, what: string): Promise<Buffer> {
  const parsed = await parseEntity(part, what);
  const attachment = parsed.attachments[0];
  if (attachment) return attachment.content;
  return Buffer.from(parsed.text ?? '', 'utf8');
}

function bodyText(mail: ParsedMail): string {
  if (mail.text && mail.text.trim() !== '') return mail.text;
  // mailparser converts HTML-only mail to text; when it gave up (size, nesting) fall back to a plain strip.
  return typeof mail.html === 'string' ? htmlToPlainText(mail.html) : '';
}

const MESSAGE_BLOCK = /^-----BEGIN PGP MESSAGE-----\r?\n[\s\S]*?^-----END PGP MESSAGE-----[ \t]*$/gm;
const SIGNED_BLOCK = /^-----BEGIN PGP SIGNED MESSAGE-----\r?\n[\s\S]*?^-----END PGP SIGNATURE-----[ \t]*$/gm;

/** Inline PGP: encrypted blocks in the text are replaced by their plaintext, signed blocks by their text. */
async function openInline(
  text: string,
  pgp: Pgp,
): Promise<{ text: string; decrypted: boolean; signature?: IntakeSignature | undefined }> {
  let signature: IntakeSignature | undefined;
  let decrypted = false;
  let out = await replaceAsync(text, MESSAGE_BLOCK, async (block) => {
    const result = await pgp.decrypt(Buffer.from(block, 'utf8'), 'the encrypted text');
    decrypted = true;
    signature ??= result.signature;
    return new TextDecoder().decode(result.data).replace(/\r\n/g, '\n');
  });
  out = await replaceAsync(out, SIGNED_BLOCK, async (block) => {
    const result = await pgp.verifyCleartext(block);
    if (!result) return block;
    signature ??= result.signature;
    return result.text;
  });
  return { text: out, decrypted, signature };
}

/** Inline PGP attachments (`report.pdf.pgp`, armored `.asc` messages) are decrypted too. */
async function openInlineAttachments(parts: Part[], pgp: Pgp): Promise<{ parts: Part[]; decrypted: boolean }> {
  let decrypted = false;
  const out: Part[] = [];
  for (const part of parts) {
    const named = /\.(pgp|gpg)$/i.test(part.filename ?? '') || part.contentType === 'application/pgp-encrypted';
    if (!isArmoredMessage(part.content) && !named) {
      out.push(part);
      continue;
    }
    const filename = (part.filename ?? '').replace(/\.(pgp|gpg|asc)$/i, '') || undefined;
    const what = `the attachment "${safeFilename(part.filename, 'without a name')}"`;
    try {
      const { data } = await pgp.decrypt(part.content, what);
      out.push({ filename, contentType: 'application/octet-stream', content: data });
      decrypted = true;
    } catch (err) {
      // a binary file merely named *.gpg that is no OpenPGP message stays as it came
      if (!isArmoredMessage(part.content) && err instanceof AppError && err.details.reason === 'malformed') {
        out.push(part);
        continue;
      }
      throw err;
    }
  }
  return { parts: out, decrypted };
}

function toPart(a: Attachment): Part {
  return { filename: a.filename, contentType: a.contentType.toLowerCase(), content: a.content };
}

function limitAttachments(
  parts: Part[],
  opts: IntakeParseOptions,
): Pick<IntakeMail, 'attachments' | 'rejectedAttachments'> {
  const attachments: IntakeAttachment[] = [];
  const rejectedAttachments: RejectedAttachment[] = [];
  for (const [i, part] of parts.entries()) {
    const filename = safeFilename(part.filename, `attachment-${i + 1}`);
    const meta = { filename, contentType: part.contentType, size: part.content.length };
    if (part.content.length > opts.maxAttachmentBytes) {
      rejectedAttachments.push({ ...meta, reason: `larger than the limit of ${opts.maxAttachmentBytes} bytes` });
    } else if (attachments.length >= opts.maxAttachments) {
      rejectedAttachments.push({ ...meta, reason: `more than ${opts.maxAttachments} attachments` });
    } else {
      const sha256 = createHash('sha256').update(part.content).digest('hex');
      attachments.push({ ...meta, sha256, content: part.content });
    }
  }
  return { attachments, rejectedAttachments };
}

function firstAddress(from: AddressObject | undefined): IntakeMail['from'] {
  const first = from?.value.flatMap((a) => (a.group ? a.group : [a])).find((a) => a.address);
  return first?.address ? { address: first.address, name: first.name } : null;
}

async function replaceAsync(text: string, pattern: RegExp, fn: (match: string) => Promise<string>): Promise<string> {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    out += text.slice(last, match.index) + (await fn(match[0]));
    last = match.index + match[0].length;
  }
  return out + text.slice(last);
}
