import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { sampleReport } from '../../tests/support/reports.ts';
import { checkSearch, snippetParts } from './rules.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('search rules', () => {
  it('checks the query and recognises an exact case id', () => {
    expect(checkSearch({ q: '  case-2026-0001 ' })).toMatchObject({
      caseRef: 'CASE-2026-0001',
      text: 'case-2026-0001',
    });
    expect(checkSearch({ q: 'overflow', kinds: 'post,case' })).toMatchObject({
      caseRef: null,
      kinds: ['post', 'case'],
    });
    expect(() => checkSearch({ q: 'a' })).toThrow(/2 to 200/);
    expect(() => checkSearch({ q: 'overflow', kinds: 'reports' })).toThrow(/kinds/);
  });

  it('turns the marked headline into text segments', () => {
    expect(snippetParts('the \u0002patch\u0003 ships')).toEqual([
      { text: 'the ', match: false },
      { text: 'patch', match: true },
      { text: ' ships', match: false },
    ]);
    expect(snippetParts('no match')).toEqual([{ text: 'no match', match: false }]);
  });
});

/**
 * Search over what the caller may see, decided in SQL: a vendor never gets hits from another
 * vendor's private thread, a post for another organization or other people, a case it was not
 * invited to, or a case whose terms it has not accepted (then only the case id finds the case,
 * with its id and lead).
 */
