import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.ts';
import { parseIntakeMail } from './mail.ts';
import { splitMultipart } from './mime.ts';
import { extractTrackingId } from './rules.ts';

const line = fc.string({ unit: fc.constantFrom('a', 'b', '-', ' ', '=', ':', '\u00e9', 'x') });

describe('intake parsers, for any input', () => {
  it('splitMultipart gives back the parts it was given', () => {
    fc.assert(
      fc.property(fc.array(fc.array(line, { maxLength: 5 }), { minLength: 1, maxLength: 4 }), (parts) => {
        const texts = parts.map((lines) => lines.join('\r\n'));
        fc.pre(texts.every((t) => !t.includes('--B0UND')));
        const body = `Content-Type: multipart/mixed; boundary=B0UND\r\n\r\n--B0UND\r\n${texts.join('\r\n--B0UND\r\n')}\r\n--B0UND--\r\n`;
        expect(splitMultipart(Buffer.from(body, 'utf8'), 'B0UND').map((p) => p.toString('utf8'))).toEqual(texts);
      }),
    );
  });

  it('extractTrackingId finds an id wherever it sits, and returns nothing but ids', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1000, max: 9999 }), fc.string(), (before, n, after) => {
        const id = `ACC-2026-${n}`;
        fc.pre(!/acc/i.test(before));
        expect(extractTrackingId(`${before}[${id}]${after}`)).toBe(id);
        expect(extractTrackingId(`${before}${after}`) ?? 'ACC-0000-0000').toMatch(/^ACC-\d{4}-\d{4,6}$/);
      }),
    );
  });

  it('parseIntakeMail either reads a mail or throws an AppError, never a library error', async () => {
    const header = fc.constantFrom(
      'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary=b',
      'Content-Type: multipart/signed; protocol="application/pgp-signature"; boundary=b',
      'Content-Type: multipart/mixed; boundary=b',
      'Content-Type: text/html',
      'Content-Transfer-Encoding: base64',
      'Subject: [ACC-2026-0001]',
      'From: <>',
    );
    const chunk = fc.oneof(
      fc.constantFrom('--b', '--b--', '', '-----BEGIN PGP MESSAGE-----', '-----END PGP MESSAGE-----', 'Version: 1'),
      line,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(header, { maxLength: 4 }),
        fc.array(chunk, { maxLength: 12 }),
        async (headers, body) => {
          const raw = Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body.join('\r\n')}`);
          try {
            await parseIntakeMail(raw, { decryptionKeys: [], maxAttachmentBytes: 100, maxAttachments: 2 });
          } catch (err) {
            expect(err).toBeInstanceOf(AppError);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
