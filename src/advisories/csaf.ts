import { parseCvss } from '../scores/cvss.ts';
import { lookupCwe } from '../scores/cwe.ts';
import { isVersRange } from '../versions/vers.ts';
import {
  draftVersionOf,
  versionOf,
  type AdvisoryDocument,
  type AdvisoryProduct,
  type AdvisoryReference,
  type AdvisoryTlp,
} from './rules.ts';

/**
 * Advisory → CSAF 2.0, pure. Profile `csaf_security_advisory` or `csaf_vex`. Besides what the
 * schema and the mandatory tests (6.1.x) ask, the output carries what users expect: tracking with
 * the full revision history, a self reference, references, acknowledgments and scores.
 *
 * Versions are semantic: published revision n is `n.0.0`. A document not yet published is a
 * `draft` whose version carries a pre-release part (`2.0.0-draft`), its pending revision last in
 * the history (test 6.1.16 ignores the pre-release part of drafts, 6.1.17 requires it).
 * CSAF 2.0 knows CVSS v2/v3 only: a CVSS v4.0 vector, and an SSVC decision, travel as notes.
 */
export type CsafProfile = 'csaf_security_advisory' | 'csaf_vex';

type Json = Record<string, unknown>;

/** CSAF 2.0 uses TLP 1.0 labels: TLP:CLEAR is WHITE; AMBER+STRICT is AMBER with the restriction in the text. */
export function csafTlpLabel(tlp: AdvisoryTlp): 'WHITE' | 'GREEN' | 'AMBER' | 'RED' {
  if (tlp === 'CLEAR') return 'WHITE';
  if (tlp === 'AMBER+STRICT') return 'AMBER';
  return tlp;
}

const tlpText: Record<AdvisoryTlp, string> = {
  CLEAR: 'TLP:CLEAR — disclosure is not limited.',
  GREEN: 'TLP:GREEN — limited disclosure: the recipient may share it within their community, not publicly.',
  AMBER: 'TLP:AMBER — limited disclosure: the recipient organization and its clients, on a need-to-know basis.',
  'AMBER+STRICT': 'TLP:AMBER+STRICT — limited disclosure: the recipient organization only.',
  RED: 'TLP:RED — for the eyes and ears of the named recipients only.',
};

export const productFullName = (p: AdvisoryProduct): string =>
  [p.vendor, p.name, p.version].filter((s) => s !== '').join(' ');

function references(refs: readonly AdvisoryReference[]): Json[] {
  return refs.map((r) => ({ category: r.category, summary: r.summary || r.url, url: r.url }));
}

/**
 * vendor → product_name → product_version, or product_version_range for a version that is a vers range (the
 * affected range of a vendor's statement) and `vers:all/*` for the product as a whole beside versioned siblings.
 */
function productTree(products: readonly AdvisoryProduct[]): Json {
  const vendors = new Map<string, Map<string, AdvisoryProduct[]>>();
  for (const p of products) {
    const byName = vendors.get(p.vendor) ?? new Map<string, AdvisoryProduct[]>();
    vendors.set(p.vendor, byName);
    byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  }
  const leaf = (p: AdvisoryProduct): Json => {
    const helper: Json = {};
    if (p.purl) helper.purl = p.purl;
    if (p.cpe) helper.cpe = p.cpe;
    return {
      product_id: p.id,
      name: productFullName(p),
      ...(Object.keys(helper).length > 0 ? { product_identification_helper: helper } : {}),
    };
  };
  return {
    branches: [...vendors].map(([vendor, byName]) => ({
      category: 'vendor',
      name: vendor,
      branches: [...byName].map(([name, list]) => {
        const only = list[0];
        if (list.length === 1 && only && only.version === '') {
          return { category: 'product_name', name, product: leaf(only) };
        }
        return {
          category: 'product_name',
          name,
          branches: list.map((p) =>
            p.version === '' || isVersRange(p.version)
              ? { category: 'product_version_range', name: p.version || 'vers:all/*', product: leaf(p) }
              : { category: 'product_version', name: p.version, product: leaf(p) },
          ),
        };
      }),
    })),
  };
}

const iso = (d: Date) => d.toISOString();

/** Tracking: status, version and revision history as described above. */
export function csafTracking(doc: AdvisoryDocument): Json {
  const published = doc.state === 'published';
  const last = doc.revisions.at(-1);
  const history = doc.revisions.map((r) => ({ date: iso(r.date), number: versionOf(r.number), summary: r.summary }));
  let version: string;
  if (published && last) {
    version = versionOf(last.number);
  } else {
    const done = last?.number ?? 0;
    version = draftVersionOf(done);
    history.push({
      date: iso(doc.generatedAt),
      number: done === 0 ? '0.1.0' : versionOf(done + 1),
      summary: doc.pendingSummary || (done === 0 ? 'Draft' : 'Draft of the next revision'),
    });
  }
  return {
    current_release_date: iso(published && doc.currentReleaseAt ? doc.currentReleaseAt : doc.generatedAt),
    generator: { date: iso(doc.generatedAt), engine: { name: doc.tool.name, version: doc.tool.version } },
    id: doc.trackingId,
    initial_release_date: iso(doc.initialReleaseAt ?? doc.generatedAt),
    revision_history: history,
    status: published ? 'final' : 'draft',
    version,
  };
}

