import { validateProductIdentifier } from '../../identifiers/index.ts';
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

/**
 * CVE JSON 5 (full record or CNA container) → import document, pure. One vulnerability; each
 * `affected` entry is one product of its vendor, with one status:
 * - affected when its default status or any version (range, change) is affected; the fixed
 *   versions are the ends (`lessThan`) of affected ranges, the changes to unaffected, and single
 *   unaffected versions;
 * - else fixed when it lists single unaffected versions (those are the fixed versions) and its
 *   default is not unaffected;
 * - else not_affected when it is unaffected by default or in every range (CVE records carry no
 *   justification: the statement says where the status comes from);
 * - else under_investigation when its status is unknown.
 * Solutions and workarounds are the action statement; references tagged `patch` its links. ADP
 * containers (other parties' statements), CVSS v2 and other metrics are reported as unmapped.
 */
type Json = Record<string, unknown>;

function english(list: unknown): string {
  const items = arr(list).filter(isObj);
  const en = items.find((d) => /^en\b/i.test(str(d.lang))) ?? items[0];
  return en ? str(en.value) : '';
}

export function fromCve(doc: Json): ImportDocument {
  const unmapped: Unmapped[] = [];
  const record = isObj(doc.cveMetadata);
  const meta = isObj(doc.cveMetadata) ? doc.cveMetadata : {};
  const containers = isObj(doc.containers) ? doc.containers : {};
  const cna: Json = record ? (isObj(containers.cna) ? containers.cna : {}) : doc;
  const base = record ? '/containers/cna' : '';
  const metaId = str(meta.cveId).toUpperCase();
  const cveId = CVE_ID.test(metaId) ? metaId : null;
  const sourceId = cveId ?? (str(cna.title) || 'CVE CNA container');
  const assigner =
    str(meta.assignerShortName) || (isObj(cna.providerMetadata) ? str(cna.providerMetadata.shortName) : '');
  const sourceLabel = `CVE record ${sourceId}${assigner ? ` (${assigner})` : ''}`;
  arr(containers.adp).forEach((_, i) => {
    unmapped.push({
      path: pointer('containers', 'adp', i),
      reason: 'ADP containers hold statements of other parties than the CNA; they are not imported',
    });
  });
  const empty = { kind: 'cve' as const, sourceId, sourceLabel, title: str(cna.title), products: [], statements: [] };
  if (str(meta.state) === 'REJECTED' || 'rejectedReasons' in cna) {
    unmapped.push({
      path: record ? '/cveMetadata/state' : '/rejectedReasons',
      reason: 'a rejected CVE record has nothing to import',
    });
    return { ...empty, vulnerabilities: [], unmapped };
  }

  const description = english(cna.descriptions);
  let cwe: string | null = null;
  arr(cna.problemTypes).forEach((pt, i) => {
    arr(isObj(pt) ? pt.descriptions : []).forEach((d, j) => {
      if (!isObj(d)) return;
      const raw = str(d.cweId);
      if (!raw) return;
      const path = `${base}/problemTypes/${i}/descriptions/${j}/cweId`;
      const c = cweOf(raw);
      if ('error' in c) unmapped.push({ path, reason: c.error });
      else if (cwe === null) cwe = c.id;
      else if (cwe !== c.id) unmapped.push({ path, reason: `a second CWE (${c.id}); the case keeps one (${cwe})` });
    });
  });
  let cvssV3: string | null = null;
  let cvssV4: string | null = null;
  arr(cna.metrics).forEach((m, i) => {
    if (!isObj(m)) return;
    const at = `${base}/metrics/${i}`;
    for (const [field, value] of Object.entries(m)) {
      if (field === 'format' || field === 'scenarios') continue;
      const path = `${at}/${field}`;
      if (field === 'cvssV3_1' || field === 'cvssV3_0' || field === 'cvssV4_0') {
        const v4 = field === 'cvssV4_0';
        const r = cvssOf(isObj(value) ? str(value.vectorString) : '', v4 ? ['4.0'] : ['3.0', '3.1']);
        if ('error' in r) unmapped.push({ path: `${path}/vectorString`, reason: r.error });
        else if (v4 ? cvssV4 === null : cvssV3 === null) {
          if (v4) cvssV4 = r.vector;
          else cvssV3 = r.vector;
        } else if ((v4 ? cvssV4 : cvssV3) !== r.vector) {
          unmapped.push({
            path: `${path}/vectorString`,
            reason: "another scenario's vector; the case keeps one per version",
          });
        }
      } else if (field === 'cvssV2_0') {
        unmapped.push({ path, reason: 'CVSS v2 is not kept in the case (CVSS 3.x and 4.0 only)' });
      } else {
        unmapped.push({ path, reason: `"${field}" metrics are not kept in the case` });
      }
    }
  });
  const references = arr(cna.references)
    .filter(isObj)
    .map((r) => str(r.url))
    .filter(isHttpUrl);
  const patches = arr(cna.references)
    .filter(isObj)
    .filter((r) => arr(r.tags).includes('patch'))
    .map((r) => str(r.url))
    .filter(isHttpUrl);
  const key = cveId ?? '#1';
  const vulnerabilities = [
    {
      key,
      path: record ? '' : '/',
      cveId,
      title: titleFor(str(cna.title), cveId, description, `Vulnerability of ${sourceId}`),
      description,
      cwe,
      cvssV3,
      cvssV4,
      references,
    },
  ];
  const actions = [...arr(cna.solutions), ...arr(cna.workarounds)]
    .filter(isObj)
    .map((s) => str(s.value))
    .filter(Boolean);
  const solutions = arr(cna.solutions)
    .filter(isObj)
    .map((s) => str(s.value))
    .filter(Boolean);

  const products: ImportProduct[] = [];
  const statements: ImportStatement[] = [];
  arr(cna.affected).forEach((raw, i) => {
    const a: Json = isObj(raw) ? raw : {};
    const path = `${base}/affected/${i}`;
    const vendorRaw = str(a.vendor);
    const vendor = vendorRaw && !/^n\/?a$/i.test(vendorRaw) ? vendorRaw : null;
    const name = str(a.product) || str(a.packageName);
    if (!name) {
      unmapped.push({ path, reason: 'the entry names no product' });
      return;
    }
    let cpe: string | null = null;
    for (const c of arr(a.cpes).map(str)) {
      const r = validateProductIdentifier(c);
      if (r.ok && r.kind === 'cpe') {
        cpe = r.normalized;
        break;
      }
    }
    const id = `affected/${i}`;
    products.push({ id, path, vendor, name, version: '', purl: null, cpe });

    const def = str(a.defaultStatus);
    const fixed: string[] = [];
    const singleUnaffected: string[] = [];
    let affected = def === 'affected';
    let unaffectedRange = false;
    let unknown = def === 'unknown';
    for (const v of arr(a.versions).filter(isObj)) {
      const status = str(v.status);
      const version = str(v.version);
      const lessThan = str(v.lessThan);
      const ranged = lessThan !== '' || str(v.lessThanOrEqual) !== '';
      const changes = arr(v.changes).filter(isObj);
      if (status === 'affected') {
        affected = true;
        // The end of a range is the fix, unless the range is a wildcard with its own changes.
        if (lessThan && !lessThan.includes('*') && changes.length === 0) fixed.push(lessThan);
      } else if (status === 'unaffected') {
        if (ranged || changes.length > 0) unaffectedRange = true;
        else if (version) singleUnaffected.push(version);
      } else if (status === 'unknown') unknown = true;
      for (const c of changes) {
        if (str(c.status) === 'affected') affected = true;
        if (str(c.status) === 'unaffected' && str(c.at)) fixed.push(str(c.at));
      }
    }
    let status: ImportStatement['status'];
    let fixedVersions: string[] = [];
    if (affected) {
      status = 'affected';
      fixedVersions = [...fixed, ...singleUnaffected];
    } else if (singleUnaffected.length > 0 && def !== 'unaffected') {
      status = 'fixed';
      fixedVersions = singleUnaffected;
    } else if (def === 'unaffected' || unaffectedRange || singleUnaffected.length > 0) {
      status = 'not_affected';
    } else if (unknown) {
      status = 'under_investigation';
    } else {
      unmapped.push({ path, reason: 'the entry states no status (no defaultStatus and no versions)' });
      return;
    }
    statements.push({
      vulnerability: key,
      product: id,
      status,
      justification: null,
      statement: status === 'affected' ? actions.join('\n\n') : status === 'fixed' ? solutions.join('\n\n') : '',
      fixedVersions,
      refs: status === 'affected' || status === 'fixed' ? patches : [],
      path,
    });
  });

  return { ...empty, vulnerabilities, products, statements, unmapped };
}
