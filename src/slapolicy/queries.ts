import { sql } from 'kysely';
import type { Db } from '../app/context.ts';
import type { SlaConfig } from '../config/config.ts';
import type { BusinessCalendar } from '../sla/calendar.ts';
import type { SlaState } from '../sla/clock.ts';
import {
  defaultPolicies,
  seedCalendar,
  type PolicySeverity,
  type SlaSettings,
  type SlaStage,
  type StagePolicy,
} from './rules.ts';

export const CALENDAR_ID = 'home';

/** The business calendar the SLA clocks run on: the stored one, else its seed from configuration. */
export async function loadCalendar(db: Db, sla: SlaConfig): Promise<BusinessCalendar> {
  const row = await db.selectFrom('sla_calendar').selectAll().where('id', '=', CALENDAR_ID).executeTakeFirst();
  if (!row) return seedCalendar(sla);
  return {
    timeZone: row.time_zone,
    workdays: row.workdays,
    holidays: row.holidays,
    ...(row.hours ? { hours: row.hours } : {}),
  };
}

/** The stored policies (may be empty: the defaults then apply). */
export async function loadPolicies(db: Db): Promise<StagePolicy[]> {
  const rows = await db.selectFrom('sla_policies').selectAll().orderBy('stage').orderBy('severity').execute();
  return rows.map((r) => ({
    stage: r.stage as SlaStage,
    severity: r.severity as PolicySeverity,
    targetBusinessDays: r.target_business_days,
    atRiskFraction: Number(r.at_risk_fraction),
    pauseAwaitingFinder: r.pause_awaiting_finder,
  }));
}

/** The policies in force: the stored ones, or the defaults while none are stored. */
export async function effectivePolicies(
  db: Db,
  sla: SlaConfig,
): Promise<{ policies: StagePolicy[]; defaults: StagePolicy[]; stored: boolean }> {
  const stored = await loadPolicies(db);
  const defaults = defaultPolicies(sla);
  return { policies: stored.length > 0 ? stored : defaults, defaults, stored: stored.length > 0 };
}

/**
 * The calendar and policies every SLA clock is derived with. Read in the caller's transaction, so a
 * report's columns are derived with the settings that transaction sees.
 */
export async function loadSlaSettings(db: Db, sla: SlaConfig): Promise<SlaSettings> {
  const calendar = await loadCalendar(db, sla);
  const { policies, defaults } = await effectivePolicies(db, sla);
  return { calendar, policies, defaults };
}

export interface ClockFilter {
  /** 'at_risk', 'breached' or 'attention' (both). */
  state: 'at_risk' | 'breached' | 'attention';
  stage?: SlaStage | undefined;
  /** Only clocks whose subject this staff member owns (assignee) or leads. */
  userId?: string | undefined;
  limit: number;
}

export interface ClockRow {
  subjectType: 'report' | 'case';
  subjectId: string;
  stage: string;
  label: string;
  severity: string;
  ownerId: string | null;
  ownerName: string | null;
  leadId: string | null;
  startedAt: Date;
  stoppedAt: Date | null;
  pausedSince: Date | null;
  dueAt: Date;
  riskAt: Date | null;
  state: SlaState;
  computedAt: Date;
}

/**
 * Open clocks that are at risk or breached at `now`, most urgent first. The state is decided in SQL
 * from the stored instants (the rule of clockStateAt), so the list is right between recomputations
 * as time passes; a stage done since the last recomputation leaves it at the next one.
 */
export async function attentionClocks(db: Db, filter: ClockFilter, now: Date): Promise<ClockRow[]> {
  // clockStateAt in SQL: a clock paused before its deadline is paused, not breached.
  const breached = sql<boolean>`(c.stopped_at is null and c.due_at < ${now}
    and (c.paused_since is null or c.paused_since >= c.due_at))`;
  const atRisk = sql<boolean>`(c.stopped_at is null and c.paused_since is null and c.due_at >= ${now} and c.risk_at <= ${now})`;
  let q = db
    .selectFrom('sla_clocks as c')
    .leftJoin('users as u', 'u.id', 'c.owner_id')
    .select([
      'c.subject_type',
      'c.subject_id',
      'c.stage',
      'c.label',
      'c.severity',
      'c.owner_id',
      'u.name as owner_name',
      'c.lead_id',
      'c.started_at',
      'c.stopped_at',
      'c.paused_since',
      'c.due_at',
      'c.risk_at',
      // Unchanged clocks are not rewritten by a recomputation (src/metrics/store.ts): the last run derived them.
      sql<Date>`coalesce((select mr.started_at from metric_runs mr order by mr.finished_at desc limit 1), c.computed_at)`.as(
        'computed_at',
      ),
      breached.as('breached'),
    ])
    .where('c.stopped_at', 'is', null);
  if (filter.state === 'breached') q = q.where(breached);
  else if (filter.state === 'at_risk') q = q.where(atRisk);
  else q = q.where((eb) => eb.or([breached, atRisk]));
  if (filter.stage) q = q.where('c.stage', '=', filter.stage);
  if (filter.userId) {
    const id = filter.userId;
    q = q.where((eb) => eb.or([eb('c.owner_id', '=', id), eb('c.lead_id', '=', id)]));
  }
  const rows = await q.orderBy('c.due_at').orderBy('c.label').limit(filter.limit).execute();
  return rows.map((r) => ({
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    stage: r.stage,
    label: r.label,
    severity: r.severity,
    ownerId: r.owner_id,
    ownerName: r.owner_name,
    leadId: r.lead_id,
    startedAt: r.started_at,
    stoppedAt: r.stopped_at,
    pausedSince: r.paused_since,
    dueAt: r.due_at,
    riskAt: r.risk_at,
    state: r.breached ? 'breached' : 'at_risk',
    computedAt: r.computed_at,
  }));
}
