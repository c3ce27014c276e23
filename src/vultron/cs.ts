/**
 * Case State (CS) — spec §(c) "Case State" (vultron.json: cs_substates, cs_state_string_order,
 * cs_vfd_states, cs_pxa_states, cs_rules, cs_ephemeral_states, cs_ephemeral_rule, vfd_transitions,
 * pxa_transitions, cs_transitions). A state is six letters in the order `vfdpxa`: lowercase = not yet,
 * uppercase = happened. `vfd` belongs to one Vendor (or Deployer); `pxa` is global to the case.
 */
import { refuse, type Refusal } from './result.ts';

export const csEvents = ['V', 'F', 'D', 'P', 'X', 'A'] as const;
export type CsEvent = (typeof csEvents)[number];
export type VfdEvent = 'V' | 'F' | 'D';
export type PxaEvent = 'P' | 'X' | 'A';
export type CsMessage = 'CV' | 'CF' | 'CD' | 'CP' | 'CX' | 'CA';

export interface CsEventInfo {
  readonly dimension: string;
  /** What the lowercase letter means. */
  readonly notYet: string;
  /** What the uppercase letter means. */
  readonly happened: string;
  readonly scope: 'participant' | 'global';
  readonly message: CsMessage;
}

export const csEventInfo = {
  V: {
    dimension: 'vendor_awareness',
    notYet: 'vendor unaware',
    happened: 'vendor aware',
    scope: 'participant',
    message: 'CV',
  },
  F: {
    dimension: 'fix_readiness',
    notYet: 'fix not ready',
    happened: 'fix ready',
    scope: 'participant',
    message: 'CF',
  },
  D: {
    dimension: 'fix_deployment',
    notYet: 'fix not deployed',
    happened: 'fix deployed',
    scope: 'participant',
    message: 'CD',
  },
  P: {
    dimension: 'public_awareness',
    notYet: 'public unaware',
    happened: 'public aware',
    scope: 'global',
    message: 'CP',
  },
  X: {
    dimension: 'exploit_publication',
    notYet: 'no public exploit',
    happened: 'exploit public',
    scope: 'global',
    message: 'CX',
  },
  A: {
    dimension: 'attack_observation',
    notYet: 'no attacks observed',
    happened: 'attacks observed',
    scope: 'global',
    message: 'CA',
  },
} as const satisfies Record<CsEvent, CsEventInfo>;

export const vfdStates = ['vfd', 'Vfd', 'VFd', 'VFD'] as const;
export type VfdState = (typeof vfdStates)[number];
export const pxaStates = ['pxa', 'Pxa', 'pXa', 'pxA', 'PXa', 'pXA', 'PxA', 'PXA'] as const;
export type PxaState = (typeof pxaStates)[number];
/** The 32 valid states: vF… (fix before awareness) and .fD… (deployed before ready) cannot be written. */
export type CsState = `${VfdState}${PxaState}`;

export const csStates: readonly CsState[] = vfdStates.flatMap((vfd) => pxaStates.map((pxa) => joinCs(vfd, pxa)));
export const csInitial: CsState = 'vfdpxa';
export const csFinal: CsState = 'VFDPXA';

export function joinCs(vfd: VfdState, pxa: PxaState): CsState {
  return `${vfd}${pxa}`;
}

export function splitCs(state: CsState): { vfd: VfdState; pxa: PxaState } {
  return { vfd: state.slice(0, 3) as VfdState, pxa: state.slice(3) as PxaState };
}

export function isCsEvent(raw: string): raw is CsEvent {
  return (csEvents as readonly string[]).includes(raw);
}

export function isCsState(raw: string): raw is CsState {
  return (csStates as readonly string[]).includes(raw);
}

export type CsFlags = Readonly<Record<CsEvent, boolean>>;

/** Which events have happened in `state`. */
export function csFlags(state: CsState): CsFlags {
  return {
    V: has(state, 'V'),
    F: has(state, 'F'),
    D: has(state, 'D'),
    P: has(state, 'P'),
    X: has(state, 'X'),
    A: has(state, 'A'),
  };
}

/** The six letters for `flags`; may spell an impossible state (e.g. vF…), which `parseCsState` refuses. */
export function formatCsState(flags: CsFlags): string {
  return csEvents.map((e) => (flags[e] ? e : e.toLowerCase())).join('');
}

/** Reads a state written as six letters in the order vfdpxa, refusing malformed and impossible ones. */
export function parseCsState(text: string): { readonly ok: true; readonly state: CsState } | Refusal {
  const wellFormed = text.length === 6 && csEvents.every((e, i) => text[i] === e || text[i] === e.toLowerCase());
  if (!wellFormed) {
    return refuse(
      `CS: "${text.slice(0, 20)}" is not a case state; write six letters in the order vfdpxa, ` +
        'lowercase for "not yet" and uppercase for "happened" (e.g. VFdpxa)',
    );
  }
  const causality = causalityRule(text);
  if (causality) return refuse(`CS: "${text}" is impossible: ${causality}`);
  return { ok: true, state: text as CsState };
}

function has(state: string, event: CsEvent): boolean {
  return state[csEvents.indexOf(event)] === event;
}

function flip(state: string, event: CsEvent): string {
  const i = csEvents.indexOf(event);
  return state.slice(0, i) + event + state.slice(i + 1);
}

