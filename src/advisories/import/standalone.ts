import { validateProductIdentifier } from '../../identifiers/index.ts';
import {
  noteCategories,
  remediationCategories,
  threatCategories,
  type AdvisoryNote,
  type AdvisoryProduct,
  type AdvisoryProductStatus,
  type AdvisoryPublisher,
  type AdvisoryReference,
  type AdvisoryRemediation,
  type AdvisoryThreat,
  type AdvisoryTlp,
  type ProductStatus,
} from '../rules.ts';
import { arr, isHttpUrl, isObj, str, type ImportDocument, type ImportStatement, type Unmapped } from './rules.ts';

/**
 * An upstream advisory → the content of a new standalone draft advisory, pure. A PSIRT re-publishing
 * or adopting a supplier's advisory (no case: nobody's statements to record) keeps what our model
 * holds: the product tree (vendor, product, version, package URL / CPE), the vulnerabilities (CVE,
 * CWE, CVSS 3.x / 4.0, description, references), each product's status with its VEX justification
 * and statement, and, from a CSAF document, its summary, notes, references, remediations and threats.
 * What does not fit is reported with its JSON Pointer, like an import into a case. The result goes
 * through `checkContent` like any edit.
 */
type Json = Record<string, unknown>;

export interface StandaloneStatus {
  vendor: string;
  product: string;
  /** The vulnerability's CVE id, else its key in the advisory (VULN-n). */
  vulnerability: string;
  status: ProductStatus;
  justification: string | null;
  fixedVersions: string | null;
  action: 'created';
}

export interface StandaloneDraft {
  content: Record<string, unknown> & {
    title: string;
    products: AdvisoryProduct[];
    vulnerabilities: (Json & { id: string; cve: string | null; title: string; statuses: AdvisoryProductStatus[] })[];
  };
  /** The document's own distribution (CSAF TLP label), or null when it names none. */
  tlp: AdvisoryTlp | null;
  statuses: StandaloneStatus[];
  unmapped: Unmapped[];
}

const caseToCsaf: Record<ImportStatement['status'], ProductStatus> = {
  affected: 'known_affected',
  not_affected: 'known_not_affected',
  fixed: 'fixed',
  under_investigation: 'under_investigation',
};

/** CSAF 2.0 TLP labels (WHITE is 2.0's CLEAR) → ours. */
const tlpLabels: Record<string, AdvisoryTlp> = {
  WHITE: 'CLEAR',
  CLEAR: 'CLEAR',
  GREEN: 'GREEN',
  AMBER: 'AMBER',
  'AMBER+STRICT': 'AMBER+STRICT',
  RED: 'RED',
};

const clip = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const oneOf = <T extends string>(v: string, allowed: readonly T[]): T | null =>
  (allowed as readonly string[]).includes(v) ? (v as T) : null;

/** CSAF notes as ours; a note whose category we do not hold becomes `other`. */
function notesOf(raw: unknown, skip: (n: Json) => boolean): AdvisoryNote[] {
  const out: AdvisoryNote[] = [];
  arr(raw).forEach((n) => {
    if (!isObj(n) || skip(n)) return;
    const text = str(n.text);
    if (text === '') return;
    out.push({
      category: oneOf(str(n.category), noteCategories) ?? 'other',
      title: clip(str(n.title), 200),
      text: clip(text, 50_000),
    });
  });
  return out;
}

function referencesOf(raw: unknown, path: string, unmapped: Unmapped[]): AdvisoryReference[] {
  const out: AdvisoryReference[] = [];
  arr(raw).forEach((r, i) => {
    if (!isObj(r)) return;
    const url = str(r.url);
    if (!isHttpUrl(url)) {
      unmapped.push({ path: `${path}/${i}/url`, reason: 'a reference is kept when it is an http(s) address' });
      return;
    }
    if (out.some((x) => x.url === url)) return;
    // The supplier's "self" reference is their document, not ours: an external one here.
    out.push({ url, summary: clip(str(r.summary), 500), category: 'external' });
  });
  return out;
}

