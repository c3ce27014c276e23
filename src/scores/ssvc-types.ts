/** Shapes of the SSVC data (schema 2.0.0) kept in ssvc-tables.ts. */

export interface SsvcValue {
  readonly key: string;
  readonly name: string;
  readonly definition: string;
}

export interface SsvcDecisionPoint {
  readonly namespace: string;
  readonly key: string;
  readonly version: string;
  readonly name: string;
  readonly definition: string;
  readonly values: readonly SsvcValue[];
}

export interface SsvcDecisionTable {
  readonly namespace: string;
  /** e.g. `DT_SP` (supplier), `DT_DP` (deployer), `DT_COORD_TRIAGE`, `DT_COORD_PUBLISH`. */
  readonly key: string;
  readonly version: string;
  readonly name: string;
  readonly definition: string;
  /** Decision point ids (`namespace:key:version`) the decision depends on, in row order. */
  readonly inputs: readonly string[];
  /** The decision point id of the outcome. */
  readonly outcome: string;
  /** One value key per input, then the outcome's value key. */
  readonly rows: readonly (readonly string[])[];
}
