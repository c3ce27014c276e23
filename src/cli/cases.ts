/**
 * `accord case …`: multi-party cases from the shell, for PSIRT engineers' scripts. Every subcommand calls the same
 * commands and queries as the HTTP API. Like the rest of the CLI it acts as the system (the operator has the server's
 * own rights, and the audit log records `system:cli:<login>`), or with `--as EMAIL` as that user, with their rights.
 * Errors print `accord: …` on standard error and exit 1.
 */
import os from 'node:os';
import { type Command, Option } from 'commander';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import type { Ctx } from '../app/context.ts';
import { addParticipant, openCase, setVendorStatus } from '../cases/commands.ts';
import {
  caseParticipants,
  caseStatuses,
  caseTimeline,
  caseVulnerabilities,
  listCases,
  loadVisibleCase,
} from '../cases/queries.ts';
import { vendorStatuses, vexJustifications } from '../cases/rules.ts';
import { AppError } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import type { CaseRow, VulnerabilityRow } from '../db/schema.ts';
import { findOrgById, findOrgByName } from '../orgs/queries.ts';
import { systemActor } from '../policy/actor.ts';
import { authorize } from '../policy/policy.ts';
import { findUserByEmail, membershipsOf, toActor } from '../users/queries.ts';
import { joinCs, type PxaState, type VfdState } from '../vultron/cs.ts';

type WithInstance = <T>(fn: (ctx: Ctx) => Promise<T>) => Promise<T>;

const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
const json = (value: unknown) => out(JSON.stringify(value, null, 2));

/** Every problem of a refused input, not only the first: a script's author fixes them all at once. */
function explain(err: unknown): never {
  if (err instanceof AppError && err.code === 'ERR_VALIDATION') {
    const problems = (err.details.problems as { field: string; message: string }[] | undefined) ?? [];
    if (problems.length > 1)
      throw new AppError(err.code, problems.map((p) => `${p.field}: ${p.message}`).join('; '), err.details);
  }
  throw err;
}

/** The actor of a `case` subcommand: the system, or the user named by `--as`. */
async function actingCtx(ctx: Ctx, as: string | undefined): Promise<Ctx> {
  if (!as) return { ...ctx, actor: systemActor(`cli:${os.userInfo().username}`) };
  const u = await findUserByEmail(ctx.db, as);
  if (!u || u.disabled_at) throw new AppError('ERR_NOT_FOUND', `no active user with e-mail ${as} (--as)`);
  return { ...ctx, actor: toActor(u, await membershipsOf(ctx.db, u.id), 'cli') };
}

/** A case the actor may read in full (staff, the lead, or a participant who accepted the terms). */
async function readableCase(ctx: Ctx, ref: string): Promise<CaseRow> {
  const { c, resource } = await loadVisibleCase(ctx.db, ctx.actor, ref);
  authorize(ctx.actor, 'case:read_full', resource);
  return c;
}

/** An organization by id or by its exact name (any case). */
async function resolveOrg(ctx: Ctx, ref: string) {
  const org = isUuid(ref) ? await findOrgById(ctx.db, ref) : await findOrgByName(ctx.db, ref);
  if (!org || org.kind === 'home')
    throw new AppError('ERR_NOT_FOUND', `no organization named ${ref} in the directory (use its name or id)`);
  return org;
}

/** A vulnerability of the case by id, CVE id or position (VULN-1 is the first added). */
function resolveVulnerability(vulns: VulnerabilityRow[], ref: string, caseId: string): VulnerabilityRow {
  const position = /^VULN-(\d+)$/i.exec(ref.trim());
  const found = position
    ? vulns[Number(position[1]) - 1]
    : vulns.find((v) => v.id === ref || (v.cve_id ?? '').toUpperCase() === ref.trim().toUpperCase());
  if (!found) {
    const known = vulns.map((v, i) => `VULN-${i + 1}${v.cve_id ? ` (${v.cve_id})` : ''}`).join(', ');
    throw new AppError(
      'ERR_NOT_FOUND',
      `case ${caseId} has no vulnerability ${ref}: ${known ? `use one of ${known}` : 'add one first'}`,
    );
  }
  return found;
}

