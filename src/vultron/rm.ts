/**
 * Report Management (RM) — spec §(a) "Report Management" (vultron.json: rm_states, rm_transitions,
 * rm_transitions_note, rm_subsets, rm_progress_code). Every participant keeps its own RM state.
 */
import { refuse, type Refusal, type TransitionResult } from './result.ts';

export const rmStates = ['S', 'R', 'I', 'V', 'D', 'A', 'C'] as const;
export type RmState = (typeof rmStates)[number];

/** The Vultron code's names (`RM` enum), as they travel in `ParticipantStatus.rm_state`. */
export const rmStateNames = {
  S: 'START',
  R: 'RECEIVED',
  I: 'INVALID',
  V: 'VALID',
  D: 'DEFERRED',
  A: 'ACCEPTED',
  C: 'CLOSED',
} as const satisfies Record<RmState, string>;

export const rmStateLabels = {
  S: 'Start',
  R: 'Received',
  I: 'Invalid',
  V: 'Valid',
  D: 'Deferred',
  A: 'Accepted',
  C: 'Closed',
} as const satisfies Record<RmState, string>;

export const rmInitial: RmState = 'S';
export const rmFinal: readonly RmState[] = ['C'];

export const rmEvents = ['receive', 'invalidate', 'validate', 'accept', 'defer', 'close'] as const;
export type RmEvent = (typeof rmEvents)[number];

/** The RM messages a transition carries (RK and RE are replies, never transitions). */
export type RmMessage = 'RS' | 'RI' | 'RV' | 'RD' | 'RA' | 'RC';

export interface RmEdge {
  readonly from: RmState;
  readonly event: RmEvent;
  readonly to: RmState;
  readonly message: RmMessage;
}

/**
 * The 11 transitions. `receive` happens to the receiver of an RS (the only RM message whose receipt
 * moves the receiver); every other one is the participant's own decision, announced by `message`.
 */
export const rmTransitions = [
  { from: 'S', event: 'receive', to: 'R', message: 'RS' },
  { from: 'R', event: 'invalidate', to: 'I', message: 'RI' },
  { from: 'R', event: 'validate', to: 'V', message: 'RV' },
  { from: 'I', event: 'validate', to: 'V', message: 'RV' },
  { from: 'V', event: 'accept', to: 'A', message: 'RA' },
  { from: 'V', event: 'defer', to: 'D', message: 'RD' },
  { from: 'A', event: 'defer', to: 'D', message: 'RD' },
  { from: 'D', event: 'accept', to: 'A', message: 'RA' },
  { from: 'A', event: 'close', to: 'C', message: 'RC' },
  { from: 'D', event: 'close', to: 'C', message: 'RC' },
  { from: 'I', event: 'close', to: 'C', message: 'RC' },
] as const satisfies readonly RmEdge[];

const edges = new Map<string, RmEdge>(rmTransitions.map((e) => [`${e.from}:${e.event}`, e]));

/** In RM each event has one destination, whatever the source (its symbol is the target's letter). */
const eventTarget = {
  receive: 'R',
  invalidate: 'I',
  validate: 'V',
  accept: 'A',
  defer: 'D',
  close: 'C',
} as const satisfies Record<RmEvent, RmState>;

const eventPhrase = {
  receive: 'be received',
  invalidate: 'be marked invalid',
  validate: 'be validated',
  accept: 'be accepted',
  defer: 'be deferred',
  close: 'be closed',
} as const satisfies Record<RmEvent, string>;

/** Why `event` is illegal in `from`, and what to do instead. */
function hint(from: RmState, event: RmEvent): string {
  if (from === 'C') return 'Closed is final';
  if (from === 'S') return 'it must be received first';
  if (event === 'receive') return 'it has already been received';
  if (eventTarget[event] === from) return `it is already ${rmStateLabels[from]}`;
  if (event === 'close' && from === 'V') return 'accept or defer it first';
  if (event === 'close' && from === 'R') return 'validate or invalidate it first';
  if (from === 'R') return 'validate it first';
  if (from === 'I') return 'validate it again first';
  if (event === 'invalidate') return 'only a Received report can be marked invalid';
  if (event === 'validate') return 'it has already been validated';
  return `allowed here: ${rmAllowedEvents(from).join(', ')}`;
}

/** One RM step for one participant; a refusal names the rule, e.g. why V→C is forbidden. */
export function rmTransition(from: RmState, event: RmEvent): TransitionResult<RmState, RmMessage> {
  const edge = edges.get(`${from}:${event}`);
  if (edge) return { ok: true, to: edge.to, message: edge.message };
  return refuse(
    `RM: a report in ${rmStateLabels[from]} cannot ${eventPhrase[event]}; ${hint(from, event)} ` +
      `(${from}→${eventTarget[event]} is forbidden)`,
  );
}

/** The events the UI may offer in `state`, in the order of `rmEvents`. */
export function rmAllowedEvents(state: RmState): RmEvent[] {
  return rmEvents.filter((event) => edges.has(`${state}:${event}`));
}

/** Named groups of states (docs and code of Vultron). `closable` is where `close` is legal. */
export const rmSubsets = {
  open: ['R', 'I', 'V', 'D', 'A'],
  validYetUnclosed: ['V', 'D', 'A'],
  potentiallyValidYetUnclosed: ['R', 'V', 'D', 'A'],
  active: ['R', 'V', 'A'],
  inactive: ['I', 'D', 'C'],
  closable: ['I', 'D', 'A'],
  /** The code's "validated ratchet" (`RM_VALIDATED`): C is excluded because I→C skips validation. */
  validated: ['V', 'D', 'A'],
} as const satisfies Record<string, readonly RmState[]>;
export type RmSubset = keyof typeof rmSubsets;

export function isRmIn(subset: RmSubset, state: RmState): boolean {
  return (rmSubsets[subset] as readonly RmState[]).includes(state);
}

/**
 * Sending a report (RS) to another participant is only for those who have Accepted it; a Finder's
 * R, I and V stay private, and it becomes a Reporter in A.
 */
export function rmCanSubmitReport(state: RmState): { readonly ok: true } | Refusal {
  if (state === 'A') return { ok: true };
  return refuse(
    `RM: only a participant who has Accepted the report may send it to others; this one is in ` +
      `${rmStateLabels[state]} (RS requires A)`,
  );
}

/** Progress toward Closed, used to judge a state another participant declares about itself. */
export const rmProgress = { S: 0, R: 1, I: 2, V: 2, D: 3, A: 3, C: 4 } as const satisfies Record<RmState, number>;

/**
 * How a state another participant declares relates to what we recorded for it (ADR-0067): the same
 * state, one legal step, a forward jump over steps we did not see (accept, but note the anomaly), or a
 * regression (backward, sideways between equal ranks, or out of Closed: refuse, and say so).
 */
export type RmDeclaration = 'confirmation' | 'advance' | 'gap' | 'regression';

export function classifyRmDeclaration(recorded: RmState, declared: RmState): RmDeclaration {
  if (declared === recorded) return 'confirmation';
  if (recorded === 'C') return 'regression';
  if (rmTransitions.some((e) => e.from === recorded && e.to === declared)) return 'advance';
  if (rmProgress[declared] > rmProgress[recorded]) return 'gap';
  return 'regression';
}
