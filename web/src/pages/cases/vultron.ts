import type { CaseEvent } from '../../casesApi.ts';
import type { RmEvent, RmState } from '../../reportsApi.ts';

/**
 * Which Vultron moves to offer as buttons. The server decides (an illegal move answers 409 with
 * the rule, shown as it is); this mirror of its tables only keeps impossible buttons off the page.
 */

/** RM: the events legal in each state (vultron.json rm_transitions). */
const rmMoves: Record<RmState, RmEvent[]> = {
  S: ['receive'],
  R: ['validate', 'invalidate'],
  I: ['validate', 'close'],
  V: ['accept', 'defer'],
  D: ['accept', 'close'],
  A: ['defer', 'close'],
  C: [],
};

export function rmAllowed(state: RmState): RmEvent[] {
  return rmMoves[state] ?? [];
}

export const vfdEvents = ['V', 'F', 'D'] as const;
export const pxaEvents = ['P', 'X', 'A'] as const;
const order: readonly CaseEvent[] = [...vfdEvents, ...pxaEvents];

/** Whether `event` has happened in a state written as six letters vfdpxa (or the pxa part alone). */
export function happened(state: string, event: CaseEvent): boolean {
  const letters = state.length === 3 ? `vfd${state}` : state;
  return letters[order.indexOf(event)] === event;
}

/** A vendor's next fix-path step: V, then F, then D (each once, in that order). */
export function vfdNext(caseState: string): CaseEvent | null {
  return vfdEvents.find((e) => !happened(caseState, e)) ?? null;
}

/** The case-wide events that have not happened yet (an exploit made public also makes the case public). */
export function pxaOpen(pxaState: string): CaseEvent[] {
  return pxaEvents.filter((e) => !happened(pxaState, e));
}
