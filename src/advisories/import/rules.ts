import type { DocumentKind } from '../../formats/validate.ts';
import { parseCpe, parsePurl } from '../../identifiers/index.ts';
import { parseCvss } from '../../scores/cvss.ts';
import { validateCwe } from '../../scores/cwe.ts';
import { vexJustifications, type VendorStatus } from '../../cases/rules.ts';

/**
 * Advisory imports, pure. A format mapper (csaf.ts, cve.ts, osv.ts) turns a validated document into
 * a neutral `ImportDocument`: its vulnerabilities, its products (vendor, name, version, package URL /
 * CPE) and one `ImportStatement` per product status it makes, each with the JSON Pointer of where it
 * came from, plus `unmapped`: every element that could not be mapped, with its path and the reason.
 * `resolvePlan` then matches the document's vendors to the case's vendor participants (by
 * organization name, else by a product's package URL / CPE in the directory) and folds the
 * statements into the case's status matrix (one status per vendor, product and vulnerability).
 * A vendor that is not a participant is reported, never invited.
 */

export type Justification = (typeof vexJustifications)[number];
export const vexJustificationSet: ReadonlySet<string> = new Set(vexJustifications);

export interface Unmapped {
  /** JSON Pointer (RFC 6901) into the imported document. */
  path: string;
  reason: string;
}

export interface ImportVulnerability {
  /** Key inside the document: the CVE id when there is one, else `#n` (n from 1). */
  key: string;
  path: string;
  cveId: string | null;
  title: string;
  description: string;
  cwe: string | null;
  cvssV3: string | null;
  cvssV4: string | null;
  references: string[];
}

export interface ImportProduct {
  /** Key inside the document (the CSAF product_id, or one the mapper makes). */
  id: string;
  path: string;
  /** The vendor the document names; null when it names none (OSV; CSAF products outside a vendor branch). */
  vendor: string | null;
  name: string;
  /** Empty: the product as a whole. */
  version: string;
  purl: string | null;
  cpe: string | null;
}

export interface ImportStatement {
  vulnerability: string;
  product: string;
  status: Exclude<VendorStatus, 'unknown'>;
  justification: Justification | null;
  /** Action statement (affected, fixed) or impact statement (not affected), from the document. */
  statement: string;
  /** Fixed versions this statement names (besides the product's own version when it is `fixed`). */
  fixedVersions: string[];
  /** The affected versions as a canonical vers (OSV ranges, a CSAF product_version_range), when the document has them. */
  affectedRange?: string | null;
  refs: string[];
  path: string;
}

export interface ImportDocument {
  kind: DocumentKind;
  /** The document's own id (CSAF tracking id, CVE id, OSV id). */
  sourceId: string;
  /** How statements name the source, e.g. `CSAF document BSI-2022-0001 (CSAF Tools)`. */
  sourceLabel: string;
  title: string;
  vulnerabilities: ImportVulnerability[];
  products: ImportProduct[];
  statements: ImportStatement[];
  unmapped: Unmapped[];
}

// ---------------------------------------------------------------------------------------------
// Helpers the mappers share

export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

