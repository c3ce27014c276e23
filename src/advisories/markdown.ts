import { parseCvss } from '../scores/cvss.ts';
import { lookupCwe } from '../scores/cwe.ts';
import { productFullName } from './csaf.ts';
import { versionOf, type AdvisoryDocument, type ProductStatus } from './rules.ts';

/**
 * Advisory → Markdown, pure: what the public page shows (rendered to HTML by src/markdown, which
 * sanitizes it) and what `accord advisory export --format md` prints.
 */
export const statusLabels: Record<ProductStatus, string> = {
  known_affected: 'Affected',
  known_not_affected: 'Not affected',
  fixed: 'Fixed',
  under_investigation: 'Under investigation',
};

/** Escapes the characters Markdown would read as formatting in text we did not write ourselves. */
const esc = (s: string) => s.replace(/([\\`*_{}[\]()#+!|<>])/g, '\\$1');
const cell = (s: string) => esc(s).replace(/\n/g, ' ');
const day = (d: Date) => d.toISOString().slice(0, 10);

export function toMarkdown(doc: AdvisoryDocument): string {
  const c = doc.content;
  const byId = new Map(c.products.map((p) => [p.id, p]));
  const out: string[] = [];
  const published = doc.state === 'published';
  const last = doc.revisions.at(-1);
  out.push(`# ${esc(c.title)}`, '');
  out.push(`- **Advisory:** ${esc(doc.trackingId)}`);
  out.push(`- **Publisher:** ${esc(c.publisher.name)}`);
  out.push(`- **Version:** ${published && last ? versionOf(last.number) : `draft (${doc.state})`}`);
  if (doc.initialReleaseAt) out.push(`- **First published:** ${day(doc.initialReleaseAt)}`);
  if (published && doc.currentReleaseAt) out.push(`- **Last updated:** ${day(doc.currentReleaseAt)}`);
  out.push(`- **TLP:** ${doc.tlp}`, '');
  if (c.summary) out.push('## Summary', '', c.summary, '');
  for (const n of c.notes) out.push(`## ${esc(n.title || n.category)}`, '', n.text, '');

  for (const v of c.vulnerabilities) {
    out.push(`## ${v.cve ? `${v.cve}: ` : ''}${esc(v.title)}`, '');
    const facts: string[] = [];
    if (v.cwe) facts.push(`- **CWE:** ${v.cwe}${lookupCwe(v.cwe) ? ` ${esc(lookupCwe(v.cwe)!.name)}` : ''}`);
    for (const raw of [v.cvssV4, v.cvssV3]) {
      const r = raw ? parseCvss(raw) : null;
      if (r?.ok) facts.push(`- **CVSS ${r.version}:** ${r.score} ${r.severity} \`${r.vector}\``);
    }
    if (v.ssvc) {
      const decision = v.ssvc.selections.map((s) => `${s.key}:${s.values.map((x) => x.key).join('/')}`).join(', ');
      facts.push(`- **SSVC:** ${esc(decision)}`);
    }
    if (facts.length > 0) out.push(...facts, '');
    out.push(v.description, '');
    if (v.statuses.length > 0) {
      out.push('| Product | Status | Notes |', '| --- | --- | --- |');
      for (const s of v.statuses) {
        const p = byId.get(s.productId);
        const notes = [s.justification ? s.justification.replace(/_/g, ' ') : '', s.statement]
          .filter(Boolean)
          .join(': ');
        out.push(`| ${cell(p ? productFullName(p) : s.productId)} | ${statusLabels[s.status]} | ${cell(notes)} |`);
      }
      out.push('');
    }
    if (v.remediations.length > 0) {
      out.push('### Remediation', '');
      for (const r of v.remediations) {
        const names = r.productIds
          .map((id) => byId.get(id))
          .filter(Boolean)
          .map((p) => productFullName(p!));
        out.push(
          `- **${r.category.replace(/_/g, ' ')}** (${esc(names.join(', '))}): ${r.details}${r.url ? ` <${r.url}>` : ''}`,
        );
      }
      out.push('');
    }
    for (const t of v.threats) out.push(`- **${t.category.replace(/_/g, ' ')}:** ${t.details}`);
    if (v.threats.length > 0) out.push('');
    for (const n of v.notes) out.push(`### ${esc(n.title || n.category)}`, '', n.text, '');
    if (v.references.length > 0) {
      out.push(
        '### References',
        '',
        ...v.references.map((r) => `- <${r.url}>${r.summary ? ` ${esc(r.summary)}` : ''}`),
        '',
      );
    }
  }
  if (c.acknowledgements.length > 0) {
    out.push('## Acknowledgements', '');
    for (const a of c.acknowledgements) {
      const who = [a.names.join(', '), a.organization ? `(${a.organization})` : ''].filter(Boolean).join(' ');
      out.push(`- ${esc(who)}${a.summary ? ` — ${esc(a.summary)}` : ''}`);
    }
    out.push('');
  }
  if (c.references.length > 0) {
    out.push(
      '## References',
      '',
      ...c.references.map((r) => `- <${r.url}>${r.summary ? ` ${esc(r.summary)}` : ''}`),
      '',
    );
  }
  if (doc.revisions.length > 0) {
    out.push('## Revision history', '', '| Version | Date | Summary |', '| --- | --- | --- |');
    for (const r of doc.revisions) out.push(`| ${versionOf(r.number)} | ${day(r.date)} | ${cell(r.summary)} |`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
