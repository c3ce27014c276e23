/**
 * Test support only (the machines never import it): loads the extracted Vultron spec so the tests
 * derive their tables from vultron.json instead of copying the TypeScript constants.
 * The directory comes from ACCORD_SPEC_DIR, default ../shared/spec relative to the working directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';

type Triple = [string, string, string];

/** The part of vultron.json the tests read. */
export interface VultronSpec {
  rm_states: Record<string, string>;
  rm_initial: string;
  rm_final: string[];
  rm_transitions: Triple[];
  rm_transitions_note: string;
  rm_subsets: Record<string, string[]>;
  rm_progress_code: Record<string, number>;
  em_states: Record<string, string>;
  em_initial: string;
  em_final: string[];
  em_transitions: Triple[];
  em_transitions_note: string;
  em_trace_regex: string;
  cs_substates: Record<string, { dimension: string; lower: string; upper: string; scope: string }>;
  cs_state_string_order: string;
  cs_vfd_states: string[];
  cs_pxa_states: string[];
  cs_counts: Record<string, number>;
  cs_initial: string;
  cs_final: string[];
  cs_rules: { text: string; pair: [string, string] | null; kind: string; strict?: boolean; exception?: string }[];
  cs_ephemeral_states: string[];
  cs_ephemeral_rule: Record<string, string>;
  vfd_transitions: Triple[];
  pxa_transitions: Triple[];
  cs_transitions: Triple[];
  cs_histories: string[];
  desiderata: [string, string][];
  desiderata_f_d: Record<string, number>;
  desiderata_extremes: Record<string, string>;
  message_types: Record<string, { model: string; meaning: string; wire_alias_of?: string }>;
  roles_code: string[];
}

export const specFile = path.resolve(process.cwd(), process.env.ACCORD_SPEC_DIR ?? '../shared/spec', 'vultron.json');

export const spec: VultronSpec | null = fs.existsSync(specFile)
  ? (JSON.parse(fs.readFileSync(specFile, 'utf8')) as VultronSpec)
  : null;

/** A describe block over the spec, skipped (and saying why) when vultron.json is not there. */
export function describeSpec(name: string, body: (spec: VultronSpec) => void): void {
  if (spec === null) {
    console.warn(`skipping "${name}": ${specFile} not found (set ACCORD_SPEC_DIR to the folder holding vultron.json)`);
    describe.skip(name, () => {
      it('needs vultron.json', () => undefined);
    });
    return;
  }
  describe(name, () => body(spec));
}

/** Every (a, b) pair of two lists, for state × event tables. */
export function pairs<A, B>(as: readonly A[], bs: readonly B[]): [A, B][] {
  return as.flatMap((a) => bs.map((b): [A, B] => [a, b]));
}
