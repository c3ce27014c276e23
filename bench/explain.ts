// EXPLAIN ANALYZE of the application's own queries, shared by the benchmark suites.
import { CompiledQuery, PostgresQueryCompiler, type Kysely, type KyselyPlugin } from 'kysely';
import type { Database } from '../src/db/schema.ts';

export interface ExplainResult {
  /** PostgreSQL's "Execution Time" of the query alone (no HTTP, no JSON). */
  executionMs: number | null;
  plan: string[];
}

/** Records the SQL Kysely sends, so the app's own queries can be run again under EXPLAIN. */
export function capturing(db: Kysely<Database>) {
  const compiler = new PostgresQueryCompiler();
  const captured: CompiledQuery[] = [];
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      captured.push(compiler.compileQuery(args.node, args.queryId));
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
  return { db: db.withPlugin(plugin), captured };
}

export async function explain(db: Kysely<Database>, query: CompiledQuery): Promise<ExplainResult> {
  const result = await db.executeQuery<Record<string, string>>(
    CompiledQuery.raw(`explain (analyze, buffers) ${query.sql}`, [...query.parameters]),
  );
  const plan = result.rows.map((r) => Object.values(r)[0] ?? '');
  const time = plan.map((l) => /Execution Time: ([\d.]+) ms/.exec(l)?.[1]).find(Boolean);
  return { executionMs: time ? Number(time) : null, plan };
}
