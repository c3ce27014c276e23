import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { makeCtx, makeOrg, makeUser } from '../../tests/support/factories.ts';
import { inTransaction } from '../app/context.ts';
import { canonicalJson, checkLink, GENESIS_HASH, hashEvent, type ChainedEvent } from './chain.ts';
import { listAuditEvents } from './queries.ts';
import { recordAudit } from './record.ts';
import { verifyAuditChain } from './verify.ts';

describe('hash chain (pure)', () => {
  const event: ChainedEvent = {
    seq: 1,
    id: '00000000-0000-4000-8000-000000000001',
    occurredAt: new Date('2026-11-27T10:00:00.123Z'),
    actorId: null,
    actorLabel: 'system:test',
    action: 'org.create',
    subjectType: 'org',
    subjectId: 'x',
    summary: { b: 1, a: [2, { d: 1, c: null }] },
    requestId: null,
    ip: null,
  };
  it('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { y: 1, x: 2 } })).toBe(canonicalJson({ a: { x: 2, y: 1 }, b: 1 }));
  });
  it('any change of content changes the hash', () => {
    const h = hashEvent(event, GENESIS_HASH);
    expect(hashEvent({ ...event, summary: { b: 2, a: [2, { d: 1, c: null }] } }, GENESIS_HASH)).not.toBe(h);
    expect(hashEvent({ ...event, actorLabel: 'mallory' }, GENESIS_HASH)).not.toBe(h);
    expect(hashEvent(event, 'f'.repeat(64))).not.toBe(h);
  });
  it('checkLink reports a gap, a broken link and an altered event', () => {
    const hash = hashEvent(event, GENESIS_HASH);
    const stored = { ...event, prevHash: GENESIS_HASH, hash };
    expect(checkLink(stored, 1, GENESIS_HASH)).toBeNull();
    expect(checkLink(stored, 2, GENESIS_HASH)?.kind).toBe('missing');
    expect(checkLink({ ...stored, action: 'org.delete' }, 1, GENESIS_HASH)?.kind).toBe('altered');
  });
});

describe('audit log in the database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => db.reset());

  it('every mutating command appends a chained event in its transaction', async () => {
    const ctx = makeCtx(db);
    const user = await makeUser(ctx, { role: 'admin' });
    await makeOrg(ctx, { name: 'ACME' });
    const page = await listAuditEvents(db.db, {});
    expect(page.items.map((e) => e.action)).toEqual(['org.create', 'user.create', 'org.create']);
    expect(page.items[1]?.subject_id).toBe(user.id);
    expect(page.items[0]?.request_id).toBe('test-request');
    expect((await verifyAuditChain(db.db)).ok).toBe(true);
  });

  it('an event is not written when its transaction rolls back', async () => {
    const ctx = makeCtx(db);
    await expect(
      inTransaction(ctx, async (tx) => {
        await recordAudit(tx, ctx, { action: 'test.rollback', subjectType: 'test', subjectId: null });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await listAuditEvents(db.db, { action: 'test.rollback' })).items).toHaveLength(0);
  });

  it('refuses UPDATE and DELETE', async () => {
    const ctx = makeCtx(db);
    await makeOrg(ctx);
    await expect(sql`update audit_events set action = 'x'`.execute(db.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_events`.execute(db.db)).rejects.toThrow(/append-only/);
  });

  async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
    await sql`alter table audit_events disable trigger audit_events_no_change`.execute(db.db);
    await statement.execute(db.db);
    await sql`alter table audit_events enable trigger audit_events_no_change`.execute(db.db);
  }

  async function threeEvents(): Promise<void> {
    const ctx = makeCtx(db);
    await makeOrg(ctx, { name: 'One' });
    await makeOrg(ctx, { name: 'Two' });
    await makeOrg(ctx, { name: 'Three' });
  }

  it('verify names the first altered event', async () => {
    await threeEvents();
    await tamper(sql`update audit_events set summary = '{"name":"Evil"}' where seq = 2`);
    const r = await verifyAuditChain(db.db);
    expect(r).toMatchObject({ ok: false, checked: 1, problem: { kind: 'altered', seq: 2 } });
  });

  it('verify notices a rewritten event whose hash was recomputed (the next link breaks)', async () => {
    await threeEvents();
    await tamper(sql`update audit_events set hash = ${'a'.repeat(64)} where seq = 1`);
    const r = await verifyAuditChain(db.db);
    expect(r.ok).toBe(false);
    expect(r.problem?.seq).toBe(1);
  });

  it('verify names a missing event and a cut-off end', async () => {
    await threeEvents();
    await tamper(sql`delete from audit_events where seq = 2`);
    expect((await verifyAuditChain(db.db)).problem).toMatchObject({ kind: 'missing', seq: 2 });
    await db.reset();
    await threeEvents();
    await tamper(sql`delete from audit_events where seq = 3`);
    expect((await verifyAuditChain(db.db)).problem).toMatchObject({ kind: 'truncated', seq: 3 });
  });

  it('concurrent appends never fork the chain', async () => {
    const ctx = makeCtx(db);
    await Promise.all(Array.from({ length: 20 }, (_, i) => makeOrg(ctx, { name: `Parallel ${i}` })));
    const r = await verifyAuditChain(db.db);
    expect(r).toMatchObject({ ok: true, checked: 20 });
  });

  it('filters by action prefix and pages by sequence', async () => {
    await threeEvents();
    const first = await listAuditEvents(db.db, { action: 'org.*', limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBe('2');
    const second = await listAuditEvents(db.db, { action: 'org.*', limit: 2, cursor: first.nextCursor ?? '' });
    expect(second.items.map((e) => e.seq)).toEqual([1]);
    expect(second.nextCursor).toBeNull();
    await expect(listAuditEvents(db.db, { since: 'yesterday' })).rejects.toThrow(/ISO 8601/);
  });
});
