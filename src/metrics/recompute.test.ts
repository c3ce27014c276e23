import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { makeCtx, makeUser, testClock, type Clock } from '../../tests/support/factories.ts';
import type { Ctx } from '../app/context.ts';
import type { Database } from '../db/schema.ts';
import { setSlaCalendar, setSlaPolicies } from '../slapolicy/commands.ts';
import { effectivePolicies, loadCalendar } from '../slapolicy/queries.ts';
import {
  caseClockInputs,
  caseFacts,
  deriveClock,
  finderPauses,
  policyFor,
  severityKey,
  severityOfScore,
  worstSeverity,
  type ClockInput,
  type CsEventLike,
  type SlaStage,
} from '../slapolicy/rules.ts';
import { recomputeMetrics } from './commands.ts';
import { businessDays, caseDesiderata } from './rules.ts';
import { forgetWritten } from './store.ts';

type Tx = Transaction<Database>;
type Rec = Record<string, unknown>;

/** Deterministic pseudo-random numbers (mulberry32). */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The straightforward reference: the recomputation as first written (row-by-row reads, the clocks
 * of the pure calendar walk `deriveClock`, business days of `businessDays`), without the indexed
 * timeline, the compact reads or the change-only writes. The optimized path must store exactly this.
 */
async function reference(tx: Tx, ctx: Ctx, now: Date) {
  const cal = await loadCalendar(tx, ctx.config.sla);
  const { policies, defaults } = await effectivePolicies(tx, ctx.config.sla);
  const clocks: Rec[] = [];
  const clock = (
    s: { type: string; id: string; label: string; severity: string; owner: string | null },
    lead: string | null,
    stage: SlaStage,
    input: ClockInput | null,
  ) => {
    if (!input) return null;
    const d = deriveClock(cal, policyFor(policies, defaults, stage, s.severity), input, now);
    clocks.push({
      subject_type: s.type,
      subject_id: s.id,
      stage,
      label: s.label,
      severity: s.severity,
      owner_id: s.owner,
      lead_id: lead,
      started_at: d.startedAt,
      stopped_at: d.stoppedAt,
      paused_since: d.pausedSince,
      due_at: d.dueAt,
      risk_at: d.riskAt,
    });
    return d;
  };
  const caseRows = await tx.selectFrom('cases').select(['id', 'case_id', 'created_at', 'lead_id']).execute();
  const leads = new Map(caseRows.map((c) => [c.id, c.lead_id]));

  const reports: Rec[] = [];
  for (const r of await tx.selectFrom('reports').selectAll().execute()) {
    const events = await tx
      .selectFrom('report_events')
      .select(['kind', 'to_state', 'created_at'])
      .where('report_id', '=', r.id)
      .orderBy('created_at')
      .orderBy('seq')
      .execute();
    const link = await tx
      .selectFrom('case_reports')
      .select('case_id')
      .where('report_id', '=', r.id)
      .orderBy(sql`case_id::text`)
      .executeTakeFirst();
    const caseId = link?.case_id ?? null;
    const ack = events.find((e) => e.kind === 'staff_message' || (e.kind === 'transition' && e.to_state !== 'R'));
    const tri = events.find((e) => e.kind === 'transition' && ['V', 'I', 'C'].includes(e.to_state ?? ''));
    const pauses = finderPauses(events.filter((e) => e.kind === 'info_requested' || e.kind === 'finder_answered'));
    const severity = severityKey(r.severity);
    const subject = { type: 'report', id: r.id, label: r.tracking_id, severity, owner: r.assignee_id };
    const lead = caseId ? (leads.get(caseId) ?? null) : null;
    const received = r.created_at;
    const a = clock(subject, lead, 'acknowledge', { start: received, stop: ack?.created_at ?? null, pauses: [] });
    const t = clock(subject, lead, 'triage', { start: received, stop: tri?.created_at ?? null, pauses });
    reports.push({
      report_id: r.id,
      tracking_id: r.tracking_id,
      received_at: received,
      acknowledged_at: ack?.created_at ?? null,
      triaged_at: tri?.created_at ?? null,
      ack_business_days: ack ? businessDays(cal, received, ack.created_at) : null,
      triage_business_days: tri ? businessDays(cal, received, tri.created_at) : null,
      valid: tri?.to_state === 'V' ? true : tri?.to_state === 'I' ? false : null,
      rm_state: r.rm_state,
      severity,
      cwe: r.cwe,
      product: r.products.trim().slice(0, 300),
      finder_id: r.finder_id,
      owner_id: r.assignee_id,
      case_id: caseId,
      ack_sla: a?.state ?? 'none',
      triage_sla: t?.state ?? 'none',
    });
  }

  const cases: Rec[] = [];
  for (const c of caseRows) {
    const reps = await tx
      .selectFrom('case_reports as cr')
      .innerJoin('reports as r', 'r.id', 'cr.report_id')
      .select(['r.created_at', 'r.severity'])
      .where('cr.case_id', '=', c.id)
      .execute();
    const vulns = await tx
      .selectFrom('vulnerabilities')
      .select(['cvss_v3_score', 'cvss_v4_score', 'cwe'])
      .where('case_id', '=', c.id)
      .execute();
    const scores = vulns.map((v) => v.cvss_v4_score ?? v.cvss_v3_score).filter((s) => s !== null);
    const cwes = vulns.map((v) => v.cwe).filter((w) => w !== null);
    const products = await tx
      .selectFrom('vendor_statuses')
      .select('product')
      .distinct()
      .where('case_id', '=', c.id)
      .orderBy('product')
      .execute();
    const advisory = await tx
      .selectFrom('advisories')
      .select((eb) => eb.fn.min('initial_release_at').as('at'))
      .where('case_id', '=', c.id)
      .executeTakeFirst();
    const events = await tx
      .selectFrom('case_events')
      .select(['participant_id', sql<string | null>`data->>'event'`.as('event'), 'created_at'])
      .where('case_id', '=', c.id)
      .where('kind', '=', 'cs_event')
      .orderBy('created_at')
      .orderBy('seq')
      .execute();
    const vendors = await tx
      .selectFrom('case_participants')
      .select('id')
      .where('case_id', '=', c.id)
      .where('role', '=', 'vendor')
      .where('removed_at', 'is', null)
      .execute();
    const cs: CsEventLike[] = events
      .filter((e) => e.event)
      .map((e) => ({ event: e.event!, participantId: e.participant_id, at: e.created_at }));
    const facts = caseFacts(
      cs,
      vendors.map((v) => v.id),
    );
    const score = scores.length ? Math.max(...scores.map(Number)) : null;
    const severity = worstSeverity([severityOfScore(score), ...reps.map((r) => severityKey(r.severity))]);
    const inputs = caseClockInputs(c.created_at, facts);
    const subject = { type: 'case', id: c.id, label: c.case_id, severity, owner: c.lead_id };
    const rem = clock(subject, c.lead_id, 'remediation', inputs.remediation);
    const rel = clock(subject, c.lead_id, 'release', inputs.release);
    const d = caseDesiderata(facts.history);
    const firstReport = reps.length ? Math.min(...reps.map((r) => r.created_at.getTime())) : null;
    cases.push({
      case_id: c.id,
      label: c.case_id,
      opened_at: c.created_at,
      first_report_at: firstReport === null ? c.created_at : new Date(firstReport),
      vendor_aware_at: facts.first.V ?? null,
      fix_ready_at: facts.first.F ?? null,
      all_fixed_at: facts.allFixedAt,
      deployed_at: facts.first.D ?? null,
      public_at: facts.first.P ?? null,
      exploit_public_at: facts.first.X ?? null,
      attacks_at: facts.first.A ?? null,
      advisory_at: advisory?.at ?? null,
      owner_id: c.lead_id,
      severity,
      cwe: cwes.length ? [...cwes].sort()[0] : null,
      products: products.map((p) => p.product).slice(0, 50),
      remediation_sla: rem?.state ?? 'none',
      release_sla: rel?.state ?? 'none',
      desiderata: d.results,
      desiderata_met: d.met,
      desiderata_violated: d.violated,
      fix_before_public: d.fixBeforePublic,
    });
  }

  const vendors: Rec[] = [];
  for (const p of await tx
    .selectFrom('case_participants')
    .selectAll()
    .where('role', '=', 'vendor')
    .where('removed_at', 'is', null)
    .execute()) {
    const move = await tx
      .selectFrom('case_events')
      .select((eb) => eb.fn.min('created_at').as('at'))
      .where('participant_id', '=', p.id)
      .where('kind', 'in', ['terms_accepted', 'rm_transition', 'cs_event', 'status_changed'])
      .executeTakeFirst();
    const post = await tx
      .selectFrom('case_posts')
      .select((eb) => eb.fn.min('created_at').as('at'))
      .where('case_id', '=', p.case_id)
      .where('author_org_id', '=', p.org_id)
      .executeTakeFirst();
    const answers = [move?.at, post?.at].filter((x): x is Date => x instanceof Date).map((x) => x.getTime());
    vendors.push({
      participant_id: p.id,
      case_id: p.case_id,
      org_id: p.org_id,
      notified_at: p.notified_at ?? p.created_at,
      first_answer_at: answers.length ? new Date(Math.min(...answers)) : null,
    });
  }
  return { metric_reports: reports, metric_cases: cases, metric_vendors: vendors, sla_clocks: clocks };
}