/** The fix-path causality V ≺ F ≺ D, broken by a state string (or null). */
function causalityRule(state: string): string | null {
  if (has(state, 'F') && !has(state, 'V')) return 'a fix cannot be ready before the vendor is aware (V before F)';
  if (has(state, 'D') && !has(state, 'F')) return 'a fix cannot be deployed before it is ready (F before D)';
  return null;
}

/** Rules every single step obeys, ephemeral states aside: an event happens once, and V ≺ F ≺ D. */
function structuralRule(state: string, event: CsEvent): string | null {
  if (has(state, event)) {
    return `${event} (${csEventInfo[event].happened}) has already happened; events happen once and cannot be undone`;
  }
  return causalityRule(flip(state, event));
}

/**
 * The event a transient state forces next: `v..P..` (public aware, vendor not) forces V, since vendors
 * know at least as much as the public; `...pX.` (exploit public, public unaware) forces P.
 */
export function forcedFollowUp(state: CsState): CsEvent | null {
  if (has(state, 'P') && !has(state, 'V')) return 'V';
  if (has(state, 'X') && !has(state, 'P')) return 'P';
  return null;
}

export function isEphemeral(state: CsState): boolean {
  return forcedFollowUp(state) !== null;
}

function ephemeralRule(state: CsState, forced: CsEvent, event: CsEvent): string {
  const why =
    forced === 'V'
      ? 'the public is aware but the vendor is not (v..P.. is transient)'
      : 'an exploit is public but the public is not aware (...pX. is transient)';
  return `in ${state} ${why}, so the next event must be ${forced} (${csEventInfo[forced].happened}), not ${event}`;
}

/** A legal CS step. `followUp` is set when `to` is transient: that event must be the next one. */
export interface CsMoved {
  readonly ok: true;
  readonly to: CsState;
  readonly message: CsMessage;
  readonly followUp: CsEvent | null;
}

/** One CS step, ephemeral rule included: from a transient state only its forced event is legal. */
export function csTransition(state: CsState, event: CsEvent): CsMoved | Refusal {
  const structural = structuralRule(state, event);
  if (structural) return refuse(`CS: ${structural} (in ${state})`);
  const forced = forcedFollowUp(state);
  if (forced !== null && forced !== event) return refuse(`CS: ${ephemeralRule(state, forced, event)}`);
  const to = flip(state, event) as CsState;
  return { ok: true, to, message: csEventInfo[event].message, followUp: forcedFollowUp(to) };
}

export function csAllowedEvents(state: CsState): CsEvent[] {
  return csEvents.filter((event) => csTransition(state, event).ok);
}

/**
 * `event`, then every event it forces, as a receiver settles an incoming state: X before P becomes
 * X, P (CX is sent with CP) and, if the vendor was unaware, V. Returns the events and messages in order.
 */
export function csApply(
  state: CsState,
  event: CsEvent,
): { readonly ok: true; readonly to: CsState; readonly events: CsEvent[]; readonly messages: CsMessage[] } | Refusal {
  const events: CsEvent[] = [];
  const messages: CsMessage[] = [];
  let current = state;
  let next: CsEvent | null = event;
  while (next !== null) {
    const step = csTransition(current, next);
    if (!step.ok) return step;
    events.push(next);
    messages.push(step.message);
    current = step.to;
    next = step.followUp;
  }
  return { ok: true, to: current, events, messages };
}

/** The vendor fix path alone, V → F → D (one participant's copy). */
export function vfdTransition(
  vfd: VfdState,
  event: VfdEvent,
): { ok: true; to: VfdState; message: CsMessage } | Refusal {
  const structural = structuralRule(`${vfd}pxa`, event);
  if (structural) return refuse(`CS: ${structural} (in ${vfd})`);
  return { ok: true, to: flip(vfd, event) as VfdState, message: csEventInfo[event].message };
}

/**
 * The global P/X/A part alone. Like the Vultron code's PXA dimension it knows only "once, forward":
 * the pX transient rule needs the compound state and is applied by `csTransition`.
 */
export function pxaTransition(
  pxa: PxaState,
  event: PxaEvent,
): { ok: true; to: PxaState; message: CsMessage } | Refusal {
  const structural = structuralRule(`VFD${pxa}`, event);
  if (structural) return refuse(`CS: ${structural} (in ${pxa})`);
  return { ok: true, to: flip(`VFD${pxa}`, event).slice(3) as PxaState, message: csEventInfo[event].message };
}

/**
 * Replays an ordered history from `from` (default vfdpxa). A prefix may end in a transient state; its
 * forced event is returned as `followUp`. A refusal names the first offending event (1-based).
 */
export function replayCsHistory(
  history: readonly CsEvent[],
  from: CsState = csInitial,
): { readonly ok: true; readonly state: CsState; readonly followUp: CsEvent | null } | Refusal {
  let state = from;
  for (const [i, event] of history.entries()) {
    const step = csTransition(state, event);
    if (!step.ok) return refuse(`event ${i + 1} (${event}) of ${history.join('')}: ${step.rule}`);
    state = step.to;
  }
  return { ok: true, state, followUp: forcedFollowUp(state) };
}

/** True for the 70 orderings of all six events that the rules allow. */
export function isCompleteCsHistory(history: readonly CsEvent[]): boolean {
  const replay = replayCsHistory(history);
  return replay.ok && replay.state === csFinal;
}
