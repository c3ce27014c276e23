import { type Ctx, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { newId } from '../core/ids.ts';
import type { Transaction } from 'kysely';
import type { Database, InstanceKeyRow } from '../db/schema.ts';
import { authorize, instance } from '../policy/policy.ts';
import { generateInstanceKey } from './pgp.ts';
import { currentInstanceKey } from './queries.ts';

function keyIdentity(ctx: Ctx): { name: string; email: string } {
  const host = new URL(ctx.config.baseUrl).hostname;
  const email = ctx.config.intake.addresses[0] ?? `security@${host.includes('.') ? host : `${host}.invalid`}`;
  return { name: `${ctx.config.instanceName} security team`, email };
}

/**
 * The instance key pair, created on first use (at first start). Several nodes may race here:
 * a unique index allows one current key, and the loser reads the winner's.
 */
export async function ensureInstanceKey(ctx: Ctx): Promise<InstanceKeyRow> {
  const existing = await currentInstanceKey(ctx.db);
  if (existing) return existing;
  const { name, email } = keyIdentity(ctx);
  const key = await generateInstanceKey(name, email, ctx.now());
  return inTransaction(ctx, (tx) => storeInstanceKey(tx, ctx, key));
}

/**
 * The instance key inside the caller's transaction, created there when the instance has none yet (a reader on
 * the embedded engine must not open a second connection while its transaction is open).
 */
export async function ensureInstanceKeyIn(tx: Transaction<Database>, ctx: Ctx): Promise<InstanceKeyRow> {
  const existing = await currentInstanceKey(tx);
  if (existing) return existing;
  const { name, email } = keyIdentity(ctx);
  return storeInstanceKey(tx, ctx, await generateInstanceKey(name, email, ctx.now()));
}

async function storeInstanceKey(
  tx: Transaction<Database>,
  ctx: Ctx,
  key: Awaited<ReturnType<typeof generateInstanceKey>>,
): Promise<InstanceKeyRow> {
  const row = await tx
    .insertInto('instance_keys')
    .values({
      id: newId(),
      fingerprint: key.fingerprint,
      algorithm: key.algorithm,
      public_key: key.publicKey,
      private_key: key.privateKey,
      created_at: ctx.now(),
      retired_at: null,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) return (await currentInstanceKey(tx))!;
  await recordAudit(tx, ctx, {
    action: 'instance_key.create',
    subjectType: 'instance_key',
    subjectId: row.id,
    summary: { fingerprint: row.fingerprint },
  });
  return row;
}

/** Admins rotate the key: the old one is retired (kept, so older mail still decrypts). */
export async function rotateInstanceKey(ctx: Ctx): Promise<InstanceKeyRow> {
  authorize(ctx.actor, 'instance_key:rotate', instance);
  const { name, email } = keyIdentity(ctx);
  const key = await generateInstanceKey(name, email, ctx.now());
  return inTransaction(ctx, async (tx) => {
    const now = ctx.now();
    const retired = await tx
      .updateTable('instance_keys')
      .set({ retired_at: now })
      .where('retired_at', 'is', null)
      .returning('fingerprint')
      .executeTakeFirst();
    const row = await tx
      .insertInto('instance_keys')
      .values({
        id: newId(),
        fingerprint: key.fingerprint,
        algorithm: key.algorithm,
        public_key: key.publicKey,
        private_key: key.privateKey,
        created_at: now,
        retired_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, ctx, {
      action: 'instance_key.rotate',
      subjectType: 'instance_key',
      subjectId: row.id,
      summary: { fingerprint: row.fingerprint, retired: retired?.fingerprint ?? null },
    });
    return row;
  });
}
