import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ctxOf, requireAuth, type Services } from '../http/auth.ts';
import { Body, errorResponses } from '../http/schemas.ts';
import { actorId } from '../policy/actor.ts';
import { authorize, instance } from '../policy/policy.ts';
import { setSlaCalendar, setSlaPolicies } from './commands.ts';
import { attentionClocks, effectivePolicies, loadCalendar } from './queries.ts';
import { policySeverities, slaStages, stagePhases, type SlaStage } from './rules.ts';

const Policy = Type.Object(
  {
    stage: Type.Union(slaStages.map((s) => Type.Literal(s))),
    severity: Type.Union(policySeverities.map((s) => Type.Literal(s))),
    targetBusinessDays: Type.Integer({ minimum: 0, maximum: 3650 }),
    atRiskFraction: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    pauseAwaitingFinder: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const Calendar = Type.Object(
  {
    timeZone: Type.String({ maxLength: 64 }),
    workdays: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7 })),
    holidays: Type.Optional(Type.Array(Type.String({ maxLength: 10 }), { maxItems: 1000 })),
    hours: Type.Optional(
      Type.Object(
        { start: Type.String({ maxLength: 5 }), end: Type.String({ maxLength: 5 }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
const Loose = Type.Object({}, { additionalProperties: true });

/** SLA policies per ISO/IEC 30111 stage and severity, the business calendar, and the at-risk and breached lists. */
export function slaPolicyRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const db = services.db;

  async function current() {
    const { policies, defaults, stored } = await effectivePolicies(db, services.config.sla);
    return {
      policies,
      defaults,
      usingDefaults: !stored,
      stages: slaStages.map((s) => ({ stage: s, phase: stagePhases[s] })),
      severities: policySeverities,
      calendar: await loadCalendar(db, services.config.sla),
    };
  }

  r.get(
    '/api/v1/sla/policies',
    {
      schema: {
        tags: ['sla'],
        summary: 'The SLA policies in force, the built-in defaults and the business calendar (staff)',
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      authorize(request.actor, 'metrics:read', instance);
      return current();
    },
  );

  r.put(
    '/api/v1/sla/policies',
    {
      schema: {
        tags: ['sla'],
        summary: 'Replace the SLA policies (admins; audited). An empty list returns to the defaults',
        body: Body({ policies: Type.Array(Policy, { maxItems: 100 }) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await setSlaPolicies(ctxOf(services, request), request.body.policies);
      return current();
    },
  );

  r.put(
    '/api/v1/sla/calendar',
    {
      schema: {
        tags: ['sla'],
        summary: 'Set the business calendar of the SLA clocks: time zone, workdays, holidays, hours (admins; audited)',
        body: Calendar,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await setSlaCalendar(ctxOf(services, request), request.body);
      return current();
    },
  );

  r.get(
    '/api/v1/sla/clocks',
    {
      schema: {
        tags: ['sla'],
        summary: 'Open SLA clocks that are at risk or breached now, most urgent first (staff)',
        querystring: Type.Object(
          {
            state: Type.Optional(
              Type.Union([Type.Literal('at_risk'), Type.Literal('breached'), Type.Literal('attention')]),
            ),
            stage: Type.Optional(Type.Union(slaStages.map((s) => Type.Literal(s)))),
            mine: Type.Optional(Type.Boolean()),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      authorize(request.actor, 'metrics:read', instance);
      const q = request.query;
      const now = services.now();
      const items = await attentionClocks(
        db,
        {
          state: q.state ?? 'attention',
          stage: q.stage,
          userId: q.mine ? (actorId(request.actor) ?? undefined) : undefined,
          limit: q.limit ?? 200,
        },
        now,
      );
      return {
        now: now.toISOString(),
        items: items.map((c) => ({
          ...c,
          phase: stagePhases[c.stage as SlaStage] ?? c.stage,
          startedAt: c.startedAt.toISOString(),
          stoppedAt: c.stoppedAt?.toISOString() ?? null,
          pausedSince: c.pausedSince?.toISOString() ?? null,
          dueAt: c.dueAt.toISOString(),
          riskAt: c.riskAt?.toISOString() ?? null,
          computedAt: c.computedAt.toISOString(),
        })),
      };
    },
  );
}