export function toCsaf(doc: AdvisoryDocument, profile: CsafProfile = 'csaf_security_advisory'): Json {
  const c = doc.content;
  const docNotes: Json[] = [];
  if (c.summary) docNotes.push({ category: 'summary', title: 'Summary', text: c.summary });
  for (const n of c.notes)
    docNotes.push({ category: n.category, text: n.text, ...(n.title ? { title: n.title } : {}) });
  if (docNotes.length === 0) docNotes.push({ category: 'summary', title: 'Summary', text: c.title });

  const docRefs = [
    { category: 'self', summary: 'The CSAF document', url: doc.csafUrl },
    { category: 'self', summary: 'The advisory page', url: doc.selfUrl },
    ...references(c.references),
  ];

  const document: Json = {
    category: profile,
    csaf_version: '2.0',
    distribution: { text: tlpText[doc.tlp], tlp: { label: csafTlpLabel(doc.tlp), url: 'https://www.first.org/tlp/' } },
    lang: c.lang,
    notes: docNotes,
    publisher: {
      category: c.publisher.category,
      name: c.publisher.name,
      namespace: c.publisher.namespace,
      ...(c.publisher.contactDetails ? { contact_details: c.publisher.contactDetails } : {}),
    },
    references: docRefs,
    title: c.title,
    tracking: csafTracking(doc),
  };
  if (c.acknowledgements.length > 0) {
    document.acknowledgments = c.acknowledgements.map((a) => ({
      ...(a.names.length > 0 ? { names: a.names } : {}),
      ...(a.organization ? { organization: a.organization } : {}),
      ...(a.summary ? { summary: a.summary } : {}),
    }));
  }

  const vulnerabilities = c.vulnerabilities.map((v) => {
    const out: Json = {};
    if (v.cve) out.cve = v.cve;
    else out.ids = [{ system_name: `${c.publisher.name} advisory`, text: `${doc.trackingId}/${v.id}` }];
    if (v.cwe) {
      const entry = lookupCwe(v.cwe);
      if (entry) out.cwe = { id: entry.id, name: entry.name };
    }
    const notes: Json[] = [{ category: 'description', title: 'Vulnerability description', text: v.description }];
    for (const n of v.notes) notes.push({ category: n.category, text: n.text, ...(n.title ? { title: n.title } : {}) });
    if (v.cvssV4) {
      const r = parseCvss(v.cvssV4);
      notes.push({
        category: 'other',
        title: 'CVSS v4.0',
        text: r.ok && r.version === '4.0' ? `${r.vector} (${r.nomenclature} ${r.score} ${r.severity})` : v.cvssV4,
      });
    }
    if (v.ssvc)
      notes.push({ category: 'other', title: 'SSVC decision (selection JSON)', text: JSON.stringify(v.ssvc) });
    out.notes = notes;
    out.title = v.title;

    const status: Record<string, string[]> = {};
    for (const s of v.statuses) (status[s.status] ??= []).push(s.productId);
    if (Object.keys(status).length > 0) out.product_status = status;

    const flags = new Map<string, string[]>();
    for (const s of v.statuses) {
      if (s.status === 'known_not_affected' && s.justification) {
        flags.set(s.justification, [...(flags.get(s.justification) ?? []), s.productId]);
      }
    }
    if (flags.size > 0) out.flags = [...flags].map(([label, ids]) => ({ label, product_ids: ids }));

    const threats: Json[] = v.threats.map((t) => ({
      category: t.category,
      details: t.details,
      ...(t.productIds.length > 0 ? { product_ids: t.productIds } : {}),
    }));
    for (const s of v.statuses) {
      if (s.status === 'known_not_affected' && s.statement) {
        threats.push({ category: 'impact', details: s.statement, product_ids: [s.productId] });
      }
    }
    if (threats.length > 0) out.threats = threats;

    if (v.remediations.length > 0) {
      out.remediations = v.remediations.map((r) => ({
        category: r.category,
        details: r.details,
        product_ids: r.productIds,
        ...(r.url ? { url: r.url } : {}),
      }));
    }
    if (v.references.length > 0) out.references = references(v.references);

    if (v.cvssV3) {
      const r = parseCvss(v.cvssV3);
      const scored = v.statuses
        .filter((s) => s.status === 'known_affected' || s.status === 'under_investigation')
        .map((s) => s.productId);
      const products = scored.length > 0 ? scored : v.statuses.map((s) => s.productId);
      if (r.ok && r.version !== '4.0' && products.length > 0) {
        out.scores = [
          {
            products,
            cvss_v3: {
              version: r.version,
              vectorString: r.vector,
              baseScore: r.scores.base,
              baseSeverity: r.severities.base,
            },
          },
        ];
      }
    }
    return out;
  });

  return { document, product_tree: productTree(c.products), vulnerabilities };
}
