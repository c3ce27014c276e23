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
    expect((await call('GET', `/api/v1/directory/${globex.id}`, coordinator)).json<Json>().upstream).toEqual([
      { id: acmeId, name: 'ACME', note: 'ships ACME Helpdesk' },
    ]);
  });
});
