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
  vexJustificationSet,
  type ImportDocument,
  type ImportProduct,
  type ImportStatement,
  type ImportVulnerability,
  type Justification,
  type Unmapped,
} from './rules.ts';
import { VersError, canonicalVers, isVersRange } from '../../versions/vers.ts';

/**
 * CSAF 2.0 → import document, pure. The product tree gives the products: the nearest `vendor`
 * branch is the vendor, the `product_name` branch the product (else the product's full name), a
 * `product_version` (or a range other than "all versions") the version; a relationship
 * ("component X as a component of platform Y") is a product of Y's vendor named like Y, its version
 * X. Product statuses: known_affected, first_affected and last_affected → affected;
 * known_not_affected → not_affected (a VEX flag gives the OpenVEX justification, an impact threat
 * the statement); fixed and first_fixed → fixed (the product's version is the fixed version);
 * under_investigation → under_investigation. Remediations give affected and fixed products their
 * action statement and links. `recommended`, CVSS v2 and what the case has no place for are
 * reported as unmapped.
 */
type Json = Record<string, unknown>;

const statusMap: Record<string, ImportStatement['status'] | null> = {
  known_affected: 'affected',
  first_affected: 'affected',
  last_affected: 'affected',
  known_not_affected: 'not_affected',
  fixed: 'fixed',
  first_fixed: 'fixed',
  under_investigation: 'under_investigation',
  recommended: null,
};

interface Leaf {
  id: string;
  path: string;
  vendor: string | null;
  productName: string | null;
  version: string;
  fullName: string;
  purl: string | null;
  cpe: string | null;
}

function helper(product: Json): { purl: string | null; cpe: string | null } {
  const h = isObj(product.product_identification_helper) ? product.product_identification_helper : {};
  return { purl: str(h.purl) || null, cpe: str(h.cpe) || null };
}

function walkBranches(
  branches: unknown,
  path: string,
  ctx: { vendor: string | null; productName: string | null; version: string },
  out: Leaf[],
): void {
  arr(branches).forEach((b, i) => {
    if (!isObj(b)) return;
    const here = `${path}/${i}`;
    const category = str(b.category);
    const name = str(b.name);
    const next = { ...ctx };
    if (category === 'vendor') next.vendor = name;
    else if (category === 'product_name') next.productName = name;
    else if (category === 'product_version') next.version = name;
    else if (category === 'product_version_range') next.version = /^vers:all\/\*$/.test(name) ? '' : name;
    if (isObj(b.product)) {
      out.push({
        id: str(b.product.product_id),
        path: `${here}/product`,
        ...next,
        fullName: str(b.product.name),
        ...helper(b.product),
      });
    }
    walkBranches(b.branches, `${here}/branches`, next, out);
  });
}

/** A product outside a product_name branch: its full name without the vendor in front and the version behind. */
function bareName(l: Leaf): string {
  let name = l.fullName;
  if (l.vendor && name.toLowerCase().startsWith(`${l.vendor.toLowerCase()} `)) name = name.slice(l.vendor.length + 1);
  if (l.version && name.endsWith(` ${l.version}`)) name = name.slice(0, -l.version.length - 1);
  return name.trim() || l.fullName;
}

