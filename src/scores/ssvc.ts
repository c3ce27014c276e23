/**
 * SSVC (Stakeholder-Specific Vulnerability Categorization) decision support: the Supplier and Deployer patch
 * priority tables and the Coordinator triage and publish tables, plus the tables that derive Utility, Human Impact
 * and Public Safety Impact. The tables are CERT/CC's, generated into ssvc-tables.ts by scripts/gen-ssvc.mjs.
 *
 * Choices name a decision point by its id (`ssvc:E:1.1.0`) or, when the table has one decision point of that key,
 * by its key (`E`); a value by its key (`A`) or its name (`Active`, any case). Several values may be chosen for a
 * decision point when the analyst is unsure: the decision then lists every outcome those choices allow.
 * Choices are stored as an SSVC SelectionList (schema 2.0.0), which `ssvcSelectionList` writes and
 * `readSsvcSelectionList` reads back.
 */
import { ssvcDecisionPoints, ssvcDecisionTables } from './ssvc-tables.ts';
import type { SsvcDecisionPoint, SsvcDecisionTable, SsvcValue } from './ssvc-types.ts';

export type { SsvcDecisionPoint, SsvcDecisionTable, SsvcValue } from './ssvc-types.ts';
export { ssvcDecisionPoints, ssvcDecisionTables } from './ssvc-tables.ts';

/** The decision tables by the role that uses them. */
export const ssvcRoleTables = {
  supplier: 'DT_SP',
  deployer: 'DT_DP',
  'coordinator-triage': 'DT_COORD_TRIAGE',
  'coordinator-publish': 'DT_COORD_PUBLISH',
} as const;
export type SsvcRole = keyof typeof ssvcRoleTables;

const pointId = (p: Pick<SsvcDecisionPoint, 'namespace' | 'key' | 'version'>) => `${p.namespace}:${p.key}:${p.version}`;

/** A table by its key (`DT_SP`) or by role (`supplier`). */
export function ssvcTable(keyOrRole: string): SsvcDecisionTable | undefined {
  const key = keyOrRole in ssvcRoleTables ? ssvcRoleTables[keyOrRole as SsvcRole] : keyOrRole;
  return ssvcDecisionTables.find((t) => t.key === key);
}

function point(id: string): SsvcDecisionPoint {
  const p = ssvcDecisionPoints[id];
  if (p === undefined) throw new Error(`ssvc-tables.ts: no decision point ${id}`);
  return p;
}

const lookups = new Map<string, Map<string, string>>();
/** Row inputs (value keys joined by a separator) → outcome value key, built once per table. */
function lookup(table: SsvcDecisionTable): Map<string, string> {
  let m = lookups.get(table.key);
  if (m === undefined) {
    m = new Map();
    for (const row of table.rows) m.set(row.slice(0, -1).join('\u0000'), row[row.length - 1] ?? '');
    lookups.set(table.key, m);
  }
  return m;
}

export type SsvcChoices = Readonly<Record<string, string | readonly string[]>>;

export interface SsvcSelection {
  decisionPoint: SsvcDecisionPoint;
  values: SsvcValue[];
}

export type SsvcDecision =
  | {
      ok: true;
      table: SsvcDecisionTable;
      /** The chosen values of every input, in table order. */
      selections: SsvcSelection[];
      /** The single outcome when each input has one value; otherwise undefined and see `outcomes`. */
      outcome: SsvcValue | undefined;
      /** Every outcome the choices allow, in the outcome decision point's order. */
      outcomes: SsvcValue[];
      outcomeDecisionPoint: SsvcDecisionPoint;
    }
  | { ok: false; error: string; problems: string[] };

const fail = (problems: string[]): SsvcDecision => ({ ok: false, error: problems.join('; '), problems });

function resolveValue(dp: SsvcDecisionPoint, given: string): SsvcValue | undefined {
  return dp.values.find((v) => v.key === given) ?? dp.values.find((v) => v.name.toLowerCase() === given.toLowerCase());
}

const describe = (dp: SsvcDecisionPoint) =>
  `${dp.name} (${pointId(dp)}): ${dp.values.map((v) => `${v.key} = ${v.name}`).join(', ')}`;

