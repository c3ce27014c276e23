import { request } from './api.ts';

/**
 * SSVC decision support in the browser: the decision tables come from the server
 * (`GET /api/v1/ssvc/tables`, CERT/CC's tables as src/scores/ssvc.ts holds them); this module looks
 * the outcome up in the table's rows and writes the choices as an SSVC SelectionList (schema
 * 2.0.0) the way the server's `ssvcSelectionList` does, and reads one back.
 * tests/web/ssvc.test.ts checks every row of every table against the server's `ssvcDecide`.
 */

export interface SsvcValueView {
  key: string;
  name: string;
  definition: string;
}

export interface SsvcPointView {
  id: string;
  namespace: string;
  key: string;
  version: string;
  name: string;
  definition: string;
  values: SsvcValueView[];
}

export interface SsvcTableView {
  role: 'supplier' | 'deployer' | 'coordinator-triage' | 'coordinator-publish';
  namespace: string;
  key: string;
  version: string;
  name: string;
  definition: string;
  inputs: SsvcPointView[];
  outcome: SsvcPointView;
  rows: string[][];
  resource: { uri: string; summary: string };
}

/** Chosen value key per input decision point id. */
export type SsvcChoices = Record<string, string>;

export const ssvcApi = {
  tables: () => request<{ items: SsvcTableView[] }>('GET', '/api/v1/ssvc/tables'),
};

/** The outcome value for complete choices (one value per input), or null while an input is unchosen. */
export function ssvcOutcome(table: SsvcTableView, choices: SsvcChoices): SsvcValueView | null {
  const keys = table.inputs.map((dp) => choices[dp.id]);
  if (keys.some((k) => k === undefined || k === '')) return null;
  const row = table.rows.find((r) => keys.every((k, i) => r[i] === k));
  const out = row?.[row.length - 1];
  return table.outcome.values.find((v) => v.key === out) ?? null;
}

export interface SelectionList {
  schemaVersion: '2.0.0';
  timestamp: string;
  selections: {
    namespace: string;
    key: string;
    version: string;
    name?: string;
    values: { key: string; name?: string }[];
  }[];
  decision_point_resources?: { uri: string; summary: string }[];
}

/** The SelectionList recording a complete decision: every input's value, then the outcome. */
export function ssvcSelectionList(table: SsvcTableView, choices: SsvcChoices, now: Date): SelectionList | null {
  const outcome = ssvcOutcome(table, choices);
  if (!outcome) return null;
  const entry = (dp: SsvcPointView, v: SsvcValueView) => ({
    namespace: dp.namespace,
    key: dp.key,
    version: dp.version,
    name: dp.name,
    values: [{ key: v.key, name: v.name }],
  });
  return {
    schemaVersion: '2.0.0',
    timestamp: now.toISOString(),
    selections: [
      ...table.inputs.map((dp) =>
        entry(
          dp,
          dp.values.find((v) => v.key === choices[dp.id])!,
        ),
      ),
      entry(table.outcome, outcome),
    ],
    decision_point_resources: [table.resource],
  };
}

const same = (dp: SsvcPointView, s: { namespace?: unknown; key?: unknown; version?: unknown }) =>
  s.namespace === dp.namespace && s.key === dp.key && s.version === dp.version;

/**
 * Which table a stored SelectionList answers and its choices: the table whose every input has one
 * value in the list (the resource summary, when present, breaks a tie). Null when none fits.
 */
export function readSsvcSelection(
  tables: readonly SsvcTableView[],
  list: unknown,
): { table: SsvcTableView; choices: SsvcChoices } | null {
  if (typeof list !== 'object' || list === null || !Array.isArray((list as SelectionList).selections)) return null;
  const l = list as SelectionList;
  const summary = l.decision_point_resources?.[0]?.summary;
  const ordered = [...tables].sort(
    (a, b) => Number(b.resource.summary === summary) - Number(a.resource.summary === summary),
  );
  for (const table of ordered) {
    const choices: SsvcChoices = {};
    for (const dp of table.inputs) {
      const sel = l.selections.find((s) => same(dp, s));
      const key = sel?.values.length === 1 ? sel.values[0]?.key : undefined;
      if (key && dp.values.some((v) => v.key === key)) choices[dp.id] = key;
    }
    if (Object.keys(choices).length === table.inputs.length) return { table, choices };
  }
  return null;
}
