import { sql, type Transaction } from 'kysely';
import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { loadVisibleCase } from '../cases/queries.ts';
import { AppError, conflict, notFound } from '../core/errors.ts';
import { isUuid, newId } from '../core/ids.ts';
import type { AdvisoryRow, Database } from '../db/schema.ts';
import { documentKindNames, validateDocument } from '../formats/validate.ts';
import { ensureInstanceKeyIn } from '../keys/commands.ts';
import { actorId } from '../policy/actor.ts';
import { authorize, can } from '../policy/policy.ts';
import { invalidFields } from '../reports/rules.ts';
import { toCsaf } from './csaf.ts';
import { deriveContent, type CaseMaterial } from './derive.ts';
import { advisoryDocument, advisoryResource, csafPath, loadAdvisory } from './queries.ts';
import {
  advisoryTlps,
  checkContent,
  csafFilename,
  nextState,
  readinessProblems,
  type AdvisoryContent,
  type AdvisoryPublisher,
  type AdvisoryTlp,
  type AdvisoryWorkflowAction,
} from './rules.ts';
import { detachedSignature, hashLine } from './sign.ts';

type Tx = Transaction<Database>;

function checkTlp(tlp: string | undefined, fallback: AdvisoryTlp): AdvisoryTlp {
  const value = (tlp ?? fallback) as AdvisoryTlp;
  if (!advisoryTlps.includes(value))
    throw invalidFields([{ field: 'tlp', message: `use one of ${advisoryTlps.join(', ')}` }]);
  return value;
}

export function defaultPublisher(ctx: Ctx, category: AdvisoryPublisher['category']): AdvisoryPublisher {
  return { name: ctx.config.instanceName, namespace: ctx.config.baseUrl, category, contactDetails: '' };
}

async function nextTrackingId(tx: Tx, ctx: Ctx): Promise<string> {
  const year = ctx.now().getUTCFullYear();
  const row = await sql<{ value: number }>`
    insert into counters (name, value) values (${`advisory:${year}`}, 1)
    on conflict (name) do update set value = counters.value + 1
    returning value`.execute(tx);
  return `${ctx.config.reports.idPrefix}-SA-${year}-${String(Number(row.rows[0]!.value)).padStart(4, '0')}`;
}

/** What a case says, as `deriveContent` needs it: vulnerabilities, the status matrix, the finders' credit. */
export async function caseMaterial(db: Tx | Ctx['db'], caseId: string): Promise<CaseMaterial> {
  const c = await db.selectFrom('cases').selectAll().where('id', '=', caseId).executeTakeFirstOrThrow();
  const vulns = await db
    .selectFrom('vulnerabilities')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const statuses = await db
    .selectFrom('vendor_statuses as s')
    .innerJoin('case_participants as p', 'p.id', 's.participant_id')
    .leftJoin('organizations as o', 'o.id', 'p.org_id')
    .select([
      's.vulnerability_id',
      's.product',
      's.status',
      's.justification',
      's.statement',
      's.fixed_versions',
      's.affected_range',
      's.refs',
      'o.name as vendor',
    ])
    .where('s.case_id', '=', caseId)
    .where('p.removed_at', 'is', null)
    .orderBy('o.name')
    .orderBy('s.product')
    .orderBy('s.id')
    .execute();
  const reports = await db
    .selectFrom('case_reports as cr')
    .innerJoin('reports as r', 'r.id', 'cr.report_id')
    .select(['r.details'])
    .where('cr.case_id', '=', caseId)
    .orderBy('r.created_at')
    .execute();
  return {
    title: c.title,
    summary: c.public_summary || c.summary,
    vulnerabilities: vulns.map((v) => ({
      id: v.id,
      title: v.title,
      description: v.description,
      cwe: v.cwe,
      cvssV3: v.cvss_v3,
      cvssV4: v.cvss_v4,
      cveId: v.cve_id,
    })),
    statuses: statuses.map((s) => ({
      vulnerabilityId: s.vulnerability_id,
      vendor: s.vendor ?? 'Unknown vendor',
      product: s.product,
      status: s.status,
      justification: s.justification,
      statement: s.statement,
      fixedVersions: s.fixed_versions,
      affectedRange: s.affected_range,
      refs: s.refs,
    })),
    credits: reports.map((r) => {
      const credit = (r.details as { credit?: { mode?: string; value?: string | null } }).credit;
      return { mode: credit?.mode ?? 'anonymous', value: credit?.value ?? null };
    }),
  };
}

