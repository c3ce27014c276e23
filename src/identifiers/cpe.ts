/**
 * CPE names (NISTIR 7695, CPE Naming 2.3): the formatted string binding
 * `cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other`
 * and the CPE 2.2 URI binding `cpe:/part:vendor:product:version:update:edition:language`, which is
 * converted to a formatted string. No maintained npm library does this, and the rules are short.
 *
 * Output is what the CPE dictionary, CVE 5 and CSAF 2.0 schemas accept (their cpe23 pattern):
 * lowercase, "." "-" "_" unescaped, other punctuation escaped with "\", "*" (ANY) and "-" (NA) as
 * whole values, unescaped "*" (one) or "?" (a run) only at the start or end of a value.
 */

/** The eleven attributes, in binding order. */
export const CPE_ATTRIBUTES = [
  'part',
  'vendor',
  'product',
  'version',
  'update',
  'edition',
  'language',
  'swEdition',
  'targetSw',
  'targetHw',
  'other',
] as const;
export type CpeAttribute = (typeof CPE_ATTRIBUTES)[number];

/** Each attribute holds its formatted-string form: "*", "-", or a value with its "\" escapes. */
export type CpeName = { cpe: string; binding: 'formatted-string' | 'uri' } & Record<CpeAttribute, string>;

export type CpeResult = ({ ok: true } & CpeName) | { ok: false; error: string };

/** Names used in messages: the specification's own. */
const SPEC_NAME: Record<CpeAttribute, string> = {
  part: 'part',
  vendor: 'vendor',
  product: 'product',
  version: 'version',
  update: 'update',
  edition: 'edition',
  language: 'language',
  swEdition: 'sw_edition',
  targetSw: 'target_sw',
  targetHw: 'target_hw',
  other: 'other',
};

export const MAX_CPE_LENGTH = 1024;

/** Punctuation that a formatted string writes escaped ("." "-" "_" are written bare). */
const QUOTABLE = new Set('\\*?!"#$%&\'()+,/:;<=>@[]^`{|}~');
const BARE = /^[a-z0-9._-]$/;
const LANGUAGE = /^[a-z]{2,3}(-([a-z]{2}|[0-9]{3}))?$/;
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;

class CpeError extends Error {}

/**
 * Validates a CPE 2.3 formatted string or a CPE 2.2 URI and returns the normalized 2.3 formatted
 * string, so that product identifiers from reports, CVE records and CSAF documents compare equal.
 * Letters are lowercased, as NISTIR 7695 URI unbinding does and the NVD dictionary writes names.
 */
export function parseCpe(input: string): CpeResult {
  try {
    return { ok: true, ...parse(input) };
  } catch (e) {
    if (e instanceof CpeError) return { ok: false, error: e.message };
    throw e;
  }
}

function parse(input: string): CpeName {
  const text = input.trim();
  if (text === '')
    throw new CpeError('the CPE name is empty; use the form cpe:2.3:a:vendor:product:version:*:*:*:*:*:*:*');
  if (text.length > MAX_CPE_LENGTH)
    throw new CpeError(`the CPE name is too long (${MAX_CPE_LENGTH} characters at most)`);
  const binding = /^cpe:2\.3:/i.test(text) ? 'formatted-string' : /^cpe:\//i.test(text) ? 'uri' : null;
  if (binding === null) {
    throw new CpeError(
      `"${clip(text)}" is not a CPE name: write a CPE 2.3 formatted string (cpe:2.3:part:vendor:product:...) ` +
        'or a CPE 2.2 URI (cpe:/part:vendor:product:...)',
    );
  }
  if (!PRINTABLE_ASCII.test(text)) {
    const bad = [...text].find((c) => !PRINTABLE_ASCII.test(c)) ?? '';
    throw new CpeError(`character ${describe(bad)} is not allowed in a CPE name (printable ASCII without spaces only)`);
  }
  // Lowercasing only after the ASCII check: some non-ASCII letters lowercase to ASCII (U+212A to "k").
  const lower = text.toLowerCase();
  const values =
    binding === 'formatted-string'
      ? fromFormattedString(lower.slice('cpe:2.3:'.length))
      : fromUri(lower.slice('cpe:/'.length));
  return { cpe: `cpe:2.3:${CPE_ATTRIBUTES.map((a) => values[a]).join(':')}`, binding, ...values };
}

type CpeValues = Record<CpeAttribute, string>;

function fromFormattedString(body: string): CpeValues {
  const raw = splitUnescaped(body);
  if (raw.length !== CPE_ATTRIBUTES.length) {
    throw new CpeError(
      `a CPE 2.3 name has 11 components after "cpe:2.3:" (part:vendor:product:version:update:edition:language:` +
        `sw_edition:target_sw:target_hw:other), this one has ${raw.length}; fill missing ones with *`,
    );
  }
  // The length was checked just above: every attribute gets its value.
  return Object.fromEntries(CPE_ATTRIBUTES.map((a, i) => [a, formattedValue(a, raw[i] ?? '')])) as CpeValues;
}

/** Splits on ":" that is not escaped by a backslash. */
function splitUnescaped(s: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      current += c + s[i + 1];
      i++;
    } else if (c === ':') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

type Token = { kind: 'text'; text: string } | { kind: '*' } | { kind: '?' };