/** Decides with `table` (key or role). Every input needs at least one value; unknown names are refused. */
export function ssvcDecide(tableKeyOrRole: string, choices: SsvcChoices): SsvcDecision {
  const table = ssvcTable(tableKeyOrRole);
  if (table === undefined) {
    const known = [...Object.keys(ssvcRoleTables), ...ssvcDecisionTables.map((t) => t.key)];
    return fail([`unknown SSVC decision table ${JSON.stringify(tableKeyOrRole)}; use one of ${known.join(', ')}`]);
  }
  const inputs = table.inputs.map(point);
  const problems: string[] = [];
  const chosen = new Map<string, string[]>();
  for (const [name, given] of Object.entries(choices)) {
    const matches = inputs.filter((dp) => pointId(dp) === name || dp.key === name);
    const dp = matches.length === 1 ? matches[0] : undefined;
    if (dp === undefined) {
      problems.push(
        matches.length > 1
          ? `${name} is ambiguous in ${table.name}: give the decision point id (${matches.map(pointId).join(' or ')})`
          : `${name} is not a decision point of ${table.name}, whose inputs are ${table.inputs.join(', ')}`,
      );
      continue;
    }
    const list = typeof given === 'string' ? [given] : [...given];
    if (list.length === 0) problems.push(`${dp.name} (${pointId(dp)}) has no value; choose one of ${describe(dp)}`);
    for (const g of list) {
      const v = resolveValue(dp, g);
      if (v === undefined) problems.push(`${JSON.stringify(g)} is not a value of ${describe(dp)}`);
      else chosen.set(pointId(dp), [...new Set([...(chosen.get(pointId(dp)) ?? []), v.key])]);
    }
  }
  for (const dp of inputs) {
    if (!chosen.has(pointId(dp)) && !problems.some((p) => p.includes(`(${pointId(dp)})`))) {
      problems.push(`${dp.name} is missing; choose one of ${describe(dp)}`);
    }
  }
  if (problems.length > 0) return fail(problems);

  const outcomeDp = point(table.outcome);
  const map = lookup(table);
  const found = new Set<string>();
  // Every combination of the chosen values (one value per input in the usual case).
  let combos: string[][] = [[]];
  for (const dp of inputs) {
    const keys = chosen.get(pointId(dp)) ?? [];
    combos = combos.flatMap((c) => keys.map((k) => [...c, k]));
  }
  for (const combo of combos) {
    const out = map.get(combo.join('\u0000'));
    if (out === undefined) throw new Error(`${table.key}: no row for ${combo.join(', ')}`);
    found.add(out);
  }
  const outcomes = outcomeDp.values.filter((v) => found.has(v.key));
  const selections = inputs.map((dp) => ({
    decisionPoint: dp,
    values: dp.values.filter((v) => chosen.get(pointId(dp))?.includes(v.key)),
  }));
  return {
    ok: true,
    table,
    selections,
    outcome: outcomes.length === 1 ? outcomes[0] : undefined,
    outcomes,
    outcomeDecisionPoint: outcomeDp,
  };
}

/** An SSVC SelectionList (schema 2.0.0, `SelectionList_2_0_0.schema.json`). */
export interface SsvcSelectionList {
  schemaVersion: '2.0.0';
  timestamp: string;
  target_ids?: string[];
  selections: {
    namespace: string;
    key: string;
    version: string;
    name?: string;
    values: { key: string; name?: string }[];
  }[];
  decision_point_resources?: { uri: string; summary: string }[];
}

export const SSVC_TABLES_URI = 'https://github.com/CERTCC/SSVC/tree/main/data/json/decision_tables/ssvc';

/**
 * The SelectionList that records a decision: the chosen values of every input and, last, the outcome(s), with the
 * decision table as the resource that defines them.
 */