export interface CreateAdvisoryInput {
  caseId?: string | undefined;
  tlp?: string | undefined;
  content?: unknown;
  /** An upstream document this draft was imported from (src/advisories/import): audited as advisory.import. */
  importedFrom?: { format: string; source: string; unmapped: number } | undefined;
}

/**
 * Staff create an advisory: from a case (content derived from its vulnerabilities, status matrix
 * and finders' credit; the case must be one they may read in full) or standalone (content given).
 */
export async function createAdvisory(ctx: Ctx, input: CreateAdvisoryInput): Promise<AdvisoryRow> {
  const draft = { type: 'advisory', id: 'new', authorId: actorId(ctx.actor), submittedBy: null } as const;
  if (ctx.actor.kind === 'anonymous') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first: this needs an account');
  if (!can(ctx.actor, 'advisory:edit', draft)) {
    throw new AppError('ERR_FORBIDDEN', 'advisories are written by staff (admin, coordinator or analyst)', {
      action: 'advisory:edit',
    });
  }
  let caseId: string | null = null;
  let content: AdvisoryContent;
  if (input.caseId) {
    const { c, resource } = await loadVisibleCase(ctx.db, ctx.actor, input.caseId);
    authorize(ctx.actor, 'case:read_full', resource);
    caseId = c.id;
    const derived = deriveContent(await caseMaterial(ctx.db, c.id), defaultPublisher(ctx, 'coordinator'));
    content = checkContent(input.content === undefined ? derived : input.content);
  } else {
    const given = (input.content ?? {}) as Record<string, unknown>;
    content = checkContent({ publisher: defaultPublisher(ctx, 'vendor'), ...given });
  }
  const tlp = checkTlp(input.tlp, 'AMBER');
  return inTransaction(ctx, async (tx) => {
    const now = ctx.now();
    const row = await tx
      .insertInto('advisories')
      .values({
        id: newId(),
        tracking_id: await nextTrackingId(tx, ctx),
        case_id: caseId,
        title: content.title,
        state: 'draft',
        tlp,
        content: JSON.stringify(content),
        pending_summary: '',
        published_revision: 0,
        lock_version: 1,
        author_id: actorId(ctx.actor),
        submitted_by: null,
        approved_by: null,
        approved_at: null,
        initial_release_at: null,
        current_release_at: null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, ctx, {
      action: input.importedFrom ? 'advisory.import' : 'advisory.create',
      subjectType: 'advisory',
      subjectId: row.id,
      summary: { trackingId: row.tracking_id, caseId, tlp, ...(input.importedFrom ?? {}) },
    });
    return row;
  });
}

export interface UpdateAdvisoryInput {
  content: unknown;
  tlp?: string | undefined;
  /** The lock_version the editor loaded: a concurrent edit is refused rather than overwritten. */
  lockVersion: number;
  /** Summary of the next revision (shown in the revision history once published). */
  revisionSummary?: string | undefined;
}

/** Saves an edit. Any edit sends the advisory back to draft: a review or an approval covers what was reviewed. */
export async function updateAdvisory(ctx: Ctx, ref: string, input: UpdateAdvisoryInput): Promise<AdvisoryRow> {
  const current = await loadAdvisory(ctx.db, ctx.actor, ref);
  authorize(ctx.actor, 'advisory:edit', advisoryResource(current));
  const content = checkContent(input.content);
  const tlp = checkTlp(input.tlp, current.tlp as AdvisoryTlp);
  const summary = (input.revisionSummary ?? current.pending_summary).trim();
  if (summary.length > 500) throw invalidFields([{ field: 'revisionSummary', message: 'at most 500 characters' }]);
  return inTransaction(ctx, async (tx) => {
    const row = await tx
      .updateTable('advisories')
      .set({
        content: JSON.stringify(content),
        title: content.title,
        tlp,
        state: 'draft',
        pending_summary: summary,
        submitted_by: null,
        approved_by: null,
        approved_at: null,
        lock_version: sql<number>`lock_version + 1`,
        updated_at: ctx.now(),
      })
      .where('id', '=', current.id)
      .where('lock_version', '=', input.lockVersion)
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      throw conflict('someone else saved this advisory since you loaded it: reload it and apply your change again', {
        lockVersion: input.lockVersion,
      });
    }
    await recordAudit(tx, ctx, {
      action: 'advisory.update',
      subjectType: 'advisory',
      subjectId: row.id,
      summary: { trackingId: row.tracking_id, from: current.state, tlp },
    });
    return row;
  });
}

