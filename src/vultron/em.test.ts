import { describe, expect, it } from 'vitest';
import {
  emAllowedEvents,
  emEvents,
  emFinal,
  emInitial,
  emStateNames,
  emStates,
  emTransition,
  emTransitions,
  isEmIn,
  type EmEvent,
  type EmState,
} from './em.ts';
import { describeSpec, pairs } from './spec.fixture.ts';

describeSpec('EM against vultron.json', (spec) => {
  // The note names the triggers ("p=propose,r=reject,a=accept,t=terminate"); each transition's
  // trigger follows from the meaning of the message it carries.
  const triggers = /Triggers\s*([^.]*)/.exec(spec.em_transitions_note)?.[1] ?? '';
  const eventOfSymbol = new Map([...triggers.matchAll(/(\w)=(\w+)/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
  const eventOfMeaning = (meaning: string): string =>
    /Rejection/.test(meaning)
      ? 'reject'
      : /Acceptance/.test(meaning)
        ? 'accept'
        : /Termination/.test(meaning)
          ? 'terminate'
          : /Proposal/.test(meaning)
            ? 'propose'
            : `unknown: ${meaning}`;
  const expected = spec.em_transitions.map(([from, to, message]) => ({
    from,
    event: eventOfMeaning(spec.message_types[message]?.meaning ?? ''),
    to,
    message,
  }));

  it('has the states, names, initial and final states of the spec', () => {
    expect(emStateNames).toEqual(spec.em_states);
    expect([...emStates].sort()).toEqual(Object.keys(spec.em_states).sort());
    expect(emInitial).toBe(spec.em_initial);
    expect([...emFinal].sort()).toEqual([...spec.em_final].sort());
  });

  it('has the triggers of the note and the transition table of the spec', () => {
    expect([...eventOfSymbol.values()].sort()).toEqual([...emEvents].sort());
    const key = (e: { from: string; event: string }): string => `${e.from}:${e.event}`;
    expect(emTransitions.map(key).sort()).toEqual(expected.map(key).sort());
    expect([...emTransitions].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      [...expected].sort((a, b) => key(a).localeCompare(key(b))),
    );
  });

  it.each(pairs(emStates, emEvents))('%s + %s: allowed exactly when the spec lists it', (from, event) => {
    const edge = expected.find((e) => e.from === from && e.event === event);
    const result = emTransition(from, event);
    if (edge) {
      expect(result).toEqual({ ok: true, to: edge.to, message: edge.message });
    } else {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.rule).toMatch(/^EM: .+\)$/);
    }
  });

  it('accepts exactly the traces of the spec regex (all traces up to length 7; 72 non-empty)', () => {
    const regex = new RegExp(spec.em_trace_regex);
    const symbols = [...eventOfSymbol.keys()];
    let accepted = 0;
    const disagreements: string[] = [];
    let traces = [''];
    for (let length = 0; length <= 7; length++) {
      for (const trace of traces) {
        const end = [...trace].reduce<EmState | null>((state, s) => {
          if (state === null) return null;
          const step = emTransition(state, eventOfSymbol.get(s) as EmEvent);
          return step.ok ? step.to : null;
        }, emInitial);
        const machine = end !== null && emFinal.includes(end);
        if (machine !== regex.test(trace)) disagreements.push(trace);
        if (machine && trace !== '') accepted++;
      }
      traces = traces.flatMap((t) => symbols.map((s) => t + s));
    }
    expect(disagreements).toEqual([]);
    expect(accepted).toBe(72);
  });
});

describe('EM rules in words', () => {
  it.each<[EmState, EmEvent, string]>([
    ['N', 'terminate', 'there is no embargo in force to terminate (N→X is forbidden)'],
    ['N', 'accept', 'nothing to accept; propose one first'],
    ['P', 'terminate', 'reject the proposal instead (P→X is forbidden)'],
    ['A', 'reject', 'propose a revision first'],
    ['X', 'propose', 'the embargo has exited, which is final'],
  ])('%s + %s: "%s"', (from, event, words) => {
    const result = emTransition(from, event);
    expect(result.ok ? '' : result.rule).toContain(words);
  });

  it('tells a revision from a first proposal by the message', () => {
    expect(emTransition('N', 'propose')).toEqual({ ok: true, to: 'P', message: 'EP' });
    expect(emTransition('A', 'propose')).toEqual({ ok: true, to: 'R', message: 'EV' });
    expect(emTransition('R', 'accept')).toEqual({ ok: true, to: 'A', message: 'EC' });
    expect(emTransition('R', 'reject')).toEqual({ ok: true, to: 'A', message: 'EJ' });
  });

  it('keeps the embargo in force during a revision and offers the legal events', () => {
    expect(emStates.filter((s) => isEmIn('inForce', s))).toEqual(['A', 'R']);
    expect(emStates.filter((s) => isEmIn('negotiating', s))).toEqual(['P', 'R']);
    expect(emAllowedEvents('P')).toEqual(['propose', 'accept', 'reject']);
    expect(emAllowedEvents('X')).toEqual([]);
  });
});
