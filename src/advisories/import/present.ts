import { documentKindNames } from '../../formats/validate.ts';
import type { ImportResult, StandaloneImportResult } from './commands.ts';

/** The import report as text, for `accord advisory import` without --json. */
export function importReportText(r: ImportResult): string {
  const lines: string[] = [];
  lines.push(
    `${r.source.label} (${documentKindNames[r.format]}): ${r.dryRun ? 'dry run, nothing was changed' : 'imported'}`,
  );
  lines.push('vulnerabilities:');
  for (const v of r.vulnerabilities) lines.push(`  ${v.cveId ?? v.key} ${v.title}: ${v.action}`);
  if (r.vulnerabilities.length === 0) lines.push('  none');
  lines.push('vendors:');
  for (const v of r.vendors) {
    lines.push(
      `  ${v.name ?? '(no vendor named)'} → ${v.orgName} (by ${v.matchedBy === 'name' ? 'name' : 'product identifier'})`,
    );
  }
  if (r.vendors.length === 0) lines.push('  none matched');
  const count = (a: string) => r.statuses.filter((s) => s.action === a).length;
  lines.push(`statuses: ${count('created')} new, ${count('changed')} changed, ${count('unchanged')} unchanged`);
  for (const s of r.statuses) {
    const fixed = s.fixedVersions ? ` (fixed: ${s.fixedVersions})` : '';
    const why = s.justification ? ` (${s.justification})` : '';
    lines.push(`  ${s.vendor} / ${s.product} / ${s.vulnerability}: ${s.status}${why}${fixed} [${s.action}]`);
  }
  lines.push(`unmapped: ${r.unmapped.length}`);
  for (const u of r.unmapped) lines.push(`  ${u.path || '/'}: ${u.reason}`);
  return `${lines.join('\n')}\n`;
}

/** The report of an import as a standalone draft advisory, for `accord advisory import FILE` without --json. */
export function standaloneReportText(r: StandaloneImportResult): string {
  const lines: string[] = [];
  lines.push(
    `${r.source.label} (${documentKindNames[r.format]}): ${
      r.dryRun
        ? 'dry run, nothing was created'
        : `imported as draft advisory ${r.advisory.trackingId ?? ''} (TLP:${r.advisory.tlp})`
    }`,
  );
  lines.push(`title: ${r.advisory.title}`);
  lines.push('vulnerabilities:');
  for (const v of r.vulnerabilities) lines.push(`  ${v.key} ${v.cveId ?? '-'} ${v.title}`);
  if (r.vulnerabilities.length === 0) lines.push('  none');
  lines.push(`products: ${r.products.length}`);
  for (const p of r.products) lines.push(`  ${p.id} ${[p.vendor, p.name, p.version].filter(Boolean).join(' ')}`);
  lines.push(`statuses: ${r.statuses.length}`);
  for (const s of r.statuses) {
    const why = s.justification ? ` (${s.justification})` : '';
    lines.push(`  ${s.vendor} / ${s.product} / ${s.vulnerability}: ${s.status}${why}`);
  }
  lines.push(`unmapped: ${r.unmapped.length}`);
  for (const u of r.unmapped) lines.push(`  ${u.path || '/'}: ${u.reason}`);
  return `${lines.join('\n')}\n`;
}