const keyOf: Record<string, (r: Rec) => string> = {
  metric_reports: (r) => String(r['report_id']),
  metric_cases: (r) => String(r['case_id']),
  metric_vendors: (r) => String(r['participant_id']),
  sla_clocks: (r) => `${String(r['subject_type'])}/${String(r['subject_id'])}/${String(r['stage'])}`,
};

/** Comparable values: instants as ISO text, numbers rounded to 1e-9 (floating sums), objects as sorted JSON. */
function normalize(row: Rec): Rec {
  const out: Rec = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === 'computed_at') continue;
    if (v instanceof Date) out[k] = v.toISOString();
    else if (typeof v === 'number') out[k] = Math.round(v * 1e9) / 1e9;
    else if (v && typeof v === 'object' && !Array.isArray(v))
      out[k] = JSON.stringify(Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))));
    else out[k] = v;
  }
  return out;
}

async function stored(ctx: Ctx) {
  const read = async (table: 'metric_reports' | 'metric_cases' | 'metric_vendors' | 'sla_clocks') =>
    new Map((await ctx.db.selectFrom(table).selectAll().execute()).map((r) => [keyOf[table]!(r), normalize(r)]));
  return {
    metric_reports: await read('metric_reports'),
    metric_cases: await read('metric_cases'),
    metric_vendors: await read('metric_vendors'),
    sla_clocks: await read('sla_clocks'),
  };
}

