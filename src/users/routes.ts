import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { notFound } from '../core/errors.ts';
import { ctxOf, requireAuth, type Services } from '../http/auth.ts';
import { Body, Email, errorResponses, IdParams, PageOf, PageQuery } from '../http/schemas.ts';
import { authorize, instance } from '../policy/policy.ts';
import { createUser, deleteUser, updateUser } from './commands.ts';
import { presentUser } from './present.ts';
import { findUserById, listUsers, membershipsOf, membershipsOfMany } from './queries.ts';
import { UserSchema } from './schemas.ts';

/** User administration. Staff may list; only admins create, disable or reset. */
export function userRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'List users you may see (staff: all), newest first',
        querystring: Type.Object(
          { q: Type.Optional(Type.String({ maxLength: 200 })), ...PageQuery },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(UserSchema), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      authorize(request.actor, 'user:list', instance);
      const page = await listUsers(services.db, request.actor, request.query);
      const memberships = await membershipsOfMany(
        services.db,
        page.items.map((u) => u.id),
      );
      return {
        items: page.items.map((u) => presentUser(u, memberships.get(u.id) ?? [], request.actor)),
        nextCursor: page.nextCursor,
      };
    },
  );

  r.post(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user (admin); with a staff role the user joins the home organization',
        body: Body({
          email: Email,
          name: Type.String({ minLength: 1, maxLength: 200 }),
          password: Type.Optional(Type.String({ maxLength: 200 })),
          role: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
          locale: Type.Optional(Type.String({ maxLength: 10 })),
          timeZone: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 201: UserSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const body = request.body;
      const ctx = ctxOf(services, request);
      const user = await createUser(ctx, { ...body, staffRole: body.role ?? null });
      return reply.status(201).send(presentUser(user, await membershipsOf(services.db, user.id), ctx.actor));
    },
  );

  r.get(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'One user',
        params: IdParams,
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const { id } = request.params;
      const user = await findUserById(services.db, id);
      if (!user) throw notFound('user', id);
      const memberships = await membershipsOf(services.db, id);
      authorize(request.actor, 'user:read', { type: 'user', id, orgIds: memberships.map((m) => m.orgId) });
      return presentUser(user, memberships, request.actor);
    },
  );

  r.patch(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Change a user (profile fields: the user or an admin; disabled and password: admin)',
        params: IdParams,
        body: Body({
          name: Type.Optional(Type.String({ maxLength: 200 })),
          locale: Type.Optional(Type.String({ maxLength: 10 })),
          timeZone: Type.Optional(Type.String({ maxLength: 64 })),
          pgpPublicKey: Type.Optional(Type.Union([Type.String({ maxLength: 100_000 }), Type.Null()])),
          disabled: Type.Optional(Type.Boolean()),
          password: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const { id } = request.params;
      const ctx = ctxOf(services, request);
      const user = await updateUser(ctx, id, request.body);
      const memberships = await membershipsOf(services.db, id);
      authorize(request.actor, 'user:read', { type: 'user', id, orgIds: memberships.map((m) => m.orgId) });
      return presentUser(user, memberships, request.actor);
    },
  );

  r.delete(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Delete a user (admin); disabling keeps the account and is usually what you want',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      await deleteUser(ctxOf(services, request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
