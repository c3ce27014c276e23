import type { AdvisoryPublisher, ProductStatus } from './rules.ts';

/**
 * A case → advisory content, pure: the case's vulnerabilities, its vendor status matrix (each
 * vendor's statement per product) as products and product statuses (VEX), remediations from the
 * vendors' fixed versions and action statements, and acknowledgements from the finders' credit
 * choices on the case's reports (anonymous credit names nobody). The result goes through
 * `checkContent` like any edit.
 */
export interface CaseMaterial {
  title: string;
  summary: string;
  vulnerabilities: {
    id: string;
    title: string;
    description: string;
    cwe: string | null;
    cvssV3: string | null;
    cvssV4: string | null;
    cveId: string | null;
  }[];
  statuses: {
    vulnerabilityId: string;
    vendor: string;
    product: string;
    status: string;
    justification: string | null;
    statement: string;
    fixedVersions: string;
    /** The affected versions as a canonical vers range, or null (the product as a whole). */
    affectedRange?: string | null;
    refs: string[];
  }[];
  credits: { mode: string; value: string | null }[];
}

interface DraftProduct {
  id: string;
  vendor: string;
  name: string;
  version: string;
  purl: null;
  cpe: null;
}

const caseStatus: Record<string, ProductStatus | null> = {
  unknown: null,
  under_investigation: 'under_investigation',
  affected: 'known_affected',
  not_affected: 'known_not_affected',
  fixed: 'fixed',
};

export function deriveContent(m: CaseMaterial, publisher: AdvisoryPublisher): Record<string, unknown> {
  const products: DraftProduct[] = [];
  const productId = (vendor: string, name: string, version: string): string => {
    const found = products.find((p) => p.vendor === vendor && p.name === name && p.version === version);
    if (found) return found.id;
    const id = `CSAFPID-${String(products.length + 1).padStart(4, '0')}`;
    products.push({ id, vendor, name, version, purl: null, cpe: null });
    return id;
  };
  const vulnerabilities = m.vulnerabilities.map((v, i) => {
    const statuses: Record<string, unknown>[] = [];
    const remediations: Record<string, unknown>[] = [];
    const references = new Set<string>();
    for (const s of m.statuses.filter((x) => x.vulnerabilityId === v.id)) {
      const status = caseStatus[s.status] ?? null;
      if (!status) continue;
      // "fixed" names the versions that carry the fix; the others concern the product as a whole, or the versions
      // of its affected range (a vers, exported as a CSAF product_version_range and OSV ranges).
      const range = s.affectedRange ?? null;
      const version = status === 'fixed' ? s.fixedVersions : (range ?? '');
      const id = productId(s.vendor, s.product, version);
      if (statuses.some((x) => x.productId === id)) continue;
      if (status === 'fixed' && range) {
        // The versions a fix replaces were affected: the range is known_affected, with the fix as its remedy.
        const rangeId = productId(s.vendor, s.product, range);
        if (!statuses.some((x) => x.productId === rangeId)) {
          statuses.push({ productId: rangeId, status: 'known_affected', justification: null, statement: s.statement });
          remediations.push({
            category: 'vendor_fix',
            details: [`Update to ${s.fixedVersions}.`, s.statement].filter(Boolean).join(' '),
            url: s.refs.find((r) => /^https?:\/\//.test(r)) ?? null,
            productIds: [rangeId],
          });
        }
      }
      statuses.push({
        productId: id,
        status,
        justification: status === 'known_not_affected' ? s.justification : null,
        statement: s.statement,
      });
      const url = s.refs.find((r) => /^https?:\/\//.test(r)) ?? null;
      if (status === 'known_affected') {
        const fixed = s.fixedVersions.trim();
        remediations.push({
          category: fixed ? 'vendor_fix' : 'none_available',
          details:
            [fixed ? `Update to ${fixed}.` : '', s.statement].filter(Boolean).join(' ') || 'No fix is available yet.',
          url,
          productIds: [id],
        });
      } else if (status === 'fixed') {
        remediations.push({
          category: 'vendor_fix',
          details: s.statement || `Fixed in ${s.fixedVersions}.`,
          url,
          productIds: [id],
        });
      }
      for (const r of s.refs) references.add(r);
    }
    return {
      id: `VULN-${i + 1}`,
      cve: v.cveId,
      title: v.title,
      description: v.description || v.title,
      cwe: v.cwe,
      cvssV3: v.cvssV3,
      cvssV4: v.cvssV4,
      ssvc: null,
      notes: [],
      references: [...references]
        .filter((r) => /^https?:\/\//.test(r))
        .map((url) => ({ url, summary: '', category: 'external' })),
      remediations,
      threats: [],
      statuses,
    };
  });
  const names = [
    ...new Set(
      m.credits
        .filter((c) => (c.mode === 'name' || c.mode === 'handle') && c.value)
        .map((c) => c.value!.trim())
        .filter(Boolean),
    ),
  ];
  return {
    title: m.title.length >= 5 ? m.title : `Advisory: ${m.title}`,
    lang: 'en',
    summary: m.summary,
    publisher,
    notes: [],
    references: [],
    products,
    vulnerabilities,
    acknowledgements:
      names.length > 0 ? [{ names, organization: null, summary: 'for reporting the vulnerability' }] : [],
  };
}