/** Checks one formatted-string value and returns it normalized. */
function formattedValue(attribute: CpeAttribute, value: string): string {
  const field = SPEC_NAME[attribute];
  if (value === '') throw new CpeError(`${field} is empty; write * for any value or - for not applicable`);
  if (attribute === 'part') return checkPart(value);
  if (value === '*' || value === '-') return value;
  const tokens: Token[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    if (c === '\\') {
      const next = value[i + 1];
      i++;
      if (next === undefined) throw new CpeError(`${field} "${clip(value)}" ends with a lone backslash`);
      if (next === '.' || next === '-' || next === '_') tokens.push({ kind: 'text', text: next });
      else if (QUOTABLE.has(next)) tokens.push({ kind: 'text', text: `\\${next}` });
      else throw new CpeError(`${field} "${clip(value)}": "\\${next}" is not an escape; only punctuation is escaped`);
    } else if (c === '*' || c === '?') tokens.push({ kind: c });
    else if (BARE.test(c)) tokens.push({ kind: 'text', text: c });
    else throw new CpeError(`${field} "${clip(value)}": write the character "${c}" escaped, as "\\${c}"`);
  }
  return joinTokens(attribute, value, tokens);
}

/** Applies the wildcard placement rule and the language-tag rule, then writes the value. */
function joinTokens(attribute: CpeAttribute, original: string, tokens: Token[]): string {
  const field = SPEC_NAME[attribute];
  let start = 0;
  let end = tokens.length;
  if (tokens[0]?.kind === '*') start = 1;
  else while (tokens[start]?.kind === '?') start++;
  if (tokens[end - 1]?.kind === '*' && end - 1 >= start) end--;
  else while (end > start && tokens[end - 1]?.kind === '?') end--;
  const middle = tokens.slice(start, end);
  if (middle.length === 0) {
    throw new CpeError(`${field} "${clip(original)}" holds only wildcards; write * alone for any value`);
  }
  if (middle.some((t) => t.kind !== 'text')) {
    throw new CpeError(
      `${field} "${clip(original)}": a wildcard (* or ?) may only start or end a value (one * or a run of ?); ` +
        'escape it as \\* or \\? to mean the character',
    );
  }
  const written = tokens.map((t) => (t.kind === 'text' ? t.text : t.kind)).join('');
  if (written === '-')
    throw new CpeError(`${field} "${clip(original)}" would read as - (not applicable); write - for that`);
  if (attribute === 'language' && !LANGUAGE.test(written)) {
    throw new CpeError(`language "${clip(original)}" is not a language tag such as en or en-us; write * for any`);
  }
  return written;
}

function checkPart(value: string): string {
  if (value === 'a' || value === 'o' || value === 'h') return value;
  throw new CpeError(`part "${clip(value)}" must be a (application), o (operating system) or h (hardware)`);
}

/** CPE 2.2 URI percent-encodings (NISTIR 7695 table 6-1), besides %01 (?) and %02 (*). */
const URI_ENCODED: Record<string, string> = Object.fromEntries(
  [...'!"#$%&\'()*+,/:;<=>?@[\\]^`{|}~'].map((c) => [`%${c.charCodeAt(0).toString(16).padStart(2, '0')}`, c]),
);

function fromUri(body: string): CpeValues {
  const raw = body.split(':');
  if (raw.length > 7) {
    throw new CpeError(
      `a CPE 2.2 URI has at most 7 components (part:vendor:product:version:update:edition:language), ` +
        `this one has ${raw.length}`,
    );
  }
  const [part = '', vendor = '', product = '', version = '', update = '', edition = '', language = ''] = raw;
  if (part === '')
    throw new CpeError('part is missing; it must be a (application), o (operating system) or h (hardware)');
  let editions: string[];
  if (edition.startsWith('~')) {
    // "Packed" edition: ~edition~sw_edition~target_sw~target_hw~other
    editions = edition.slice(1).split('~');
    if (editions.length !== 5) {
      throw new CpeError(
        `packed edition "${clip(edition)}" must have 5 fields: ~edition~sw_edition~target_sw~target_hw~other`,
      );
    }
  } else editions = [edition, '', '', '', ''];
  const [ed = '', swEdition = '', targetSw = '', targetHw = '', other = ''] = editions;
  return {
    part: checkPart(part),
    vendor: uriValue('vendor', vendor),
    product: uriValue('product', product),
    version: uriValue('version', version),
    update: uriValue('update', update),
    edition: uriValue('edition', ed),
    language: uriValue('language', language),
    swEdition: uriValue('swEdition', swEdition),
    targetSw: uriValue('targetSw', targetSw),
    targetHw: uriValue('targetHw', targetHw),
    other: uriValue('other', other),
  };
}

/** Decodes one URI value (already lowercased) into formatted-string form. */
function uriValue(attribute: CpeAttribute, value: string): string {
  const field = SPEC_NAME[attribute];
  if (value === '') return '*';
  if (value === '-') return '-';
  const tokens: Token[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    if (c === '%') {
      const form = value.slice(i, i + 3);
      i += 2;
      if (form === '%01') tokens.push({ kind: '?' });
      else if (form === '%02') tokens.push({ kind: '*' });
      else {
        const decoded = URI_ENCODED[form];
        if (decoded === undefined) {
          throw new CpeError(`${field} "${clip(value)}": "${form}" is not a CPE percent-encoding`);
        }
        tokens.push({ kind: 'text', text: `\\${decoded}` });
      }
    } else if (c === '~') tokens.push({ kind: 'text', text: '\\~' });
    else if (BARE.test(c)) tokens.push({ kind: 'text', text: c });
    else throw new CpeError(`${field} "${clip(value)}": percent-encode the character "${c}" in a CPE 2.2 URI`);
  }
  return joinTokens(attribute, value, tokens);
}

function describe(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return code > 0x20 && code < 0x7f ? `"${c}"` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}