/** Submit for review, return to draft, approve (someone other than the author and the submitter), publish. */
export async function advisoryAction(
  ctx: Ctx,
  ref: string,
  action: AdvisoryWorkflowAction,
  opts: { summary?: string | undefined } = {},
): Promise<AdvisoryRow> {
  const current = await loadAdvisory(ctx.db, ctx.actor, ref);
  const resource = advisoryResource(current);
  const to = nextState(current.state, action);
  switch (action) {
    case 'submit':
    case 'return':
      authorize(ctx.actor, 'advisory:edit', resource);
      break;
    case 'approve':
      if (
        ctx.actor.kind === 'user' &&
        (ctx.actor.userId === current.author_id || ctx.actor.userId === current.submitted_by)
      ) {
        throw new AppError(
          'ERR_FORBIDDEN',
          'an advisory is approved by someone other than its author and whoever submitted it for review',
          { action: 'advisory:approve' },
        );
      }
      authorize(ctx.actor, 'advisory:approve', resource);
      break;
    case 'publish':
      authorize(ctx.actor, 'advisory:publish', resource);
      break;
  }
  if (!to) {
    throw new AppError('ERR_ILLEGAL_TRANSITION', `an advisory in state ${current.state} cannot be sent "${action}"`, {
      state: current.state,
      action,
    });
  }
  if (action === 'submit') {
    const problems = readinessProblems(current.content as unknown as AdvisoryContent);
    if (problems.length > 0) throw invalidFields(problems);
  }
  if (action === 'publish' && current.case_id) {
    // A case-linked advisory goes public with its case (publishCaseAdvisories, at the embargo end);
    // by hand only once the case is public already.
    const c = await ctx.db
      .selectFrom('cases')
      .leftJoin('release_plans as rp', 'rp.case_id', 'cases.id')
      .select(['cases.pxa_state', 'cases.case_id', 'rp.published_at'])
      .where('cases.id', '=', current.case_id)
      .executeTakeFirstOrThrow();
    // Public once the release published it (src/publication) or once its P/X/A records public awareness.
    if (c.published_at === null && !c.pxa_state.startsWith('P')) {
      throw new AppError(
        'ERR_ILLEGAL_TRANSITION',
        `case ${c.case_id} is still embargoed: its approved advisory is published with the case at the embargo end`,
        { caseId: c.case_id },
      );
    }
  }
  return inTransaction(ctx, async (tx) => {
    const locked = await tx
      .selectFrom('advisories')
      .selectAll()
      .where('id', '=', current.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (locked.state !== current.state) {
      throw conflict('the advisory changed state meanwhile: reload it', { state: locked.state });
    }
    if (action === 'publish') return publishInTx(tx, ctx, locked, opts.summary);
    const now = ctx.now();
    const row = await tx
      .updateTable('advisories')
      .set({
        state: to,
        submitted_by: action === 'submit' ? actorId(ctx.actor) : action === 'return' ? null : locked.submitted_by,
        approved_by: action === 'approve' ? actorId(ctx.actor) : null,
        approved_at: action === 'approve' ? now : null,
        updated_at: now,
      })
      .where('id', '=', locked.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, ctx, {
      action: `advisory.${action}`,
      subjectType: 'advisory',
      subjectId: row.id,
      summary: { trackingId: row.tracking_id, from: locked.state, to },
    });
    return row;
  });
}

/** The instance key, created inside this transaction when the instance has none yet. */
const signingKey = ensureInstanceKeyIn;

/**
 * Publishes an approved advisory in the caller's transaction: freezes revision n+1, renders the
 * CSAF document, refuses it unless the CSAF validator passes it, and stores the exact bytes with
 * their hashes and a detached signature for the trusted provider.
 */
async function publishInTx(tx: Tx, ctx: Ctx, row: AdvisoryRow, summary?: string): Promise<AdvisoryRow> {
  const now = ctx.now();
  const number = row.published_revision + 1;
  const revisionSummary =
    summary?.trim() || row.pending_summary || (number === 1 ? 'Initial public release' : `Revision ${number}`);
  await tx
    .insertInto('advisory_revisions')
    .values({
      id: newId(),
      advisory_id: row.id,
      number,
      summary: revisionSummary,
      title: row.title,
      tlp: row.tlp,
      content: JSON.stringify(row.content),
      created_by: actorId(ctx.actor),
      created_at: now,
    })
    .execute();
  const published = await tx
    .updateTable('advisories')
    .set({
      state: 'published',
      published_revision: number,
      pending_summary: '',
      initial_release_at: row.initial_release_at ?? now,
      current_release_at: now,
      updated_at: now,
    })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const doc = await advisoryDocument(tx, ctx.config, published, now);
  const csaf = toCsaf(doc);
  const result = await validateDocument(csaf, 'csaf');
  if (!result.valid) throw invalidExport('csaf', result.findings);
  const bytes = `${JSON.stringify(csaf, null, 2)}\n`;
  const filename = csafFilename(published.tracking_id);
  const key = await signingKey(tx, ctx);
  const year = published.initial_release_at!.getUTCFullYear();
  await tx
    .insertInto('advisory_files')
    .values({
      id: newId(),
      advisory_id: published.id,
      revision: number,
      tlp: published.tlp,
      year,
      filename,
      document: bytes,
      sha256: hashLine('sha256', bytes, filename),
      sha512: hashLine('sha512', bytes, filename),
      signature: await detachedSignature(bytes, key.private_key),
      key_fingerprint: key.fingerprint,
      released_at: now,
      created_at: now,
    })
    .execute();
  await recordAudit(tx, ctx, {
    action: 'advisory.publish',
    subjectType: 'advisory',
    subjectId: published.id,
    summary: {
      trackingId: published.tracking_id,
      revision: number,
      path: csafPath(published.tracking_id, published.tlp as AdvisoryTlp, year),
    },
  });
  return published;
}

/**
 * Publishes the approved advisories of a case, in the caller's transaction (the publication job
 * calls it at the embargo end, in the transaction that makes the case public). Drafts and
 * advisories under review stay unpublished. Returns the published tracking ids.
 */
export async function publishCaseAdvisories(tx: Tx, ctx: Ctx, caseId: string): Promise<string[]> {
  if (!isUuid(caseId)) throw notFound('case', caseId);
  const rows = await tx
    .selectFrom('advisories')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('state', '=', 'approved')
    .orderBy('created_at')
    .forUpdate()
    .execute();
  const out: string[] = [];
  for (const row of rows) out.push((await publishInTx(tx, ctx, row)).tracking_id);
  return out;
}

export function invalidExport(
  kind: keyof typeof documentKindNames,
  findings: { path: string; message: string; test?: string | undefined; severity: string }[],
): AppError {
  const errors = findings.filter((f) => f.severity === 'error');
  const listed = errors
    .slice(0, 5)
    .map((f) => `${f.path || '/'}: ${f.message}${f.test ? ` (${f.test})` : ''}`)
    .join('; ');
  return new AppError(
    'ERR_VALIDATION',
    `the ${documentKindNames[kind]} export is not valid, so it is not offered: ${listed}${errors.length > 5 ? ` (and ${errors.length - 5} more)` : ''}`,
    { format: kind, findings },
  );
}
