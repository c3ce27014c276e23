import { describe, expect, it } from 'vitest';
import { messageTypes } from './messages.ts';
import { orThrow } from './result.ts';
import {
  classifyRmDeclaration,
  isRmIn,
  rmAllowedEvents,
  rmCanSubmitReport,
  rmEvents,
  rmFinal,
  rmInitial,
  rmProgress,
  rmStateNames,
  rmStates,
  rmSubsets,
  rmTransition,
  rmTransitions,
  type RmEvent,
  type RmState,
  type RmSubset,
} from './rm.ts';
import { describeSpec, pairs } from './spec.fixture.ts';

describeSpec('RM against vultron.json', (spec) => {
  // "Symbols/triggers: r=receive,i=invalidate,…": an RM event's symbol is its target state's letter.
  const symbols = /Symbols\/triggers:\s*([^.]*)/.exec(spec.rm_transitions_note)?.[1] ?? '';
  const eventOfSymbol = new Map([...symbols.matchAll(/(\w)=(\w+)/g)].map((m) => [m[1], m[2]]));
  const expected = spec.rm_transitions.map(([from, to, message]) => ({
    from,
    event: eventOfSymbol.get(to.toLowerCase()),
    to,
    message,
  }));

  it('has the states, names, initial and final states of the spec', () => {
    expect(rmStateNames).toEqual(spec.rm_states);
    expect([...rmStates].sort()).toEqual(Object.keys(spec.rm_states).sort());
    expect(rmInitial).toBe(spec.rm_initial);
    expect(rmFinal).toEqual(spec.rm_final);
    expect(rmProgress).toEqual(spec.rm_progress_code);
  });

  it('has the events named in the note and the transition table of the spec', () => {
    expect([...eventOfSymbol.values()].sort()).toEqual([...rmEvents].sort());
    expect(expected.every((e) => e.event !== undefined)).toBe(true);
    expect([...rmTransitions].sort(byKey)).toEqual([...expected].sort(byKey));
  });

  it.each(pairs(rmStates, rmEvents))('%s + %s: allowed exactly when the spec lists it', (from, event) => {
    const edge = expected.find((e) => e.from === from && e.event === event);
    const result = rmTransition(from, event);
    if (edge) {
      expect(result).toEqual({ ok: true, to: edge.to, message: edge.message });
    } else {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.rule).toMatch(/^RM: a report in \w+ cannot .+; .+ \(\w→\w is forbidden\)$/);
    }
  });

  it('emits only RM message types', () => {
    for (const e of rmTransitions) expect(spec.message_types[e.message]?.model).toBe('RM');
    for (const e of rmTransitions) expect(messageTypes[e.message].model).toBe('RM');
  });

  it('has the subsets of the spec', () => {
    const names: Record<string, RmSubset> = {
      open: 'open',
      valid_yet_unclosed: 'validYetUnclosed',
      potentially_valid_yet_unclosed: 'potentiallyValidYetUnclosed',
      active: 'active',
      inactive: 'inactive',
      closable: 'closable',
      validated_ratchet_code: 'validated',
    };
    expect(Object.keys(names).sort()).toEqual(Object.keys(spec.rm_subsets).sort());
    for (const [json, ts] of Object.entries(names))
      expect([...rmSubsets[ts]].sort()).toEqual(spec.rm_subsets[json]?.sort());
  });
});

describe('RM rules in words', () => {
  it('refuses to close a Valid report and says what to do', () => {
    expect(rmTransition('V', 'close')).toEqual({
      ok: false,
      rule: 'RM: a report in Valid cannot be closed; accept or defer it first (V→C is forbidden)',
    });
  });

  it.each<[RmState, RmEvent, string]>([
    ['C', 'accept', 'Closed is final'],
    ['S', 'validate', 'it must be received first'],
    ['A', 'receive', 'it has already been received'],
    ['V', 'invalidate', 'only a Received report can be marked invalid'],
    ['R', 'accept', 'validate it first'],
    ['I', 'defer', 'validate it again first'],
    ['D', 'defer', 'it is already Deferred'],
  ])('%s + %s: "%s"', (from, event, hint) => {
    const result = rmTransition(from, event);
    expect(result.ok ? '' : result.rule).toContain(hint);
  });

  it('offers the allowed events, and closable is where close is allowed', () => {
    expect(rmAllowedEvents('V')).toEqual(['accept', 'defer']);
    expect(rmAllowedEvents('C')).toEqual([]);
    for (const s of rmStates) expect(isRmIn('closable', s)).toBe(rmAllowedEvents(s).includes('close'));
  });

  it('walks the documented shortest histories to Closed', () => {
    const symbol: Record<string, RmEvent> = {
      r: 'receive',
      i: 'invalidate',
      v: 'validate',
      a: 'accept',
      d: 'defer',
      c: 'close',
    };
    for (const history of ['ric', 'rvac', 'rvdc', 'rivdadc', 'rvdadac']) {
      const end = [...history].reduce<RmState>(
        (state, s) => orThrow(rmTransition(state, symbol[s] ?? 'close')).to,
        'S',
      );
      expect(end).toBe('C');
    }
  });

  it('lets only an Accepted participant send the report', () => {
    expect(rmCanSubmitReport('A').ok).toBe(true);
    expect(rmCanSubmitReport('V')).toMatchObject({ ok: false, rule: expect.stringContaining('RS requires A') });
  });

  it('throws the house error through orThrow', () => {
    expect(() => orThrow(rmTransition('V', 'close'))).toThrow(
      expect.objectContaining({ code: 'ERR_ILLEGAL_TRANSITION' }),
    );
  });

  it.each<[RmState, RmState, string]>([
    ['R', 'R', 'confirmation'],
    ['R', 'V', 'advance'],
    ['V', 'C', 'gap'],
    ['R', 'A', 'gap'],
    ['A', 'I', 'regression'],
    ['I', 'V', 'advance'],
    ['V', 'I', 'regression'],
    ['C', 'R', 'regression'],
  ])('a participant recorded in %s declaring %s is a %s', (recorded, declared, kind) => {
    expect(classifyRmDeclaration(recorded, declared)).toBe(kind);
  });
});

function byKey(a: { from: string; event?: string }, b: { from: string; event?: string }): number {
  return `${a.from}:${a.event}`.localeCompare(`${b.from}:${b.event}`);
}