export function pointer(...parts: (string | number)[]): string {
  return parts.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export const isHttpUrl = (u: string): boolean => /^https?:\/\/\S+$/.test(u);

/** A CVSS vector of the wanted versions, normalized; or the reason it is refused. */
export function cvssOf(raw: string, versions: readonly string[]): { vector: string } | { error: string } {
  const r = parseCvss(raw);
  if (!r.ok) return { error: `CVSS vector invalid: ${r.error}` };
  if (!versions.includes(r.version)) return { error: `expected a CVSS ${versions.join(' or ')} vector` };
  return { vector: r.vector };
}

/** A CWE id the catalogue knows (e.g. `CWE-79`), or the reason it is refused. */
export function cweOf(raw: string): { id: string } | { error: string } {
  const c = validateCwe(raw);
  return c.ok ? { id: c.id } : { error: c.error };
}

export const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

/** A title the case accepts (3 to 300 characters). */
export function titleFor(title: string, cveId: string | null, description: string, fallback: string): string {
  const first = description.split(/(?<=[.!?])\s|\n/)[0]?.trim() ?? '';
  const pick = [title, cveId ?? '', first, fallback].find((t) => t.length >= 3) ?? fallback;
  return pick.length > 300 ? `${pick.slice(0, 299)}…` : pick;
}

/** `pkg:type/namespace/name` without version, qualifiers and subpath: what two package URLs of one package share. */
export function purlBase(purl: string): string | null {
  const p = parsePurl(purl);
  if (!p.ok) return null;
  return `pkg:${p.type}/${p.namespace ? `${p.namespace.toLowerCase()}/` : ''}${p.name.toLowerCase()}`;
}

/** `part:vendor:product` of a CPE name: what two CPEs of one product share. */
export function cpeBase(cpe: string): string | null {
  const c = parseCpe(cpe);
  if (!c.ok) return null;
  return `${c.part}:${c.vendor}:${c.product}`.toLowerCase();
}

/** Organization and vendor names compare without case, punctuation and spacing. */
export const nameKey = (s: string): string => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

// ---------------------------------------------------------------------------------------------
// Matching vendors and folding statements into the matrix

export interface CaseParticipantInfo {
  id: string;
  orgName: string;
  role: string;
  /** The organization's products in the directory (identifier: package URL or CPE). */
  products: { name: string; identifier: string | null }[];
}

export interface PlannedStatus {
  vulnerability: string;
  participantId: string;
  vendor: string;
  product: string;
  status: Exclude<VendorStatus, 'unknown'>;
  justification: Justification | null;
  statement: string;
  fixedVersions: string;
  /** The affected versions as a vers range, when the document's statements name exactly one. */
  affectedRange: string | null;
  refs: string[];
  /** The document paths this status was folded from. */
  sources: string[];
}

export interface PlannedVendor {
  /** The vendor as the document names it (null: products without a vendor, matched by identifier). */
  name: string | null;
  participantId: string;
  orgName: string;
  matchedBy: 'name' | 'identifier';
}

export interface ResolvedPlan {
  statuses: PlannedStatus[];
  vendors: PlannedVendor[];
  unmapped: Unmapped[];
}

const MAX_FIXED = 2000;
const MAX_STATEMENT = 20_000;
const MAX_REFS = 50;

function joinFixed(versions: string[], sourceLabel: string): string {
  const out: string[] = [];
  let length = 0;
  for (const [i, v] of versions.entries()) {
    if (length + v.length + 2 > MAX_FIXED - 80) {
      out.push(`and ${versions.length - i} more (see ${sourceLabel})`);
      break;
    }
    out.push(v);
    length += v.length + 2;
  }
  return out.join(', ').slice(0, MAX_FIXED);
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];

/**
 * Matches vendors to participants and folds the statements of one vendor, product name and
 * vulnerability into one matrix status:
 * - any version affected → `affected` (the fixed versions named beside it kept), else
 * - any under investigation → `under_investigation`, else
 * - any fixed → `fixed` with the fixed versions, else
 * - `not_affected`, with the justification when every statement gives the same one.
 * Statuses the matrix would refuse get a statement that says where they come from (an affected
 * product without a remediation, a not-affected one without justification or impact statement,
 * a fix without a version).
 */
export function resolvePlan(
  doc: ImportDocument,
  participants: readonly CaseParticipantInfo[],
  /** Names of the organizations in the directory (any spelling `nameKey` equates), for the unmapped reasons. */
  directoryNames: readonly string[] = [],
): ResolvedPlan {
  const inDirectory = new Set(directoryNames.map(nameKey));
  const unmapped: Unmapped[] = [...doc.unmapped];
  const products = new Map(doc.products.map((p) => [p.id, p]));
  const vendorsByName = new Map<string, CaseParticipantInfo[]>();
  for (const p of participants) {
    const k = nameKey(p.orgName);
    vendorsByName.set(k, [...(vendorsByName.get(k) ?? []), p]);
  }
  const byIdentifier = new Map<string, { participant: CaseParticipantInfo; name: string }>();
  for (const p of participants) {
    if (p.role !== 'vendor') continue;
    for (const prod of p.products) {
      if (!prod.identifier) continue;
      const base = purlBase(prod.identifier) ?? cpeBase(prod.identifier);
      if (base && !byIdentifier.has(base)) byIdentifier.set(base, { participant: p, name: prod.name });
    }
  }

  type Match = { participant: CaseParticipantInfo; product: string; by: 'name' | 'identifier' } | { reason: string };
  const matchCache = new Map<string, Match>();
  const matchProduct = (p: ImportProduct): Match => {
    const cached = matchCache.get(p.id);
    if (cached) return cached;
    let m: Match;
    const named = p.vendor ? (vendorsByName.get(nameKey(p.vendor)) ?? []) : [];
    const vendor = named.find((x) => x.role === 'vendor');
    const ids = [p.purl ? purlBase(p.purl) : null, p.cpe ? cpeBase(p.cpe) : null].filter((x): x is string => !!x);
    const byId = ids.map((i) => byIdentifier.get(i)).find((x) => x !== undefined);
    if (vendor) m = { participant: vendor, product: p.name, by: 'name' };
    else if (byId) m = { participant: byId.participant, product: byId.name || p.name, by: 'identifier' };
    else if (named.length > 0) {
      m = {
        reason: `${p.vendor} takes part in the case as ${named[0]!.role}, not as vendor: statuses are stated by vendors`,
      };
    } else if (p.vendor) {
      const known = inDirectory.has(nameKey(p.vendor));
      m = {
        reason:
          (known
            ? `vendor "${p.vendor}" is in the directory but not a vendor participant of the case`
            : `vendor "${p.vendor}" is neither a participant of the case nor in the directory`) +
          (ids.length > 0 ? ', and no participant has this product in the directory' : '') +
          (known
            ? ': add it to the case as a vendor, then import again'
            : ': add it to the directory and the case, then import again'),
      };
    } else {
      m = {
        reason:
          ids.length > 0
            ? 'the product names no vendor, and its package URL / CPE matches no product of a vendor participant in the directory'
            : 'the product names no vendor and has no package URL or CPE to find one by',
      };
    }
    matchCache.set(p.id, m);
    return m;
  };

  const vulnKeys = new Set(doc.vulnerabilities.map((v) => v.key));
  interface Group {
    vulnerability: string;
    participant: CaseParticipantInfo;
    product: string;
    items: { s: ImportStatement; p: ImportProduct }[];
  }
  const groups = new Map<string, Group>();
  const vendors = new Map<string, PlannedVendor>();
  for (const s of doc.statements) {
    const p = products.get(s.product);
    if (!p) {
      unmapped.push({ path: s.path, reason: `no product in the document has the id "${s.product}"` });
      continue;
    }
    if (!vulnKeys.has(s.vulnerability)) {
      unmapped.push({ path: s.path, reason: 'the vulnerability it belongs to could not be imported' });
      continue;
    }
    const m = matchProduct(p);
    if ('reason' in m) {
      unmapped.push({ path: s.path, reason: m.reason });
      continue;
    }
    const vk = `${p.vendor ?? ''}\u0000${m.participant.id}`;
    if (!vendors.has(vk)) {
      vendors.set(vk, {
        name: p.vendor,
        participantId: m.participant.id,
        orgName: m.participant.orgName,
        matchedBy: m.by,
      });
    }
    const key = `${s.vulnerability}\u0000${m.participant.id}\u0000${m.product.toLowerCase()}`;
    const g = groups.get(key) ?? {
      vulnerability: s.vulnerability,
      participant: m.participant,
      product: m.product,
      items: [],
    };
    g.items.push({ s, p });
    groups.set(key, g);
  }

  const statuses: PlannedStatus[] = [];
  for (const g of groups.values()) {
    const of = (st: ImportStatement['status']) => g.items.filter((i) => i.s.status === st);
    const affected = of('affected');
    const investigating = of('under_investigation');
    const fixed = of('fixed');
    const notAffected = of('not_affected');
    const fixedVersions = uniq([
      ...fixed.map((i) => i.p.version).filter(Boolean),
      ...g.items.flatMap((i) => i.s.fixedVersions),
    ]);
    const status: PlannedStatus['status'] =
      affected.length > 0
        ? 'affected'
        : investigating.length > 0
          ? 'under_investigation'
          : fixed.length > 0
            ? 'fixed'
            : 'not_affected';
    const chosen =
      status === 'affected'
        ? affected
        : status === 'fixed'
          ? fixed
          : status === 'not_affected'
            ? notAffected
            : investigating;
    let statement = uniq(chosen.map((i) => i.s.statement).filter(Boolean)).join('\n\n');
    const versions = uniq(chosen.map((i) => i.p.version).filter(Boolean));
    const ranges = uniq(chosen.map((i) => i.s.affectedRange ?? '').filter(Boolean));
    const justifications = uniq(notAffected.map((i) => i.s.justification));
    const justification = status === 'not_affected' && justifications.length === 1 ? (justifications[0] ?? null) : null;
    if (status === 'affected' && statement === '') {
      statement =
        `Affected${versions.length > 0 ? ` (${versions.join(', ')})` : ''} according to ${doc.sourceLabel}, ` +
        `which gives no remediation${fixedVersions.length > 0 ? `; fixed in ${fixedVersions.join(', ')}` : ''}.`;
    }
    if (status === 'not_affected' && !justification && statement === '') {
      statement = `Not affected according to ${doc.sourceLabel}, which gives no justification.`;
    }
    statuses.push({
      vulnerability: g.vulnerability,
      participantId: g.participant.id,
      vendor: g.participant.orgName,
      product: clip(g.product, 300),
      status,
      justification,
      statement: clip(statement, MAX_STATEMENT),
      fixedVersions:
        status === 'affected' || status === 'fixed'
          ? fixedVersions.length > 0
            ? joinFixed(fixedVersions, doc.sourceLabel)
            : status === 'fixed'
              ? `see ${doc.sourceLabel}`
              : ''
          : '',
      affectedRange: (status === 'affected' || status === 'fixed') && ranges.length === 1 ? (ranges[0] ?? null) : null,
      refs: uniq(chosen.flatMap((i) => i.s.refs).filter(isHttpUrl)).slice(0, MAX_REFS),
      sources: g.items.map((i) => i.s.path),
    });
  }
  return { statuses, vendors: [...vendors.values()], unmapped };
}
