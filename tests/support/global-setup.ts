import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPostgres, pgliteParsers, wrapPGlite } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { postgresAdminUrl, TEMPLATE_DB, testEngine, withDatabase } from './engine.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string;
  }
}

/**
 * Migrates once: into a PGlite snapshot file (embedded) or a template database (PostgreSQL).
 * Each test file then starts from a copy, which is far faster than migrating again.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (testEngine() === 'embedded') {
    const pglite = await PGlite.create({ parsers: pgliteParsers });
    const handle = wrapPGlite(pglite);
    await migrateToLatest(handle.db);
    const dump = await pglite.dumpDataDir('gzip');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'accord-test-')), 'snapshot.tar.gz');
    fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    await handle.close();
    project.provide('pgliteSnapshot', file);
    return async () => fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
  const admin = new pg.Client({ connectionString: postgresAdminUrl() });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE_DB}`);
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();
  const handle = openPostgres(withDatabase(postgresAdminUrl(), TEMPLATE_DB), 2);
  await migrateToLatest(handle.db);
  await handle.close();
  project.provide('pgliteSnapshot', '');
  return async () => {};
}
