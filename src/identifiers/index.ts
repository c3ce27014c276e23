import { parseCpe, type CpeName } from './cpe.ts';
import { parsePurl, type Purl } from './purl.ts';

export { parseCpe, CPE_ATTRIBUTES, type CpeAttribute, type CpeName, type CpeResult } from './cpe.ts';
export { parsePurl, type Purl, type PurlResult } from './purl.ts';

export type ProductIdentifier =
  { kind: 'purl'; normalized: string; purl: Purl } | { kind: 'cpe'; normalized: string; cpe: CpeName };

export type ProductIdentifierResult = ({ ok: true } & ProductIdentifier) | { ok: false; error: string };

/**
 * One entry point for the product identifiers people paste into reports and advisories: a
 * package URL (pkg:) or a CPE name (cpe:2.3: or the 2.2 cpe:/ form). Returns the normalized
 * string to store and compare, or a message saying what is wrong.
 */
export function validateProductIdentifier(input: string): ProductIdentifierResult {
  const text = input.trim();
  const prefix = text.slice(0, 4).toLowerCase();
  if (prefix === 'pkg:') {
    const result = parsePurl(text);
    if (!result.ok) return result;
    const { ok: _ok, ...purl } = result;
    return { ok: true, kind: 'purl', normalized: purl.purl, purl };
  }
  if (prefix === 'cpe:') {
    const result = parseCpe(text);
    if (!result.ok) return result;
    const { ok: _ok, ...cpe } = result;
    return { ok: true, kind: 'cpe', normalized: cpe.cpe, cpe };
  }
  return {
    ok: false,
    error:
      text === ''
        ? 'the product identifier is empty; give a package URL (pkg:...) or a CPE name (cpe:2.3:...)'
        : `"${text.length > 80 ? `${text.slice(0, 80)}…` : text}" is neither a package URL (pkg:type/name@version) ` +
          'nor a CPE name (cpe:2.3:part:vendor:product:... or cpe:/part:vendor:product:...)',
  };
}
