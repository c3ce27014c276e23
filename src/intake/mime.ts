import type { ParsedMail, StructuredHeader } from 'mailparser';
import { AppError, asError } from '../core/errors.ts';

/** Why a mail could not be taken in; the caller decides between keeping it for a person and dropping it. */
export type IntakeFailure = 'malformed' | 'undecryptable' | 'unsupported' | 'too-large';

/** The one error intake throws for a bad mail: ERR_VALIDATION with `details.reason`. */
export function intakeError(reason: IntakeFailure, message: string, cause?: unknown): AppError {
  const details: Record<string, unknown> = { reason };
  if (cause !== undefined) details.cause = asError(cause).message;
  return new AppError('ERR_VALIDATION', message, details);
}

/** Whether `err` is an intake refusal (of the given kind). */
export function isIntakeError(err: unknown, reason?: IntakeFailure): err is AppError {
  return (
    err instanceof AppError &&
    err.code === 'ERR_VALIDATION' &&
    typeof err.details.reason === 'string' &&
    (reason === undefined || err.details.reason === reason)
  );
}

/** Parses one MIME entity (a whole mail, or the payload of an encrypted or signed part). */
export async function parseEntity(raw: Buffer, what: string): Promise<ParsedMail> {
  // mailparser pulls in an HTML converter and more; loaded with the first mail, not at start-up.
  const { simpleParser } = await import('mailparser');
  try {
    return await simpleParser(raw, {
      checksumAlgo: false,
      keepCidLinks: true,
      skipImageLinks: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      maxHtmlLengthToParse: 2_000_000,
      maxChildNodes: 500,
    });
  } catch (err) {
    throw intakeError('malformed', `${what} is not a readable MIME message`, err);
  }
}

/** The Content-Type of a parsed entity, lower-cased, with its parameters. */
export function contentTypeOf(mail: ParsedMail): { type: string; params: Record<string, string> } {
  const header = mail.headers.get('content-type');
  const structured = (Array.isArray(header) ? header[0] : header) as StructuredHeader | string | undefined;
  if (!structured) return { type: 'text/plain', params: {} };
  if (typeof structured === 'string') return { type: structured.toLowerCase(), params: {} };
  return { type: (structured.value || 'text/plain').toLowerCase(), params: structured.params ?? {} };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The raw bytes of each body part of a multipart entity, exactly as sent: RFC 3156 signatures
 * cover the first part byte for byte (headers included, without the line break before the next
 * boundary), which a parser that decodes parts cannot give back.
 */
export function splitMultipart(entity: Buffer, boundary: string): Buffer[] {
  const text = entity.toString('latin1'); // one char per byte, so slicing keeps the bytes
  const headerEnd = /\r?\n\r?\n/.exec(text);
  if (!headerEnd) return [];
  const bodyStart = headerEnd.index + headerEnd[0].length;
  const delimiter = new RegExp(`(^|\\r?\\n)--${escapeRegExp(boundary)}(--)?[ \\t]*(\\r?\\n|$)`, 'g');
  const parts: Buffer[] = [];
  let partStart: number | null = null;
  // The first delimiter may open the body (no line break before it), so search from the header break.
  delimiter.lastIndex = bodyStart - (headerEnd[0].endsWith('\r\n') ? 2 : 1);
  for (let m = delimiter.exec(text); m; m = delimiter.exec(text)) {
    if (partStart !== null) parts.push(Buffer.from(text.slice(partStart, m.index), 'latin1'));
    if (m[2] === '--') return parts;
    partStart = m.index + m[0].length;
  }
  return parts; // no closing delimiter: keep what was complete
}

/** Line endings as CRLF, the canonical form OpenPGP signatures over MIME are made on. */
export function canonicalCrlf(data: Buffer): Buffer {
  return Buffer.from(data.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}