async function allCases(ctx: Ctx, status: string | undefined): Promise<CaseRow[]> {
  const rows: CaseRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await listCases(ctx.db, ctx.actor, {
      ...(status ? { status } : {}),
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    rows.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return rows;
}

/** The case as `case show` gives it: what the staff case page shows, vendor statements included. */
async function caseDetail(ctx: Ctx, c: CaseRow) {
  const [vulns, participants, statuses] = await Promise.all([
    caseVulnerabilities(ctx.db, c.id),
    caseParticipants(ctx.db, c.id),
    caseStatuses(ctx.db, c.id),
  ]);
  const vulnKey = new Map(vulns.map((v, i) => [v.id, `VULN-${i + 1}`]));
  const staffView = ctx.actor.kind === 'system' || (ctx.actor.kind === 'user' && ctx.actor.staffRole !== null);
  const myOrgs = new Set(ctx.actor.kind === 'user' ? ctx.actor.memberships.map((m) => m.orgId) : []);
  const participantName = new Map(participants.map((p) => [p.id, p.org_name ?? 'Finder']));
  return {
    id: c.id,
    caseId: c.case_id,
    title: c.title,
    summary: c.summary,
    status: c.status,
    pxaState: c.pxa_state,
    termsVersion: c.terms_version,
    createdAt: c.created_at.toISOString(),
    vulnerabilities: vulns.map((v, i) => ({
      key: `VULN-${i + 1}`,
      id: v.id,
      title: v.title,
      cveId: v.cve_id,
      cwe: v.cwe,
      cvssV3: v.cvss_v3 ? { vector: v.cvss_v3, score: v.cvss_v3_score } : null,
      cvssV4: v.cvss_v4 ? { vector: v.cvss_v4, score: v.cvss_v4_score } : null,
    })),
    participants: participants.map((p) => ({
      id: p.id,
      name: p.org_name ?? 'Finder',
      orgId: p.org_id,
      role: p.role,
      rmState: p.rm_state,
      caseState: p.vfd_state ? joinCs(p.vfd_state as VfdState, c.pxa_state as PxaState) : null,
      termsAccepted: p.terms_version === c.terms_version,
    })),
    // As on the API: staff see every statement; a participant its own and those shared with all.
    statuses: statuses
      .filter((s) => {
        if (staffView || s.may_share) return true;
        const p = participants.find((x) => x.id === s.participant_id);
        return p?.org_id != null && myOrgs.has(p.org_id);
      })
      .map((s) => ({
        vendor: participantName.get(s.participant_id) ?? s.participant_id,
        participantId: s.participant_id,
        vulnerability: vulnKey.get(s.vulnerability_id) ?? s.vulnerability_id,
        product: s.product,
        status: s.status,
        justification: s.justification,
        statement: s.statement,
        fixedVersions: s.fixed_versions,
        affectedRange: s.affected_range,
        mayShare: s.may_share,
        approved: s.approved_at !== null,
        updatedAt: s.updated_at.toISOString(),
      })),
  };
}

function showText(d: Awaited<ReturnType<typeof caseDetail>>): string {
  const lines = [
    `${d.caseId}  ${d.title}`,
    `status: ${d.status}   case state (P/X/A): ${d.pxaState}   terms version: ${d.termsVersion}`,
  ];
  if (d.summary.trim()) lines.push('', d.summary.trim());
  lines.push('', `vulnerabilities (${d.vulnerabilities.length}):`);
  for (const v of d.vulnerabilities) {
    const score = v.cvssV4 ?? v.cvssV3;
    lines.push(
      `  ${v.key}  ${v.cveId ?? '—'}  ${v.title}${score ? `  CVSS ${score.score ?? '?'}` : ''}${v.cwe ? `  ${v.cwe}` : ''}`,
    );
  }
  lines.push('', `participants (${d.participants.length}):`);
  for (const p of d.participants) {
    lines.push(
      `  ${p.name}  ${p.role}  RM ${p.rmState}${p.caseState ? `  CS ${p.caseState}` : ''}  terms ${p.termsAccepted ? 'accepted' : 'not accepted'}`,
    );
  }
  lines.push('', `vendor statements (${d.statuses.length}):`);
  for (const s of d.statuses)
    lines.push(`  ${s.vendor}  ${s.vulnerability}  ${s.product}: ${s.status}${s.approved ? '' : ' (not approved)'}`);
  return `${lines.join('\n')}\n`;
}

export function registerCaseCommands(program: Command, withInstance: WithInstance): void {
  const cmd = program
    .command('case')
    .description('multi-party cases: list, show, open, add vendors, state statuses, export the timeline');
  const asOption = () =>
    new Option('--as <email>', "act as this user, with that user's rights (default: the system, as the whole CLI)");
  const run = <T>(as: string | undefined, fn: (ctx: Ctx) => Promise<T>) =>
    withInstance(async (base) => fn(await actingCtx(base, as))).catch(explain);

  cmd
    .command('list')
    .description('the cases (newest first), with their status and P/X/A state')
    .addOption(new Option('--status <status>', 'only open or closed cases').choices(['open', 'closed']))
    .option('--json', 'print JSON')
    .addOption(asOption())
    .action(async (o: { status?: string; json?: boolean; as?: string }) => {
      await run(o.as, async (ctx) => {
        const rows = await allCases(ctx, o.status);
        if (o.json) {
          json(
            rows.map((c) => ({
              id: c.id,
              caseId: c.case_id,
              title: c.title,
              status: c.status,
              pxaState: c.pxa_state,
              createdAt: c.created_at.toISOString(),
            })),
          );
          return;
        }
        if (rows.length === 0) process.stderr.write('no cases\n');
        for (const c of rows) out(`${c.case_id}\t${c.status}\t${c.pxa_state}\t${c.title}`);
      });
    });

  cmd
    .command('show')
    .description('a case: vulnerabilities, participants with their Vultron states, vendor statements')
    .argument('<case>', 'the case id (CASE-2026-0001) or its uuid')
    .option('--json', 'print JSON')
    .addOption(asOption())
    .action(async (ref: string, o: { json?: boolean; as?: string }) => {
      await run(o.as, async (ctx) => {
        const detail = await caseDetail(ctx, await readableCase(ctx, ref));
        if (o.json) json(detail);
        else out(showText(detail));
      });
    });

  cmd
    .command('open')
    .description('open a case, from scratch or from accepted reports; prints the case id')
    .requiredOption('--title <title>', 'the case title (5 to 200 characters)')
    .option('--summary <text>', 'the summary (Markdown)')
    .option('--from-report <ref...>', 'accepted reports (tracking id or id) the case is opened from')
    .option('--json', 'print the case as JSON')
    .addOption(asOption())
    .action(async (o: { title: string; summary?: string; fromReport?: string[]; json?: boolean; as?: string }) => {
      await run(o.as, async (ctx) => {
        const c = await openCase(ctx, { title: o.title, summary: o.summary, reportIds: o.fromReport ?? [] });
        if (o.json) json({ id: c.id, caseId: c.case_id, title: c.title, status: c.status });
        else out(c.case_id);
      });
    });

  cmd
    .command('add-vendor')
    .description(
      'add an organization of the directory to a case (its members are notified; invitations go to its contacts)',
    )
    .argument('<case>', 'the case id')
    .argument('<org>', "the organization's name or id")
    .addOption(
      new Option('--role <role>', 'its Vultron role')
        .choices(['vendor', 'deployer', 'coordinator', 'other'])
        .default('vendor'),
    )
    .addOption(asOption())
    .action(async (ref: string, orgRef: string, o: { role: string; as?: string }) => {
      await run(o.as, async (ctx) => {
        const org = await resolveOrg(ctx, orgRef);
        const p = await addParticipant(ctx, ref, { orgId: org.id, role: o.role });
        json({ participantId: p.id, org: org.name, role: p.role, rmState: p.rm_state });
      });
    });

  cmd
    .command('status')
    .description("state a vendor's status for a product and vulnerability (the status matrix)")
    .argument('<case>', 'the case id')
    .requiredOption('--vendor <org>', "the vendor's name or organization id")
    .requiredOption('--vulnerability <id>', 'VULN-n (in the order added), a CVE id, or the id')
    .requiredOption('--product <name>', 'the product')
    .addOption(
      new Option('--status <status>', 'the status')
        .choices(vendorStatuses.filter((s) => s !== 'unknown'))
        .makeOptionMandatory(),
    )
    .option(
      '--statement <text>',
      'the statement (an action statement for affected, an impact statement for not_affected)',
    )
    .addOption(
      new Option('--justification <reason>', 'OpenVEX justification for not_affected').choices([...vexJustifications]),
    )
    .option('--fixed-versions <versions>', 'the fixed versions (needed for fixed)')
    .option('--affected-range <vers>', 'the affected versions as a vers range, e.g. "vers:npm/>=1.0.0|<1.4.2"')
    .option('--reference <url...>', 'references (http or https)')
    .option('--tracking-id <id>', "the vendor's own tracking id")
    .option('--may-share', 'the vendor allows sharing the statement with the other participants before publication')
    .addOption(asOption())
    .action(
      async (
        ref: string,
        o: {
          vendor: string;
          vulnerability: string;
          product: string;
          status: string;
          statement?: string;
          justification?: string;
          fixedVersions?: string;
          affectedRange?: string;
          reference?: string[];
          trackingId?: string;
          mayShare?: boolean;
          as?: string;
        },
      ) => {
        await run(o.as, async (ctx) => {
          const { c } = await loadVisibleCase(ctx.db, ctx.actor, ref);
          const org = await resolveOrg(ctx, o.vendor);
          const vendor = (await caseParticipants(ctx.db, c.id)).find((p) => p.org_id === org.id && p.role === 'vendor');
          if (!vendor)
            throw new AppError(
              'ERR_NOT_FOUND',
              `${org.name} is not a vendor in ${c.case_id}: add it first with "accord case add-vendor ${c.case_id} ${JSON.stringify(org.name)}"`,
            );
          const vuln = resolveVulnerability(await caseVulnerabilities(ctx.db, c.id), o.vulnerability, c.case_id);
          const s = await setVendorStatus(ctx, c.case_id, {
            participantId: vendor.id,
            vulnerabilityId: vuln.id,
            product: o.product,
            status: o.status,
            statement: o.statement,
            justification: o.justification,
            fixedVersions: o.fixedVersions,
            affectedRange: o.affectedRange,
            references: o.reference,
            vendorTrackingId: o.trackingId,
            mayShare: o.mayShare ?? false,
          });
          json({ id: s.id, vendor: org.name, vulnerability: o.vulnerability, product: s.product, status: s.status });
        });
      },
    );

  cmd
    .command('timeline')
    .description('every event of a case, in order (as the timeline export of the API)')
    .argument('<case>', 'the case id')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'))
    .addOption(asOption())
    .action(async (ref: string, o: { format: 'json' | 'csv'; as?: string }) => {
      await run(o.as, async (ctx) => {
        const { c, resource } = await loadVisibleCase(ctx.db, ctx.actor, ref);
        // As on the API: staff, or the case's managers.
        const staff = ctx.actor.kind === 'system' || (ctx.actor.kind === 'user' && ctx.actor.staffRole !== null);
        if (!staff) authorize(ctx.actor, 'case:manage', resource, 'case:read');
        const items = (await caseTimeline(ctx.db, c.id)).map((e) => ({
          kind: e.kind,
          participantId: e.participant_id,
          actorLabel: e.actor_label,
          data: e.data,
          createdAt: e.created_at.toISOString(),
        }));
        if (o.format === 'json') {
          json({ caseId: c.case_id, items });
          return;
        }
        process.stdout.write(
          stringifyCsv(
            items.map((e) => [e.createdAt, e.kind, e.actorLabel, e.participantId ?? '', JSON.stringify(e.data)]),
            { header: true, columns: ['time', 'event', 'actor', 'participant_id', 'data'] },
          ),
        );
      });
    });
}
