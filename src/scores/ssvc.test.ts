import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type SsvcChoices,
  readSsvcSelectionList,
  ssvcDecide,
  ssvcDecisionPoints,
  ssvcRoleTables,
  ssvcSelectionList,
  ssvcTable,
} from './ssvc.ts';

/**
 * Every row of the SSVC decision tables in the conformance corpus (ACCORD_CONFORMANCE_DIR, default
 * ../shared/testdata: `ssvc/json/decision_tables/ssvc/*.json` and the same tables as CSV in `ssvc/csv/ssvc/`)
 * must give the table's outcome.
 */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const ssvcDir = path.resolve(repoRoot, process.env.ACCORD_CONFORMANCE_DIR ?? '../shared/testdata', 'ssvc');
const present = fs.existsSync(ssvcDir);
if (!present) console.log(`SSVC corpus not found at ${ssvcDir}: skipping the corpus tests`);

interface CorpusTable {
  key: string;
  name: string;
  outcome: string;
  decision_points: Record<string, { name: string; version: string; values: { key: string; name: string }[] }>;
  mapping: Record<string, string>[];
}
const jsonDir = path.join(ssvcDir, 'json/decision_tables/ssvc');
const corpusTables: { file: string; table: CorpusTable }[] = present
  ? fs
      .readdirSync(jsonDir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((file) => ({ file, table: JSON.parse(fs.readFileSync(path.join(jsonDir, file), 'utf8')) as CorpusTable }))
  : [];

describe.skipIf(!present)('SSVC corpus: every row of every table gives the table outcome', () => {
  it('has the supplier, deployer and coordinator triage and publish tables', () => {
    const keys = corpusTables.map((t) => t.table.key);
    for (const key of Object.values(ssvcRoleTables)) expect(keys).toContain(key);
  });

  it.each(corpusTables)('$file (JSON)', ({ table }) => {
    const wrong: string[] = [];
    for (const row of table.mapping) {
      const choices = Object.fromEntries(Object.entries(row).filter(([id]) => id !== table.outcome));
      const decision = ssvcDecide(table.key, choices);
      const got = decision.ok ? decision.outcome?.key : decision.error;
      if (got !== row[table.outcome]) wrong.push(`${JSON.stringify(row)} gave ${got}`);
    }
    expect(wrong).toEqual([]);
    expect(table.mapping.length).toBe(ssvcTable(table.key)?.rows.length);
  });

  it.each(corpusTables)('$file (the CSV export of the same table, by value names)', ({ file, table }) => {
    const csvFile = path.join(ssvcDir, 'csv/ssvc', file.replace(/\.json$/, '.csv'));
    const lines = fs.readFileSync(csvFile, 'utf8').trim().split(/\r?\n/);
    // The header names each decision point "Name vX.Y.Z" (quoted when it has a comma); the first column is the row.
    const header = (lines[0] ?? '').match(/("[^"]*"|[^,]+)/g)?.map((h) => h.replace(/"/g, '')) ?? [];
    const ids = header.slice(1).map((h) => {
      const id = Object.keys(table.decision_points).find((k) => {
        const dp = table.decision_points[k];
        return dp !== undefined && `${dp.name} v${dp.version}` === h;
      });
      if (id === undefined) throw new Error(`${csvFile}: no decision point for column ${h}`);
      return id;
    });
    const wrong: string[] = [];
    for (const line of lines.slice(1)) {
      const cells = line.split(',').slice(1);
      const choices: Record<string, string> = {};
      ids.forEach((id, i) => {
        if (id !== table.outcome) choices[id] = cells[i] ?? '';
      });
      const decision = ssvcDecide(table.key, choices);
      const got = decision.ok ? decision.outcome?.name.toLowerCase() : decision.error;
      if (got !== cells[ids.indexOf(table.outcome)]) wrong.push(`${line} gave ${got}`);
    }
    expect(lines.length - 1).toBe(table.mapping.length);
    expect(wrong).toEqual([]);
  });

  it('has the same decision points as the corpus (regenerate with scripts/gen-ssvc.mjs)', () => {
    for (const { table } of corpusTables) {
      for (const [id, dp] of Object.entries(table.decision_points)) {
        expect(ssvcDecisionPoints[id]?.values.map((v) => [v.key, v.name])).toEqual(
          dp.values.map((v) => [v.key, v.name]),
        );
      }
    }
  });
});