describe('GET /api/v1/search', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let lead: Session;
  let analyst: Session;
  let acme: { admin: Session; adminId: string; other: Session };
  let globex: { admin: Session };
  let initech: { admin: Session };
  let one: string;
  let two: string;
  let globexP: string;
  let finderSecret: string;

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });
  const find = async (who: Session, q: string, extra = '') => {
    const res = await call('GET', `/api/v1/search?q=${encodeURIComponent(q)}${extra}`, who);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Json>() as { items: Json[]; nextCursor: string | null };
  };
  const kinds = async (who: Session, q: string) => (await find(who, q)).items.map((h) => `${h.kind}:${h.caseId}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await makeApp(db);
    const ctx = makeCtx(db);
    lead = (await userSession(app, ctx, 'coordinator')).session;
    analyst = (await userSession(app, ctx, 'analyst')).session;
    const member = async (orgId: string) => {
      const u = await makeUser(ctx);
      await addMember(ctx, orgId, u.id, 'org_admin');
      return { user: u, session: await signIn(app, u.email) };
    };
    const acmeOrg = await makeOrg(ctx, { name: 'ACME' });
    const a = await member(acmeOrg.id);
    const aOther = await member(acmeOrg.id);
    acme = { admin: a.session, adminId: a.user.id, other: aOther.session };
    const globexOrg = await makeOrg(ctx, { name: 'Globex' });
    globex = { admin: (await member(globexOrg.id)).session };
    const initechOrg = await makeOrg(ctx, { name: 'Initech' });
    initech = { admin: (await member(initechOrg.id)).session };

    // Case one, from a report: ACME (limited to its admin) and Globex, both accepted the terms.
    const submitted = (await call('POST', '/api/v1/reports', null, sampleReport())).json<Json>();
    finderSecret = submitted.followUpSecret;
    for (const event of ['validate', 'accept'])
      await call('POST', `/api/v1/reports/${submitted.report.trackingId}/transitions`, lead, { event });
    one = (
      await call('POST', '/api/v1/cases', lead, {
        title: 'Marmalade overflow in routers',
        summary: 'The marmalade parser overflows on long input.',
        reportIds: [submitted.report.trackingId],
      })
    ).json<Json>().caseId;
    await call('POST', `/api/v1/cases/${one}/vulnerabilities`, lead, {
      title: 'Marmalade parser overflow',
      description: 'A tamarind header triggers it.',
      cveId: 'CVE-2026-40001',
    });
    const pa = (
      await call('POST', `/api/v1/cases/${one}/participants`, lead, {
        orgId: acmeOrg.id,
        role: 'vendor',
        allowedUserIds: [a.user.id],
      })
    ).json<Json>();
    globexP = (
      await call('POST', `/api/v1/cases/${one}/participants`, lead, { orgId: globexOrg.id, role: 'vendor' })
    ).json<Json>().id;
    for (const who of [acme.admin, globex.admin])
      await call('POST', `/api/v1/cases/${one}/terms/accept`, who, { version: 1 });
    const threads = (await call('GET', `/api/v1/cases/${one}/threads`, lead)).json<Json>().items as Json[];
    const official = threads.find((t) => t.kind === 'official')!.id;
    const discussion = threads.find((t) => t.kind === 'discussion')!.id;
    const post = async (who: Session, threadId: string, body: object) => {
      const res = await call('POST', `/api/v1/cases/${one}/threads/${threadId}/posts`, who, body);
      expect(res.statusCode, res.body).toBe(201);
    };
    await post(lead, official, { body: 'The embargo for the pomegranate fix ends in March', tlp: 'AMBER' });
    const priv = (
      await call('POST', `/api/v1/cases/${one}/threads`, acme.admin, { title: 'ACME private', participantIds: [pa.id] })
    ).json<Json>().id;
    await post(acme.admin, priv, { body: 'Our zanzibar branch carries the fix' });
    await post(lead, discussion, { body: 'Quasar detail for ACME', tlp: 'AMBER+STRICT', recipientOrgId: acmeOrg.id });
    await post(lead, discussion, { body: 'Nebula note for the ACME admin', tlp: 'RED', recipientUserIds: [a.user.id] });
    for (const n of [1, 2, 3]) await post(globex.admin, discussion, { body: `Papaya question number ${n}` });

    // Case two: Globex invited but has not accepted the terms; ACME not invited.
    two = (
      await call('POST', '/api/v1/cases', lead, {
        title: 'Kumquat bypass in widgets',
        summary: 'Secret kumquat details',
      })
    ).json<Json>().caseId;
    await call('POST', `/api/v1/cases/${two}/vulnerabilities`, lead, { title: 'Kumquat bypass' });
    await call('POST', `/api/v1/cases/${two}/participants`, lead, { orgId: globexOrg.id, role: 'vendor' });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('finds cases, vulnerabilities and posts the caller may read, with highlighted snippets', async () => {
    expect(await kinds(acme.admin, 'marmalade')).toEqual([`vulnerability:${one}`, `case:${one}`]);
    const hit = (await find(acme.admin, 'tamarind')).items[0]!;
    expect(hit).toMatchObject({ kind: 'vulnerability', caseId: one, title: 'Marmalade parser overflow' });
    expect(hit.snippet).toContainEqual({ text: 'tamarind', match: true });
    expect(await kinds(acme.admin, 'CVE-2026-40001')).toEqual([`vulnerability:${one}`]);
    const official = (await find(globex.admin, 'pomegranate')).items;
    expect(official).toEqual([expect.objectContaining({ kind: 'post', caseId: one, tlp: 'AMBER' })]);
    expect(official[0]!.snippet).toContainEqual({ text: 'pomegranate', match: true });
    expect(await kinds(lead, 'kumquat')).toEqual([`vulnerability:${two}`, `case:${two}`]);
  });

  it("a vendor never gets hits from another vendor's private thread, nor posts for another org or other people", async () => {
    expect(await kinds(globex.admin, 'zanzibar')).toEqual([]);
    expect(await kinds(acme.admin, 'zanzibar')).toEqual([`post:${one}`]);
    expect(await kinds(lead, 'zanzibar')).toEqual([`post:${one}`]);
    expect(await kinds(globex.admin, 'quasar')).toEqual([]);
    expect(await kinds(acme.admin, 'quasar')).toEqual([`post:${one}`]);
    expect(await kinds(globex.admin, 'nebula')).toEqual([]);
    expect(await kinds(analyst, 'nebula')).toEqual([]); // RED: named people only, staff too
    expect(await kinds(acme.admin, 'nebula')).toEqual([`post:${one}`]);
    expect(await kinds(lead, 'nebula')).toEqual([`post:${one}`]); // the author
  });

  it('nothing from a case the caller was not invited to, or is not named for, or before the terms (the id finds only id and lead)', async () => {
    for (const q of ['kumquat', 'widgets', 'Kumquat bypass']) {
      expect(await kinds(acme.admin, q)).toEqual([]);
      expect(await kinds(globex.admin, q)).toEqual([]); // invited, terms not accepted
      expect(await kinds(initech.admin, q)).toEqual([]);
    }
    for (const q of ['marmalade', 'pomegranate', 'papaya', 'tamarind']) {
      expect(await kinds(initech.admin, q)).toEqual([]);
      expect(await kinds(acme.other, q)).toEqual([]); // ACME's access is limited to its admin
    }
    const byId = await find(globex.admin, two);
    expect(byId.items).toEqual([
      expect.objectContaining({ kind: 'case', caseId: two, title: null, snippet: null, lead: expect.any(String) }),
    ]);
    expect(JSON.stringify(byId)).not.toContain('umquat');
    expect((await find(acme.admin, two)).items).toEqual([]);
    expect((await find(initech.admin, one)).items).toEqual([]);
  });

  it('pages with a cursor, newest first, without repeats', async () => {
    const first = await find(globex.admin, 'papaya', '&limit=2');
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await find(globex.admin, 'papaya', `&limit=2&cursor=${first.nextCursor}`);
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const all = [...first.items, ...second.items];
    expect(new Set(all.map((h) => h.id)).size).toBe(3);
    const times = all.map((h) => Date.parse(h.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    for (const h of all) expect(h.snippet).toContainEqual({ text: 'Papaya', match: true });
    expect((await find(globex.admin, 'papaya', '&kinds=case')).items).toEqual([]);
  });

  it('refuses bad queries, the anonymous and the follow-up link; a removed participant finds nothing more', async () => {
    expect((await call('GET', '/api/v1/search?q=a', acme.admin)).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/search?q=marmalade', null)).statusCode).toBe(401);
    const link = await app.inject({
      url: '/api/v1/search?q=marmalade',
      headers: { authorization: `Bearer ${finderSecret}` },
    });
    expect(link.statusCode).toBe(401);
    expect(link.body).not.toContain('armalade overflow');

    expect(await kinds(globex.admin, 'pomegranate')).toEqual([`post:${one}`]);
    expect((await call('DELETE', `/api/v1/cases/${one}/participants/${globexP}`, lead)).statusCode).toBe(204);
    for (const q of ['pomegranate', 'marmalade', 'papaya', one]) expect(await kinds(globex.admin, q)).toEqual([]);
  });
});
