import { type Ctx, type Db, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { validation } from '../core/errors.ts';
import { authorize, instance } from '../policy/policy.ts';
import { REQUIRE_2FA_SETTING } from './keys.ts';

/** Instance settings an admin changes at run time; stored in the database so every node agrees. */
export interface InstanceSettings {
  require2faForStaff: boolean;
}

const KEYS = { require2faForStaff: REQUIRE_2FA_SETTING } as const;

export async function readSettings(db: Db, defaults: { require2faForStaff: boolean }): Promise<InstanceSettings> {
  const rows = await db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where('key', 'in', Object.values(KEYS))
    .execute();
  const byKey = new Map(rows.map((r) => [r.key, r.value]));
  const r2fa = byKey.get(KEYS.require2faForStaff);
  return { require2faForStaff: typeof r2fa === 'boolean' ? r2fa : defaults.require2faForStaff };
}

export async function getSettings(ctx: Ctx): Promise<InstanceSettings> {
  authorize(ctx.actor, 'settings:read', instance);
  return readSettings(ctx.db, ctx.config);
}

export async function updateSettings(ctx: Ctx, patch: Partial<InstanceSettings>): Promise<InstanceSettings> {
  authorize(ctx.actor, 'settings:update', instance);
  if (patch.require2faForStaff !== undefined && typeof patch.require2faForStaff !== 'boolean') {
    throw validation('require2faForStaff must be true or false', { field: 'require2faForStaff' });
  }
  return inTransaction(ctx, async (tx) => {
    const before = await readSettings(tx, ctx.config);
    const now = ctx.now();
    for (const [name, key] of Object.entries(KEYS) as [keyof InstanceSettings, string][]) {
      const value = patch[name];
      if (value === undefined) continue;
      await tx
        .insertInto('settings')
        .values({ key, value: JSON.stringify(value), updated_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: now }))
        .execute();
    }
    const after = await readSettings(tx, ctx.config);
    await recordAudit(tx, ctx, {
      action: 'settings.update',
      subjectType: 'instance',
      subjectId: null,
      summary: { before, after },
    });
    return after;
  });
}
