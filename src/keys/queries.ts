import type { Db } from '../app/context.ts';
import type { InstanceKeyRow } from '../db/schema.ts';

export async function currentInstanceKey(db: Db): Promise<InstanceKeyRow | undefined> {
  return db.selectFrom('instance_keys').selectAll().where('retired_at', 'is', null).executeTakeFirst();
}

/** Every key the instance ever had, newest first: mail encrypted to a retired key still opens. */
export async function instanceKeyHistory(db: Db): Promise<InstanceKeyRow[]> {
  return db.selectFrom('instance_keys').selectAll().orderBy('created_at', 'desc').execute();
}