export function standaloneDraft(doc: ImportDocument, raw: Json, publisher: AdvisoryPublisher): StandaloneDraft {
  const unmapped: Unmapped[] = [...doc.unmapped];
  const csaf = doc.kind === 'csaf';
  const document = csaf && isObj(raw.document) ? raw.document : {};

  // Products: one per vendor, name and version; ids renumbered (ours must be CSAFPID-like).
  const products: AdvisoryProduct[] = [];
  const productOf = new Map<string, string>();
  for (const p of doc.products) {
    const vendor = clip(p.vendor ?? (csaf && isObj(document.publisher) ? str(document.publisher.name) : ''), 200);
    const product: Omit<AdvisoryProduct, 'id'> = {
      vendor: vendor || 'Unknown vendor',
      name: clip(p.name, 200),
      version: clip(p.version, 200),
      purl: null,
      cpe: null,
    };
    for (const field of ['purl', 'cpe'] as const) {
      const value = p[field];
      if (!value) continue;
      const r = validateProductIdentifier(value);
      if (r.ok && r.kind === field) product[field] = r.normalized;
      else unmapped.push({ path: p.path, reason: `its ${field === 'purl' ? 'package URL' : 'CPE'} is not valid` });
    }
    const same = products.find(
      (x) => x.vendor === product.vendor && x.name === product.name && x.version === product.version,
    );
    if (same) {
      productOf.set(p.id, same.id);
      same.purl ??= product.purl;
      same.cpe ??= product.cpe;
      continue;
    }
    const id = `CSAFPID-${String(products.length + 1).padStart(4, '0')}`;
    products.push({ id, ...product });
    productOf.set(p.id, id);
  }
  const label = (id: string) => {
    const p = products.find((x) => x.id === id);
    return p ? [p.name, p.version].filter(Boolean).join(' ') : id;
  };

  const rawVulns = arr(raw.vulnerabilities);
  const statuses: StandaloneStatus[] = [];
  const vulnerabilities = doc.vulnerabilities.map((v, i) => {
    const id = `VULN-${i + 1}`;
    // The mapper's path of a CSAF vulnerability is /vulnerabilities/n.
    const at = rawVulns[Number(v.path.split('/')[2])];
    const vr: Json = csaf && isObj(at) ? at : {};
    const mapProducts = (o: Json, at: string): string[] => {
      const groups = isObj(raw.product_tree) ? arr(raw.product_tree.product_groups).filter(isObj) : [];
      const ids = [
        ...arr(o.product_ids).map(str),
        ...arr(o.group_ids).flatMap((g) => arr(groups.find((x) => str(x.group_id) === str(g))?.product_ids).map(str)),
      ];
      const mapped = [...new Set(ids.map((x) => productOf.get(x)).filter((x): x is string => x !== undefined))];
      if (mapped.length < new Set(ids).size) {
        unmapped.push({ path: at, reason: 'names products that are not in the product tree; those are left out' });
      }
      return mapped;
    };

    // Product statuses: one per product; the document's first statement about a product wins.
    const own: AdvisoryProductStatus[] = [];
    const sourceOf = new Map<string, string>();
    for (const s of doc.statements.filter((x) => x.vulnerability === v.key)) {
      const productId = productOf.get(s.product);
      if (!productId) {
        unmapped.push({ path: s.path, reason: `no product in the document has the id "${s.product}"` });
        continue;
      }
      const status = caseToCsaf[s.status];
      if (own.some((x) => x.productId === productId)) {
        const first = own.find((x) => x.productId === productId)!;
        if (first.status !== status) {
          unmapped.push({
            path: s.path,
            reason: `${label(productId)} already has the status ${first.status}: one status per product and vulnerability`,
          });
        }
        continue;
      }
      // A CSAF document's remediations are kept as such: an affected product's action statement is in them.
      let statement = csaf && status === 'known_affected' ? '' : clip(s.statement, 20_000);
      if (status === 'known_not_affected' && !s.justification && statement === '')
        statement = `Not affected according to ${doc.sourceLabel}, which gives no justification.`;
      sourceOf.set(productId, s.path);
      own.push({
        productId,
        status,
        justification: status === 'known_not_affected' ? s.justification : null,
        statement: status === 'fixed' ? '' : statement,
      });
      statuses.push({
        vendor: products.find((p) => p.id === productId)?.vendor ?? '',
        product: label(productId),
        vulnerability: v.cveId ?? id,
        status,
        justification: status === 'known_not_affected' ? s.justification : null,
        fixedVersions: s.fixedVersions.length > 0 ? s.fixedVersions.join(', ') : null,
        action: 'created',
      });
    }

    // Remediations and threats: a CSAF document's own; otherwise what the statements say.
    const remediations: AdvisoryRemediation[] = [];
    const threats: AdvisoryThreat[] = [];
    if (csaf) {
      arr(vr.remediations).forEach((r, ri) => {
        if (!isObj(r)) return;
        const at = `${v.path}/remediations/${ri}`;
        const category = oneOf(str(r.category), remediationCategories);
        const details = clip(str(r.details), 20_000);
        const productIds = mapProducts(r, at);
        if (!category || details === '' || productIds.length === 0) {
          unmapped.push({
            path: at,
            reason: !category
              ? `the remediation category "${str(r.category)}" is not one we hold`
              : details === ''
                ? 'a remediation without details'
                : 'a remediation for no product of the product tree',
          });
          return;
        }
        const url = str(r.url);
        remediations.push({ category, details, url: isHttpUrl(url) ? url : null, productIds });
      });
      arr(vr.threats).forEach((t, ti) => {
        if (!isObj(t)) return;
        const at = `${v.path}/threats/${ti}`;
        const category = oneOf(str(t.category), threatCategories);
        const details = clip(str(t.details), 20_000);
        if (!category || details === '') {
          unmapped.push({ path: at, reason: 'a threat needs one of our categories and details' });
          return;
        }
        threats.push({ category, details, productIds: mapProducts(t, at) });
      });
    } else {
      for (const s of doc.statements.filter((x) => x.vulnerability === v.key && x.status === 'affected')) {
        const productId = productOf.get(s.product);
        if (!productId || remediations.some((r) => r.productIds.includes(productId))) continue;
        const fixed = s.fixedVersions.join(', ');
        const details = [fixed ? `Update to ${fixed}.` : '', s.statement].filter(Boolean).join(' ');
        if (details === '') continue;
        remediations.push({
          category: fixed ? 'vendor_fix' : 'mitigation',
          details: clip(details, 20_000),
          url: s.refs.find(isHttpUrl) ?? null,
          productIds: [productId],
        });
      }
    }
    // An affected product needs a remediation (CSAF 6.1.27.x, and our editor's check): say that none is given.
    own.forEach((s) => {
      if (s.status !== 'known_affected' || remediations.some((r) => r.productIds.includes(s.productId))) return;
      remediations.push({
        category: 'none_available',
        details: `${doc.sourceLabel} gives no remediation for ${label(s.productId)}.`,
        url: null,
        productIds: [s.productId],
      });
      unmapped.push({
        path: sourceOf.get(s.productId) ?? v.path,
        reason: `the document gives no remediation for the affected ${label(s.productId)}: a "none available" remediation says so; correct it in the editor`,
      });
    });

    const references = csaf
      ? referencesOf(vr.references, `${v.path}/references`, unmapped)
      : v.references.map((url) => ({ url, summary: '', category: 'external' as const }));
    return {
      id,
      cve: v.cveId,
      title: v.title,
      description: v.description || v.title,
      cwe: v.cwe,
      cvssV3: v.cvssV3,
      cvssV4: v.cvssV4,
      ssvc: null,
      // The description and the CVSS v4.0 note are held in their own fields.
      notes: csaf
        ? notesOf(vr.notes, (n) => str(n.category) === 'description' || /cvss\s*v?4/i.test(str(n.title)))
        : [],
      references,
      remediations,
      threats,
      statuses: own,
    };
  });

  const docNotes = arr(document.notes).filter(isObj);
  const summary =
    docNotes
      .filter((n) => str(n.category) === 'summary')
      .map((n) => str(n.text))
      .join('\n\n') ||
    doc.vulnerabilities
      .map((v) => v.description)
      .filter(Boolean)
      .join('\n\n');
  const lang = str(document.lang);
  const title = doc.title.length >= 5 ? doc.title : `Advisory ${doc.sourceId}`;
  const tlpLabel = str(
    isObj(document.distribution) && isObj(document.distribution.tlp) ? document.distribution.tlp.label : '',
  );
  return {
    content: {
      title: clip(title, 300),
      lang: /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(lang) ? lang : 'en',
      summary: clip(summary, 50_000),
      publisher,
      notes: [
        ...notesOf(document.notes, (n) => str(n.category) === 'summary'),
        { category: 'other', title: 'Source', text: `Imported from ${doc.sourceLabel}.` },
      ],
      references: referencesOf(document.references, '/document/references', unmapped),
      products,
      vulnerabilities,
      acknowledgements: csaf ? acknowledgementsOf(document.acknowledgments) : [],
    },
    tlp: tlpLabels[tlpLabel.toUpperCase()] ?? null,
    statuses,
    unmapped,
  };
}

function acknowledgementsOf(raw: unknown): Json[] {
  return arr(raw)
    .filter(isObj)
    .map((a) => ({
      names: arr(a.names).map(str).filter(Boolean),
      organization: str(a.organization) || null,
      summary: clip(str(a.summary), 500),
    }))
    .filter((a) => a.names.length > 0 || a.organization !== null);
}
