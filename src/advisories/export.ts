import type { Ctx } from '../app/context.ts';
import { findCase, loadVisibleCase } from '../cases/queries.ts';
import { validation } from '../core/errors.ts';
import type { AdvisoryRow } from '../db/schema.ts';
import { validateDocument, type DocumentKind } from '../formats/validate.ts';
import { renderMarkdown } from '../markdown/render.ts';
import { invalidExport } from './commands.ts';
import { toCsaf } from './csaf.ts';
import { toCveCna, toCveRecord } from './cve.ts';
import { toMarkdown } from './markdown.ts';
import { toOpenVex } from './openvex.ts';
import { osvId, toOsv } from './osv.ts';
import { advisoryDocument, advisoryScopeSql, loadAdvisory } from './queries.ts';
import { csafFilename, type AdvisoryDocument, type AdvisoryVulnerability } from './rules.ts';

/**
 * Exports, each validated before it is offered: an export the format's validator refuses is an
 * error listing the findings, never a file. Markdown and HTML are for people and not validated.
 */
export const exportFormats = ['csaf', 'csaf-vex', 'cve', 'cve-cna', 'osv', 'openvex', 'md', 'html'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface ExportResult {
  filename: string;
  contentType: string;
  body: string;
  /** The JSON documents (one per CVE / OSV entry), for callers that want them parsed. */
  documents: unknown[];
}

export interface CveAssignerConfig {
  orgId: string | null;
  shortName: string | null;
}

function pickVulnerabilities(
  doc: AdvisoryDocument,
  which: string | undefined,
  needCve: boolean,
): AdvisoryVulnerability[] {
  let list = doc.content.vulnerabilities;
  if (which) {
    list = list.filter((v) => v.id === which || v.cve === which.toUpperCase());
    if (list.length === 0) {
      throw validation(
        `the advisory has no vulnerability ${which}: use one of ${doc.content.vulnerabilities.map((v) => v.cve ?? v.id).join(', ')}`,
        {
          field: 'vulnerability',
        },
      );
    }
  }
  if (needCve) {
    const without = list.filter((v) => !v.cve);
    if (without.length > 0) {
      throw validation(
        `a CVE record needs a CVE id: ${without.map((v) => v.id).join(', ')} ha${without.length > 1 ? 've' : 's'} none`,
        {
          field: 'vulnerability',
        },
      );
    }
  }
  if (list.length === 0)
    throw validation('the advisory has no vulnerability to export yet', { field: 'vulnerability' });
  return list;
}

async function checked(kind: DocumentKind, doc: unknown): Promise<void> {
  const result = await validateDocument(doc, kind);
  if (!result.valid) throw invalidExport(kind, result.findings);
}

/** Renders an advisory document in a format, after the format's validator accepted it. */
export async function renderExport(
  doc: AdvisoryDocument,
  format: ExportFormat,
  opts: { vulnerability?: string | undefined; cve?: CveAssignerConfig | undefined } = {},
): Promise<ExportResult> {
  const base = csafFilename(doc.trackingId).replace(/\.json$/, '');
  const json = async (kind: DocumentKind, docs: unknown[], name: string): Promise<ExportResult> => {
    for (const d of docs) await checked(kind, d);
    const body = `${JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2)}\n`;
    return { filename: name, contentType: 'application/json; charset=utf-8', body, documents: docs };
  };
  switch (format) {
    case 'csaf':
    case 'csaf-vex':
      return json(
        'csaf',
        [toCsaf(doc, format === 'csaf' ? 'csaf_security_advisory' : 'csaf_vex')],
        `${base}${format === 'csaf' ? '' : '.vex'}.json`,
      );
    case 'cve':
    case 'cve-cna': {
      const orgId = opts.cve?.orgId;
      const shortName = opts.cve?.shortName;
      if (!orgId || !shortName) {
        throw validation(
          'CVE export needs the CNA identity: the administrator sets ACCORD_CVE_ORG_ID and ACCORD_CVE_SHORT_NAME',
        );
      }
      const list = pickVulnerabilities(doc, opts.vulnerability, true);
      const assigner = { orgId, shortName };
      const docs = list.map((v) => (format === 'cve' ? toCveRecord(doc, v, assigner) : toCveCna(doc, v, assigner)));
      const name =
        list.length === 1 ? `${list[0]!.cve!.toLowerCase()}${format === 'cve' ? '' : '.cna'}.json` : `${base}.cve.json`;
      return json('cve', docs, name);
    }
    case 'osv': {
      const list = pickVulnerabilities(doc, opts.vulnerability, false);
      const docs = list.map((v) => toOsv(doc, v));
      return json('osv', docs, list.length === 1 ? `${osvId(doc, list[0]!)}.json` : `${base}.osv.json`);
    }
    case 'openvex':
      return json('openvex', [toOpenVex(doc)], `${base}.openvex.json`);
    case 'md': {
      const body = toMarkdown(doc);
      return { filename: `${base}.md`, contentType: 'text/markdown; charset=utf-8', body, documents: [] };
    }
    case 'html':
      return {
        filename: `${base}.html`,
        contentType: 'text/html; charset=utf-8',
        body: renderMarkdown(toMarkdown(doc)),
        documents: [],
      };
  }
}

/**
 * The advisory a CLI or API reference names: an advisory id or tracking id, or a case id whose
 * one advisory is meant (several: the caller must choose; none: say how to create one).
 */
export async function resolveAdvisoryRef(ctx: Ctx, ref: string): Promise<AdvisoryRow> {
  const c = await findCase(ctx.db, ref);
  if (!c) return loadAdvisory(ctx.db, ctx.actor, ref);
  await loadVisibleCase(ctx.db, ctx.actor, ref);
  const rows = await ctx.db
    .selectFrom('advisories as a')
    .selectAll('a')
    .where('a.case_id', '=', c.id)
    .where(advisoryScopeSql(ctx.actor))
    .orderBy('a.created_at')
    .execute();
  if (rows.length === 1) return rows[0]!;
  if (rows.length === 0) {
    throw validation(
      `case ${c.case_id} has no advisory yet: create one from the case (POST /api/v1/advisories {"caseId": "${c.case_id}"})`,
    );
  }
  throw validation(
    `case ${c.case_id} has ${rows.length} advisories: name one of ${rows.map((r) => r.tracking_id).join(', ')}`,
  );
}

export async function exportAdvisory(
  ctx: Ctx,
  ref: string,
  format: ExportFormat,
  opts: { vulnerability?: string | undefined } = {},
): Promise<ExportResult> {
  const row = await resolveAdvisoryRef(ctx, ref);
  const doc = await advisoryDocument(ctx.db, ctx.config, row, ctx.now());
  return renderExport(doc, format, { ...opts, cve: ctx.config.cve });
}
