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

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('vendor directory', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let coordinator: Session;
  let vendorAdmin: Session;
  let acmeId: string;

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
    return () => app.close();
  });

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });

  it('a vendor edits its own entry; its new contacts wait for staff approval; staff verify', async () => {
    expect(
      (
        await call('PATCH', `/api/v1/directory/${acmeId}`, vendorAdmin, {
          languages: ['en', 'JA'],
          timeZone: 'Asia/Tokyo',
          country: 'jp',
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await call('PATCH', `/api/v1/directory/${acmeId}`, vendorAdmin, { timeZone: 'Mars/Olympus' })).statusCode,
    ).toBe(400);
    const openpgp = await import('openpgp');
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: 'psirt@acme.example' }],
      format: 'armored',
    });
    const proposed = await call('POST', `/api/v1/directory/${acmeId}/contacts`, vendorAdmin, {
      email: 'psirt@acme.example',
      role: 'psirt',
      phone: '+81 3 1234 5678',
      pgpPublicKey: publicKey,
    });
    expect(proposed.statusCode).toBe(201);
    expect(proposed.json<Json>()).toMatchObject({
      status: 'pending',
      pgpFingerprint: expect.stringMatching(/^[0-9A-F]{40}$/),
    });
    expect(
      (await call('POST', `/api/v1/directory/${acmeId}/contacts/${proposed.json<Json>().id}/approve`, vendorAdmin))
        .statusCode,
    ).toBe(403);
    expect(
      (await call('POST', `/api/v1/directory/${acmeId}/contacts/${proposed.json<Json>().id}/approve`, coordinator))
        .statusCode,
    ).toBe(200);
    expect(
      (await call('PUT', `/api/v1/directory/${acmeId}/verified`, vendorAdmin, { verified: true })).statusCode,
    ).toBe(403);
    const entry = (
      await call('PUT', `/api/v1/directory/${acmeId}/verified`, coordinator, { verified: true })
    ).json<Json>();
    expect(entry).toMatchObject({ verified: true, languages: ['en', 'ja'], timeZone: 'Asia/Tokyo', country: 'JP' });
    expect(entry.contacts).toEqual([expect.objectContaining({ email: 'psirt@acme.example', status: 'approved' })]);
    const bad = await call('POST', `/api/v1/directory/${acmeId}/products`, vendorAdmin, {
      name: 'Helpdesk',
      identifier: 'pkg:',
    });
    expect(bad.statusCode).toBe(400);
    expect(
      (
        await call('POST', `/api/v1/directory/${acmeId}/products`, vendorAdmin, {
          name: 'Helpdesk',
          identifier: 'pkg:npm/acme-helpdesk',
          versions: '>= 4',
        })
      ).statusCode,
    ).toBe(201);
    // Another vendor sees neither the entry nor the list.
    const ctx = makeCtx(db);
    const other = await makeOrg(ctx, { name: 'Globex' });
    const g = await makeUser(ctx);
    await addMember(ctx, other.id, g.id, 'org_admin');
    const globex = await signIn(app, g.email);
    expect((await call('GET', `/api/v1/directory/${acmeId}`, globex)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/directory', globex)).json<Json>().items.map((o: Json) => o.name)).toEqual([
      'Globex',
    ]);
  });

  it('imports CSV and JSON with a report of rejected rows, and exports what it imported', async () => {
    const csv = [
      'organization,kind,website,country,time_zone,languages,contact_email,contact_role,contact_name,contact_phone,product,product_identifier,product_versions',
      'Initech,vendor,https://initech.example,US,America/Chicago,en,security@initech.example,security,,,TPS,cpe:2.3:a:initech:tps:*:*:*:*:*:*:*:*,all',
      'Initech,,,,,,psirt@initech.example,psirt,Bob,,,,',
      'Umbrella,vendor,,XX1,,,not-an-email,security,,,,,',
      'Hooli,deployer,,,Europe/Nowhere,,,,,,,,',
    ].join('\n');
    const report = (
      await call('POST', '/api/v1/directory/import', coordinator, { format: 'csv', content: csv })
    ).json<Json>();
    expect(report).toMatchObject({ created: 1, contacts: 2, products: 1 });
    expect(report.rejected.map((r: Json) => [r.at, r.name])).toEqual([
      ['line 4', 'Umbrella'],
      ['line 5', 'Hooli'],
    ]);
    expect(report.rejected[0].problems.map((p: Json) => p.field)).toEqual(['country', 'contacts[0].email']);

    const json = [
      { name: 'Cyberdyne', kind: 'vendor', contacts: [{ email: 'sec@cyberdyne.example' }] },
      { name: '' },
      { kind: 'vendor' },
    ];
    const jr = (
      await call('POST', '/api/v1/directory/import', coordinator, { format: 'json', content: JSON.stringify(json) })
    ).json<Json>();
    expect(jr.created).toBe(1);
    expect(jr.rejected.map((r: Json) => r.at)).toEqual(['[1]', '[2]']);
    expect(
      (await call('POST', '/api/v1/directory/import', vendorAdmin, { format: 'json', content: '[]' })).statusCode,
    ).toBe(403);

    const exported = await call('GET', '/api/v1/directory/export?format=csv', coordinator);
    expect(exported.headers['content-type']).toContain('text/csv');
    expect(exported.body).toContain(
      'Initech,vendor,https://initech.example/,US,America/Chicago,en,security@initech.example',
    );
    const asJson = (await call('GET', '/api/v1/directory/export?format=json', coordinator)).json<Json[]>();
    expect(asJson.find((e) => e.name === 'Initech')!.contacts.map((c: Json) => c.email)).toEqual([
      'security@initech.example',
      'psirt@initech.example',
    ]);
    // Round trip: importing the export changes nothing.
    const again = (
      await call('POST', '/api/v1/directory/import', coordinator, { format: 'json', content: JSON.stringify(asJson) })
    ).json<Json>();
    expect(again).toMatchObject({ created: 0, contacts: 0, products: 0, rejected: [] });
  });

  it('filters the directory by verified, country and product, and lists pending contacts for staff', async () => {
    const ctx = makeCtx(db);
    const globex = await makeOrg(ctx, { name: 'Globex' });
    const initech = await makeOrg(ctx, { name: 'Initech' });
    await call('PATCH', `/api/v1/directory/${acmeId}`, coordinator, { country: 'JP' });
    await call('PATCH', `/api/v1/directory/${globex.id}`, coordinator, { country: 'DE' });
    await call('PUT', `/api/v1/directory/${globex.id}/verified`, coordinator, { verified: true });
    await call('POST', `/api/v1/directory/${initech.id}/products`, coordinator, {
      name: 'TPS reports',
      identifier: 'pkg:npm/initech-tps',
    });
    const names = async (query: string) =>
      (await call('GET', `/api/v1/directory${query}`, coordinator)).json<Json>().items.map((o: Json) => o.name);
    expect(await names('')).toEqual(['ACME', 'Globex', 'Initech']);
    expect(await names('?verified=true')).toEqual(['Globex']);
    expect(await names('?verified=false')).toEqual(['ACME', 'Initech']);
    expect(await names('?country=jp')).toEqual(['ACME']);
    expect(await names('?product=tps')).toEqual(['Initech']);
    expect(await names('?product=initech-tps')).toEqual(['Initech']);
    expect(await names('?product=tps&verified=true')).toEqual([]);
    expect((await call('GET', '/api/v1/directory?country=JPN', coordinator)).statusCode).toBe(400);

    // A vendor's proposal waits in the staff's list, with who proposed it; approving empties it.
    const proposed = (
      await call('POST', `/api/v1/directory/${acmeId}/contacts`, vendorAdmin, { email: 'sec@acme.example' })
    ).json<Json>();
    await call('POST', `/api/v1/directory/${acmeId}/contacts`, coordinator, { email: 'direct@acme.example' });
    expect((await call('GET', '/api/v1/directory/pending-contacts', vendorAdmin)).statusCode).toBe(403);
    const pending = (await call('GET', '/api/v1/directory/pending-contacts', coordinator)).json<Json>().items;
    expect(pending).toEqual([
      expect.objectContaining({
        id: proposed.id,
        orgId: acmeId,
        orgName: 'ACME',
        email: 'sec@acme.example',
        role: 'security',
        proposedBy: expect.objectContaining({ email: expect.stringContaining('@') }),
      }),
    ]);
    const listed = (await call('GET', '/api/v1/directory?q=acme', coordinator)).json<Json>().items;
    expect(listed).toEqual([expect.objectContaining({ name: 'ACME', contacts: 1, pendingContacts: 1 })]);
    await call('POST', `/api/v1/directory/${acmeId}/contacts/${proposed.id}/approve`, coordinator);
    expect((await call('GET', '/api/v1/directory/pending-contacts', coordinator)).json<Json>().items).toEqual([]);
  });

  it('names the field of a duplicate contact, product or community', async () => {
    await call('POST', `/api/v1/directory/${acmeId}/contacts`, coordinator, { email: 'sec@acme.example' });
    const dupContact = await call('POST', `/api/v1/directory/${acmeId}/contacts`, vendorAdmin, {
      email: 'SEC@acme.example',
    });
    expect(dupContact.statusCode).toBe(409);
    expect(dupContact.json<Json>().error.details).toEqual({ field: 'email' });
    await call('POST', `/api/v1/directory/${acmeId}/products`, vendorAdmin, { name: 'Helpdesk' });
    const dupProduct = await call('POST', `/api/v1/directory/${acmeId}/products`, vendorAdmin, { name: 'helpdesk' });
    expect(dupProduct.statusCode).toBe(409);
    expect(dupProduct.json<Json>().error.details).toEqual({ field: 'name' });
    await call('POST', '/api/v1/communities', coordinator, { name: 'Routers' });
    const dupCommunity = await call('POST', '/api/v1/communities', coordinator, { name: 'ROUTERS' });
    expect(dupCommunity.statusCode).toBe(409);
    expect(dupCommunity.json<Json>().error.details).toEqual({ field: 'name' });
  });

  it('edits a community: renames it, changes its terms and replaces its members', async () => {
    const ctx = makeCtx(db);
    const globex = await makeOrg(ctx, { name: 'Globex' });
    const initech = await makeOrg(ctx, { name: 'Initech' });
    const created = (
      await call('POST', '/api/v1/communities', coordinator, {
        name: 'Router vendors',
        termsText: 'Share nothing before the embargo.',
        orgIds: [acmeId, globex.id],
      })
    ).json<Json>();
    const edited = await call('PATCH', `/api/v1/communities/${created.id}`, coordinator, {
      name: 'Home router vendors',
      termsText: 'TLP:AMBER until publication.',
      orgIds: [globex.id, initech.id],
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json<Json>()).toEqual({
      id: created.id,
      name: 'Home router vendors',
      termsText: 'TLP:AMBER until publication.',
      members: [
        { id: globex.id, name: 'Globex' },
        { id: initech.id, name: 'Initech' },
      ],
    });
    // Only the terms: the members stay.
    const terms = (
      await call('PATCH', `/api/v1/communities/${created.id}`, coordinator, { termsText: 'New terms' })
    ).json<Json>();
    expect(terms.members.map((m: Json) => m.name)).toEqual(['Globex', 'Initech']);
    const unknown = await call('PATCH', `/api/v1/communities/${created.id}`, coordinator, {
      orgIds: ['00000000-0000-4000-8000-000000000000'],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<Json>().error.details.field).toBe('orgIds');
    await call('POST', '/api/v1/communities', coordinator, { name: 'Other group' });
    const clash = await call('PATCH', `/api/v1/communities/${created.id}`, coordinator, { name: 'other GROUP' });
    expect(clash.statusCode).toBe(409);
    expect(
      (await call('PATCH', '/api/v1/communities/00000000-0000-4000-8000-000000000000', coordinator, { name: 'Xy' }))
        .statusCode,
    ).toBe(404);
    expect((await call('PATCH', `/api/v1/communities/${created.id}`, vendorAdmin, { name: 'Mine' })).statusCode).toBe(
      403,
    );
    const listed = (await call('GET', '/api/v1/communities', coordinator)).json<Json>().items;
    expect(listed.map((c: Json) => [c.name, c.termsText, c.members.length])).toEqual([
      ['Home router vendors', 'New terms', 2],
      ['Other group', '', 0],
    ]);
  });

  it('invites a trusted community to a case at once, skipping members already in it', async () => {
    const ctx = makeCtx(db);
    const globex = await makeOrg(ctx, { name: 'Globex' });
    const community = await call('POST', '/api/v1/communities', coordinator, {
      name: 'Helpdesk vendors',
      orgIds: [acmeId, globex.id],
    });
    expect(community.statusCode).toBe(201);
    expect((await call('POST', '/api/v1/communities', vendorAdmin, { name: 'x' })).statusCode).toBe(403);
    const c = (await call('POST', '/api/v1/cases', coordinator, { title: 'Community case' })).json<Json>();
    await call('POST', `/api/v1/cases/${c.caseId}/participants`, coordinator, { orgId: acmeId, role: 'vendor' });
    const invited = await call('POST', `/api/v1/cases/${c.caseId}/communities`, coordinator, {
      communityId: community.json<Json>().id,
    });
    expect(invited.json<Json>()).toEqual({ added: [globex.id], skipped: [acmeId] });
    // ACME takes part (it sees the case's minimal view) but does not manage it.
    expect(
      (
        await call('POST', `/api/v1/cases/${c.caseId}/communities`, vendorAdmin, {
          communityId: community.json<Json>().id,
        })
      ).statusCode,
    ).toBe(403);
    const upstream = await call('POST', '/api/v1/directory/relations', coordinator, {
      upstreamOrgId: acmeId,
      downstreamOrgId: globex.id,
      note: 'ships ACME Helpdesk',
    });
    expect(upstream.statusCode).toBe(204);
    const noOrg = await call('POST', '/api/v1/directory/relations', coordinator, {
      upstreamOrgId: acmeId,
      downstreamOrgId: '',
    });
    expect(noOrg.statusCode).toBe(400);
    expect(noOrg.json<Json>().error.details.field).toBe('downstreamOrgId');
    const self = await call('POST', '/api/v1/directory/relations', coordinator, {
      upstreamOrgId: acmeId,
      downstreamOrgId: acmeId,
    });
    expect(self.json<Json>().error.details.field).toBe('downstreamOrgId');
    expect((await call('GET', `/api/v1/directory/${globex.id}`, coordinator)).json<Json>().upstream).toEqual([
      { id: acmeId, name: 'ACME', note: 'ships ACME Helpdesk' },
    ]);
    expect((await call('DELETE', `/api/v1/directory/relations/${acmeId}/${globex.id}`, vendorAdmin)).statusCode).toBe(
      403,
    );
    expect((await call('DELETE', `/api/v1/directory/relations/${acmeId}/${globex.id}`, coordinator)).statusCode).toBe(
      204,
    );
    expect((await call('GET', `/api/v1/directory/${globex.id}`, coordinator)).json<Json>().upstream).toEqual([]);
    expect((await call('DELETE', `/api/v1/directory/relations/${acmeId}/${globex.id}`, coordinator)).statusCode).toBe(
      404,
    );
  });
});