export function fromCsaf(doc: Json): ImportDocument {
  const unmapped: Unmapped[] = [];
  const document = isObj(doc.document) ? doc.document : {};
  const tracking = isObj(document.tracking) ? document.tracking : {};
  const publisher = isObj(document.publisher) ? document.publisher : {};
  const sourceId = str(tracking.id) || 'unknown';
  const sourceLabel = `CSAF document ${sourceId}${str(publisher.name) ? ` (${str(publisher.name)})` : ''}`;
  const tree = isObj(doc.product_tree) ? doc.product_tree : {};

  const leaves: Leaf[] = [];
  walkBranches(tree.branches, '/product_tree/branches', { vendor: null, productName: null, version: '' }, leaves);
  arr(tree.full_product_names).forEach((p, i) => {
    if (!isObj(p)) return;
    leaves.push({
      id: str(p.product_id),
      path: pointer('product_tree', 'full_product_names', i),
      vendor: null,
      productName: null,
      version: '',
      fullName: str(p.name),
      ...helper(p),
    });
  });
  const byId = new Map(leaves.map((l) => [l.id, l]));
  const products: ImportProduct[] = leaves.map((l) => ({
    id: l.id,
    path: l.path,
    vendor: l.vendor,
    name: l.productName ?? bareName(l),
    version: l.version,
    purl: l.purl,
    cpe: l.cpe,
  }));
  arr(tree.relationships).forEach((r, i) => {
    if (!isObj(r) || !isObj(r.full_product_name)) return;
    const path = pointer('product_tree', 'relationships', i);
    const id = str(r.full_product_name.product_id);
    const component = byId.get(str(r.product_reference));
    const platform = byId.get(str(r.relates_to_product_reference));
    if (!platform) {
      unmapped.push({ path, reason: 'the relationship names a platform that is not in the product tree' });
      return;
    }
    products.push({
      id,
      path: `${path}/full_product_name`,
      vendor: platform.vendor ?? component?.vendor ?? null,
      name: platform.productName ?? platform.fullName,
      version: component ? component.version || component.productName || component.fullName : str(r.product_reference),
      purl: component?.purl ?? null,
      cpe: platform.cpe,
    });
  });
  const productIds = new Set(products.map((p) => p.id));
  // A product_version_range in vers (other than every version) is the statement's affected range; one we cannot
  // read is reported, and the product stays with its range as its version.
  const affectedRangeOf = (id: string, path: string): string | null => {
    const version = products.find((p) => p.id === id)?.version ?? '';
    if (!isVersRange(version)) return null;
    try {
      return canonicalVers(version);
    } catch (e) {
      if (!(e instanceof VersError)) throw e;
      unmapped.push({ path, reason: `the product's version range is not used as its affected range: ${e.message}` });
      return null;
    }
  };
  const groups = new Map<string, string[]>();
  for (const g of arr(tree.product_groups)) {
    if (isObj(g)) groups.set(str(g.group_id), arr(g.product_ids).map(str));
  }
  const idsOf = (o: Json): string[] => [
    ...new Set([...arr(o.product_ids).map(str), ...arr(o.group_ids).flatMap((g) => groups.get(str(g)) ?? [])]),
  ];

  const vulnerabilities: ImportVulnerability[] = [];
  const statements: ImportStatement[] = [];
  arr(doc.vulnerabilities).forEach((raw, vi) => {
    const v: Json = isObj(raw) ? raw : {};
    const vp = pointer('vulnerabilities', vi);
    const cve = str(v.cve).toUpperCase();
    const cveId = CVE_ID.test(cve) ? cve : null;
    const notes = arr(v.notes).filter(isObj);
    const description =
      notes
        .filter((n) => str(n.category) === 'description')
        .map((n) => str(n.text))
        .join('\n\n') ||
      notes
        .filter((n) => ['summary', 'details'].includes(str(n.category)))
        .map((n) => str(n.text))
        .join('\n\n');
    let cwe: string | null = null;
    if (isObj(v.cwe)) {
      const c = cweOf(str(v.cwe.id));
      if ('id' in c) cwe = c.id;
      else unmapped.push({ path: `${vp}/cwe/id`, reason: c.error });
    }
    let cvssV3: string | null = null;
    arr(v.scores).forEach((s, si) => {
      if (!isObj(s)) return;
      if (isObj(s.cvss_v2)) {
        unmapped.push({
          path: `${vp}/scores/${si}/cvss_v2`,
          reason: 'CVSS v2 is not kept in the case (CVSS 3.x and 4.0 only)',
        });
      }
      if (!isObj(s.cvss_v3)) return;
      const at = `${vp}/scores/${si}/cvss_v3/vectorString`;
      const r = cvssOf(str(s.cvss_v3.vectorString), ['3.0', '3.1']);
      if ('error' in r) unmapped.push({ path: at, reason: r.error });
      else if (cvssV3 === null) cvssV3 = r.vector;
      else if (cvssV3 !== r.vector) {
        unmapped.push({
          path: at,
          reason: `a second CVSS v3 vector (${r.vector}); the case keeps one per vulnerability (${cvssV3})`,
        });
      }
    });
    // CSAF 2.0 has no CVSS v4.0 field: Accord's export (and others) carry it as a note titled "CVSS v4.0".
    let cvssV4: string | null = null;
    arr(v.notes).forEach((n, ni) => {
      const text = isObj(n) ? str(n.text) : '';
      if (!isObj(n) || !/cvss\s*v?4/i.test(str(n.title)) || !text.startsWith('CVSS:4.0/')) return;
      const r = cvssOf(text.split(/\s/)[0] ?? '', ['4.0']);
      if ('error' in r) unmapped.push({ path: `${vp}/notes/${ni}/text`, reason: r.error });
      else cvssV4 ??= r.vector;
    });
    const references = arr(v.references)
      .filter(isObj)
      .map((r) => str(r.url))
      .filter(isHttpUrl);
    const key = cveId ?? `#${vi + 1}`;
    if (vulnerabilities.some((x) => x.key === key)) {
      unmapped.push({ path: vp, reason: `${key} appears twice in the document; the first is imported` });
      return;
    }
    vulnerabilities.push({
      key,
      path: vp,
      cveId,
      title: titleFor(str(v.title), cveId, description, `Vulnerability ${vi + 1} of ${sourceId}`),
      description,
      cwe,
      cvssV3,
      cvssV4,
      references,
    });

    // Per product: action statements and links from remediations, impact statements from threats, VEX flags.
    const remediation = new Map<string, { text: string[]; refs: string[] }>();
    arr(v.remediations).forEach((r) => {
      if (!isObj(r)) return;
      const url = str(r.url);
      const text = [str(r.details), url].filter(Boolean).join(' ');
      for (const id of idsOf(r)) {
        const e = remediation.get(id) ?? { text: [], refs: [] };
        if (text) e.text.push(text);
        if (isHttpUrl(url)) e.refs.push(url);
        remediation.set(id, e);
      }
    });
    const impact = new Map<string, string[]>();
    arr(v.threats).forEach((t) => {
      if (!isObj(t) || str(t.category) !== 'impact') return;
      for (const id of idsOf(t)) impact.set(id, [...(impact.get(id) ?? []), str(t.details)]);
    });
    const flags = new Map<string, Justification>();
    arr(v.flags).forEach((f, fi) => {
      if (!isObj(f)) return;
      const label = str(f.label);
      if (!vexJustificationSet.has(label)) {
        unmapped.push({ path: `${vp}/flags/${fi}/label`, reason: `"${label}" is not an OpenVEX justification` });
        return;
      }
      for (const id of idsOf(f)) flags.set(id, label as Justification);
    });

    const productStatus = isObj(v.product_status) ? v.product_status : {};
    for (const [group, ids] of Object.entries(productStatus)) {
      const status = statusMap[group];
      arr(ids).forEach((rawId, pi) => {
        const path = `${vp}/product_status/${group}/${pi}`;
        const id = str(rawId);
        if (status === undefined) {
          unmapped.push({ path, reason: `"${group}" is not a CSAF 2.0 product status` });
          return;
        }
        if (status === null) {
          unmapped.push({
            path,
            reason: 'a recommended version is not a status in the matrix (the fix comes from fixed / first_fixed)',
          });
          return;
        }
        if (!productIds.has(id)) {
          unmapped.push({ path, reason: `no product in the product tree has the id "${id}"` });
          return;
        }
        const r = remediation.get(id);
        const statement =
          status === 'not_affected'
            ? (impact.get(id) ?? []).join('\n\n')
            : status === 'affected' || status === 'fixed'
              ? [...new Set(r?.text ?? [])].join('\n\n')
              : '';
        statements.push({
          vulnerability: key,
          product: id,
          status,
          justification: status === 'not_affected' ? (flags.get(id) ?? null) : null,
          statement,
          fixedVersions: [],
          affectedRange: status === 'not_affected' ? null : affectedRangeOf(id, path),
          refs: r?.refs ?? [],
          path,
        });
      });
    }
  });

  return {
    kind: 'csaf',
    sourceId,
    sourceLabel,
    title: str(document.title),
    vulnerabilities,
    products,
    statements,
    unmapped,
  };
}
