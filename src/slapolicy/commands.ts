import { sql } from 'kysely';
import { type Ctx, type Db, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { newId } from '../core/ids.ts';
import { enqueueJob, type JobRow } from '../jobs/queue.ts';
import { queueMail } from '../mail/outbox.ts';
import { actorId } from '../policy/actor.ts';
import { authorize, instance } from '../policy/policy.ts';
import { metricsRefreshJob } from '../metrics/commands.ts';
import { refreshAllReportSla } from '../reports/commands.ts';
import { localDate, type BusinessCalendar } from '../sla/calendar.ts';
import { CALENDAR_ID, loadCalendar, loadPolicies } from './queries.ts';
import { assertCalendarInput, checkPolicies, stagePhases, type SlaStage, type StagePolicy } from './rules.ts';

export const SLA_ALERT_JOB = 'sla.alert';
/** After a policy or calendar change: every report's queue columns, then the SLA clocks, derived again. */
export const SLA_REFRESH_JOB = 'sla.refresh';

/** One refresh job per change, enqueued in the change's transaction (the job reads the settings when it runs). */
async function enqueueSlaRefresh(tx: Db, ctx: Ctx): Promise<void> {
  await enqueueJob(tx, { kind: SLA_REFRESH_JOB, payload: {}, uniqueKey: `${SLA_REFRESH_JOB}:${newId()}` }, ctx.now());
}

/**
 * The `sla.refresh` job: the report queue's SLA columns of every report, then the SLA clocks of the
 * SLA views and metrics (a full recomputation) and the alerts they now call for — so that a changed
 * policy or calendar shows the same deadlines everywhere. Safe to run again: it derives, it does not add.
 */
export async function slaRefreshJob(ctx: Ctx, _payload?: Record<string, unknown>, _job?: JobRow): Promise<void> {
  await refreshAllReportSla(ctx);
  await metricsRefreshJob(ctx);
}

/** Admins replace the SLA policies as a whole (an empty list returns to the built-in defaults). */
export async function setSlaPolicies(ctx: Ctx, input: readonly Record<string, unknown>[]): Promise<StagePolicy[]> {
  authorize(ctx.actor, 'settings:update', instance);
  const policies = checkPolicies(input);
  return inTransaction(ctx, async (tx) => {
    const before = await loadPolicies(tx);
    await tx.deleteFrom('sla_policies').execute();
    if (policies.length > 0) {
      await tx
        .insertInto('sla_policies')
        .values(
          policies.map((p) => ({
            stage: p.stage,
            severity: p.severity,
            target_business_days: p.targetBusinessDays,
            at_risk_fraction: p.atRiskFraction,
            pause_awaiting_finder: p.pauseAwaitingFinder,
            updated_by: actorId(ctx.actor),
            updated_at: ctx.now(),
          })),
        )
        .execute();
    }
    await enqueueSlaRefresh(tx, ctx);
    await recordAudit(tx, ctx, {
      action: 'sla.policies_set',
      subjectType: 'sla_policy',
      subjectId: null,
      summary: { before, after: policies },
    });
    return policies;
  });
}

/** Admins set the business calendar of the SLA clocks (time zone, workdays, holidays, hours). */
export async function setSlaCalendar(ctx: Ctx, input: unknown): Promise<BusinessCalendar> {
  authorize(ctx.actor, 'settings:update', instance);
  assertCalendarInput(input);
  const cal: BusinessCalendar = {
    timeZone: input.timeZone,
    workdays: [...(input.workdays ?? [1, 2, 3, 4, 5])],
    holidays: [...new Set(input.holidays ?? [])].sort(),
    ...(input.hours ? { hours: { start: input.hours.start, end: input.hours.end } } : {}),
  };
  return inTransaction(ctx, async (tx) => {
    const before = await loadCalendar(tx, ctx.config.sla);
    const values = {
      time_zone: cal.timeZone,
      workdays: JSON.stringify(cal.workdays),
      holidays: JSON.stringify(cal.holidays),
      hours: JSON.stringify(cal.hours ?? null),
      updated_by: actorId(ctx.actor),
      updated_at: ctx.now(),
    };
    await tx
      .insertInto('sla_calendar')
      .values({ id: CALENDAR_ID, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
    await enqueueSlaRefresh(tx, ctx);
    await recordAudit(tx, ctx, {
      action: 'sla.calendar_set',
      subjectType: 'sla_calendar',
      subjectId: null,
      summary: { before, after: cal },
    });
    return cal;
  });
}

/**
 * Records every threshold a clock has crossed at `now` (at risk, breached) that was not recorded
 * before, and enqueues one alert job per new crossing. The unique key of `sla_alerts` makes each
 * crossing alert once, however often the sweep runs and on however many nodes.
 */
export async function sweepSlaAlerts(ctx: Ctx): Promise<number> {
  const now = ctx.now();
  return inTransaction(ctx, async (tx) => {
    // clockStateAt in SQL: a clock paused before its deadline is paused, not breached.
    const breached = sql`(c.due_at < ${now} and (c.paused_since is null or c.paused_since >= c.due_at))`;
    const crossed = await sql<{
      subject_type: 'report' | 'case';
      subject_id: string;
      stage: string;
      threshold: 'at_risk' | 'breached';
      due_at: Date;
    }>`
      select c.subject_type, c.subject_id, c.stage, c.due_at,
             case when ${breached} then 'breached' else 'at_risk' end as threshold
      from sla_clocks c
      where c.stopped_at is null
        and (${breached} or (c.paused_since is null and c.risk_at <= ${now}))
        and not exists (
          select 1 from sla_alerts a
          where a.subject_type = c.subject_type and a.subject_id = c.subject_id and a.stage = c.stage
            and a.threshold = case when ${breached} then 'breached' else 'at_risk' end)`.execute(tx);
    let created = 0;
    for (let i = 0; i < crossed.rows.length; i += 500) {
      const chunk = crossed.rows.slice(i, i + 500);
      const inserted = await tx
        .insertInto('sla_alerts')
        .values(
          chunk.map((c) => ({
            id: newId(),
            subject_type: c.subject_type,
            subject_id: c.subject_id,
            stage: c.stage,
            threshold: c.threshold,
            due_at: c.due_at,
            created_at: now,
          })),
        )
        .onConflict((oc) => oc.columns(['subject_type', 'subject_id', 'stage', 'threshold']).doNothing())
        .returning('id')
        .execute();
      for (const row of inserted) {
        await enqueueJob(
          tx,
          { kind: SLA_ALERT_JOB, payload: { alertId: row.id }, uniqueKey: `sla-alert:${row.id}` },
          now,
        );
      }
      created += inserted.length;
    }
    return created;
  });
}

/**
 * The alert job: mails the assignee and the lead of the clock's report or case (the coordinators
 * when it has neither). A notice only — the tracking id, the stage and the deadline, no content.
 * A stage done before the job runs sends nothing.
 */
export async function slaAlertJob(ctx: Ctx, payload: Record<string, unknown>, _job?: JobRow): Promise<void> {
  const alertId = typeof payload['alertId'] === 'string' ? payload['alertId'] : '';
  await inTransaction(ctx, async (tx) => {
    const alert = await tx
      .selectFrom('sla_alerts as a')
      .innerJoin('sla_clocks as c', (j) =>
        j
          .onRef('c.subject_type', '=', 'a.subject_type')
          .onRef('c.subject_id', '=', 'a.subject_id')
          .onRef('c.stage', '=', 'a.stage'),
      )
      .select([
        'a.threshold',
        'a.subject_type',
        'c.stage',
        'c.label',
        'c.due_at',
        'c.stopped_at',
        'c.owner_id',
        'c.lead_id',
      ])
      .where('a.id', '=', alertId)
      .executeTakeFirst();
    if (!alert || alert.stopped_at !== null) return;
    const ids = [alert.owner_id, alert.lead_id].filter((x): x is string => x !== null);
    let recipients = ids.length
      ? await tx.selectFrom('users').select(['email']).where('id', 'in', ids).where('disabled_at', 'is', null).execute()
      : [];
    if (recipients.length === 0) {
      recipients = await tx
        .selectFrom('memberships as m')
        .innerJoin('organizations as o', 'o.id', 'm.org_id')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['u.email'])
        .where('o.kind', '=', 'home')
        .where('m.role', '=', 'coordinator')
        .where('u.disabled_at', 'is', null)
        .execute();
    }
    const cal = await loadCalendar(tx, ctx.config.sla);
    const what = alert.subject_type === 'report' ? 'report' : 'case';
    const link = `${ctx.config.baseUrl}/${what}s/${encodeURIComponent(alert.label)}`;
    const phase = stagePhases[alert.stage as SlaStage] ?? alert.stage;
    const verdict = alert.threshold === 'breached' ? 'is past its SLA deadline' : 'is at risk of missing its SLA';
    for (const r of new Set(recipients.map((x) => x.email))) {
      await queueMail(tx, ctx, {
        to: r,
        subject: `[${alert.label}] SLA ${alert.threshold === 'breached' ? 'breached' : 'at risk'}: ${alert.stage}`,
        text: [
          `The ${alert.stage} stage (ISO/IEC 30111 ${phase}) of ${what} ${alert.label} ${verdict}.`,
          `Due: ${alert.due_at.toISOString()} (${localDate(cal, alert.due_at)} in ${cal.timeZone}).`,
          '',
          link,
        ].join('\n'),
      });
    }
  });
}
