import { describe, expect, it } from 'vitest';
import { canonicalCrlf, splitMultipart } from './mime.ts';
import { extractTrackingId, htmlToPlainText, isValidTrackingPrefix, safeFilename } from './rules.ts';

describe('extractTrackingId', () => {
  it.each([
    ['Re: [ACC-2026-0042] XSS in login', 'ACC', 'ACC-2026-0042'],
    ['[ACC-2026-0001] first', 'ACC', 'ACC-2026-0001'],
    ['RE: Fwd: [ acc-2026-0042 ] lower case', 'ACC', 'ACC-2026-0042'],
    ['AW: ACC-2026-0042 without brackets', 'ACC', 'ACC-2026-0042'],
    ['ACC-2025-0001 bare, [ACC-2026-0002] bracketed wins', 'ACC', 'ACC-2026-0002'],
    ['[PSIRT-2026-12345] other prefix', 'PSIRT', 'PSIRT-2026-12345'],
    ['[PSIRT-2026-0001] other prefix', 'ACC', null],
    ['XACC-2026-0042 glued to a word', 'ACC', null],
    ['ACC-2026-00421x glued to a word', 'ACC', null],
    ['ACC-26-0042 short year', 'ACC', null],
    ['ACC-2026-042 short number', 'ACC', null],
    ['no id at all', 'ACC', null],
    ['', 'ACC', null],
  ])('%s (prefix %s) → %s', (subject, prefix, expected) => {
    expect(extractTrackingId(subject, prefix)).toBe(expected);
  });

  it('uses ACC by default and refuses a prefix that would break the pattern', () => {
    expect(extractTrackingId('Re: [ACC-2026-0042]')).toBe('ACC-2026-0042');
    expect(extractTrackingId(null)).toBeNull();
    expect(isValidTrackingPrefix('ACC')).toBe(true);
    expect(() => extractTrackingId('x', 'A.*')).toThrow(/tracking id prefix/);
  });
});

describe('safeFilename', () => {
  it.each([
    ['poc.py', 'poc.py'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\fay\\report.pdf', 'report.pdf'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['line\r\nbreak.txt', 'linebreak.txt'],
    ['.htaccess', 'htaccess'],
    ['', 'attachment-1'],
    [undefined, 'attachment-1'],
    ['../', 'attachment-1'],
  ])('%j → %j', (name, expected) => {
    expect(safeFilename(name, 'attachment-1')).toBe(expected);
  });
});

describe('htmlToPlainText', () => {
  it('keeps the text, drops scripts, styles and tags, decodes entities', () => {
    const html =
      '<html><head><style>p{}</style></head><body><p>Hi &amp; <b>bye</b></p>' +
      '<script>alert(1)</script><div>&lt;img&gt; &#x41;&#66;</div></body></html>';
    expect(htmlToPlainText(html)).toBe('Hi & bye\n<img> AB');
  });
});

describe('splitMultipart', () => {
  const entity = (body: string) => Buffer.from(`Content-Type: multipart/signed; boundary="b"\r\n\r\n${body}`);

  it('returns each part byte for byte, without the line break before the next boundary', () => {
    const parts = splitMultipart(
      entity('preamble\r\n--b\r\nA: 1\r\n\r\none\r\n\r\n--b \r\nB: 2\r\n\r\ntwo\r\n--b--\r\nepilogue'),
      'b',
    );
    expect(parts.map((p) => p.toString())).toEqual(['A: 1\r\n\r\none\r\n', 'B: 2\r\n\r\ntwo']);
  });

  it('finds a boundary that opens the body, ignores look-alike lines, keeps bytes that are not UTF-8', () => {
    const parts = splitMultipart(
      Buffer.concat([entity('--b\r\nx\r\n--bb\r\n'), Buffer.from([0xff, 0xfe]), Buffer.from('\r\n--b--')]),
      'b',
    );
    expect(parts).toHaveLength(1);
    expect(parts[0]?.equals(Buffer.concat([Buffer.from('x\r\n--bb\r\n'), Buffer.from([0xff, 0xfe])]))).toBe(true);
  });

  it('handles LF-only mail and canonicalizes it to CRLF for signature checks', () => {
    const parts = splitMultipart(Buffer.from('Content-Type: x\n\n--b\nA: 1\n\nbody\n--b--\n'), 'b');
    expect(parts.map((p) => p.toString())).toEqual(['A: 1\n\nbody']);
    expect(canonicalCrlf(parts[0] as Buffer).toString()).toBe('A: 1\r\n\r\nbody');
  });
});
