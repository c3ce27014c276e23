import { PackageURL } from 'packageurl-js';

/** A package URL split into its decoded components, plus its canonical string. */
export interface Purl {
  /** Canonical form: lowercased type, type-specific normalization, sorted qualifiers, ECMA-427 encoding. */
  purl: string;
  type: string;
  namespace: string | null;
  name: string;
  version: string | null;
  /** Decoded qualifier values, keys lowercased and sorted; null when there are none. */
  qualifiers: Record<string, string> | null;
  subpath: string | null;
}

export type PurlResult = ({ ok: true } & Purl) | { ok: false; error: string };

/** Longer input is refused before parsing: no real package URL comes near it. */
export const MAX_PURL_LENGTH = 4096;

/**
 * Validates and normalizes a package URL (ECMA-427 / package-url spec) so that the same package
 * written two ways compares equal as a string. Parsing, type rules and normalization are
 * packageurl-js's; see `canonicalEncoding` for the two encoding corrections applied to its output.
 */
export function parsePurl(input: string): PurlResult {
  if (input.length > MAX_PURL_LENGTH) {
    return { ok: false, error: `the package URL is too long (${MAX_PURL_LENGTH} characters at most)` };
  }
  if (input.trim() === '') return { ok: false, error: 'the package URL is empty; use the form pkg:type/name@version' };
  let parsed: PackageURL;
  try {
    parsed = PackageURL.fromString(input);
  } catch (e) {
    return { ok: false, error: `"${clip(input)}" is not a valid package URL: ${reason(e)}` };
  }
  const qualifiers = parsed.qualifiers ? sortedRecord(parsed.qualifiers) : null;
  return {
    ok: true,
    purl: canonicalEncoding(parsed.toString()),
    type: parsed.type,
    namespace: parsed.namespace ?? null,
    name: parsed.name,
    version: parsed.version ?? null,
    qualifiers: qualifiers && Object.keys(qualifiers).length > 0 ? qualifiers : null,
    subpath: parsed.subpath ?? null,
  };
}

/**
 * ECMA-427 ("Character encoding") says the colon is never percent-encoded and '+' always is;
 * packageurl-js 2.0 encodes ':' in names, qualifier values and subpaths and leaves '+' raw in
 * versions. Both corrections are exact on its output: every literal '%' there is written as
 * '%25', so '%3A' can only stand for a colon, and a raw '+' appears only in the version (its
 * other components are encoded with encodeURIComponent or URLSearchParams, which encode '+').
 */
function canonicalEncoding(libraryOutput: string): string {
  return libraryOutput.replaceAll('%3A', ':').replaceAll('+', '%2B');
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record).sort()) {
    const value = record[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function reason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^Invalid purl:\s*/i, '');
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}
