import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { notFound } from '../core/errors.ts';
import { ctxOf, requireAuth, type Services } from '../http/auth.ts';
import { Abilities, Body, Email, errorResponses, IdParams, PageOf, PageQuery } from '../http/schemas.ts';
import { authorize, instance } from '../policy/policy.ts';
import { createOrg, deleteOrg, removeMembership, setMembership, updateOrg } from './commands.ts';
import { acceptInvitation, describeInvitation, inviteToOrg, listInvitations, revokeInvitation } from './invitations.ts';
import { presentOrg } from './present.ts';
import { findOrgById, listMembers, listOrgs } from './queries.ts';

const OrgSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    kind: Type.String(),
    website: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    abilities: Abilities,
  },
  { $id: 'Organization' },
);

const Invitation = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  email: Type.String(),
  role: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  acceptedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

const OrgUserParams = Type.Object(
  { id: Type.String({ maxLength: 64 }), userId: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);

/** Organizations, their members and invitations. A hidden org answers 404. */
export function orgRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  async function loadVisible(request: Parameters<typeof ctxOf>[1], id: string) {
    const org = await findOrgById(services.db, id);
    if (!org) throw notFound('organization', id);
    authorize(request.actor, 'org:read', { type: 'org', id: org.id, kind: org.kind });
    return org;
  }

  r.get(
    '/api/v1/orgs',
    {
      schema: {
        tags: ['orgs'],
        summary: 'List the organizations you may see (staff: all; others: their own)',
        querystring: Type.Object(
          {
            kind: Type.Optional(Type.String({ maxLength: 20 })),
            q: Type.Optional(Type.String({ maxLength: 200 })),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(OrgSchema), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const page = await listOrgs(services.db, request.actor, request.query);
      return { items: page.items.map((o) => presentOrg(o, request.actor)), nextCursor: page.nextCursor };
    },
  );

  r.post(
    '/api/v1/orgs',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Create an external organization (admin, coordinator)',
        body: Body({
          name: Type.String({ minLength: 1, maxLength: 200 }),
          kind: Type.String({ maxLength: 20 }),
          website: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
        }),
        response: { 201: OrgSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      authorize(request.actor, 'org:create', instance);
      const org = await createOrg(ctxOf(services, request), request.body);
      return reply.status(201).send(presentOrg(org, request.actor));
    },
  );

  r.get(
    '/api/v1/orgs/:id',
    {
      schema: {
        tags: ['orgs'],
        summary: 'One organization',
        params: IdParams,
        response: { 200: OrgSchema, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      return presentOrg(await loadVisible(request, request.params.id), request.actor);
    },
  );

  r.patch(
    '/api/v1/orgs/:id',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Change an organization',
        params: IdParams,
        body: Body({
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          website: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
        }),
        response: { 200: OrgSchema, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const org = await updateOrg(ctxOf(services, request), request.params.id, request.body);
      return presentOrg(org, request.actor);
    },
  );

  r.delete(
    '/api/v1/orgs/:id',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Delete an external organization (admin)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      await deleteOrg(ctxOf(services, request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/v1/orgs/:id/members',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Members of an organization',
        params: IdParams,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                userId: Type.String(),
                email: Type.String(),
                name: Type.String(),
                role: Type.String(),
                since: Type.String(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      requireAuth(request);
      const org = await loadVisible(request, request.params.id);
      const members = await listMembers(services.db, org.id);
      return { items: members.map((m) => ({ ...m, since: m.since.toISOString() })) };
    },
  );

  r.put(
    '/api/v1/orgs/:id/members/:userId',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Add a member or change their role',
        params: OrgUserParams,
        body: Body({ role: Type.String({ maxLength: 32 }) }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const { id, userId } = request.params;
      await setMembership(ctxOf(services, request), id, userId, request.body.role);
      return reply.status(204).send(null);
    },
  );

  r.delete(
    '/api/v1/orgs/:id/members/:userId',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Remove a member',
        params: OrgUserParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const { id, userId } = request.params;
      await removeMembership(ctxOf(services, request), id, userId);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/v1/orgs/:id/invitations',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Invitations of an organization',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Invitation) }), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const items = await listInvitations(ctxOf(services, request), request.params.id);
      return { items: items.map(isoInvitation) };
    },
  );

  r.post(
    '/api/v1/orgs/:id/invitations',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Invite an e-mail address into the organization (the link goes out by e-mail)',
        params: IdParams,
        body: Body({ email: Email, role: Type.String({ maxLength: 32 }) }),
        response: { 201: Invitation, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const { invitation } = await inviteToOrg(ctxOf(services, request), request.params.id, request.body);
      return reply.status(201).send(isoInvitation(invitation));
    },
  );

  r.delete(
    '/api/v1/orgs/:id/invitations/:invitationId',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Withdraw an invitation',
        params: Type.Object(
          { id: Type.String({ maxLength: 64 }), invitationId: Type.String({ maxLength: 64 }) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const { id, invitationId } = request.params;
      await revokeInvitation(ctxOf(services, request), id, invitationId);
      return reply.status(204).send(null);
    },
  );

  const publicLimit = { rateLimit: { max: services.config.rateLimit.publicPerMinute, timeWindow: 60_000 } };

  r.post(
    '/api/v1/invitations/lookup',
    {
      config: publicLimit,
      schema: {
        tags: ['orgs'],
        summary: 'What an invitation link is for (public: the token is the credential)',
        body: Body({ token: Type.String({ minLength: 10, maxLength: 200 }) }),
        response: {
          200: Type.Object({
            orgName: Type.String(),
            email: Type.String(),
            role: Type.String(),
            expiresAt: Type.String(),
            hasAccount: Type.Boolean(),
            /** The case the invitation was sent for (its id only), or null. */
            caseId: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const d = await describeInvitation(ctxOf(services, request), request.body.token);
      return { ...d, expiresAt: d.expiresAt.toISOString() };
    },
  );

  r.post(
    '/api/v1/invitations/accept',
    {
      config: publicLimit,
      schema: {
        tags: ['orgs'],
        summary: 'Accept an invitation: signed in, or with name and password for a new account',
        body: Body({
          token: Type.String({ minLength: 10, maxLength: 200 }),
          name: Type.Optional(Type.String({ maxLength: 200 })),
          password: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: {
          200: Type.Object({
            userId: Type.String(),
            orgId: Type.String(),
            caseId: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const body = request.body;
      const account =
        body.name !== undefined && body.password !== undefined ? { name: body.name, password: body.password } : null;
      return acceptInvitation(ctxOf(services, request), body.token, account);
    },
  );
}

function isoInvitation(i: {
  id: string;
  orgId: string;
  email: string;
  role: string;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}) {
  return {
    ...i,
    createdAt: i.createdAt.toISOString(),
    expiresAt: i.expiresAt.toISOString(),
    acceptedAt: i.acceptedAt?.toISOString() ?? null,
    revokedAt: i.revokedAt?.toISOString() ?? null,
  };
}
