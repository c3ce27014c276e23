import { parse } from 'csv-parse/sync';
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
import { ASSESSABLE_ITEMS, CATALOGUE, assessableItemOf, isCatalogueId } from './catalogue.ts';
import { compare, csvCell, summarize, summarizeServices, toCsv } from './rules.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('the PSIRT Services Framework v1.1 catalogue', () => {
  it('has the six service areas, numbered without gaps, every id once', () => {
    expect(CATALOGUE.map((a) => `${a.id} ${a.title}`)).toEqual([
      '1 Stakeholder Ecosystem Management',
      '2 Vulnerability Discovery',
      '3 Vulnerability Triage and Analysis',
      '4 Remediation',
      '5 Vulnerability Disclosure',
      '6 Training and Education',
    ]);
    for (const area of CATALOGUE) {
      area.services.forEach((s, i) => {
        expect(s.id).toBe(`${area.id}.${i + 1}`);
        s.functions.forEach((f, j) => {
          expect(f.id).toBe(`${s.id}.${j + 1}`);
          f.subFunctions.forEach((x, k) => expect(x.id).toBe(`${f.id}.${k + 1}`));
        });
      });
    }
    const ids = ASSESSABLE_ITEMS.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(85);
    const services = CATALOGUE.flatMap((a) => a.services);
    expect(services).toHaveLength(28);
    // Every rated item belongs to a service of its area, in framework order, and every service is covered.
    for (const item of ASSESSABLE_ITEMS) {
      const service = services.find((s) => s.id === item.serviceId)!;
      expect(service.id.startsWith(`${item.areaId}.`)).toBe(true);
      expect(item.kind === 'service' ? service.functions : service.functions.map((f) => f.id)).toEqual(
        item.kind === 'service' ? [] : expect.arrayContaining([item.id]),
      );
    }
    expect(new Set(ASSESSABLE_ITEMS.map((i) => i.serviceId)).size).toBe(28);
    expect(ids).toEqual([...ids].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
  });

  it('lists the sub-functions: 159 of them, 194 facets with the functions that have none', () => {
    const subs = ASSESSABLE_ITEMS.flatMap((i) => i.subFunctions);
    expect(subs).toHaveLength(159);
    expect(new Set(subs.map((x) => x.id)).size).toBe(159);
    expect(ASSESSABLE_ITEMS.reduce((n, i) => n + Math.max(1, i.subFunctions.length), 0)).toBe(194);
    const sub = (id: string) => subs.find((x) => x.id === id);
    expect(sub('1.1.1.1')?.title).toBe('Engage Corporate/Business Leaders and Executives');
    expect(sub('2.1.1.6')?.title).toBe('Prepare for Encrypted Submissions');
    expect(sub('4.2.1.8')?.title).toBe('Exceptions');
    expect(sub('5.3.2.5')?.title).toBe('CVE Assignment');
    expect(sub('6.1.4.2')?.title).toBe('Third-Party Tracking Tools');
    // The edition's misprints are renumbered and keep the printed number.
    expect(sub('1.5.1.3')).toEqual({
      id: '1.5.1.3',
      title: 'Provide External Communication Channels',
      printedAs: '1.5.1.1.3',
    });
    expect(sub('5.3.1.2')).toMatchObject({ title: 'Release Note Review', printedAs: '5.3.1.1' });
    expect(sub('5.3.1.1')).not.toHaveProperty('printedAs');
    // Functions without sub-functions in the edition.
    for (const id of ['1.2.1', '1.2.6', '2.2.1', '3.3.5', '5.1.3', '6.4.7'])
      expect(ASSESSABLE_ITEMS.find((i) => i.id === id)?.subFunctions).toEqual([]);
    expect(isCatalogueId('1.1.1.6')).toBe(true);
    expect(isCatalogueId('1.1.1.7')).toBe(false);
    expect(assessableItemOf('4.2.1.3')?.id).toBe('4.2.1');
    expect(assessableItemOf('6.5')?.kind).toBe('service');
    expect(assessableItemOf('4.2')).toBeNull();
  });

  it('rolls function ratings up to their service and area, and exports the roll-up', () => {
    const items = [
      { itemId: '1.1.1', level: 3, evidence: '' },
      { itemId: '1.1.2', level: 1, evidence: '' },
      { itemId: '1.2.1', level: 2, evidence: '' },
      { itemId: '6.5', level: 0, evidence: '' },
    ];
    const services = summarizeServices(items);
    expect(services).toHaveLength(28);
    expect(services[0]).toEqual({
      serviceId: '1.1',
      areaId: '1',
      title: 'Internal Stakeholder Management',
      rated: 2,
      total: 3,
      average: 2,
      distribution: [0, 1, 0, 1],
    });
    expect(services.find((s) => s.serviceId === '1.2')).toMatchObject({ rated: 1, total: 6, average: 2 });
    expect(services.find((s) => s.serviceId === '6.5')).toMatchObject({ rated: 1, total: 1, average: 0 });
    expect(services.find((s) => s.serviceId === '2.1')).toMatchObject({ rated: 0, total: 2, average: null });
    // The area averages its functions, not its services' averages: (3 + 1 + 2) / 3.
    expect(summarize(items)[0]).toMatchObject({ rated: 3, average: 2 });
    const rows = parse(
      toCsv({ title: 'T', assessedOn: '2026-11-28' }, items, [
        { itemId: '1.1.1.2', action: 'Meet legal monthly', owner: 'Lead', dueOn: null, done: false },
      ]),
      { columns: true },
    ) as Record<string, string>[];
    expect(rows.find((r) => r.item === '1.1.2')).toMatchObject({
      service_average: '2.00',
      area_average: '2.00',
      level: '1',
      gap_actions: '',
    });
    const engage = rows.find((r) => r.item === '1.1.1')!;
    expect(engage.gap_actions).toBe('1.1.1.2: Meet legal monthly (Lead)');
    expect(engage.sub_functions!.split('\n')).toHaveLength(6);
    expect(engage.sub_functions).toContain('1.1.1.6 Internal Working Group Participation');
    expect(rows.find((r) => r.item === '2.1.1')).toMatchObject({ service_average: '', area_average: '' });
  });

  it('matches the numbers the "Crawl, Walk, Run" talk cites', () => {
    const title = (id: string) => ASSESSABLE_ITEMS.find((i) => i.id === id)?.title;
    expect(title('1.1.3')).toBe('Incident Postmortem Process');
    expect(title('2.1.2')).toBe('Handle Vulnerability Reports');
    expect(title('3.2.3')).toBe('Finder Profile');
    // A service without functions of its own is rated as a whole.
    expect(ASSESSABLE_ITEMS.find((i) => i.id === '6.5')).toMatchObject({ kind: 'service' });
    expect(isCatalogueId('4')).toBe(true);
    expect(isCatalogueId('4.2')).toBe(true);
    expect(isCatalogueId('4.9')).toBe(false);
  });

  it('summarizes per area and compares with the previous assessment', () => {
    const area3 = ASSESSABLE_ITEMS.filter((i) => i.areaId === '3').length;
    const now = summarize([
      { itemId: '3.1.1', level: 3 },
      { itemId: '3.1.2', level: 2 },
      { itemId: '3.2.1', level: 0 },
    ]);
    expect(now[2]).toEqual({
      areaId: '3',
      title: 'Vulnerability Triage and Analysis',
      rated: 3,
      total: area3,
      average: 1.67,
      distribution: [1, 0, 1, 1],
    });
    expect(now[0]!.average).toBeNull();
    const diff = compare(
      [
        { itemId: '3.1.1', level: 3 },
        { itemId: '1.1.1', level: 1 },
      ],
      [
        { itemId: '3.1.1', level: 1 },
        { itemId: '1.1.1', level: 1 },
        { itemId: '2.1.1', level: 2 },
      ],
    );
    expect(diff.items).toEqual([
      { itemId: '2.1.1', previous: 2, current: null },
      { itemId: '3.1.1', previous: 1, current: 3 },
    ]);
    expect(diff.areas.find((a) => a.areaId === '3')).toEqual({ areaId: '3', previous: 1, current: 3, change: 2 });
    expect(diff.areas.find((a) => a.areaId === '2')).toEqual({ areaId: '2', previous: 2, current: null, change: null });
    expect(csvCell('=HYPERLINK("x")')).toBe('\'=HYPERLINK("x")');
    expect(csvCell('plain')).toBe('plain');
  });
});

