import { describe, expect, it } from 'vitest';
import {
  csAllowedEvents,
  csApply,
  csEventInfo,
  csEvents,
  csFinal,
  csFlags,
  csInitial,
  csStates,
  csTransition,
  forcedFollowUp,
  formatCsState,
  isCompleteCsHistory,
  isCsState,
  isEphemeral,
  parseCsState,
  pxaStates,
  pxaTransition,
  replayCsHistory,
  splitCs,
  vfdStates,
  vfdTransition,
  type CsEvent,
  type CsState,
  type PxaEvent,
  type PxaState,
  type VfdEvent,
  type VfdState,
} from './cs.ts';
import { describeSpec, pairs } from './spec.fixture.ts';

/** Every ordering of `items`. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** Every complete history the machine allows, by walking it from vfdpxa. */
function walk(state: CsState, prefix: CsEvent[]): CsEvent[][] {
  const next = csAllowedEvents(state);
  if (next.length === 0) return [prefix];
  return next.flatMap((event) => {
    const step = csTransition(state, event);
    return step.ok ? walk(step.to, [...prefix, event]) : [];
  });
}

const events = (history: string): CsEvent[] => [...history] as CsEvent[];

describeSpec('CS against vultron.json', (spec) => {
  const expectTable = (
    actual: (from: string, event: string) => { ok: boolean; to?: string; message?: string; rule?: string },
    table: [string, string, string][],
    states: readonly string[],
    letters: readonly string[],
  ): void => {
    for (const [from, event] of pairs(states, letters)) {
      const edge = table.find(([f, , e]) => f === from && e === event);
      const result = actual(from, event);
      if (edge) {
        expect([from, event, result]).toMatchObject([from, event, { ok: true, to: edge[1] }]);
      } else {
        expect([from, event, result.ok, result.rule]).toEqual([from, event, false, expect.stringMatching(/^CS: /)]);
      }
    }
  };

  it('has the substates, string order and state lists of the spec', () => {
    expect(spec.cs_state_string_order.startsWith(csEvents.join('').toLowerCase())).toBe(true);
    expect(Object.keys(spec.cs_substates)).toEqual([...csEvents]);
    for (const e of csEvents) {
      const info = csEventInfo[e];
      expect(spec.cs_substates[e]).toEqual({
        dimension: info.dimension,
        lower: `${e.toLowerCase()}: ${info.notYet}`,
        upper: `${e}: ${info.happened}`,
        scope: expect.stringMatching(info.scope === 'global' ? /^global/ : /^participant-specific/),
      });
    }
    expect(vfdStates).toEqual(spec.cs_vfd_states);
    expect(pxaStates).toEqual(spec.cs_pxa_states);
    expect(csStates).toHaveLength(spec.cs_counts.valid_states ?? -1);
    expect(csInitial).toBe(spec.cs_initial);
    expect([csFinal]).toEqual(spec.cs_final);
  });

  it('parses exactly the valid states out of the 64 letter combinations', () => {
    const all = [...Array(64).keys()].map((n) =>
      csEvents.map((e, i) => (((n >> i) & 1) === 1 ? e : e.toLowerCase())).join(''),
    );
    const parsed = all.filter((s) => parseCsState(s).ok);
    expect(all).toHaveLength(spec.cs_counts.raw_combinations ?? -1);
    expect(all.length - parsed.length).toBe(spec.cs_counts.impossible_vF_or_fD);
    expect(parsed.sort()).toEqual([...csStates].sort());
  });

  it('has the ephemeral states of the spec, each forcing the event its rule names', () => {
    expect(csStates.filter(isEphemeral).sort()).toEqual([...spec.cs_ephemeral_states].sort());
    expect(spec.cs_counts.ephemeral_states).toBe(spec.cs_ephemeral_states.length);
    for (const state of csStates) {
      const rules = Object.entries(spec.cs_ephemeral_rule).filter(([pattern]) =>
        new RegExp(`^${pattern}$`).test(state),
      );
      const forced = rules.map(([, text]) => /MUST be (\w)/.exec(text)?.[1]);
      expect([state, forcedFollowUp(state)]).toEqual([state, forced[0] ?? null]);
      if (isEphemeral(state)) expect(csAllowedEvents(state)).toEqual([forced[0]]);
    }
  });

  it('runs the vendor fix path exactly as vfd_transitions', () => {
    expectTable((f, e) => vfdTransition(f as VfdState, e as VfdEvent), spec.vfd_transitions, vfdStates, [
      'V',
      'F',
      'D',
    ]);
  });

  it('runs the global part exactly as pxa_transitions', () => {
    expectTable((f, e) => pxaTransition(f as PxaState, e as PxaEvent), spec.pxa_transitions, pxaStates, [
      'P',
      'X',
      'A',
    ]);
  });

  it.each(pairs(csStates, csEvents))('%s + %s: allowed exactly when cs_transitions lists it', (from, event) => {
    const edge = spec.cs_transitions.find(([f, , e]) => f === from && e === event);
    const result = csTransition(from, event);
    if (edge) {
      const to = edge[1] as CsState;
      expect(result).toEqual({ ok: true, to, message: csEventInfo[event].message, followUp: forcedFollowUp(to) });
    } else {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.rule).toMatch(/^CS: .+/);
    }
  });

  it('counts 58 transitions, 72 before the ephemeral rule', () => {
    const legal = pairs(csStates, csEvents).filter(([s, e]) => csTransition(s, e).ok);
    expect(legal).toHaveLength(spec.cs_counts.valid_transitions ?? -1);
    expect(legal).toHaveLength(spec.cs_transitions.length);
    const structural = pairs(csStates, csEvents).filter(([s, e]) => {
      const result = csTransition(s, e);
      return result.ok || result.rule.includes('is transient');
    });
    expect(structural).toHaveLength(spec.cs_counts.structural_unit_flips_before_ephemeral_rule ?? -1);
  });

  it('generates exactly the 70 complete histories of the spec', () => {
    const walked = walk(csInitial, []).map((h) => h.join(''));
    expect(walked.sort()).toEqual([...spec.cs_histories].sort());
    expect(walked).toHaveLength(spec.cs_counts.valid_complete_histories ?? -1);
  });

  it('agrees with the ordering rules of cs_rules on all 720 orderings of the six events', () => {
    const ordering = spec.cs_rules.filter((r) => r.kind === 'required' && r.pair !== null);
    const allowedByRules = (history: CsEvent[]): boolean =>
      ordering.every((rule) => {
        const [a, b] = rule.pair ?? ['', ''];
        const at = (e: string): number => history.indexOf(e as CsEvent);
        if (at(a) < at(b)) return true;
        // "P then immediately V": the later event follows at once.
        const exception = /^(\w) then immediately (\w)$/.exec(rule.exception ?? '');
        return rule.strict !== true && exception?.[1] === b && exception[2] === a && at(a) === at(b) + 1;
      });
    const all = permutations(csEvents);
    expect(all).toHaveLength(spec.cs_counts.permutations_of_6_events ?? -1);
    for (const history of all)
      expect([history.join(''), isCompleteCsHistory(history)]).toEqual([history.join(''), allowedByRules(history)]);
  });
});

