import { AppError } from '../core/errors.ts';

/** The tracking id prefix when the instance sets none: ids read `ACC-2026-0001`. */
export const DEFAULT_TRACKING_PREFIX = 'ACC';

const PREFIX_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,15}$/;

/** Whether a configured prefix can be used in tracking ids (a letter, then up to 15 letters or digits). */
export function isValidTrackingPrefix(prefix: string): boolean {
  return PREFIX_PATTERN.test(prefix);
}

/**
 * Finds a tracking id such as `ACC-2026-0042` in a subject ("Re: [ACC-2026-0042] XSS in …"), so a
 * reply joins its report. A bracketed id wins over a bare one; case is ignored, the id is returned
 * upper-case. Ids run into other letters or digits (`XACC-2026-0042`, `ACC-2026-00421x`) are not ids.
 */
export function extractTrackingId(subject: string | null | undefined, prefix = DEFAULT_TRACKING_PREFIX): string | null {
  if (!subject) return null;
  if (!isValidTrackingPrefix(prefix)) {
    throw new AppError(
      'ERR_CONFIG',
      `the tracking id prefix "${prefix}" must be a letter then up to 15 letters or digits`,
    );
  }
  const id = `${prefix}-\\d{4}-\\d{4,6}`;
  const bracketed = new RegExp(`\\[\\s*(${id})\\s*\\]`, 'i').exec(subject);
  const bare = bracketed ?? new RegExp(`(?<![A-Za-z0-9-])(${id})(?![A-Za-z0-9-])`, 'i').exec(subject);
  return bare?.[1]?.toUpperCase() ?? null;
}

/**
 * A file name fit to show and to store as metadata: the sender chooses it, so directories
 * (`../../etc/passwd`), control characters and bidirectional overrides (`exe.pdf` spoofing) go.
 */
export function safeFilename(name: string | null | undefined, fallback: string): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    // eslint-disable-next-line no-control-regex -- control characters are what this removes
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim()
    .replace(/^\.+/, '')
    .slice(0, 200)
    .trim();
  return cleaned === '' ? fallback : cleaned;
}

/**
 * Plain text from HTML when the parser's converter gave up (too long or too deeply nested). Crude
 * on purpose: scripts and styles are dropped, tags removed, common entities decoded. The result is
 * text and is shown escaped, so nothing in it can run.
 */
export function htmlToPlainText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style|head|template)\b[\s\S]*?<\/\1\s*>/gi, '')
      .replace(/<!--[\s\S]*?-->/g, '')
      .replace(/<(br|\/p|\/div|\/li|\/tr|\/h[1-6])\b[^>]*>/gi, '\n')
      .replace(/<[^>]*>/g, ''),
  )
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (whole, code: string) => {
    if (code.startsWith('#')) {
      const point = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return point > 0 && point <= 0x10ffff && !(point >= 0xd800 && point <= 0xdfff) ? String.fromCodePoint(point) : '';
    }
    return NAMED_ENTITIES[code.toLowerCase()] ?? whole;
  });
}
