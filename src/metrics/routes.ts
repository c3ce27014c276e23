import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { Type } from 'typebox';
import type { Db } from '../app/context.ts';
import { validation } from '../core/errors.ts';
import { ctxOf, requireAuth, type Services } from '../http/auth.ts';
import { errorResponses } from '../http/schemas.ts';
import { authorize, instance } from '../policy/policy.ts';
import type { Actor } from '../policy/actor.ts';
import type { BusinessCalendar } from '../sla/calendar.ts';
import { loadCalendar } from '../slapolicy/queries.ts';
import { refreshMetrics } from './commands.ts';
import { lastRun, metricCases, metricOwners, metricReports, metricVendors } from './queries.ts';
import { csvCell, parseBound, summarize, type MetricsFilter } from './rules.ts';

const Loose = Type.Object({}, { additionalProperties: true });
const FilterQuery = {
  from: Type.Optional(Type.String({ maxLength: 40 })),
  to: Type.Optional(Type.String({ maxLength: 40 })),
  product: Type.Optional(Type.String({ maxLength: 200 })),
  owner: Type.Optional(Type.String({ format: 'uuid' })),
};
type FilterQueryT = { from?: string; to?: string; product?: string; owner?: string };

const datasets = ['summary', 'reports', 'cases', 'vendors'] as const;
type Dataset = (typeof datasets)[number];