export function ssvcSelectionList(
  decision: Extract<SsvcDecision, { ok: true }>,
  options: { timestamp: Date; targetIds?: readonly string[] },
): SsvcSelectionList {
  const entry = (dp: SsvcDecisionPoint, values: readonly SsvcValue[]) => ({
    namespace: dp.namespace,
    key: dp.key,
    version: dp.version,
    name: dp.name,
    values: values.map((v) => ({ key: v.key, name: v.name })),
  });
  return {
    schemaVersion: '2.0.0',
    timestamp: options.timestamp.toISOString(),
    ...(options.targetIds !== undefined && options.targetIds.length > 0
      ? { target_ids: [...new Set(options.targetIds)] }
      : {}),
    selections: [
      ...decision.selections.map((s) => entry(s.decisionPoint, s.values)),
      entry(decision.outcomeDecisionPoint, decision.outcomes),
    ],
    decision_point_resources: [
      {
        uri: SSVC_TABLES_URI,
        summary: `SSVC decision table ${decision.table.name} (${decision.table.namespace}:${decision.table.key}:${decision.table.version})`,
      },
    ],
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a stored SelectionList back for `table` and decides again, so a stored decision is always the table's.
 * The outcome selection, if present, must agree with the table; selections of decision points outside the table
 * are refused.
 */
export function readSsvcSelectionList(tableKeyOrRole: string, list: unknown): SsvcDecision {
  const table = ssvcTable(tableKeyOrRole);
  if (table === undefined) return ssvcDecide(tableKeyOrRole, {});
  if (!isObject(list)) return fail(['an SSVC selection list must be a JSON object']);
  const problems: string[] = [];
  if (list.schemaVersion !== '2.0.0') problems.push('schemaVersion must be "2.0.0"');
  if (typeof list.timestamp !== 'string' || Number.isNaN(Date.parse(list.timestamp))) {
    problems.push('timestamp must be an RFC 3339 date-time');
  }
  if (!Array.isArray(list.selections) || list.selections.length === 0) {
    return fail([...problems, 'selections must be a non-empty array']);
  }
  const choices: Record<string, string[]> = {};
  let storedOutcome: string[] | undefined;
  list.selections.forEach((s: unknown, i) => {
    const values = isObject(s) && Array.isArray(s.values) ? s.values : undefined;
    if (!isObject(s) || typeof s.namespace !== 'string' || typeof s.key !== 'string' || typeof s.version !== 'string') {
      problems.push(`selections[${i}] needs namespace, key and version`);
      return;
    }
    if (values === undefined || !values.every((v) => isObject(v) && typeof v.key === 'string')) {
      problems.push(`selections[${i}].values must be a list of {"key": …}`);
      return;
    }
    const id = pointId({ namespace: s.namespace, key: s.key, version: s.version });
    const keys = values.map((v) => String((v as { key: string }).key));
    if (id === table.outcome) storedOutcome = keys;
    else if (table.inputs.includes(id)) choices[id] = keys;
    else problems.push(`selections[${i}]: ${id} is not a decision point of ${table.name}`);
  });
  if (problems.length > 0) return fail(problems);
  const decision = ssvcDecide(table.key, choices);
  if (decision.ok && storedOutcome !== undefined) {
    const computed = decision.outcomes.map((v) => v.key);
    if ([...storedOutcome].sort().join() !== [...computed].sort().join()) {
      return fail([
        `the stored outcome ${storedOutcome.join(', ')} is not what ${table.name} gives for these choices (${computed.join(', ')})`,
      ]);
    }
  }
  return decision;
}

/** A decision point as a form shows it: its id (`namespace:key:version`) and values with their definitions. */
export interface SsvcPointView extends SsvcDecisionPoint {
  id: string;
}

/** A role's decision table with everything a decision form needs: its inputs, outcome and rows. */
export interface SsvcTableView {
  role: SsvcRole;
  namespace: string;
  key: string;
  version: string;
  name: string;
  definition: string;
  inputs: SsvcPointView[];
  outcome: SsvcPointView;
  rows: readonly (readonly string[])[];
  /** The resource a SelectionList names for this table (as ssvcSelectionList writes it). */
  resource: { uri: string; summary: string };
}

/** The Supplier, Deployer and Coordinator (triage, publish) tables, for decision forms. */
export function ssvcRoleTableViews(): SsvcTableView[] {
  const view = (id: string): SsvcPointView => ({ ...point(id), id });
  return (Object.keys(ssvcRoleTables) as SsvcRole[]).map((role) => {
    const t = ssvcTable(role)!;
    return {
      role,
      namespace: t.namespace,
      key: t.key,
      version: t.version,
      name: t.name,
      definition: t.definition,
      inputs: t.inputs.map(view),
      outcome: view(t.outcome),
      rows: t.rows,
      resource: {
        uri: SSVC_TABLES_URI,
        summary: `SSVC decision table ${t.name} (${t.namespace}:${t.key}:${t.version})`,
      },
    };
  });
}