describe('ssvcDecide', () => {
  const supplier: SsvcChoices = { E: 'active', U: 'super effective', TI: 'total', PSI: 'significant' };

  it('decides the supplier patch development priority by keys or names', () => {
    const decision = ssvcDecide('supplier', supplier);
    expect(decision).toMatchObject({ ok: true, outcome: { key: 'I', name: 'Immediate' } });
    expect(
      ssvcDecide('DT_SP', { 'ssvc:E:1.1.0': 'N', 'ssvc:U:1.0.1': 'L', 'ssvc:TI:1.0.0': 'P', PSI: 'M' }),
    ).toMatchObject({ ok: true, outcome: { key: 'D', name: 'Defer' } });
  });

  it('decides the deployer, coordinator triage and coordinator publish tables', () => {
    expect(ssvcDecide('deployer', { E: 'A', EXP: 'O', A: 'Y', HI: 'VH' })).toMatchObject({
      ok: true,
      outcome: { name: 'Immediate' },
    });
    expect(
      ssvcDecide('coordinator-triage', { RP: 'N', SCON: 'Y', RC: 'C', SC: 'M', SE: 'A', U: 'S', PSI: 'S' }),
    ).toMatchObject({ ok: true, outcome: { name: 'Coordinate' } });
    expect(ssvcDecide('coordinator-publish', { SINV: 'FR', E: 'N', PVA: 'L' })).toMatchObject({
      ok: true,
      outcome: { name: 'Do Not Publish' },
    });
  });

  it('lists every outcome the choices allow when a decision point has several values', () => {
    const decision = ssvcDecide('supplier', { E: ['N', 'A'], U: 'L', TI: 'P', PSI: 'M' });
    if (!decision.ok) throw new Error(decision.error);
    expect(decision.outcome).toBeUndefined();
    expect(decision.outcomes.map((v) => v.key)).toEqual(['D', 'O']); // defer (none) or out-of-cycle (active)
  });

  it('names what is missing, unknown or not a value, with the allowed values', () => {
    const decision = ssvcDecide('supplier', { E: 'sometimes', X: 'Y', U: 'L' });
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    expect(decision.problems).toEqual([
      '"sometimes" is not a value of Exploitation (ssvc:E:1.1.0): N = None, P = Public PoC, A = Active',
      'X is not a decision point of Supplier Patch Development Priority, whose inputs are ssvc:E:1.1.0, ssvc:U:1.0.1, ssvc:TI:1.0.0, ssvc:PSI:2.0.1',
      'Technical Impact is missing; choose one of Technical Impact (ssvc:TI:1.0.0): P = Partial, T = Total',
      'Public Safety Impact is missing; choose one of Public Safety Impact (ssvc:PSI:2.0.1): M = Minimal, S = Significant',
    ]);
    expect(ssvcDecide('mystery', {})).toMatchObject({ ok: false, error: expect.stringContaining('supplier') });
  });
});

describe('SSVC selection lists', () => {
  it('stores a decision as a SelectionList and reads it back to the same decision', () => {
    const decision = ssvcDecide('coordinator-publish', { SINV: 'UU', E: 'A', PVA: 'L' });
    if (!decision.ok) throw new Error(decision.error);
    const list = ssvcSelectionList(decision, {
      timestamp: new Date('2026-01-02T03:04:05Z'),
      targetIds: ['CVE-2026-0001', 'CVE-2026-0001'],
    });
    expect(list).toMatchObject({
      schemaVersion: '2.0.0',
      timestamp: '2026-01-02T03:04:05.000Z',
      target_ids: ['CVE-2026-0001'],
      selections: [
        { namespace: 'ssvc', key: 'SINV', version: '1.0.0', values: [{ key: 'UU' }] },
        { namespace: 'ssvc', key: 'E', version: '1.1.0', values: [{ key: 'A' }] },
        { namespace: 'ssvc', key: 'PVA', version: '1.0.0', values: [{ key: 'L' }] },
        { namespace: 'ssvc', key: 'PUBLISH', version: '1.0.0', values: [{ key: 'P', name: 'Publish' }] },
      ],
    });
    const back = readSsvcSelectionList('coordinator-publish', JSON.parse(JSON.stringify(list)));
    expect(back).toMatchObject({ ok: true, outcome: { key: 'P' } });
  });

  it('refuses a stored outcome the table does not give, and decision points of another table', () => {
    const decision = ssvcDecide('coordinator-publish', { SINV: 'UU', E: 'A', PVA: 'L' });
    if (!decision.ok) throw new Error(decision.error);
    const list = ssvcSelectionList(decision, { timestamp: new Date('2026-01-02T03:04:05Z') });
    const forged = {
      ...list,
      selections: list.selections.map((s) => (s.key === 'PUBLISH' ? { ...s, values: [{ key: 'N' }] } : s)),
    };
    expect(readSsvcSelectionList('coordinator-publish', forged)).toMatchObject({
      ok: false,
      error: expect.stringContaining('stored outcome N'),
    });
    expect(readSsvcSelectionList('supplier', list)).toMatchObject({
      ok: false,
      error: expect.stringContaining('ssvc:SINV:1.0.0 is not a decision point of Supplier Patch Development Priority'),
    });
    expect(readSsvcSelectionList('supplier', { schemaVersion: '1', selections: [] })).toMatchObject({ ok: false });
  });
});