describe('self-assessments over HTTP', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let coordinator: Session;
  let analyst: Session;
  let viewer: Session;
  let vendor: Session;
  let finder: Session;

  const call = (method: string, url: string, who: Session | null, payload?: object) =>
    app.inject({ method: method as 'GET', url, headers: who?.headers ?? {}, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await makeApp(db);
    const ctx = makeCtx(db);
    coordinator = (await userSession(app, ctx, 'coordinator')).session;
    analyst = (await userSession(app, ctx, 'analyst')).session;
    viewer = (await userSession(app, ctx, 'viewer')).session;
    finder = (await userSession(app, ctx, null)).session;
    const acme = await makeOrg(ctx, { name: 'ACME' });
    const v = await makeUser(ctx);
    await addMember(ctx, acme.id, v.id, 'org_admin');
    vendor = await signIn(app, v.email);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('keeps dated assessments as history, starts each from the previous one and shows what changed', async () => {
    const fw = await call('GET', '/api/v1/assessments/framework', viewer);
    expect(fw.json()).toMatchObject({ framework: { version: '1.1' }, levels: [{ level: 0 }, {}, {}, { key: 'run' }] });

    const first = await call('POST', '/api/v1/assessments', coordinator, {
      title: 'Baseline',
      assessedOn: '2026-01-15',
      startEmpty: true,
    });
    expect(first.statusCode).toBe(201);
    const a1 = first.json<Json>();
    expect(a1).toMatchObject({ title: 'Baseline', assessedOn: '2026-01-15', previous: null, items: [] });
    const rated = await call('PUT', `/api/v1/assessments/${a1.id}/items`, coordinator, {
      items: [
        { itemId: '1.1.3', level: 1, evidence: 'A post-mortem may happen for a severe issue, not regimented.' },
        { itemId: '2.1.2', level: 2, evidence: '=cmd|"/c calc"!A1' },
        { itemId: '6.5', level: 0 },
      ],
    });
    expect(rated.statusCode).toBe(200);
    expect(rated.json().areas[0]).toMatchObject({ areaId: '1', rated: 1, average: 1 });
    const bad = await call('PUT', `/api/v1/assessments/${a1.id}/items`, coordinator, {
      items: [
        { itemId: '9.9.9', level: 1 },
        { itemId: '1.1.1', level: 4 },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.problems.map((p: Json) => p.field)).toEqual(['items[0].itemId', 'items[1].level']);
    const gap = await call('POST', `/api/v1/assessments/${a1.id}/gaps`, coordinator, {
      itemId: '1.1.3',
      action: 'Mandatory post-mortem within a week of resolution',
      owner: 'PSIRT lead',
      dueOn: '2026-03-31',
    });
    expect(gap.statusCode).toBe(201);
    const doneGap = await call('POST', `/api/v1/assessments/${a1.id}/gaps`, coordinator, {
      itemId: '2',
      action: 'Publish the SLA',
      owner: 'PSIRT',
      done: true,
    });
    expect(doneGap.statusCode).toBe(201);
    expect(
      (await call('POST', `/api/v1/assessments/${a1.id}/gaps`, coordinator, { itemId: '1.1.3', action: 'x' })).json()
        .error.details.field,
    ).toBe('owner');

    // The next one starts from the first: its ratings and its open gap actions.
    const second = await call('POST', '/api/v1/assessments', coordinator, {
      title: 'Year end',
      assessedOn: '2026-12-15',
    });
    const a2 = second.json<Json>();
    expect(a2.items.map((i: Json) => [i.itemId, i.level])).toEqual(
      expect.arrayContaining([
        ['1.1.3', 1],
        ['2.1.2', 2],
        ['6.5', 0],
      ]),
    );
    expect(a2.gaps.map((g: Json) => g.action)).toEqual(['Mandatory post-mortem within a week of resolution']);
    expect(a2.previous).toMatchObject({ id: a1.id, comparison: { items: [] } });
    await call('PUT', `/api/v1/assessments/${a2.id}/items`, coordinator, { items: [{ itemId: '1.1.3', level: 3 }] });
    const gapId = a2.gaps[0].id;
    expect(
      (await call('PATCH', `/api/v1/assessments/${a2.id}/gaps/${gapId}`, coordinator, { done: true })).json(),
    ).toMatchObject({ done: true, owner: 'PSIRT lead' });
    const view = (await call('GET', `/api/v1/assessments/${a2.id}`, viewer)).json<Json>();
    expect(view.previous.comparison.items).toEqual([{ itemId: '1.1.3', previous: 1, current: 3 }]);
    expect(view.previous.comparison.areas[0]).toEqual({ areaId: '1', previous: 1, current: 3, change: 2 });
    // The first one is unchanged: history is kept.
    const old = (await call('GET', `/api/v1/assessments/${a1.id}`, viewer)).json<Json>();
    expect(old.items.find((i: Json) => i.itemId === '1.1.3').level).toBe(1);

    const history = (await call('GET', '/api/v1/assessments', viewer)).json<Json>();
    expect(history.items.map((a: Json) => a.title)).toEqual(['Year end', 'Baseline']);
    expect(history.items[1]).toMatchObject({ openGaps: 1 });
    expect(history.abilities).toEqual({ write: false });
    expect((await call('DELETE', `/api/v1/assessments/${a2.id}/gaps/${gapId}`, coordinator)).statusCode).toBe(204);

    const audit = await db.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', 'like', 'assessment.%')
      .execute();
    expect(new Set(audit.map((a) => a.action))).toEqual(
      new Set([
        'assessment.create',
        'assessment.rate',
        'assessment.gap_add',
        'assessment.gap_update',
        'assessment.gap_remove',
      ]),
    );
  });

  it('exports an assessment as CSV (one row per item, formulas defused) and JSON', async () => {
    const list = (await call('GET', '/api/v1/assessments', viewer)).json<Json>();
    const baseline = list.items.find((a: Json) => a.title === 'Baseline');
    const csv = await call('GET', `/api/v1/assessments/${baseline.id}/export?format=csv`, viewer);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain('psirt-assessment-2026-01-15.csv');
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(ASSESSABLE_ITEMS.length);
    const postmortem = rows.find((r) => r.item === '1.1.3')!;
    expect(postmortem).toMatchObject({
      area_title: 'Stakeholder Ecosystem Management',
      item_title: 'Incident Postmortem Process',
      level: '1',
      maturity: 'crawl',
      gap_actions: 'Mandatory post-mortem within a week of resolution (PSIRT lead, due 2026-03-31)',
    });
    expect(rows.find((r) => r.item === '2.1.2')!.evidence).toBe('\'=cmd|"/c calc"!A1');
    expect(rows.find((r) => r.item === '2.1.1')!.gap_actions).toBe('[done] Publish the SLA (PSIRT)');
    expect(rows.find((r) => r.item === '5.1.1')!.level).toBe('');
    expect(postmortem).toMatchObject({ service_average: '1.00', area_average: '1.00' });

    const json = await call('GET', `/api/v1/assessments/${baseline.id}/export?format=json`, viewer);
    const body = JSON.parse(json.body) as Json;
    expect(body.framework.version).toBe('1.1');
    expect(body.assessment.items).toHaveLength(3);
    expect(body.assessment.areas).toHaveLength(6);
    expect(body.assessment.services).toHaveLength(28);
    expect(body.assessment.services[0]).toMatchObject({ serviceId: '1.1', rated: 1, average: 1 });
    expect(body.catalogue.find((i: Json) => i.id === '2.1.1').subFunctions).toHaveLength(6);
  });

  it('is for the home organization staff only: vendors and finders get 404, read-only staff 403', async () => {
    const list = (await call('GET', '/api/v1/assessments', viewer)).json<Json>();
    const id = list.items[0].id as string;
    for (const who of [vendor, finder]) {
      for (const [method, url, payload] of [
        ['GET', '/api/v1/assessments', undefined],
        ['GET', '/api/v1/assessments/framework', undefined],
        ['POST', '/api/v1/assessments', { title: 'Mine' }],
        ['GET', `/api/v1/assessments/${id}`, undefined],
        ['GET', `/api/v1/assessments/${id}/export?format=csv`, undefined],
        ['PUT', `/api/v1/assessments/${id}/items`, { items: [{ itemId: '1.1.1', level: 3 }] }],
      ] as const) {
        const res = await call(method, url, who, payload);
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.body).not.toContain('Year end');
      }
    }
    expect((await call('POST', '/api/v1/assessments', viewer, {})).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/assessments', analyst, {})).statusCode).toBe(403);
    expect((await call('PUT', `/api/v1/assessments/${id}/items`, analyst, { items: [] })).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/assessments/00000000-0000-4000-8000-000000000000', viewer)).statusCode).toBe(
      404,
    );
    expect((await call('GET', '/api/v1/assessments', null)).statusCode).toBe(401);
  });
});
