import { parsePurl } from '../identifiers/index.ts';
import { parseCvss } from '../scores/cvss.ts';
import { versToOsv, type OsvRange } from '../versions/osv.ts';
import { VersError, checkVers, isVersRange } from '../versions/vers.ts';
import type { AdvisoryDocument, AdvisoryVulnerability } from './rules.ts';

/**
 * Advisory → OSV (schema 1.6), pure: one entry per vulnerability. OSV describes packages, so a
 * product enters `affected` through its package URL (the purl type names the ecosystem); products
 * without one are listed in `database_specific.unmapped_products` rather than dropped silently.
 */
type Json = Record<string, unknown>;

export const OSV_SCHEMA_VERSION = '1.6.0';

/** purl type → OSV ecosystem, for the ecosystems both name the same way. */
export const purlEcosystems: Record<string, string> = {
  npm: 'npm',
  pypi: 'PyPI',
  maven: 'Maven',
  golang: 'Go',
  cargo: 'crates.io',
  gem: 'RubyGems',
  nuget: 'NuGet',
  composer: 'Packagist',
  hex: 'Hex',
  pub: 'Pub',
  hackage: 'Hackage',
  cran: 'CRAN',
  conan: 'ConanCenter',
  swift: 'SwiftURL',
  github: 'GitHub Actions',
};

function packageOf(purl: string): { ecosystem: string; name: string; purl: string } | null {
  const p = parsePurl(purl);
  if (!p.ok) return null;
  const ecosystem = purlEcosystems[p.type];
  if (!ecosystem) return null;
  const ns = p.namespace;
  const name =
    p.type === 'maven' && ns
      ? `${ns}:${p.name}`
      : p.type === 'npm' && ns
        ? `${ns}/${p.name}`
        : ns && p.type !== 'pypi'
          ? `${ns}/${p.name}`
          : p.name;
  const base = `pkg:${p.type}/${ns ? `${ns}/` : ''}${p.name}`;
  return { ecosystem, name, purl: parsePurl(base).ok ? base : purl };
}

export function osvId(doc: AdvisoryDocument, v: AdvisoryVulnerability): string {
  const n = doc.content.vulnerabilities.indexOf(v);
  const suffix = doc.content.vulnerabilities.length > 1 ? `-${n + 1}` : '';
  return `x_${doc.trackingId}${suffix}`;
}

export function toOsv(doc: AdvisoryDocument, v: AdvisoryVulnerability): Json {
  const c = doc.content;
  const byId = new Map(c.products.map((p) => [p.id, p]));
  const affected = new Map<string, Json & { versions: string[]; events: Json[]; ranges: OsvRange[] }>();
  const unmapped: string[] = [];
  for (const s of v.statuses) {
    if (s.status !== 'known_affected' && s.status !== 'fixed') continue;
    const p = byId.get(s.productId);
    if (!p) continue;
    const pkg = p.purl ? packageOf(p.purl) : null;
    if (!pkg) {
      unmapped.push([p.vendor, p.name, p.version].filter(Boolean).join(' '));
      continue;
    }
    const key = `${pkg.ecosystem}\u0000${pkg.name}`;
    const entry = affected.get(key) ?? { package: pkg, versions: [], events: [], ranges: [] };
    affected.set(key, entry);
    if (s.status === 'known_affected' && isVersRange(p.version)) {
      // An affected range (vers): its events, SEMVER for npm/semver and ECOSYSTEM otherwise.
      try {
        const osv = versToOsv(checkVers(p.version));
        entry.ranges.push(...osv.ranges);
        entry.versions.push(...osv.versions);
      } catch (e) {
        if (!(e instanceof VersError)) throw e;
        unmapped.push(`${[p.vendor, p.name, p.version].join(' ')}: ${e.message}`);
      }
    } else if (s.status === 'fixed' && p.version) entry.events.push({ fixed: p.version });
    else if (s.status === 'known_affected' && p.version) entry.versions.push(p.version);
    else if (s.status === 'known_affected') entry.events.push({ introduced: '0' });
  }
  const out: Json = {
    schema_version: OSV_SCHEMA_VERSION,
    id: osvId(doc, v),
    modified: (doc.currentReleaseAt ?? doc.generatedAt).toISOString(),
    summary: v.title,
    details: v.description,
  };
  if (doc.initialReleaseAt) out.published = doc.initialReleaseAt.toISOString();
  if (v.cve) out.aliases = [v.cve];
  const severity: Json[] = [];
  for (const raw of [v.cvssV3, v.cvssV4]) {
    const r = raw ? parseCvss(raw) : null;
    if (r?.ok) severity.push({ type: r.version === '4.0' ? 'CVSS_V4' : 'CVSS_V3', score: r.vector });
  }
  if (severity.length > 0) out.severity = severity;
  out.affected = [...affected.values()].map(({ versions, events, ranges, ...rest }) => {
    const a: Json = { ...rest };
    if (versions.length > 0) a.versions = [...new Set(versions)];
    // A fixed version the affected range already ends at says nothing more.
    const ended = new Set(ranges.flatMap((r) => r.events.flatMap((e) => ('fixed' in e ? [e.fixed] : []))));
    const remaining = events.filter((e) => !('fixed' in e) || !ended.has(String(e.fixed)));
    const all: Json[] = ranges.map((r) => ({ type: r.type, events: r.events }));
    if (remaining.length > 0) {
      const hasIntroduced = remaining.some((e) => 'introduced' in e);
      all.push({ type: 'ECOSYSTEM', events: hasIntroduced ? remaining : [{ introduced: '0' }, ...remaining] });
    }
    if (all.length > 0) a.ranges = all;
    return a;
  });
  const refs: Json[] = [{ type: 'ADVISORY', url: doc.selfUrl }];
  for (const r of v.remediations) if (r.url) refs.push({ type: 'FIX', url: r.url });
  for (const r of [...v.references, ...c.references])
    refs.push({ type: r.category === 'self' ? 'ADVISORY' : 'WEB', url: r.url });
  out.references = refs.filter((r, i) => refs.findIndex((x) => x.url === r.url) === i);
  const credits = c.acknowledgements.flatMap((a) =>
    (a.names.length > 0 ? a.names : a.organization ? [a.organization] : []).map((name) => ({ name, type: 'FINDER' })),
  );
  if (credits.length > 0) out.credits = credits;
  const specific: Json = { advisory: doc.trackingId, tlp: doc.tlp };
  if (v.cwe) specific.cwe_ids = [v.cwe];
  if (unmapped.length > 0) specific.unmapped_products = unmapped;
  out.database_specific = specific;
  return out;
}