async function expectMatchesReference(ctx: Ctx, now: Date) {
  const expected = await ctx.db.transaction().execute((tx) => reference(tx, ctx, now));
  const actual = await stored(ctx);
  for (const table of ['metric_reports', 'metric_cases', 'metric_vendors', 'sla_clocks'] as const) {
    const want = new Map(expected[table].map((r) => [keyOf[table]!(r), normalize(r)]));
    expect([...actual[table].keys()].sort(), table).toEqual([...want.keys()].sort());
    for (const [key, row] of want) expect(actual[table].get(key), `${table} ${key}`).toEqual(row);
  }
  return expected;
}

/**
 * A varied generated dataset: a business calendar with hours, holidays and DST changes; stored
 * policies per severity with and without pauses; reports with and without cases, acknowledged by a
 * message or a move, questions answered or still open, validated, invalidated or closed, events
 * after `now`; cases with several reports, removed vendors, vendors answering by post, X before P,
 * events that are not CS letters, advisories.
 */
async function seed(ctx: Ctx, now: Date, rand: () => number, n: number) {
  const staff = [await makeUser(ctx, { role: 'analyst' }), await makeUser(ctx, { role: 'coordinator' })];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const orgs = Array.from({ length: 6 }, (_, i) => ({
    id: randomUUID(),
    name: `Gen vendor ${i} ${randomUUID().slice(0, 6)}`,
    kind: 'vendor' as const,
    website: null,
    created_at: new Date(now.getTime() - 800 * DAY),
    updated_at: new Date(now.getTime() - 800 * DAY),
  }));
  await ctx.db.insertInto('organizations').values(orgs).execute();
  const t0 = now.getTime() - 400 * DAY;
  const reports: Rec[] = [];
  const reportEvents: Rec[] = [];
  const cases: Rec[] = [];
  const caseReports: Rec[] = [];
  const participants: Rec[] = [];
  const caseEvents: Rec[] = [];
  const vulns: Rec[] = [];
  const statuses: Rec[] = [];
  const advisories: Rec[] = [];
  const threads: Rec[] = [];
  const posts: Rec[] = [];
  const ev = (reportId: string, kind: string, from: string | null, to: string | null, at: number) =>
    reportEvents.push({
      id: randomUUID(),
      report_id: reportId,
      kind,
      from_state: from,
      to_state: to,
      actor_user_id: null,
      actor_label: 'gen',
      data: '{}',
      created_at: new Date(at),
    });
  let lastCase: { id: string; at: number } | null = null;
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    // Minutes apart at random, so that received times fall at night, on weekends, holidays and DST days.
    const at = t0 + Math.floor(rand() * 410 * DAY);
    const sev = pick(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NONE', null, 'weird']);
    reports.push({
      id,
      tracking_id: `GEN-${100000 + i}`,
      title: `Generated ${i}`,
      description: 'generated',
      // Texts that JSON must escape (the reads assemble JSON in SQL): quotes, backslashes, controls, emoji.
      products: pick(['  Helpdesk 4 ', 'Router X', '', 'Widget\u00a0', 'Say "hi" \\ tab\there\nnext ✓ 😀\u0001']),
      details: '{}',
      language: 'en',
      channel: 'web',
      rm_state: pick(['R', 'V', 'I', 'A', 'C']),
      close_reason: null,
      duplicate_of: null,
      finder_id: null,
      submitted_by: null,
      assignee_id: rand() < 0.5 ? pick(staff).id : null,
      cvss_vector: null,
      cvss_score: null,
      severity: sev,
      cwe: pick(['CWE-79', 'CWE-89', null, 'CWE-"\\x']),
      followup_hash: randomUUID().replace(/-/g, ''),
      submitted_encrypted: false,
      ack_due_at: null,
      ack_risk_at: null,
      acknowledged_at: null,
      triage_due_at: null,
      triage_risk_at: null,
      triaged_at: null,
      awaiting_finder_since: null,
      created_at: new Date(at),
      updated_at: new Date(at),
    });
    ev(id, 'transition', 'S', 'R', at);
    let t = at;
    const step = () => (t += Math.floor(rand() * 5 * DAY) + 1);
    if (rand() < 0.8) ev(id, rand() < 0.7 ? 'staff_message' : 'note', null, null, step());
    const questions = Math.floor(rand() * 3);
    for (let q = 0; q < questions; q++) {
      ev(id, 'info_requested', null, null, step());
      if (rand() < 0.7) ev(id, 'finder_answered', null, null, step());
    }
    const verdict = rand();
    if (verdict < 0.7) ev(id, 'transition', 'R', pick(['V', 'V', 'I', 'C']), step());
    if (rand() < 0.6) {
      let caseId: string;
      if (lastCase && rand() < 0.2) caseId = lastCase.id;
      else {
        caseId = randomUUID();
        const opened = step();
        lastCase = { id: caseId, at: opened };
        cases.push({
          id: caseId,
          case_id: `GENC-${100000 + i}`,
          title: `Generated case ${i}`,
          summary: '',
          lead_id: rand() < 0.8 ? pick(staff).id : null,
          pxa_state: 'pxa',
          terms_text: 'terms',
          terms_version: 1,
          requested_by_org: null,
          status: 'open',
          created_by: null,
          created_at: new Date(opened),
          updated_at: new Date(opened),
        });
        const vendorIds: string[] = [];
        const shuffled = [...orgs].sort(() => rand() - 0.5);
        const count = Math.floor(rand() * 4);
        for (let v = 0; v < count; v++) {
          const pid = randomUUID();
          const removed = rand() < 0.1;
          if (!removed) vendorIds.push(pid);
          participants.push({
            id: pid,
            case_id: caseId,
            org_id: shuffled[v]!.id,
            finder_id: null,
            role: 'vendor',
            rm_state: 'A',
            vfd_state: 'vfd',
            allowed_user_ids: '[]',
            terms_version: null,
            terms_accepted_at: null,
            terms_accepted_by: null,
            terms_accepted_ip: null,
            notified_at: rand() < 0.8 ? new Date(opened + HOUR) : null,
            first_seen_at: null,
            removed_at: removed ? new Date(opened + DAY) : null,
            created_at: new Date(opened),
            updated_at: new Date(opened),
          });
          if (rand() < 0.3) {
            let threadId = (threads.find((x) => x['case_id'] === caseId)?.['id'] as string | undefined) ?? '';
            if (!threadId) {
              threadId = randomUUID();
              threads.push({
                id: threadId,
                case_id: caseId,
                kind: 'discussion',
                title: 'gen',
                created_by: null,
                created_at: new Date(opened),
              });
            }
            posts.push({
              id: randomUUID(),
              thread_id: threadId,
              case_id: caseId,
              reply_to: null,
              author_user_id: null,
              author_org_id: shuffled[v]!.id,
              author_label: 'gen',
              body: 'hello',
              tlp: 'AMBER',
              recipient_org_id: null,
              recipient_user_ids: '[]',
              mentions: '[]',
              edited_at: null,
              created_at: new Date(opened + Math.floor(rand() * 10 * DAY)),
            });
          }
        }
        const cs = (participant: string | null, event: string, when: number, kind = 'cs_event') =>
          caseEvents.push({
            id: randomUUID(),
            case_id: caseId,
            participant_id: participant,
            kind,
            actor_user_id: null,
            actor_label: 'gen',
            data: JSON.stringify({ event }),
            created_at: new Date(when),
          });
        let ct = opened;
        const cstep = () => (ct += Math.floor(rand() * 20 * DAY) + 1);
        for (const pid of participants.filter((p) => p['case_id'] === caseId).map((p) => String(p['id']))) {
          if (rand() < 0.8) cs(pid, 'V', cstep());
          if (rand() < 0.7) cs(pid, 'F', cstep());
          if (rand() < 0.3) cs(pid, 'D', cstep());
          if (rand() < 0.2) cs(pid, '', cstep(), 'status_changed');
        }
        if (rand() < 0.1) cs(null, 'X', cstep());
        if (rand() < 0.6) cs(null, 'P', cstep());
        if (rand() < 0.1) cs(null, 'A', cstep());
        if (rand() < 0.05) cs(null, 'Q', cstep());
        if (rand() < 0.05) cs(pick(vendorIds.length ? vendorIds : [null]), 'F', cstep());
        for (let v = 0; v < Math.floor(rand() * 3); v++) {
          const vid = randomUUID();
          vulns.push({
            id: vid,
            case_id: caseId,
            title: 'gen',
            description: '',
            cwe: pick(['CWE-22', 'CWE-79', null]),
            cvss_v3: null,
            cvss_v3_score: rand() < 0.7 ? Math.round(rand() * 100) / 10 : null,
            cvss_v4: null,
            cvss_v4_score: rand() < 0.3 ? Math.round(rand() * 100) / 10 : null,
            cve_id: null,
            created_at: new Date(opened),
            updated_at: new Date(opened),
          });
          for (const p of participants.filter((x) => x['case_id'] === caseId).slice(0, 2)) {
            statuses.push({
              id: randomUUID(),
              case_id: caseId,
              participant_id: p['id'],
              vulnerability_id: vid,
              product: pick(['Router X', 'Helpdesk', 'Widget', 'Quote " and \\ back']),
              status: 'affected',
              justification: null,
              statement: '',
              fixed_versions: '',
              refs: '[]',
              vendor_tracking_id: null,
              may_share: false,
              approved_at: null,
              approved_by: null,
              updated_by: null,
              created_at: new Date(opened),
              updated_at: new Date(opened),
            });
          }
        }
        if (rand() < 0.3) {
          advisories.push({
            id: randomUUID(),
            tracking_id: `GEN-ADV-${i}`,
            case_id: caseId,
            title: 'gen',
            state: 'published',
            tlp: 'CLEAR',
            content: '{}',
            pending_summary: '',
            published_revision: 1,
            lock_version: 1,
            author_id: null,
            submitted_by: null,
            approved_by: null,
            approved_at: null,
            initial_release_at: rand() < 0.8 ? new Date(cstep()) : null,
            current_release_at: null,
            created_at: new Date(opened),
            updated_at: new Date(opened),
          });
        }
      }
      caseReports.push({ case_id: caseId, report_id: id });
    }
  }
  // Events at the same instant, told apart only by their recorded order (seq): a report asked, answered
  // and validated at once; a case made public by X and P together with every vendor's fix.
  const tie = reports.length > 0 ? (reports[0]!['created_at'] as Date).getTime() + 2 * HOUR : 0;
  if (reports.length > 0) {
    const id = String(reports[0]!['id']);
    ev(id, 'info_requested', null, null, tie);
    ev(id, 'finder_answered', null, null, tie);
    ev(id, 'transition', 'R', 'V', tie);
  }
  const tieCase = cases.find((c) => participants.some((p) => p['case_id'] === c['id']));
  if (tieCase) {
    const when = new Date((tieCase['created_at'] as Date).getTime() + 3 * DAY);
    const at = (participant: string | null, event: string) =>
      caseEvents.push({
        id: randomUUID(),
        case_id: tieCase['id'],
        participant_id: participant,
        kind: 'cs_event',
        actor_user_id: null,
        actor_label: 'gen',
        data: JSON.stringify({ event }),
        created_at: when,
      });
    at(null, 'X');
    at(null, 'P');
    for (const p of participants.filter((x) => x['case_id'] === tieCase['id'])) at(String(p['id']), 'F');
  }
  const insert = async (table: keyof Database, rows: Rec[]) => {
    for (let i = 0; i < rows.length; i += 200) {
      await ctx.db
        .insertInto(table)
        .values(rows.slice(i, i + 200))
        .execute();
    }
  };
  await insert('reports', reports);
  await insert('report_events', reportEvents);
  await insert('cases', cases);
  await insert('case_reports', caseReports);
  await insert('case_participants', participants);
  await insert('case_events', caseEvents);
  await insert('vulnerabilities', vulns);
  await insert('vendor_statuses', statuses);
  await insert('advisories', advisories);
  await insert('case_threads', threads);
  await insert('case_posts', posts);
  return { reports, cases, participants };
}