describe('CS states, steps and histories', () => {
  it('parses, formats and splits states', () => {
    expect(parseCsState('VFdpxa')).toEqual({ ok: true, state: 'VFdpxa' });
    expect(formatCsState(csFlags('VfdPxA'))).toBe('VfdPxA');
    expect(csFlags('VfdPxA')).toEqual({ V: true, F: false, D: false, P: true, X: false, A: true });
    expect(splitCs('VFdpXa')).toEqual({ vfd: 'VFd', pxa: 'pXa' });
    expect(isCsState('vFdpxa')).toBe(false);
  });

  it.each([
    ['vfdpx', 'is not a case state'],
    ['VFDPXa!', 'is not a case state'],
    ['xfdpxa', 'is not a case state'],
    ['vFdpxa', 'a fix cannot be ready before the vendor is aware (V before F)'],
    ['VfDpxa', 'a fix cannot be deployed before it is ready (F before D)'],
  ])('refuses "%s": %s', (text, words) => {
    const result = parseCsState(text);
    expect(result.ok ? '' : result.rule).toContain(words);
  });

  it('names the rule a refused step breaks', () => {
    const rule = (state: CsState, event: CsEvent): string => {
      const result = csTransition(state, event);
      return result.ok ? '' : result.rule;
    };
    expect(rule('Vfdpxa', 'V')).toBe(
      'CS: V (vendor aware) has already happened; events happen once and cannot be undone (in Vfdpxa)',
    );
    expect(rule('vfdpxa', 'F')).toContain('V before F');
    expect(rule('Vfdpxa', 'D')).toContain('F before D');
    expect(rule('vfdPxa', 'A')).toBe(
      'CS: in vfdPxa the public is aware but the vendor is not (v..P.. is transient), so the next event must be V (vendor aware), not A',
    );
    expect(rule('VFdpXa', 'D')).toContain('so the next event must be P (public aware), not D');
  });

  it('reports the forced follow-up, and csApply applies the whole chain', () => {
    expect(csTransition('vfdpxa', 'X')).toEqual({ ok: true, to: 'vfdpXa', message: 'CX', followUp: 'P' });
    expect(csApply('vfdpxa', 'X')).toEqual({
      ok: true,
      to: 'VfdPXa',
      events: ['X', 'P', 'V'],
      messages: ['CX', 'CP', 'CV'],
    });
    expect(csApply('VFdpxa', 'A')).toEqual({ ok: true, to: 'VFdpxA', events: ['A'], messages: ['CA'] });
    expect(csApply('vfdPxa', 'A').ok).toBe(false);
  });

  it('replays prefixes, which may end in a transient state', () => {
    expect(replayCsHistory(events('VFP'))).toEqual({ ok: true, state: 'VFdPxa', followUp: null });
    expect(replayCsHistory(events('VX'))).toEqual({ ok: true, state: 'VfdpXa', followUp: 'P' });
    const bad = replayCsHistory(events('VXA'));
    expect(bad.ok ? '' : bad.rule).toMatch(/^event 3 \(A\) of VXA: CS: in VfdpXa .* must be P/);
    expect(isCompleteCsHistory(events('VFDPXA'))).toBe(true);
    expect(isCompleteCsHistory(events('VFDPX'))).toBe(false);
    expect(isCompleteCsHistory(events('XPVAFD'))).toBe(true);
    expect(isCompleteCsHistory(events('PXVFDA'))).toBe(false);
  });
});
