import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import {
  addMember,
  makeApp,
  makeCtx,
  makeOrg,
  makeUser,
  signIn,
  userSession,
  type Session,
} from '../../tests/support/factories.ts';
import { newId } from '../core/ids.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Editing contacts in place (through staff approval), deleting communities, paging the directory. */
describe('vendor directory: contact edits, community deletion, paging', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let coordinator: Session;
  let vendorAdmin: Session;
  let globexAdmin: Session;
  let acmeId: string;
  let globexId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await db.reset();
    app = await makeApp(db);
    const ctx = makeCtx(db);
    coordinator = (await userSession(app, ctx, 'coordinator')).session;
    const acme = await makeOrg(ctx, { name: 'ACME' });
    acmeId = acme.id;
    const u = await makeUser(ctx);
    await addMember(ctx, acme.id, u.id, 'org_admin');
    vendorAdmin = await signIn(app, u.email);
    const globex = await makeOrg(ctx, { name: 'Globex' });
    globexId = globex.id;
    const g = await makeUser(ctx);
    await addMember(ctx, globex.id, g.id, 'org_admin');
    globexAdmin = await signIn(app, g.email);
    return () => app.close();
  });

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });

  async function armoredKey(email: string) {
    const openpgp = await import('openpgp');
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email }],
      format: 'armored',
    });
    return publicKey;
  }

  it("a vendor's edit of an approved contact waits for staff; the contact stays active until then", async () => {
    const added = await call('POST', `/api/v1/directory/${acmeId}/contacts`, coordinator, {
      email: 'psirt@acme.example',
      role: 'psirt',
      phone: '+1 555 0100',
    });
    expect(added.statusCode).toBe(201);
    const contactId = added.json<Json>().id as string;
    const key = await armoredKey('security@acme.example');
    const edit = await call('PATCH', `/api/v1/directory/${acmeId}/contacts/${contactId}`, vendorAdmin, {
      email: 'security@acme.example',
      role: 'security',
      phone: '+1 555 0199',
      pgpPublicKey: key,
    });
    expect(edit.statusCode).toBe(200);
    expect(edit.json<Json>()).toEqual({ id: contactId, pendingChange: true });
    // Revising the proposal without pasting the key again keeps the proposed key, not the active (none).
    const revised = await call('PATCH', `/api/v1/directory/${acmeId}/contacts/${contactId}`, vendorAdmin, {
      email: 'security@acme.example',
      role: 'security',
      phone: '+1 555 0199',
      name: 'PSIRT desk',
    });
    expect(revised.json<Json>()).toEqual({ id: contactId, pendingChange: true });
    expect(
      (await db.db.selectFrom('org_contact_changes').select(['name', 'pgp_fingerprint']).execute()).map((x) => [
        x.name,
        x.pgp_fingerprint?.length,
      ]),
    ).toEqual([['PSIRT desk', 40]]);

    // The active contact is unchanged (notifications go to approved rows only); the change shows to its editors.
    const row = await db.db
      .selectFrom('org_contacts')
      .selectAll()
      .where('id', '=', contactId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      email: 'psirt@acme.example',
      role: 'psirt',
      status: 'approved',
      pgp_fingerprint: null,
    });
    const entry = (await call('GET', `/api/v1/directory/${acmeId}`, vendorAdmin)).json<Json>();
    expect(entry.contacts).toEqual([
      expect.objectContaining({
        id: contactId,
        email: 'psirt@acme.example',
        status: 'approved',
        pendingChange: expect.objectContaining({
          email: 'security@acme.example',
          role: 'security',
          phone: '+1 555 0199',
          pgpFingerprint: expect.stringMatching(/^[0-9A-F]{40}$/),
        }),
      }),
    ]);
    // The list counts it as waiting; the staff page lists it with the current values beside it.
    const listed = (await call('GET', '/api/v1/directory?q=ACME', coordinator)).json<Json>().items;
    expect(listed[0]).toMatchObject({ name: 'ACME', pendingContacts: 1 });
    const pending = (await call('GET', '/api/v1/directory/pending-contacts', coordinator)).json<Json>().items;
    expect(pending).toEqual([
      expect.objectContaining({
        id: contactId,
        kind: 'change',
        email: 'security@acme.example',
        current: expect.objectContaining({ email: 'psirt@acme.example', role: 'psirt', phone: '+1 555 0100' }),
      }),
    ]);

    // Another vendor neither edits nor approves it; the vendor itself may not approve.
    expect(
      (
        await call('PATCH', `/api/v1/directory/${acmeId}/contacts/${contactId}`, globexAdmin, {
          email: 'evil@globex.example',
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await call('DELETE', `/api/v1/directory/${acmeId}/contacts/${contactId}/change`, globexAdmin)).statusCode,
    ).toBe(404);
    expect(
      (await call('POST', `/api/v1/directory/${acmeId}/contacts/${contactId}/approve`, vendorAdmin)).statusCode,
    ).toBe(403);

    // Staff approve: the same contact (same id, so invitations sent to it stay linked) now has the new values.
    const approved = await call('POST', `/api/v1/directory/${acmeId}/contacts/${contactId}/approve`, coordinator);
    expect(approved.statusCode).toBe(200);
    const after = await db.db
      .selectFrom('org_contacts')
      .selectAll()
      .where('id', '=', contactId)
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({
      email: 'security@acme.example',
      role: 'security',
      phone: '+1 555 0199',
      status: 'approved',
    });
    expect(after.pgp_fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(after.pgp_public_key).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect((await call('GET', '/api/v1/directory/pending-contacts', coordinator)).json<Json>().items).toEqual([]);
    const actions = (
      await db.db
        .selectFrom('audit_events')
        .select('action')
        .where('action', 'like', 'directory.contact%')
        .orderBy('seq')
        .execute()
    ).map((e) => e.action);
    expect(actions).toEqual([
      'directory.contact_add',
      'directory.contact_update',
      'directory.contact_update',
      'directory.contact_change_approve',
    ]);
  });

  it('a vendor withdraws, staff reject; pending contacts are edited in place; duplicates and no-ops are refused', async () => {
    const approvedId = (
      await call('POST', `/api/v1/directory/${acmeId}/contacts`, coordinator, { email: 'a@acme.example' })
    ).json<Json>().id as string;
    const proposedId = (
      await call('POST', `/api/v1/directory/${acmeId}/contacts`, vendorAdmin, { email: 'b@acme.example' })
    ).json<Json>().id as string;
    // A contact still waiting for approval is edited as it is; it keeps waiting.
    const fixed = await call('PATCH', `/api/v1/directory/${acmeId}/contacts/${proposedId}`, vendorAdmin, {
      email: 'b2@acme.example',
      name: 'Bea',
    });
    expect(fixed.json<Json>()).toEqual({ id: proposedId, pendingChange: false });
    expect(
      await db.db
        .selectFrom('org_contacts')
        .select(['email', 'name', 'status'])
        .where('id', '=', proposedId)
        .executeTakeFirst(),
    ).toEqual({ email: 'b2@acme.example', name: 'Bea', status: 'pending' });
    // The same address and role as another contact: a conflict on the e-mail field.
    const dup = await call('PATCH', `/api/v1/directory/${acmeId}/contacts/${approvedId}`, vendorAdmin, {
      email: 'B2@acme.example',
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json<Json>().error.details).toMatchObject({ field: 'email' });
    const invalid = await call('PATCH', `/api/v1/directory/${acmeId}/contacts/${approvedId}`, vendorAdmin, {
      email: 'not an address',
      phone: 'call me',
    });
    expect(invalid.statusCode).toBe(400);
    expect(
      invalid
        .json<Json>()
        .error.details.problems.map((p: Json) => p.field)
        .sort(),
    ).toEqual(['email', 'phone']);
    const same = await call('PATCH', `/api/v1/directory/${acmeId}/contacts/${approvedId}`, coordinator, {
      email: 'a@acme.example',
    });
    expect(same.statusCode).toBe(400);
    expect(same.json<Json>().error.message).toContain('nothing changed');

    // The vendor proposes, then withdraws; proposes again, staff reject. The contact never changes.
    const propose = () =>
      call('PATCH', `/api/v1/directory/${acmeId}/contacts/${approvedId}`, vendorAdmin, { email: 'new@acme.example' });
    expect((await propose()).statusCode).toBe(200);
    expect(
      (await call('DELETE', `/api/v1/directory/${acmeId}/contacts/${approvedId}/change`, vendorAdmin)).statusCode,
    ).toBe(204);
    expect(
      (await call('DELETE', `/api/v1/directory/${acmeId}/contacts/${approvedId}/change`, vendorAdmin)).statusCode,
    ).toBe(404);
    expect((await propose()).statusCode).toBe(200);
    expect(
      (await call('DELETE', `/api/v1/directory/${acmeId}/contacts/${approvedId}/change`, coordinator)).statusCode,
    ).toBe(204);
    expect(
      (await db.db.selectFrom('org_contacts').select('email').where('id', '=', approvedId).executeTakeFirstOrThrow())
        .email,
    ).toBe('a@acme.example');

    // Staff edits apply at once and supersede a vendor's proposal made against the old values.
    expect((await propose()).statusCode).toBe(200);
    const direct = await call('PATCH', `/api/v1/directory/${acmeId}/contacts/${approvedId}`, coordinator, {
      email: 'a@acme.example',
      role: 'technical',
    });
    expect(direct.json<Json>()).toEqual({ id: approvedId, pendingChange: false });
    expect(await db.db.selectFrom('org_contact_changes').selectAll().execute()).toEqual([]);
    // Removing a contact takes a proposed change with it.
    expect((await propose()).statusCode).toBe(200);
    expect((await call('DELETE', `/api/v1/directory/${acmeId}/contacts/${approvedId}`, vendorAdmin)).statusCode).toBe(
      204,
    );
    expect(await db.db.selectFrom('org_contact_changes').selectAll().execute()).toEqual([]);
  });

  it('staff delete a community; cases keep the organizations invited through it; the audit keeps the members', async () => {
    const community = await call('POST', '/api/v1/communities', coordinator, {
      name: 'Gizmo makers',
      termsText: 'Share within the group only.',
      orgIds: [acmeId, globexId],
    });
    expect(community.statusCode).toBe(201);
    const communityId = community.json<Json>().id as string;
    const created = await call('POST', '/api/v1/cases', coordinator, { title: 'Overflow in the Gizmo firmware' });
    const caseRef = created.json<Json>().caseId as string;
    const invited = await call('POST', `/api/v1/cases/${caseRef}/communities`, coordinator, { communityId });
    expect(invited.json<Json>().added).toHaveLength(2);

    expect((await call('DELETE', `/api/v1/communities/${communityId}`, vendorAdmin)).statusCode).toBe(403);
    expect((await call('DELETE', `/api/v1/communities/${communityId}`, coordinator)).statusCode).toBe(204);
    expect((await call('DELETE', `/api/v1/communities/${communityId}`, coordinator)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/communities', coordinator)).json<Json>().items).toEqual([]);
    expect((await call('GET', `/api/v1/directory/${acmeId}`, coordinator)).json<Json>().communities).toEqual([]);
    const participants = await db.db
      .selectFrom('case_participants as p')
      .innerJoin('cases as c', 'c.id', 'p.case_id')
      .select('p.org_id')
      .where('c.case_id', '=', caseRef)
      .where('p.org_id', 'in', [acmeId, globexId])
      .where('p.removed_at', 'is', null)
      .execute();
    expect(participants).toHaveLength(2);
    const audit = await db.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'directory.community_delete')
      .executeTakeFirstOrThrow();
    expect(audit.subject_id).toBe(communityId);
    expect(JSON.stringify(audit)).toContain('Gizmo makers');
    expect(JSON.stringify(audit)).toContain('Globex');
    // The name is free again.
    expect((await call('POST', '/api/v1/communities', coordinator, { name: 'Gizmo makers' })).statusCode).toBe(201);
  });

  it('pages through more than 1,000 organizations with filters kept; every one is reachable', async () => {
    const now = Date.now();
    const rows = Array.from({ length: 1105 }, (_, i) => ({
      id: newId(),
      name: `Vendor ${String(i).padStart(4, '0')}${i % 3 === 0 ? ' Labs' : ''}`,
      kind: 'vendor' as const,
      website: null,
      created_at: new Date(now + i),
      updated_at: new Date(now + i),
    }));
    for (let i = 0; i < rows.length; i += 500)
      await db.db
        .insertInto('organizations')
        .values(rows.slice(i, i + 500))
        .execute();
    await db.db
      .insertInto('org_profiles')
      .values(
        rows
          .filter((_, i) => i % 5 === 0)
          .map((r) => ({
            org_id: r.id,
            verified: true,
            verified_by: null,
            languages: '[]',
            time_zone: null,
            country: 'JP',
            updated_at: new Date(),
          })),
      )
      .execute();

    async function all(query: string) {
      const names: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await call(
          'GET',
          `/api/v1/directory?limit=200${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          coordinator,
        );
        expect(res.statusCode).toBe(200);
        const page = res.json<Json>();
        expect(page.items.length).toBeLessThanOrEqual(200);
        names.push(...page.items.map((o: Json) => o.name as string));
        cursor = page.nextCursor as string | null;
        pages++;
      } while (cursor && pages < 100);
      return { names, pages };
    }
    const everything = await all('');
    expect(everything.names).toHaveLength(1107); // with ACME and Globex
    expect(new Set(everything.names).size).toBe(1107);
    expect(everything.pages).toBe(6);
    expect(everything.names).toEqual([...everything.names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const labs = await all('&q=labs&verified=true&country=jp');
    const expected = rows.filter((_, i) => i % 3 === 0 && i % 5 === 0).map((r) => r.name);
    expect(labs.names.sort()).toEqual(expected.sort());
    expect(labs.names.length).toBe(74);
    const bad = await call('GET', '/api/v1/directory?cursor=garbage', coordinator);
    expect(bad.statusCode).toBe(400);
    expect(bad.json<Json>().error.details).toMatchObject({ field: 'cursor' });
    // A vendor still sees only its own entry, however it pages.
    expect((await call('GET', '/api/v1/directory?limit=1', vendorAdmin)).json<Json>()).toEqual({
      items: [expect.objectContaining({ name: 'ACME' })],
      nextCursor: null,
    });
  });
});
