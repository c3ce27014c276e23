import { sql, type Transaction } from 'kysely';
import { type Ctx, type Db, inTransaction } from '../../app/context.ts';
import { recordAudit } from '../../audit/record.ts';
import { recordCaseEvent } from '../../cases/commands.ts';
import { caseResource, findCase } from '../../cases/queries.ts';
import { checkStatus, checkVulnerability } from '../../cases/rules.ts';
import { AppError, notFound, validation } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { CaseRow, Database } from '../../db/schema.ts';
import {
  detectKind,
  documentKindNames,
  validateDocument,
  type DocumentKind,
  type Finding,
} from '../../formats/validate.ts';
import { notifyStatusChange } from '../../notifications/events.ts';
import { actorId } from '../../policy/actor.ts';
import { authorize, can } from '../../policy/policy.ts';
import { createAdvisory, defaultPublisher } from '../commands.ts';
import { advisoryTlps, checkContent, type AdvisoryProduct, type AdvisoryTlp } from '../rules.ts';
import { fromCsaf } from './csaf.ts';
import { fromCve } from './cve.ts';
import { fromOsv } from './osv.ts';
import { standaloneDraft, type StandaloneStatus } from './standalone.ts';
import {
  isObj,
  resolvePlan,
  type CaseParticipantInfo,
  type ImportDocument,
  type PlannedStatus,
  type PlannedVendor,
  type Unmapped,
} from './rules.ts';

type Tx = Transaction<Database>;

/**
 * Imports an upstream advisory (CSAF 2.0, CVE JSON 5, OSV) into an existing case: validated first
 * (an invalid document is refused with the validator's findings), mapped (./csaf.ts, ./cve.ts,
 * ./osv.ts), its vendors matched to the case's vendor participants (./rules.ts), then in one
 * transaction: vulnerabilities matched by CVE id (by title when there is none) or created, the
 * statuses recorded as those vendors' statements with history, each change on the timeline, one
 * summary event and one audit event. A dry run answers the same report and changes nothing.
 */
export interface ImportInput {
  document: unknown;
  dryRun?: boolean | undefined;
}

export interface ImportedVulnerability {
  key: string;
  cveId: string | null;
  title: string;
  /** matched: already in the case; created: added by the import (or would be, in a dry run). */
  action: 'matched' | 'created';
  /** The case's vulnerability (null for one a dry run would create). */
  id: string | null;
}

export interface ImportedStatus extends Omit<PlannedStatus, 'vulnerability'> {
  vulnerability: string;
  vulnerabilityId: string | null;
  action: 'created' | 'changed' | 'unchanged';
}

export interface ImportResult {
  dryRun: boolean;
  format: DocumentKind;
  source: { id: string; title: string; label: string };
  vulnerabilities: ImportedVulnerability[];
  vendors: PlannedVendor[];
  statuses: ImportedStatus[];
  unmapped: Unmapped[];
  /** The validator's warnings (recommended tests), for information. */
  warnings: Finding[];
}

const importable: DocumentKind[] = ['csaf', 'cve', 'osv'];

/** Validates a document to import and maps it; refuses an invalid one with the validator's findings. */
export async function mapImportDocument(document: unknown): Promise<{ doc: ImportDocument; warnings: Finding[] }> {
  const kind = detectKind(document);
  if (kind === 'openvex') {
    throw validation(
      'OpenVEX documents are not imported: import a CSAF 2.0 (VEX) document, a CVE record or an OSV entry',
      {
        format: kind,
      },
    );
  }
  const result = await validateDocument(document, kind);
  if (!result.valid) {
    const errors = result.findings.filter((f) => f.severity === 'error');
    const listed = errors
      .slice(0, 3)
      .map((f) => `${f.path || '/'}: ${f.message}${f.test && f.test !== 'schema' ? ` (${f.test})` : ''}`)
      .join('; ');
    throw new AppError(
      'ERR_VALIDATION',
      `the ${documentKindNames[result.kind]} document is not valid, so nothing was imported: ${listed}` +
        `${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}. Correct it and import again`,
      { format: result.kind, findings: result.findings },
    );
  }
  if (!importable.includes(result.kind) || !isObj(document)) throw validation('this document kind is not imported');
  const doc =
    result.kind === 'csaf' ? fromCsaf(document) : result.kind === 'cve' ? fromCve(document) : fromOsv(document);
  return { doc, warnings: result.findings.filter((f) => f.severity !== 'error') };
}

