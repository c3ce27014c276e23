import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { notFound } from '../core/errors.ts';
import { ctxOf, type Services } from '../http/auth.ts';
import { Body, errorResponses } from '../http/schemas.ts';
import { authorizeOperations, canOperate } from '../policy/operations.ts';
import { ASSESSABLE_ITEMS, CATALOGUE, FRAMEWORK } from './catalogue.ts';
import { addGap, createAssessment, homeOrgId, rateItems, removeGap, updateAssessment, updateGap } from './commands.ts';
import { assessmentView, findAssessment, listAssessments, type AssessmentRow } from './queries.ts';
import { maturityLevels, toCsv } from './rules.ts';

const Loose = Type.Object({}, { additionalProperties: true });
const Id = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const IdGap = Type.Object(
  { id: Type.String({ maxLength: 64 }), gapId: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);
const Str = (max: number) => Type.String({ maxLength: max });
const GapBody = {
  itemId: Type.Optional(Str(20)),
  action: Type.Optional(Str(2000)),
  owner: Type.Optional(Str(200)),
  dueOn: Type.Optional(Type.Union([Str(10), Type.Null()])),
  done: Type.Optional(Type.Boolean()),
};

/** PSIRT Services Framework self-assessment (staff of the home organization; anyone else gets 404). */
export function assessmentRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const db = services.db;

  async function readable(actor: Parameters<typeof canOperate>[0], id: string): Promise<AssessmentRow> {
    authorizeOperations(actor, 'assessment:read', { what: 'assessment', id });
    const a = await findAssessment(db, await homeOrgId(db), id);
    if (!a) throw notFound('assessment', id);
    return a;
  }

  async function full(actor: Parameters<typeof canOperate>[0], a: AssessmentRow) {
    return { ...(await assessmentView(db, a)), abilities: { write: canOperate(actor, 'assessment:write') } };
  }

  r.get(
    '/api/v1/assessments/framework',
    {
      schema: {
        tags: ['assessment'],
        summary: 'The framework catalogue (service areas, services, functions; v1.1 numbering) and the maturity scale',
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      authorizeOperations(request.actor, 'assessment:read', { what: 'assessment', id: 'framework' });
      return { framework: FRAMEWORK, areas: CATALOGUE, items: ASSESSABLE_ITEMS, levels: maturityLevels };
    },
  );

  r.get(
    '/api/v1/assessments',
    {
      schema: {
        tags: ['assessment'],
        summary: 'Every self-assessment, newest first, with its per-area summary (the history)',
        response: { 200: Type.Object({ items: Type.Array(Loose), abilities: Loose }), ...errorResponses },
      },
    },
    async (request) => {
      authorizeOperations(request.actor, 'assessment:read', { what: 'assessment', id: 'list' });
      return {
        items: await listAssessments(db, await homeOrgId(db)),
        abilities: { write: canOperate(request.actor, 'assessment:write') },
      };
    },
  );

  r.post(
    '/api/v1/assessments',
    {
      schema: {
        tags: ['assessment'],
        summary: "Start an assessment (from the previous one's ratings and open gaps unless startEmpty)",
        body: Body({
          title: Type.Optional(Str(200)),
          assessedOn: Type.Optional(Str(10)),
          notes: Type.Optional(Str(20_000)),
          startEmpty: Type.Optional(Type.Boolean()),
        }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      const a = await createAssessment(ctxOf(services, request), request.body);
      return reply.status(201).send(await full(request.actor, a));
    },
  );

  r.get(
    '/api/v1/assessments/:id',
    {
      schema: {
        tags: ['assessment'],
        summary:
          'One assessment: ratings, evidence, gap actions, per-area summary and the change since the previous one',
        params: Id,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => full(request.actor, await readable(request.actor, request.params.id)),
  );

  r.patch(
    '/api/v1/assessments/:id',
    {
      schema: {
        tags: ['assessment'],
        summary: 'Change the title, day or notes',
        params: Id,
        body: Body({
          title: Type.Optional(Str(200)),
          assessedOn: Type.Optional(Str(10)),
          notes: Type.Optional(Str(20_000)),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      const a = await updateAssessment(ctxOf(services, request), request.params.id, request.body);
      return full(request.actor, a);
    },
  );

  r.put(
    '/api/v1/assessments/:id/items',
    {
      schema: {
        tags: ['assessment'],
        summary: 'Rate items: maturity level 0–3 and evidence (items not named keep their rating)',
        params: Id,
        body: Body({
          items: Type.Array(
            Type.Object(
              { itemId: Str(20), level: Type.Integer(), evidence: Type.Optional(Str(20_000)) },
              { additionalProperties: false },
            ),
            { maxItems: 500 },
          ),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      await rateItems(ctxOf(services, request), request.params.id, request.body.items);
      return full(request.actor, await readable(request.actor, request.params.id));
    },
  );

  r.post(
    '/api/v1/assessments/:id/gaps',
    {
      schema: {
        tags: ['assessment'],
        summary: 'Add a gap action (item, action, owner, due day)',
        params: Id,
        body: Body(GapBody),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      const gap = await addGap(ctxOf(services, request), request.params.id, request.body);
      return reply.status(201).send(gap);
    },
  );

  r.patch(
    '/api/v1/assessments/:id/gaps/:gapId',
    {
      schema: {
        tags: ['assessment'],
        summary: 'Change a gap action or mark it done',
        params: IdGap,
        body: Body(GapBody),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => updateGap(ctxOf(services, request), request.params.id, request.params.gapId, request.body),
  );

  r.delete(
    '/api/v1/assessments/:id/gaps/:gapId',
    {
      schema: {
        tags: ['assessment'],
        summary: 'Remove a gap action',
        params: IdGap,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await removeGap(ctxOf(services, request), request.params.id, request.params.gapId);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/v1/assessments/:id/export',
    {
      schema: {
        tags: ['assessment'],
        summary: 'Download an assessment as CSV (one row per framework item) or JSON',
        params: Id,
        querystring: Type.Object(
          { format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('json')])) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Any(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const a = await readable(request.actor, request.params.id);
      const view = await assessmentView(db, a);
      const name = `psirt-assessment-${a.assessed_on}`;
      if (request.query.format === 'csv') {
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}.csv"`)
          .send(toCsv({ title: a.title, assessedOn: a.assessed_on }, view.items, view.gaps));
      }
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}.json"`)
        .send(
          JSON.stringify(
            {
              framework: FRAMEWORK,
              scale: maturityLevels,
              assessment: view,
              catalogue: ASSESSABLE_ITEMS,
            },
            null,
            2,
          ),
        );
    },
  );
}