describe('the optimized recomputation stores exactly what the straightforward one derives', () => {
  let db: TestDatabase;
  let ctx: Ctx;
  let clock: Clock;
  let data: Awaited<ReturnType<typeof seed>>;
  const rand = prng(20261128);

  beforeAll(async () => {
    db = await createTestDatabase();
    clock = testClock(new Date('2026-11-20T10:30:00Z'));
    ctx = makeCtx(db, { clock });
    // Berlin (DST changes on 29 March and 25 October 2026), office hours, holidays.
    await setSlaCalendar(ctx, {
      timeZone: 'Europe/Berlin',
      workdays: [1, 2, 3, 4, 5],
      holidays: ['2025-12-25', '2025-12-26', '2026-01-01', '2026-04-03', '2026-04-06', '2026-10-03', '2026-12-24'],
      hours: { start: '09:00', end: '17:30' },
    });
    await setSlaPolicies(ctx, [
      { stage: 'acknowledge', severity: 'any', targetBusinessDays: 2, atRiskFraction: 0.5, pauseAwaitingFinder: false },
      {
        stage: 'acknowledge',
        severity: 'critical',
        targetBusinessDays: 0,
        atRiskFraction: 1,
        pauseAwaitingFinder: false,
      },
      { stage: 'triage', severity: 'any', targetBusinessDays: 7, atRiskFraction: 0.8, pauseAwaitingFinder: true },
      { stage: 'triage', severity: 'low', targetBusinessDays: 15, atRiskFraction: 0.9, pauseAwaitingFinder: false },
      {
        stage: 'remediation',
        severity: 'high',
        targetBusinessDays: 30,
        atRiskFraction: 0.7,
        pauseAwaitingFinder: false,
      },
      { stage: 'release', severity: 'any', targetBusinessDays: 5, atRiskFraction: 0.6, pauseAwaitingFinder: false },
    ]);
    data = await seed(ctx, clock.now(), rand, 150);
  }, 120_000);
  afterAll(async () => {
    await db.close();
  });

  it('on a first run (every row written), then on later runs that write only what changed', async () => {
    forgetWritten();
    const first = await recomputeMetrics(ctx);
    expect(first.rewrite).toBe(true);
    expect(first.reports).toBe(150);
    expect(first.clocks).toBeGreaterThan(300);
    const expected = await expectMatchesReference(ctx, clock.now());
    // The dataset is varied: every clock state and desiderata outcome occurs.
    const states = [...new Set(expected.metric_reports.flatMap((r) => [r['ack_sla'], r['triage_sla']]))];
    for (const s of ['met', 'breached', 'running']) expect(states).toContain(s);
    expect(expected.metric_cases.some((c) => c['release_sla'] === 'none')).toBe(true);
    expect(expected.sla_clocks.some((c) => c['paused_since'] !== null)).toBe(true);
    expect(expected.metric_cases.some((c) => c['fix_before_public'] === false)).toBe(true);
    expect(expected.metric_vendors.some((v) => v['first_answer_at'] === null)).toBe(true);

    // Nothing changed: the next run derives the same rows and writes none.
    const second = await recomputeMetrics(ctx);
    expect(second).toMatchObject({ rewrite: false, rowsWritten: 0, clocks: first.clocks });
    await expectMatchesReference(ctx, clock.now());

    // Time passes (clocks turn at risk and breach, a paused clock's deadline moves) and events happen.
    clock.advance(9 * DAY + 5 * HOUR);
    const report = data.reports[0]!;
    await ctx.db
      .insertInto('report_events')
      .values({
        id: randomUUID(),
        report_id: String(report['id']),
        kind: 'staff_message',
        from_state: null,
        to_state: null,
        actor_user_id: null,
        actor_label: 'gen',
        data: '{}',
        created_at: new Date(clock.now().getTime() - HOUR),
      })
      .execute();
    const gone = data.participants.find((p) => p['removed_at'] === null)!;
    await ctx.db
      .updateTable('case_participants')
      .set({ removed_at: clock.now() })
      .where('id', '=', String(gone['id']))
      .execute();
    const third = await recomputeMetrics(ctx);
    expect(third.rewrite).toBe(false);
    expect(third.rowsWritten).toBeGreaterThan(0);
    expect(third.rowsWritten).toBeLessThan(third.reports + third.cases + third.vendors + third.clocks);
    await expectMatchesReference(ctx, clock.now());

    // A policy change applies to every past item; another node's run makes this process rewrite all.
    await setSlaPolicies(ctx, [
      { stage: 'triage', severity: 'any', targetBusinessDays: 3, atRiskFraction: 0.5, pauseAwaitingFinder: false },
    ]);
    await recomputeMetrics(ctx);
    await expectMatchesReference(ctx, clock.now());
    await ctx.db
      .insertInto('metric_runs')
      .values({
        id: randomUUID(),
        started_at: clock.now(),
        finished_at: clock.now(),
        duration_ms: 1,
        reports: 0,
        cases: 0,
        vendors: 0,
        clocks: 0,
      })
      .execute();
    await ctx.db.deleteFrom('sla_clocks').where('stage', '=', 'release').execute(); // as if another node wrote
    const afterOther = await recomputeMetrics(ctx);
    expect(afterOther.rewrite).toBe(true);
    await expectMatchesReference(ctx, clock.now());
  }, 180_000);
});
