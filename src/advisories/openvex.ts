import type { AdvisoryDocument, AdvisoryProduct, ProductStatus } from './rules.ts';

/**
 * Advisory → OpenVEX 0.2, pure: one statement per vulnerability and status, products by package
 * URL or CPE (else by an IRI into the advisory). OpenVEX asks an action statement for "affected"
 * (from the product's remediation, else its status statement) and a justification or impact
 * statement for "not affected".
 */
type Json = Record<string, unknown>;

const vexStatus: Record<ProductStatus, string> = {
  known_affected: 'affected',
  known_not_affected: 'not_affected',
  fixed: 'fixed',
  under_investigation: 'under_investigation',
};

function component(doc: AdvisoryDocument, p: AdvisoryProduct): Json {
  const identifiers: Json = {};
  if (p.purl) identifiers.purl = p.purl;
  if (p.cpe) identifiers[p.cpe.startsWith('cpe:2.3:') ? 'cpe23' : 'cpe22'] = p.cpe;
  return {
    '@id': p.purl ?? `${doc.selfUrl}#${encodeURIComponent(p.id)}`,
    ...(Object.keys(identifiers).length > 0 ? { identifiers } : {}),
  };
}

export function toOpenVex(doc: AdvisoryDocument): Json {
  const c = doc.content;
  const byId = new Map(c.products.map((p) => [p.id, p]));
  const published = doc.state === 'published';
  const last = doc.revisions.at(-1)?.number ?? 0;
  const timestamp = (published ? (doc.currentReleaseAt ?? doc.generatedAt) : doc.generatedAt).toISOString();
  const statements: Json[] = [];
  for (const v of c.vulnerabilities) {
    const vulnerability: Json = { name: v.cve ?? `${doc.trackingId}/${v.id}`, description: v.title };
    if (v.cve) vulnerability['@id'] = `https://www.cve.org/CVERecord?id=${v.cve}`;
    // One statement per product: justification and statements are per product.
    for (const s of v.statuses) {
      const p = byId.get(s.productId);
      if (!p) continue;
      const st: Json = { vulnerability, products: [component(doc, p)], status: vexStatus[s.status], timestamp };
      if (p.vendor) st.supplier = p.vendor;
      if (s.status === 'known_not_affected') {
        if (s.justification) st.justification = s.justification;
        if (s.statement) st.impact_statement = s.statement;
      } else if (s.status === 'known_affected') {
        const fix = v.remediations.find((r) => r.productIds.includes(p.id));
        st.action_statement = fix
          ? fix.url
            ? `${fix.details} ${fix.url}`
            : fix.details
          : s.statement || 'No remediation is available yet.';
      } else if (s.statement) {
        st.status_notes = s.statement;
      }
      statements.push(st);
    }
  }
  return {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': `${doc.selfUrl}/openvex`,
    author: c.publisher.name,
    role:
      c.publisher.category === 'vendor' ? 'Document Creator (vendor)' : `Document Creator (${c.publisher.category})`,
    timestamp: (doc.initialReleaseAt ?? doc.generatedAt).toISOString(),
    last_updated: timestamp,
    version: published ? Math.max(1, last) : last + 1,
    tooling: `${doc.tool.name} ${doc.tool.version}`,
    statements,
  };
}
