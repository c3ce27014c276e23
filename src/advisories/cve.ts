import { parseCvss } from '../scores/cvss.ts';
import { lookupCwe } from '../scores/cwe.ts';
import { versToCveVersions, type CveVersion } from '../versions/cve.ts';
import { VersError, checkVers, isVersRange } from '../versions/vers.ts';
import type { AdvisoryDocument, AdvisoryProduct, AdvisoryVulnerability, ProductStatus } from './rules.ts';

/**
 * Advisory → CVE JSON 5.1 (schema 5.1.1), pure: the CNA container of one vulnerability and the
 * full record around it. A CVE record is about one CVE id, so each vulnerability with a CVE id
 * gives its own record.
 */
type Json = Record<string, unknown>;

export interface CveAssigner {
  /** The CNA's organization UUID in the CVE program. */
  orgId: string;
  shortName: string;
}

const cveStatus: Record<ProductStatus, 'affected' | 'unaffected' | 'unknown'> = {
  known_affected: 'affected',
  fixed: 'unaffected',
  known_not_affected: 'unaffected',
  under_investigation: 'unknown',
};

/** A product version as CVE version entries: a vers range as lessThan / lessThanOrEqual intervals. */
function cveVersions(version: string, status: CveVersion['status']): Json[] {
  if (!isVersRange(version)) return [{ version, status }];
  try {
    return versToCveVersions(checkVers(version), status).map((e) => ({ ...e }));
  } catch (err) {
    // What CVE ranges cannot say (e.g. "!="): the range itself, as the record's version string.
    if (err instanceof VersError) return [{ version, status }];
    throw err;
  }
}

function affected(doc: AdvisoryDocument, v: AdvisoryVulnerability): Json[] {
  const byId = new Map(doc.content.products.map((p) => [p.id, p]));
  const groups = new Map<string, { vendor: string; product: string; items: [AdvisoryProduct, ProductStatus][] }>();
  for (const s of v.statuses) {
    const p = byId.get(s.productId);
    if (!p) continue;
    const key = `${p.vendor}\u0000${p.name}`;
    const g = groups.get(key) ?? { vendor: p.vendor, product: p.name, items: [] };
    g.items.push([p, s.status]);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    const out: Json = { vendor: g.vendor, product: g.product };
    const whole = g.items.find(([p]) => p.version === '');
    const versions = g.items
      .filter(([p]) => p.version !== '')
      .flatMap(([p, s]) => cveVersions(p.version, cveStatus[s]));
    out.defaultStatus = whole ? cveStatus[whole[1]] : 'unknown';
    if (versions.length > 0) out.versions = versions;
    const cpes = [...new Set(g.items.map(([p]) => p.cpe).filter((c): c is string => c !== null))];
    if (cpes.length > 0) out.cpes = cpes;
    return out;
  });
}

function metrics(v: AdvisoryVulnerability, lang: string): Json[] {
  const out: Json[] = [];
  const scenarios = [{ lang, value: 'GENERAL' }];
  for (const raw of [v.cvssV4, v.cvssV3]) {
    if (!raw) continue;
    const r = parseCvss(raw);
    if (!r.ok) continue;
    const key = r.version === '4.0' ? 'cvssV4_0' : r.version === '3.1' ? 'cvssV3_1' : 'cvssV3_0';
    const baseScore = r.version === '4.0' ? r.score : r.scores.base;
    const baseSeverity = r.version === '4.0' ? r.severity : r.severities.base;
    out.push({
      format: 'CVSS',
      scenarios,
      [key]: { version: r.version, vectorString: r.vector, baseScore, baseSeverity },
    });
  }
  if (v.ssvc) out.push({ other: { type: 'ssvc', content: v.ssvc } });
  return out;
}

export function toCveCna(doc: AdvisoryDocument, v: AdvisoryVulnerability, assigner: CveAssigner): Json {
  const c = doc.content;
  const lang = c.lang;
  const cna: Json = {
    providerMetadata: {
      orgId: assigner.orgId,
      shortName: assigner.shortName,
      dateUpdated: doc.generatedAt.toISOString(),
    },
    title: v.title.slice(0, 256),
    descriptions: [{ lang, value: v.description }],
    affected: affected(doc, v),
  };
  if (doc.state === 'published' && doc.initialReleaseAt) cna.datePublic = doc.initialReleaseAt.toISOString();
  if (v.cwe) {
    const entry = lookupCwe(v.cwe);
    cna.problemTypes = [
      { descriptions: [{ lang, cweId: v.cwe, type: 'CWE', description: entry ? `${entry.id} ${entry.name}` : v.cwe }] },
    ];
  }
  const refs = new Map<string, Json>();
  const addRef = (url: string, name?: string, tags?: string[]) => {
    if (refs.has(url)) return;
    refs.set(url, { url, ...(name ? { name: name.slice(0, 512) } : {}), ...(tags ? { tags } : {}) });
  };
  addRef(doc.selfUrl, `${doc.trackingId}: ${c.title}`, ['vendor-advisory']);
  for (const r of v.references) addRef(r.url, r.summary || undefined);
  for (const r of c.references) addRef(r.url, r.summary || undefined);
  for (const r of v.remediations) if (r.url) addRef(r.url, r.details.slice(0, 200), ['patch']);
  cna.references = [...refs.values()];
  const m = metrics(v, lang);
  if (m.length > 0) cna.metrics = m;
  const solutions = v.remediations.filter(
    (r) => r.category === 'vendor_fix' || r.category === 'no_fix_planned' || r.category === 'none_available',
  );
  if (solutions.length > 0)
    cna.solutions = solutions.map((r) => ({ lang, value: r.url ? `${r.details} ${r.url}` : r.details }));
  const workarounds = v.remediations.filter((r) => r.category === 'workaround' || r.category === 'mitigation');
  if (workarounds.length > 0) cna.workarounds = workarounds.map((r) => ({ lang, value: r.details }));
  const credits = c.acknowledgements.flatMap((a) =>
    (a.names.length > 0 ? a.names : a.organization ? [a.organization] : []).map((name) => ({
      lang,
      value: name,
      type: 'finder',
    })),
  );
  if (credits.length > 0) cna.credits = credits;
  cna.source = { advisory: doc.trackingId, discovery: credits.length > 0 ? 'EXTERNAL' : 'UNKNOWN' };
  return cna;
}

export function toCveRecord(doc: AdvisoryDocument, v: AdvisoryVulnerability, assigner: CveAssigner): Json {
  if (!v.cve) throw new Error(`vulnerability ${v.id} has no CVE id`);
  const meta: Json = {
    cveId: v.cve,
    assignerOrgId: assigner.orgId,
    assignerShortName: assigner.shortName,
    state: 'PUBLISHED',
    dateUpdated: doc.generatedAt.toISOString(),
  };
  if (doc.initialReleaseAt) meta.datePublished = doc.initialReleaseAt.toISOString();
  return {
    dataType: 'CVE_RECORD',
    dataVersion: '5.1',
    cveMetadata: meta,
    containers: { cna: toCveCna(doc, v, assigner) },
  };
}
