/**
 * Embargo Management (EM) — spec §(b) "Embargo Management" (vultron.json: em_states, em_transitions,
 * em_transitions_note, em_trace_regex). EM is global to a case: one shared value for all participants.
 */
import { refuse, type TransitionResult } from './result.ts';

export const emStates = ['N', 'P', 'A', 'R', 'X'] as const;
export type EmState = (typeof emStates)[number];

/** The Vultron code's names (`EM` enum), as they travel in `CaseStatus.em_state`. */
export const emStateNames = {
  N: 'NONE',
  P: 'PROPOSED',
  A: 'ACTIVE',
  R: 'REVISE',
  X: 'EXITED',
} as const satisfies Record<EmState, string>;

export const emStateLabels = {
  N: 'No embargo',
  P: 'Proposed',
  A: 'Active',
  R: 'Active, revision proposed',
  X: 'Exited',
} as const satisfies Record<EmState, string>;

export const emInitial: EmState = 'N';
export const emFinal: readonly EmState[] = ['N', 'X'];

/**
 * The four EM symbols p, a, r, t. There is no separate "revise" event: proposing while an embargo is
 * in force (A or R) *is* a revision, and accepting or rejecting in R decides that revision.
 */
export const emEvents = ['propose', 'accept', 'reject', 'terminate'] as const;
export type EmEvent = (typeof emEvents)[number];

export type EmMessage = 'EP' | 'ER' | 'EA' | 'EV' | 'EJ' | 'EC' | 'ET';

export interface EmEdge {
  readonly from: EmState;
  readonly event: EmEvent;
  readonly to: EmState;
  readonly message: EmMessage;
}

/** The 10 transitions. R→A happens on accept (new terms, EC) and on reject (old terms stay, EJ). */
export const emTransitions = [
  { from: 'N', event: 'propose', to: 'P', message: 'EP' },
  { from: 'P', event: 'propose', to: 'P', message: 'EP' },
  { from: 'P', event: 'reject', to: 'N', message: 'ER' },
  { from: 'P', event: 'accept', to: 'A', message: 'EA' },
  { from: 'A', event: 'propose', to: 'R', message: 'EV' },
  { from: 'R', event: 'propose', to: 'R', message: 'EV' },
  { from: 'R', event: 'accept', to: 'A', message: 'EC' },
  { from: 'R', event: 'reject', to: 'A', message: 'EJ' },
  { from: 'A', event: 'terminate', to: 'X', message: 'ET' },
  { from: 'R', event: 'terminate', to: 'X', message: 'ET' },
] as const satisfies readonly EmEdge[];

const edges = new Map<string, EmEdge>(emTransitions.map((e) => [`${e.from}:${e.event}`, e]));

/** Why `event` is illegal in `from` (the table above lists every legal pair). */
function rule(from: EmState, event: EmEvent): string {
  switch (from) {
    case 'X':
      return `EM: the embargo has exited, which is final; it cannot be ${pastTense[event]} any more (X is terminal)`;
    case 'N':
      return event === 'terminate'
        ? 'EM: there is no embargo in force to terminate (N→X is forbidden)'
        : `EM: no embargo has been proposed, so there is nothing to ${event}; propose one first (${event} is forbidden in N)`;
    case 'P':
      return 'EM: a proposed embargo is not in force yet, so it cannot be terminated; reject the proposal instead (P→X is forbidden)';
    case 'A':
      return `EM: the embargo is active with no revision pending, so there is nothing to ${event}; propose a revision first (${event} is forbidden in A)`;
    case 'R':
      return `EM: ${event} is not allowed while a revision is pending`;
  }
}

const pastTense = {
  propose: 'proposed',
  accept: 'accepted',
  reject: 'rejected',
  terminate: 'terminated',
} as const satisfies Record<EmEvent, string>;

/** One EM step for the case; the message tells a revision (EV/EC/EJ) from a first proposal. */
export function emTransition(from: EmState, event: EmEvent): TransitionResult<EmState, EmMessage> {
  const edge = edges.get(`${from}:${event}`);
  if (edge) return { ok: true, to: edge.to, message: edge.message };
  return refuse(rule(from, event));
}

export function emAllowedEvents(state: EmState): EmEvent[] {
  return emEvents.filter((event) => edges.has(`${state}:${event}`));
}

/** Code subsets (`em.py`): terms are being negotiated; an embargo is in force (it stays so during R). */
export const emSubsets = {
  negotiating: ['P', 'R'],
  inForce: ['A', 'R'],
} as const satisfies Record<string, readonly EmState[]>;
export type EmSubset = keyof typeof emSubsets;

export function isEmIn(subset: EmSubset, state: EmState): boolean {
  return (emSubsets[subset] as readonly EmState[]).includes(state);
}