/** PSIRT metrics for staff: the dashboard figures, per-item exports, and an on-demand recomputation. */
export function metricsRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const db = services.db;

  async function filterOf(query: FilterQueryT): Promise<{ filter: MetricsFilter; cal: BusinessCalendar }> {
    const cal = await loadCalendar(db, services.config.sla);
    const bound = (name: 'from' | 'to') => {
      const text = query[name];
      if (!text) return undefined;
      const at = parseBound(cal, text, name === 'to');
      if (!at) {
        throw validation(`${name} must be a date (YYYY-MM-DD) or an instant with its offset (2026-11-28T09:00:00Z)`, {
          field: name,
        });
      }
      return at;
    };
    const filter: MetricsFilter = {
      from: bound('from'),
      to: bound('to'),
      product: query.product?.trim() || undefined,
      owner: query.owner,
    };
    if (filter.from && filter.to && filter.from >= filter.to) {
      throw validation('from must be before to', { field: 'from' });
    }
    return { filter, cal };
  }

  async function dashboard(dbx: Db, query: FilterQueryT) {
    const { filter, cal } = await filterOf(query);
    const timeZone = cal.timeZone;
    const [reports, cases, vendors, run] = [
      await metricReports(dbx, filter),
      await metricCases(dbx, filter),
      await metricVendors(dbx, filter),
      await lastRun(dbx),
    ];
    return {
      computedAt: run?.finished_at.toISOString() ?? null,
      recomputeMs: run?.duration_ms ?? null,
      timeZone,
      filter: {
        from: filter.from?.toISOString() ?? null,
        to: filter.to?.toISOString() ?? null,
        product: filter.product ?? null,
        owner: filter.owner ?? null,
      },
      summary: summarize(cal, reports, cases, vendors),
      items: { reports, cases, vendors },
    };
  }

  const staffOnly = (actor: Actor) => authorize(actor, 'metrics:read', instance);

  /**
   * Summaries of the last recomputation, per filter and calendar. The figures change only when a new run lands
   * or the calendar is edited, and both are in the key, so every node stays right without being told; the
   * first request of a filter after a run computes it.
   */
  const summaries = new Map<string, Awaited<ReturnType<typeof dashboard>>>();
  async function cachedDashboard(query: FilterQueryT) {
    const [run, { filter, cal }] = [await lastRun(db), await filterOf(query)];
    if (!run) return dashboard(db, query);
    const key = JSON.stringify([run.id, run.finished_at, cal, filter]);
    const hit = summaries.get(key);
    if (hit) return hit;
    const d = await dashboard(db, query);
    if (summaries.size >= 64) summaries.delete(summaries.keys().next().value ?? '');
    summaries.set(key, d);
    return d;
  }

  r.get(
    '/api/v1/metrics/summary',
    {
      schema: {
        tags: ['metrics'],
        summary: 'PSIRT metrics computed from recorded events (staff); filter by date range, product, owner',
        description:
          'Figures come from the last full recomputation (computedAt), which a job runs every ten minutes. ' +
          'from/to are local dates in the SLA calendar zone (to inclusive) or instants; owner is the staff ' +
          'member assigned to the report or leading the case.',
        querystring: Type.Object(FilterQuery, { additionalProperties: false }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      staffOnly(request.actor);
      const d = await cachedDashboard(request.query);
      return {
        computedAt: d.computedAt,
        recomputeMs: d.recomputeMs,
        timeZone: d.timeZone,
        filter: d.filter,
        ...d.summary,
      };
    },
  );

  r.get(
    '/api/v1/metrics/export',
    {
      schema: {
        tags: ['metrics'],
        summary: 'Export the metrics as JSON or CSV: the summary, or one row per report, case or vendor participation',
        querystring: Type.Object(
          {
            format: Type.Union([Type.Literal('json'), Type.Literal('csv')]),
            dataset: Type.Optional(Type.Union(datasets.map((d) => Type.Literal(d)))),
            ...FilterQuery,
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      requireAuth(request);
      staffOnly(request.actor);
      const {
        format,
        dataset = 'summary',
        ...query
      } = request.query as FilterQueryT & {
        format: 'json' | 'csv';
        dataset?: Dataset;
      };
      const d = await dashboard(db, query);
      const body =
        format === 'json'
          ? `${JSON.stringify(
              dataset === 'summary'
                ? { computedAt: d.computedAt, timeZone: d.timeZone, filter: d.filter, ...d.summary }
                : d.items[dataset],
              null,
              2,
            )}\n`
          : toCsv(dataset, d);
      return reply
        .type(format === 'json' ? 'application/json' : 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="accord-metrics-${dataset}.${format}"`)
        .send(body);
    },
  );

  r.get(
    '/api/v1/metrics/owners',
    {
      schema: {
        tags: ['metrics'],
        summary: 'Staff members who are assigned a report or lead a case (the owner filter)',
        response: {
          200: Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      requireAuth(request);
      staffOnly(request.actor);
      return { items: await metricOwners(db) };
    },
  );

  r.post(
    '/api/v1/metrics/refresh',
    {
      schema: {
        tags: ['metrics'],
        summary: 'Recompute every metric and SLA clock from the events now (admins and coordinators)',
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const { run, alerts } = await refreshMetrics(ctxOf(services, request));
      return { ...run, startedAt: run.startedAt.toISOString(), alerts };
    },
  );
}

/** One CSV: the summary as metric/value lines, or one line per item. */
function toCsv(
  dataset: Dataset,
  d: { computedAt: string | null; summary: object; items: Record<'reports' | 'cases' | 'vendors', object[]> },
): string {
  if (dataset === 'summary') {
    const lines: string[][] = [['metric', 'value']];
    const walk = (prefix: string, v: unknown) => {
      if (Array.isArray(v)) {
        v.forEach((x, i) => {
          const key =
            x && typeof x === 'object' && ('key' in x || 'label' in x || 'month' in x)
              ? String(
                  (x as Record<string, unknown>)['key'] ??
                    (x as Record<string, unknown>)['label'] ??
                    (x as Record<string, unknown>)['month'],
                )
              : String(i);
          walk(`${prefix}.${key}`, x);
        });
      } else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === 'key' || k === 'label' || k === 'month') continue;
          walk(prefix ? `${prefix}.${k}` : k, x);
        }
      } else lines.push([prefix, csvCell(v)]);
    };
    walk('', { computedAt: d.computedAt, ...d.summary });
    return stringifyCsv(lines);
  }
  const items = d.items[dataset] as Record<string, unknown>[];
  const columns = items[0] ? Object.keys(items[0]) : [];
  return stringifyCsv([columns, ...items.map((it) => columns.map((c) => csvCell(it[c])))]);
}
