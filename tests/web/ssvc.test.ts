import { describe, expect, it } from 'vitest';
import {
  readSsvcSelectionList,
  ssvcDecide,
  ssvcRoleTableViews,
  ssvcSelectionList as serverList,
} from '../../src/scores/ssvc.ts';
import { readSsvcSelection, ssvcOutcome, ssvcSelectionList, type SsvcTableView } from '../../web/src/ssvc.ts';

/**
 * The advisory editor's SSVC form decides in the browser from the tables the server sends
 * (GET /api/v1/ssvc/tables): for every row of every role table it must give the server's
 * `ssvcDecide` outcome, write the SelectionList the server writes, and read it back.
 */
const tables = JSON.parse(JSON.stringify(ssvcRoleTableViews())) as SsvcTableView[];
const now = new Date('2026-11-28T09:00:00Z');

describe('SSVC decision form', () => {
  it('offers the four role tables', () => {
    expect(tables.map((t) => t.role)).toEqual(['supplier', 'deployer', 'coordinator-triage', 'coordinator-publish']);
  });

  for (const table of tables) {
    it(`gives the server's outcome and selection list for every row of ${table.name} (${table.rows.length} rows)`, () => {
      for (const row of table.rows) {
        const choices = Object.fromEntries(table.inputs.map((dp, i) => [dp.id, row[i]!]));
        const server = ssvcDecide(table.role, choices);
        if (!server.ok) throw new Error(server.error);
        expect(ssvcOutcome(table, choices)?.key).toBe(server.outcome?.key);
        expect(ssvcOutcome(table, choices)?.key).toBe(row[row.length - 1]);
        const ours = ssvcSelectionList(table, choices, now);
        expect(ours).toEqual(serverList(server, { timestamp: now }));
        // The server reads it back to the same decision, and so does the form.
        const back = readSsvcSelectionList(table.role, ours);
        expect(back.ok && back.outcome?.key).toBe(row[row.length - 1]);
        expect(readSsvcSelection(tables, ours)).toEqual({ table, choices });
      }
    });
  }

  it('has no outcome and no selection list until every decision point is chosen', () => {
    const table = tables[0]!;
    const partial = { [table.inputs[0]!.id]: table.inputs[0]!.values[0]!.key };
    expect(ssvcOutcome(table, partial)).toBeNull();
    expect(ssvcSelectionList(table, partial, now)).toBeNull();
    expect(readSsvcSelection(tables, { selections: [] })).toBeNull();
    expect(readSsvcSelection(tables, 'not a list')).toBeNull();
  });
});
