/**
 * CS desiderata — spec §(c) "Desiderata" and §(g) f_d (vultron.json: desiderata, desiderata_f_d,
 * cs_rules kind "desired"). Twelve orderings a good disclosure achieves; preferences, not rules.
 */
import type { CsEvent } from './cs.ts';

export interface Desideratum {
  /** The event that should come first. */
  readonly before: CsEvent;
  readonly after: CsEvent;
  /** e.g. "F before P". */
  readonly label: string;
  /**
   * f_d: how often a random walk through the CS machine meets it (every legal next event equally
   * likely). Meeting a rare one (D before P: 0.037) shows skill; a common one (V before A) shows little.
   */
  readonly baseline: number;
}

function d(before: CsEvent, after: CsEvent, baseline: number): Desideratum {
  return { before, after, label: `${before} before ${after}`, baseline };
}

export const desiderata: readonly Desideratum[] = [
  d('V', 'P', 0.333),
  d('V', 'X', 0.667),
  d('V', 'A', 0.75),
  d('F', 'P', 0.111),
  d('F', 'X', 0.333),
  d('F', 'A', 0.375),
  d('D', 'P', 0.037),
  d('D', 'X', 0.167),
  d('D', 'A', 0.188),
  d('P', 'X', 0.5),
  d('P', 'A', 0.667),
  d('X', 'A', 0.5),
];

/**
 * `met`: `before` happened and `after` had not yet; `violated`: `after` happened first (or without
 * `before`); `pending`: neither has happened. Once decided, a status never changes as the case goes on.
 */
export type DesideratumStatus = 'met' | 'violated' | 'pending';

export interface DesideratumResult extends Desideratum {
  readonly status: DesideratumStatus;
}

export interface DesiderataReport {
  readonly results: readonly DesideratumResult[];
  readonly met: number;
  readonly violated: number;
  readonly pending: number;
}

/**
 * Scores an ordered history of CS events (complete or not) against the twelve desiderata. The history
 * need not be legal, since recorded dates can disagree with the rules; the first occurrence of an event counts.
 */
export function evaluateDesiderata(history: readonly CsEvent[]): DesiderataReport {
  const position = (event: CsEvent): number => {
    const i = history.indexOf(event);
    return i === -1 ? Infinity : i;
  };
  const results = desiderata.map((desideratum): DesideratumResult => {
    const first = position(desideratum.before);
    const second = position(desideratum.after);
    const status: DesideratumStatus =
      first === Infinity && second === Infinity ? 'pending' : first < second ? 'met' : 'violated';
    return { ...desideratum, status };
  });
  const count = (status: DesideratumStatus): number => results.filter((r) => r.status === status).length;
  return { results, met: count('met'), violated: count('violated'), pending: count('pending') };
}
