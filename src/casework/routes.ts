import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { findCase } from '../cases/queries.ts';
import { notFound } from '../core/errors.ts';
import { ctxOf, type Services } from '../http/auth.ts';
import { Body, errorResponses } from '../http/schemas.ts';
import { authorizeOperations, canOperate } from '../policy/operations.ts';
import {
  addEntry,
  clearSignoff,
  removeEntry,
  resetTemplate,
  saveTemplate,
  savePostmortem,
  setOverview,
  signStep,
  updateEntry,
} from './commands.ts';
import { caseworkView, currentTemplate } from './queries.ts';
import { entryKinds, internalRoles } from './rules.ts';

const Loose = Type.Object({}, { additionalProperties: true });
const Ref = Type.Object({ ref: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const RefId = Type.Object(
  { ref: Type.String({ maxLength: 64 }), id: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);
const Str = (max: number) => Type.String({ maxLength: max });
const Step = Type.Object({ key: Str(40), title: Str(300) }, { additionalProperties: false });
const Question = Type.Object({ key: Str(40), text: Str(1000) }, { additionalProperties: false });
const Template = Type.Object({
  steps: Type.Array(Step),
  questions: Type.Array(Question),
  postmortemDays: Type.Integer(),
  custom: Type.Boolean(),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
});
/** Entry fields vary by kind; the command checks them (rules.ts) and says which field is wrong. */
const EntryFields = Type.Record(Type.String(), Type.Unknown(), { maxProperties: 20 });

/**
 * The case execution template (staff only; anyone else gets 404, anonymous callers 401 — the
 * commands and `authorizeOperations` decide, before anything is read).
 */
export function caseworkRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const db = services.db;

  async function presentTemplate() {
    const t = await currentTemplate(db);
    return { ...t, updatedAt: t.updatedAt?.toISOString() ?? null };
  }

  r.get(
    '/api/v1/casework/templates',
    {
      schema: {
        tags: ['casework'],
        summary: "The home organization's case execution template (or the shipped default)",
        response: { 200: Template, ...errorResponses },
      },
    },
    async (request) => {
      authorizeOperations(request.actor, 'casework:read', { what: 'casework template', id: 'home' });
      return presentTemplate();
    },
  );

  r.put(
    '/api/v1/casework/templates',
    {
      schema: {
        tags: ['casework'],
        summary:
          'Replace the template: checklist steps, post-mortem questions, days after release (admins, coordinators)',
        body: Body({
          steps: Type.Array(Step, { maxItems: 60 }),
          questions: Type.Array(Question, { maxItems: 60 }),
          postmortemDays: Type.Integer(),
        }),
        response: { 200: Template, ...errorResponses },
      },
    },
    async (request) => {
      await saveTemplate(ctxOf(services, request), request.body);
      return presentTemplate();
    },
  );

  r.delete(
    '/api/v1/casework/templates',
    {
      schema: {
        tags: ['casework'],
        summary: 'Go back to the shipped default template (admins, coordinators)',
        response: { 200: Template, ...errorResponses },
      },
    },
    async (request) => {
      await resetTemplate(ctxOf(services, request));
      return presentTemplate();
    },
  );

  r.get(
    '/api/v1/cases/:ref/casework',
    {
      schema: {
        tags: ['casework'],
        summary: "The case's execution template as filled in so far (staff)",
        params: Ref,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      const { ref } = request.params;
      authorizeOperations(request.actor, 'casework:read', { what: 'case', id: ref });
      const c = await findCase(db, ref);
      if (!c) throw notFound('case', ref);
      return {
        ...(await caseworkView(db, c)),
        vocabulary: { internalRoles, entryKinds },
        abilities: { write: canOperate(request.actor, 'casework:write') },
      };
    },
  );

  r.put(
    '/api/v1/cases/:ref/casework/checklist',
    {
      schema: {
        tags: ['casework'],
        summary: 'Sign a checklist step off by name and date (defaults: you, today)',
        params: Ref,
        body: Body({
          step: Str(40),
          name: Type.Optional(Str(200)),
          date: Type.Optional(Str(10)),
          note: Type.Optional(Str(2000)),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      const { step, ...input } = request.body;
      return signStep(ctxOf(services, request), request.params.ref, step, input);
    },
  );

  r.delete(
    '/api/v1/cases/:ref/casework/checklist',
    {
      schema: {
        tags: ['casework'],
        summary: "Withdraw a step's sign-off (the timeline keeps it)",
        params: Ref,
        querystring: Type.Object({ step: Str(40) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await clearSignoff(ctxOf(services, request), request.params.ref, request.query.step);
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/cases/:ref/casework/entries',
    {
      schema: {
        tags: ['casework'],
        summary: 'Add a stakeholder, meeting, reproduction or remediation',
        params: Ref,
        body: Body({
          kind: Type.Union(entryKinds.map((k) => Type.Literal(k))),
          data: EntryFields,
        }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      const entry = await addEntry(ctxOf(services, request), request.params.ref, request.body.kind, request.body.data);
      return reply.status(201).send(entry);
    },
  );

  r.patch(
    '/api/v1/cases/:ref/casework/entries/:id',
    {
      schema: {
        tags: ['casework'],
        summary: "Replace an entry's content",
        params: RefId,
        body: Body({ data: EntryFields }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      return updateEntry(ctxOf(services, request), request.params.ref, request.params.id, request.body.data);
    },
  );

  r.delete(
    '/api/v1/cases/:ref/casework/entries/:id',
    {
      schema: {
        tags: ['casework'],
        summary: 'Remove an entry (its history stays on the timeline)',
        params: RefId,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await removeEntry(ctxOf(services, request), request.params.ref, request.params.id);
      return reply.status(204).send(null);
    },
  );

  r.put(
    '/api/v1/cases/:ref/casework/overview',
    {
      schema: {
        tags: ['casework'],
        summary: 'The issue overview: summary, root cause, impact, resolution (fields left out stay)',
        params: Ref,
        body: Body({
          summary: Type.Optional(Str(50_000)),
          rootCause: Type.Optional(Str(50_000)),
          impact: Type.Optional(Str(50_000)),
          resolution: Type.Optional(Str(50_000)),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      return setOverview(ctxOf(services, request), request.params.ref, request.body);
    },
  );

  r.put(
    '/api/v1/cases/:ref/casework/postmortem',
    {
      schema: {
        tags: ['casework'],
        summary: 'Answer the post-mortem questions; `complete` closes it (every answer and the day needed)',
        params: Ref,
        body: Body({
          answers: Type.Optional(Type.Record(Str(40), Str(50_000), { maxProperties: 60 })),
          participants: Type.Optional(Str(2000)),
          heldOn: Type.Optional(Type.Union([Str(10), Type.Null()])),
          complete: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      return savePostmortem(ctxOf(services, request), request.params.ref, request.body);
    },
  );
}
