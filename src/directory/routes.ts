import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { notFound } from '../core/errors.ts';
import { ctxOf, requireAuth, type Services } from '../http/auth.ts';
import { Body, errorResponses } from '../http/schemas.ts';
import { findOrgById } from '../orgs/queries.ts';
import { authorize, can, instance } from '../policy/policy.ts';
import {
  addContact,
  addProduct,
  addRelation,
  approveContact,
  createCommunity,
  deleteCommunity,
  discardContactChange,
  exportDirectory,
  importDirectory,
  inviteCommunity,
  removeContact,
  removeProduct,
  removeRelation,
  setVerified,
  updateCommunity,
  updateContact,
  updateProfile,
} from './commands.ts';
import { listCommunities, listDirectory, listPendingContacts } from './queries.ts';
import { contactRoles } from './rules.ts';

const Loose = Type.Object({}, { additionalProperties: true });
const Text = (max: number) => Type.String({ maxLength: max });
const OrgParams = Type.Object({ orgId: Text(64) }, { additionalProperties: false });
const OrgItemParams = Type.Object({ orgId: Text(64), id: Text(64) }, { additionalProperties: false });
const IdParams = Type.Object({ id: Text(64) }, { additionalProperties: false });

/** The vendor directory: profiles, security contacts, products, relations, communities, import/export. */
export function directoryRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const db = services.db;

  async function entry(orgId: string, actor: Parameters<typeof can>[0]) {
    const org = await findOrgById(db, orgId);
    if (!org || org.kind === 'home') throw notFound('organization', orgId);
    authorize(actor, 'org:read', { type: 'org', id: org.id, kind: org.kind });
    const editable = can(actor, 'org:update', { type: 'org', id: org.id, kind: org.kind });
    const [profile, contacts, products, upstream, downstream, communities, changes] = await Promise.all([
      db.selectFrom('org_profiles').selectAll().where('org_id', '=', org.id).executeTakeFirst(),
      db.selectFrom('org_contacts').selectAll().where('org_id', '=', org.id).orderBy('created_at').execute(),
      db.selectFrom('org_products').selectAll().where('org_id', '=', org.id).orderBy('name').execute(),
      db
        .selectFrom('org_relations as r')
        .innerJoin('organizations as o', 'o.id', 'r.upstream_org_id')
        .select(['o.id', 'o.name', 'r.note'])
        .where('r.downstream_org_id', '=', org.id)
        .execute(),
      db
        .selectFrom('org_relations as r')
        .innerJoin('organizations as o', 'o.id', 'r.downstream_org_id')
        .select(['o.id', 'o.name', 'r.note'])
        .where('r.upstream_org_id', '=', org.id)
        .execute(),
      db
        .selectFrom('community_members as m')
        .innerJoin('communities as c', 'c.id', 'm.community_id')
        .select(['c.id', 'c.name'])
        .where('m.org_id', '=', org.id)
        .execute(),
      // Proposed contact changes are read only by those who may edit the entry.
      editable
        ? db.selectFrom('org_contact_changes').selectAll().where('org_id', '=', org.id).execute()
        : Promise.resolve([]),
    ]);
    return {
      id: org.id,
      name: org.name,
      kind: org.kind,
      website: org.website,
      verified: profile?.verified ?? false,
      languages: profile?.languages ?? [],
      timeZone: profile?.time_zone ?? null,
      country: profile?.country ?? null,
      // Pending contacts are shown to those who may edit the entry (and approve, for staff).
      contacts: contacts
        .filter((c) => c.status === 'approved' || editable)
        .map((c) => ({
          id: c.id,
          email: c.email,
          role: c.role,
          name: c.name,
          phone: c.phone,
          pgpFingerprint: c.pgp_fingerprint,
          pgpExpiresAt: c.pgp_expires_at?.toISOString() ?? null,
          status: c.status,
          pendingChange: ((x) =>
            x
              ? {
                  email: x.email,
                  role: x.role,
                  name: x.name,
                  phone: x.phone,
                  pgpFingerprint: x.pgp_fingerprint,
                  pgpExpiresAt: x.pgp_expires_at?.toISOString() ?? null,
                  createdAt: x.created_at.toISOString(),
                }
              : null)(changes.find((x) => x.contact_id === c.id)),
        })),
      products: products.map((p) => ({ id: p.id, name: p.name, identifier: p.identifier, versions: p.versions })),
      upstream,
      downstream,
      communities,
      abilities: { edit: editable, manage: can(actor, 'org:create', instance) },
    };
  }

  r.get(
    '/api/v1/directory',
    {
      schema: {
        tags: ['directory'],
        summary:
          'The vendor directory by name, a page at a time (staff: every organization; others: their own), with filters',
        querystring: Type.Object(
          {
            q: Type.Optional(Text(200)),
            verified: Type.Optional(Type.Boolean()),
            country: Type.Optional(Text(2)),
            product: Type.Optional(Text(200)),
            cursor: Type.Optional(Text(2000)),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(Loose), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      requireAuth(request);
      return listDirectory(db, request.actor, request.query);
    },
  );

  r.get(
    '/api/v1/directory/pending-contacts',
    {
      schema: {
        tags: ['directory'],
        summary: 'Security contacts proposed by vendors that wait for approval (coordinators and admins)',
        response: { 200: Type.Object({ items: Type.Array(Loose) }), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      authorize(request.actor, 'org:create', instance);
      return { items: await listPendingContacts(db) };
    },
  );

  r.get(
    '/api/v1/directory/export',
    {
      schema: {
        tags: ['directory'],
        summary: 'Export the directory as JSON or CSV (coordinators and admins)',
        querystring: Type.Object(
          { format: Type.Union([Type.Literal('json'), Type.Literal('csv')]) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const text = await exportDirectory(ctxOf(services, request), request.query.format);
      return reply
        .type(request.query.format === 'json' ? 'application/json' : 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="accord-directory.${request.query.format}"`)
        .send(text);
    },
  );

  r.post(
    '/api/v1/directory/import',
    {
      bodyLimit: 10 * 1024 * 1024,
      schema: {
        tags: ['directory'],
        summary: 'Import organizations, contacts and products (JSON array or CSV); answers a report of rejected rows',
        body: Body({
          format: Type.Union([Type.Literal('json'), Type.Literal('csv')]),
          content: Type.String({ maxLength: 10_000_000 }),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      return importDirectory(ctxOf(services, request), request.body.format, request.body.content);
    },
  );

  r.post(
    '/api/v1/directory/relations',
    {
      schema: {
        tags: ['directory'],
        summary: 'Record that one organization supplies another (upstream → downstream)',
        body: Body({ upstreamOrgId: Text(64), downstreamOrgId: Text(64), note: Type.Optional(Text(500)) }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      await addRelation(
        ctxOf(services, request),
        request.body.upstreamOrgId,
        request.body.downstreamOrgId,
        request.body.note ?? '',
      );
      return reply.status(204).send(null);
    },
  );

  r.delete(
    '/api/v1/directory/relations/:upstreamOrgId/:downstreamOrgId',
    {
      schema: {
        tags: ['directory'],
        summary: 'Remove a supplier relation (coordinators and admins)',
        params: Type.Object({ upstreamOrgId: Text(64), downstreamOrgId: Text(64) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      await removeRelation(ctxOf(services, request), request.params.upstreamOrgId, request.params.downstreamOrgId);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/v1/directory/:orgId',
    {
      schema: {
        tags: ['directory'],
        summary: "An organization's directory entry",
        params: OrgParams,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      return entry(request.params.orgId, request.actor);
    },
  );

  r.patch(
    '/api/v1/directory/:orgId',
    {
      schema: {
        tags: ['directory'],
        summary: 'Edit languages, time zone and country (the vendor admin or staff)',
        params: OrgParams,
        body: Body({
          languages: Type.Optional(Type.Array(Text(20), { maxItems: 20 })),
          timeZone: Type.Optional(Type.Union([Text(64), Type.Null()])),
          country: Type.Optional(Type.Union([Text(2), Type.Null()])),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await updateProfile(ctxOf(services, request), request.params.orgId, request.body);
      return entry(request.params.orgId, request.actor);
    },
  );

  r.put(
    '/api/v1/directory/:orgId/verified',
    {
      schema: {
        tags: ['directory'],
        summary: 'Mark an organization verified (coordinators and admins)',
        params: OrgParams,
        body: Body({ verified: Type.Boolean() }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      await setVerified(ctxOf(services, request), request.params.orgId, request.body.verified);
      return entry(request.params.orgId, request.actor);
    },
  );

  r.post(
    '/api/v1/directory/:orgId/contacts',
    {
      schema: {
        tags: ['directory'],
        summary: 'Add a security contact (from the vendor it waits for staff approval)',
        params: OrgParams,
        body: Body({
          email: Text(254),
          role: Type.Optional(Type.Union(contactRoles.map((x) => Type.Literal(x)))),
          name: Type.Optional(Text(200)),
          phone: Type.Optional(Text(40)),
          pgpPublicKey: Type.Optional(Text(100_000)),
        }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const c = await addContact(ctxOf(services, request), request.params.orgId, request.body);
      return reply
        .status(201)
        .send({ id: c.id, email: c.email, role: c.role, status: c.status, pgpFingerprint: c.pgp_fingerprint });
    },
  );

  r.patch(
    '/api/v1/directory/:orgId/contacts/:id',
    {
      schema: {
        tags: ['directory'],
        summary:
          'Edit a contact (from the vendor, a change to an approved contact waits for staff approval; the contact stays as it is until then)',
        params: OrgItemParams,
        body: Body({
          email: Text(254),
          role: Type.Optional(Type.Union(contactRoles.map((x) => Type.Literal(x)))),
          name: Type.Optional(Text(200)),
          phone: Type.Optional(Text(40)),
          pgpPublicKey: Type.Optional(Type.Union([Text(100_000), Type.Null()])),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      return updateContact(ctxOf(services, request), request.params.orgId, request.params.id, request.body);
    },
  );

  r.delete(
    '/api/v1/directory/:orgId/contacts/:id/change',
    {
      schema: {
        tags: ['directory'],
        summary: 'Withdraw (the vendor) or reject (staff) a proposed change to a contact; the contact stays as it is',
        params: OrgItemParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      await discardContactChange(ctxOf(services, request), request.params.orgId, request.params.id);
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/directory/:orgId/contacts/:id/approve',
    {
      schema: {
        tags: ['directory'],
        summary: "Approve a vendor's proposed contact, or its proposed change to a contact (coordinators and admins)",
        params: OrgItemParams,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const c = await approveContact(ctxOf(services, request), request.params.orgId, request.params.id);
      return { id: c.id, status: c.status };
    },
  );

  r.delete(
    '/api/v1/directory/:orgId/contacts/:id',
    {
      schema: {
        tags: ['directory'],
        summary: 'Remove a contact',
        params: OrgItemParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      await removeContact(ctxOf(services, request), request.params.orgId, request.params.id);
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/directory/:orgId/products',
    {
      schema: {
        tags: ['directory'],
        summary: 'Add a product (name, package URL or CPE, versions)',
        params: OrgParams,
        body: Body({ name: Text(300), identifier: Type.Optional(Text(4096)), versions: Type.Optional(Text(1000)) }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const p = await addProduct(ctxOf(services, request), request.params.orgId, request.body);
      return reply.status(201).send({ id: p.id, name: p.name, identifier: p.identifier, versions: p.versions });
    },
  );

  r.delete(
    '/api/v1/directory/:orgId/products/:id',
    {
      schema: {
        tags: ['directory'],
        summary: 'Remove a product',
        params: OrgItemParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      await removeProduct(ctxOf(services, request), request.params.orgId, request.params.id);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/v1/communities',
    {
      schema: {
        tags: ['directory'],
        summary: 'Trusted communities and their members (staff)',
        response: { 200: Type.Object({ items: Type.Array(Loose) }), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      authorize(request.actor, 'org:list', instance);
      return { items: await listCommunities(db) };
    },
  );

  r.post(
    '/api/v1/communities',
    {
      schema: {
        tags: ['directory'],
        summary: 'Create a trusted community of organizations (coordinators and admins)',
        body: Body({
          name: Text(200),
          termsText: Type.Optional(Text(50_000)),
          orgIds: Type.Optional(Type.Array(Text(64), { maxItems: 1000 })),
        }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const c = await createCommunity(ctxOf(services, request), request.body);
      return reply.status(201).send({ id: c.id, name: c.name });
    },
  );

  r.patch(
    '/api/v1/communities/:id',
    {
      schema: {
        tags: ['directory'],
        summary: 'Rename a community, change its terms or replace its members (coordinators and admins)',
        params: IdParams,
        body: Body({
          name: Type.Optional(Text(200)),
          termsText: Type.Optional(Text(50_000)),
          orgIds: Type.Optional(Type.Array(Text(64), { maxItems: 1000 })),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const c = await updateCommunity(ctxOf(services, request), request.params.id, request.body);
      const found = (await listCommunities(db)).find((x) => x.id === c.id);
      return found ?? { id: c.id, name: c.name, termsText: c.terms_text, members: [] };
    },
  );

  r.delete(
    '/api/v1/communities/:id',
    {
      schema: {
        tags: ['directory'],
        summary:
          'Delete a community (coordinators and admins); organizations already invited through it stay in their cases',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      await deleteCommunity(ctxOf(services, request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/v1/cases/:ref/communities',
    {
      schema: {
        tags: ['cases'],
        summary: 'Invite every organization of a community to the case (those already in it are skipped)',
        params: Type.Object({ ref: Text(64) }, { additionalProperties: false }),
        body: Body({
          communityId: Text(64),
          role: Type.Optional(
            Type.Union([
              Type.Literal('vendor'),
              Type.Literal('deployer'),
              Type.Literal('coordinator'),
              Type.Literal('other'),
            ]),
          ),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      return inviteCommunity(
        ctxOf(services, request),
        request.params.ref,
        request.body.communityId,
        request.body.role ?? 'vendor',
      );
    },
  );
}
