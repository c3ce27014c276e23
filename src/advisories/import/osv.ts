import { parsePurl } from '../../identifiers/index.ts';
import { purlEcosystems } from '../osv.ts';
import {
  arr,
  CVE_ID,
  cvssOf,
  cweOf,
  isHttpUrl,
  isObj,
  pointer,
  str,
  titleFor,
  type ImportDocument,
  type ImportProduct,
  type ImportStatement,
  type Unmapped,
} from './rules.ts';
import { osvToVers } from '../../versions/osv.ts';
import { VersError } from '../../versions/vers.ts';

/**
 * OSV → import document, pure. One vulnerability (its CVE id from the aliases, or the id itself);
 * each `affected` entry is one package, found in the case by its package URL (given, or built
 * from the ecosystem and name) among the vendor participants' products in the directory, since OSV
 * names no vendor. A package with a `fixed` event is fixed in those versions (GIT ranges give
 * commits); one without is affected. Reference links of type FIX are its links.
 */
type Json = Record<string, unknown>;

const ecosystemTypes: Record<string, string> = Object.fromEntries(
  Object.entries(purlEcosystems).map(([type, ecosystem]) => [ecosystem, type]),
);

/** The package URL (without version) for an OSV package, when its ecosystem has a purl type. */
export function purlForPackage(ecosystem: string, name: string): string | null {
  const type = ecosystemTypes[ecosystem.split(':')[0] ?? ''];
  if (!type || !name) return null;
  let path: string;
  if (type === 'maven' && name.includes(':')) path = name.split(':').map(encodeURIComponent).join('/');
  else if (type === 'npm' && name.startsWith('@')) path = name.split('/').map(encodeURIComponent).join('/');
  else path = type === 'golang' || type === 'github' ? name : encodeURIComponent(name);
  const p = parsePurl(`pkg:${type}/${path}`);
  return p.ok ? p.purl : null;
}

export function fromOsv(doc: Json): ImportDocument {
  const unmapped: Unmapped[] = [];
  const id = str(doc.id);
  const sourceLabel = `OSV entry ${id}`;
  const aliases = arr(doc.aliases).map(str);
  const cveId = [id, ...aliases].map((a) => a.toUpperCase()).find((a) => CVE_ID.test(a)) ?? null;
  const empty = {
    kind: 'osv' as const,
    sourceId: id,
    sourceLabel,
    title: str(doc.summary),
    products: [],
    statements: [],
  };
  if (str(doc.withdrawn)) {
    unmapped.push({ path: '/withdrawn', reason: 'the entry is withdrawn: there is nothing to import' });
    return { ...empty, vulnerabilities: [], unmapped };
  }
  let cvssV3: string | null = null;
  let cvssV4: string | null = null;
  arr(doc.severity).forEach((s, i) => {
    if (!isObj(s)) return;
    const path = pointer('severity', i);
    const type = str(s.type);
    if (type === 'CVSS_V3' || type === 'CVSS_V4') {
      const v4 = type === 'CVSS_V4';
      const r = cvssOf(str(s.score), v4 ? ['4.0'] : ['3.0', '3.1']);
      if ('error' in r) unmapped.push({ path: `${path}/score`, reason: r.error });
      else if (v4) cvssV4 ??= r.vector;
      else cvssV3 ??= r.vector;
    } else {
      unmapped.push({ path, reason: `${type || 'this'} severity is not kept in the case (CVSS 3.x and 4.0 only)` });
    }
  });
  let cwe: string | null = null;
  const specific = isObj(doc.database_specific) ? doc.database_specific : {};
  arr(specific.cwe_ids).forEach((raw, i) => {
    const c = cweOf(str(raw));
    const path = pointer('database_specific', 'cwe_ids', i);
    if ('error' in c) unmapped.push({ path, reason: c.error });
    else if (cwe === null) cwe = c.id;
    else if (cwe !== c.id) unmapped.push({ path, reason: `a second CWE (${c.id}); the case keeps one (${cwe})` });
  });
  const refs = arr(doc.references).filter(isObj);
  const references = refs.map((r) => str(r.url)).filter(isHttpUrl);
  const fixes = refs
    .filter((r) => str(r.type) === 'FIX')
    .map((r) => str(r.url))
    .filter(isHttpUrl);
  const description = str(doc.details);
  const key = cveId ?? '#1';
  const vulnerabilities = [
    {
      key,
      path: '',
      cveId,
      title: titleFor(str(doc.summary), cveId, description, id),
      description: description || str(doc.summary),
      cwe,
      cvssV3,
      cvssV4,
      references,
    },
  ];

  const products: ImportProduct[] = [];
  const statements: ImportStatement[] = [];
  arr(doc.affected).forEach((raw, i) => {
    const a: Json = isObj(raw) ? raw : {};
    const path = pointer('affected', i);
    const pkg = isObj(a.package) ? a.package : {};
    const name = str(pkg.name);
    const ecosystem = str(pkg.ecosystem);
    if (!name) {
      unmapped.push({ path, reason: 'the entry names no package' });
      return;
    }
    const given = str(pkg.purl);
    const parsed = given ? parsePurl(given) : null;
    if (given && !parsed?.ok) unmapped.push({ path: `${path}/package/purl`, reason: 'not a valid package URL' });
    const purl = parsed?.ok ? parsed.purl : purlForPackage(ecosystem, name);
    const productId = `affected/${i}`;
    products.push({ id: productId, path, vendor: null, name, version: '', purl, cpe: null });
    const fixed: string[] = [];
    arr(a.ranges).forEach((r) => {
      if (!isObj(r)) return;
      const git = str(r.type) === 'GIT';
      for (const e of arr(r.events).filter(isObj)) {
        const f = str(e.fixed);
        if (f) fixed.push(git ? `commit ${f}` : f);
      }
    });
    const unique = [...new Set(fixed)];
    // The ranges (and versions) of an ecosystem whose versions we compare: the statement's affected range.
    let affectedRange: string | null = null;
    try {
      affectedRange = osvToVers(ecosystem, arr(a.ranges).filter(isObj), arr(a.versions).map(str).filter(Boolean));
    } catch (e) {
      if (!(e instanceof VersError)) throw e;
      unmapped.push({ path: `${path}/ranges`, reason: `not used as the affected range: ${e.message}` });
    }
    statements.push({
      vulnerability: key,
      product: productId,
      status: unique.length > 0 ? 'fixed' : 'affected',
      justification: null,
      statement: '',
      fixedVersions: unique,
      affectedRange,
      refs: fixes,
      path,
    });
  });
  return { ...empty, vulnerabilities, products, statements, unmapped };
}