/** The case's current participants with their organizations' directory products. */
async function participantsOf(db: Db | Tx, caseId: string): Promise<CaseParticipantInfo[]> {
  const rows = await db
    .selectFrom('case_participants as p')
    .innerJoin('organizations as o', 'o.id', 'p.org_id')
    .select(['p.id', 'p.org_id', 'p.role', 'o.name'])
    .where('p.case_id', '=', caseId)
    .where('p.removed_at', 'is', null)
    .orderBy('p.created_at')
    .execute();
  const orgIds = [...new Set(rows.map((r) => r.org_id).filter((x): x is string => x !== null))];
  const products =
    orgIds.length === 0
      ? []
      : await db
          .selectFrom('org_products')
          .select(['org_id', 'name', 'identifier'])
          .where('org_id', 'in', orgIds)
          .orderBy('name')
          .execute();
  return rows.map((r) => ({
    id: r.id,
    orgName: r.name,
    role: r.role,
    products: products.filter((p) => p.org_id === r.org_id).map((p) => ({ name: p.name, identifier: p.identifier })),
  }));
}

const sameRefs = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export async function importIntoCase(ctx: Ctx, ref: string, input: ImportInput): Promise<ImportResult> {
  const found = await findCase(ctx.db, ref);
  if (!found) {
    if (ctx.actor.kind === 'anonymous')
      throw new AppError('ERR_UNAUTHENTICATED', 'sign in first: this needs an account');
    throw notFound('case', ref);
  }
  // Importing adds vulnerabilities and records statuses for vendors: what the case lead and coordinators do.
  authorize(ctx.actor, 'case:manage', await caseResource(ctx.db, ctx.actor, found), 'case:read');
  const { doc, warnings } = await mapImportDocument(input.document);
  const dryRun = input.dryRun === true;
  const run = async (tx: Db | Tx, c: CaseRow, write: Tx | null): Promise<ImportResult> => {
    const vendorNames = [...new Set(doc.products.map((p) => p.vendor?.toLowerCase()).filter((v) => !!v))] as string[];
    const directoryNames =
      vendorNames.length === 0
        ? []
        : (
            await tx
              .selectFrom('organizations')
              .select('name')
              .where(sql<boolean>`lower(name) in (${sql.join(vendorNames)})`)
              .execute()
          ).map((o) => o.name);
    const plan = resolvePlan(doc, await participantsOf(tx, c.id), directoryNames);
    const unmapped = [...plan.unmapped];

    // Vulnerabilities: by CVE id, else by title; created when missing.
    const existing = await tx
      .selectFrom('vulnerabilities')
      .select(['id', 'title', 'cve_id'])
      .where('case_id', '=', c.id)
      .execute();
    const vulnerabilities: ImportedVulnerability[] = [];
    const idOf = new Map<string, string | null>();
    for (const v of doc.vulnerabilities) {
      const match = v.cveId
        ? existing.find((e) => e.cve_id === v.cveId)
        : existing.find((e) => e.title.toLowerCase() === v.title.toLowerCase());
      if (match) {
        vulnerabilities.push({ key: v.key, cveId: v.cveId, title: match.title, action: 'matched', id: match.id });
        idOf.set(v.key, match.id);
        continue;
      }
      if (v.cveId) {
        const elsewhere = await tx
          .selectFrom('vulnerabilities')
          .select('id')
          .where('cve_id', '=', v.cveId)
          .executeTakeFirst();
        if (elsewhere) {
          unmapped.push({
            path: v.path,
            reason: `${v.cveId} is already a vulnerability of another case: a CVE id belongs to one case`,
          });
          continue;
        }
      }
      let checked: ReturnType<typeof checkVulnerability>;
      try {
        checked = checkVulnerability({
          title: v.title,
          description: v.description,
          cwe: v.cwe ?? undefined,
          cvssV3: v.cvssV3 ?? undefined,
          cvssV4: v.cvssV4 ?? undefined,
          cveId: v.cveId ?? undefined,
        });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        unmapped.push({ path: v.path, reason: `the vulnerability is not accepted: ${err.message}` });
        continue;
      }
      const description = [
        checked.description,
        v.references.length > 0 ? `References:\n${v.references.map((r) => `- ${r}`).join('\n')}` : '',
      ]
        .filter(Boolean)
        .join('\n\n')
        .slice(0, 100_000);
      let id: string | null = null;
      if (write) {
        const now = ctx.now();
        id = newId();
        await write
          .insertInto('vulnerabilities')
          .values({
            id,
            case_id: c.id,
            title: checked.title,
            description,
            cwe: checked.cwe,
            cvss_v3: checked.cvssV3?.vector ?? null,
            cvss_v3_score: checked.cvssV3?.score ?? null,
            cvss_v4: checked.cvssV4?.vector ?? null,
            cvss_v4_score: checked.cvssV4?.score ?? null,
            cve_id: checked.cveId,
            created_at: now,
            updated_at: now,
          })
          .execute();
        await recordCaseEvent(write, ctx, c.id, 'vulnerability_added', {
          vulnerabilityId: id,
          title: checked.title,
          cve: checked.cveId,
          imported: doc.sourceId,
        });
      }
      vulnerabilities.push({ key: v.key, cveId: v.cveId, title: checked.title, action: 'created', id });
      idOf.set(v.key, id);
    }

    // Statuses: the vendors' statements, with history; unchanged ones are left alone.
    const statuses: ImportedStatus[] = [];
    const current = await tx.selectFrom('vendor_statuses').selectAll().where('case_id', '=', c.id).execute();
    const participants = new Map(
      (
        await tx
          .selectFrom('case_participants')
          .selectAll()
          .where('case_id', '=', c.id)
          .where('removed_at', 'is', null)
          .execute()
      ).map((p) => [p.id, p]),
    );
    for (const s of plan.statuses) {
      if (!idOf.has(s.vulnerability)) {
        for (const path of s.sources) unmapped.push({ path, reason: 'its vulnerability could not be imported' });
        continue;
      }
      const vulnerabilityId = idOf.get(s.vulnerability) ?? null;
      const input = {
        status: s.status,
        justification: s.justification ?? undefined,
        statement: s.statement,
        fixedVersions: s.fixedVersions,
        references: s.refs,
      };
      let checked: ReturnType<typeof checkStatus>;
      try {
        checked = checkStatus({ ...input, affectedRange: s.affectedRange });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        try {
          // The range is what the vendor's own check refused (e.g. fixed versions given as text): keep the
          // status without it and say so, rather than losing the status.
          if (s.affectedRange === null) throw err;
          checked = checkStatus(input);
          for (const path of s.sources) {
            unmapped.push({ path, reason: `the affected range ${s.affectedRange} was left out: ${err.message}` });
          }
        } catch (second) {
          if (!(second instanceof AppError)) throw second;
          for (const path of s.sources)
            unmapped.push({ path, reason: `the status is not accepted: ${second.message}` });
          continue;
        }
      }
      // The matrix names products as the vendor did before: a product matches without regard to case.
      const before = current.find(
        (r) =>
          r.participant_id === s.participantId &&
          r.vulnerability_id === vulnerabilityId &&
          r.product.toLowerCase() === s.product.toLowerCase(),
      );
      const product = before?.product ?? s.product;
      const unchanged =
        before !== undefined &&
        before.status === checked.status &&
        before.justification === checked.justification &&
        before.statement === checked.statement &&
        before.fixed_versions === checked.fixedVersions &&
        before.affected_range === checked.affectedRange &&
        sameRefs(before.refs, checked.references);
      const action: ImportedStatus['action'] = before === undefined ? 'created' : unchanged ? 'unchanged' : 'changed';
      statuses.push({ ...s, product, vulnerabilityId, action });
      if (!write || unchanged || vulnerabilityId === null) continue;
      const now = ctx.now();
      const values = {
        status: checked.status,
        justification: checked.justification,
        statement: checked.statement,
        fixed_versions: checked.fixedVersions,
        affected_range: checked.affectedRange,
        refs: JSON.stringify(checked.references),
        approved_at: null,
        approved_by: null,
        updated_by: actorId(ctx.actor),
        updated_at: now,
      };
      const row = before
        ? await write
            .updateTable('vendor_statuses')
            .set(values)
            .where('id', '=', before.id)
            .returningAll()
            .executeTakeFirstOrThrow()
        : await write
            .insertInto('vendor_statuses')
            .values({
              id: newId(),
              case_id: c.id,
              participant_id: s.participantId,
              vulnerability_id: vulnerabilityId,
              product,
              vendor_tracking_id: null,
              may_share: false,
              created_at: now,
              ...values,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
      await write
        .insertInto('vendor_status_history')
        .values({
          id: newId(),
          status_id: row.id,
          status: row.status,
          justification: row.justification,
          statement: row.statement,
          fixed_versions: row.fixed_versions,
          affected_range: row.affected_range,
          changed_by: actorId(ctx.actor),
          changed_at: now,
        })
        .execute();
      await recordCaseEvent(
        write,
        ctx,
        c.id,
        'status_changed',
        { vulnerabilityId, product, status: row.status, imported: doc.sourceId },
        s.participantId,
      );
      const participant = participants.get(s.participantId);
      if (participant) await notifyStatusChange(write, ctx, c, participant, row);
    }

    const result: ImportResult = {
      dryRun: write === null,
      format: doc.kind,
      source: { id: doc.sourceId, title: doc.title, label: doc.sourceLabel },
      vulnerabilities,
      vendors: plan.vendors,
      statuses,
      unmapped,
      warnings,
    };
    if (write) {
      const summary = {
        format: doc.kind,
        source: doc.sourceId,
        vulnerabilitiesCreated: vulnerabilities.filter((v) => v.action === 'created').length,
        vulnerabilitiesMatched: vulnerabilities.filter((v) => v.action === 'matched').length,
        statusesChanged: statuses.filter((s) => s.action !== 'unchanged').length,
        statusesUnchanged: statuses.filter((s) => s.action === 'unchanged').length,
        unmapped: unmapped.length,
      };
      await recordCaseEvent(write, ctx, c.id, 'advisory_imported', summary);
      await recordAudit(write, ctx, {
        action: 'case.advisory_import',
        subjectType: 'case',
        subjectId: c.id,
        summary: { caseId: c.case_id, ...summary },
      });
    }
    return result;
  };
  if (dryRun) return run(ctx.db, found, null);
  return inTransaction(ctx, async (tx) => {
    // The case row is locked so that two imports into one case do not interleave.
    const c = await tx.selectFrom('cases').selectAll().where('id', '=', found.id).forUpdate().executeTakeFirstOrThrow();
    return run(tx, c, tx);
  });
}

export interface StandaloneImportInput extends ImportInput {
  /** The draft's distribution; by default the document's own (CSAF TLP label), else AMBER. */
  tlp?: string | undefined;
}

export interface StandaloneImportResult {
  dryRun: boolean;
  format: DocumentKind;
  source: { id: string; title: string; label: string };
  /** The draft advisory (trackingId and id null in a dry run). */
  advisory: { id: string | null; trackingId: string | null; title: string; tlp: AdvisoryTlp };
  vulnerabilities: ImportedVulnerability[];
  products: AdvisoryProduct[];
  statuses: StandaloneStatus[];
  unmapped: Unmapped[];
  warnings: Finding[];
}

/**
 * Imports an upstream advisory (CSAF 2.0, CVE JSON 5, OSV) as a new standalone draft advisory: a
 * PSIRT re-publishing or adopting a supplier's advisory without a case. Validated and mapped like an
 * import into a case (an invalid document is refused with the validator's findings), then turned
 * into advisory content (./standalone.ts) that must pass the editor's checks; the draft is created
 * (audited as advisory.import) and goes through review and approval like any other. A dry run
 * answers the same report and creates nothing.
 */
export async function importStandaloneAdvisory(
  ctx: Ctx,
  input: StandaloneImportInput,
): Promise<StandaloneImportResult> {
  if (ctx.actor.kind === 'anonymous') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first: this needs an account');
  const draft = { type: 'advisory', id: 'new', authorId: actorId(ctx.actor), submittedBy: null } as const;
  if (!can(ctx.actor, 'advisory:edit', draft)) {
    throw new AppError('ERR_FORBIDDEN', 'advisories are written by staff (admin, coordinator or analyst)', {
      action: 'advisory:edit',
    });
  }
  if (input.tlp !== undefined && !(advisoryTlps as readonly string[]).includes(input.tlp)) {
    throw validation(`tlp: use one of ${advisoryTlps.join(', ')}`, { field: 'tlp' });
  }
  const { doc, warnings } = await mapImportDocument(input.document);
  const mapped = standaloneDraft(doc, input.document as Record<string, unknown>, defaultPublisher(ctx, 'vendor'));
  // What the editor would refuse is refused here too, naming the field (none is expected).
  const content = checkContent(mapped.content);
  const tlp = (input.tlp as AdvisoryTlp | undefined) ?? mapped.tlp ?? 'AMBER';
  const report = (row: { id: string; tracking_id: string } | null): StandaloneImportResult => ({
    dryRun: row === null,
    format: doc.kind,
    source: { id: doc.sourceId, title: doc.title, label: doc.sourceLabel },
    advisory: { id: row?.id ?? null, trackingId: row?.tracking_id ?? null, title: content.title, tlp },
    vulnerabilities: content.vulnerabilities.map((v) => ({
      key: v.id,
      cveId: v.cve,
      title: v.title,
      action: 'created',
      id: row ? v.id : null,
    })),
    products: content.products,
    statuses: mapped.statuses,
    unmapped: mapped.unmapped,
    warnings,
  });
  if (input.dryRun === true) return report(null);
  const row = await createAdvisory(ctx, {
    tlp,
    content,
    importedFrom: { format: doc.kind, source: doc.sourceId, unmapped: mapped.unmapped.length },
  });
  return report(row);
}
