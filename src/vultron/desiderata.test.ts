import { describe, expect, it } from 'vitest';
import { csAllowedEvents, csInitial, csTransition, type CsEvent, type CsState } from './cs.ts';
import { desiderata, evaluateDesiderata, type DesideratumStatus } from './desiderata.ts';
import { describeSpec } from './spec.fixture.ts';

const events = (history: string): CsEvent[] => [...history] as CsEvent[];

/** Probability of each complete history under the random walk: every legal next event equally likely. */
function randomWalk(state: CsState, prefix: string, p: number, out: Map<string, number>): Map<string, number> {
  const next = csAllowedEvents(state);
  if (next.length === 0) out.set(prefix, p);
  for (const event of next) {
    const step = csTransition(state, event);
    if (step.ok) randomWalk(step.to, prefix + event, p / next.length, out);
  }
  return out;
}

describeSpec('desiderata against vultron.json', (spec) => {
  it('lists the twelve desiderata of the spec, in order, with their baselines', () => {
    expect(desiderata.map((d) => [d.before, d.after])).toEqual(spec.desiderata);
    expect(Object.fromEntries(desiderata.map((d) => [`${d.before}<${d.after}`, d.baseline]))).toEqual(
      spec.desiderata_f_d,
    );
    const desired = spec.cs_rules.filter((r) => r.kind === 'desired');
    expect(desired.map((r) => r.text)).toEqual(desiderata.map((d) => `Desideratum: ${d.label}`));
  });

  it('re-derives every baseline f_d from the machine by a random walk (to 3 decimals)', () => {
    const walks = randomWalk(csInitial, '', 1, new Map());
    expect(walks.size).toBe(spec.cs_histories.length);
    expect([...walks.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (const d of desiderata) {
      let f = 0;
      for (const [history, p] of walks) if (history.indexOf(d.before) < history.indexOf(d.after)) f += p;
      // The docs round half up (D<A is exactly 0.1875 → 0.188).
      expect([d.label, Math.abs(f - (spec.desiderata_f_d[`${d.before}<${d.after}`] ?? NaN)) <= 0.0005 + 1e-12]).toEqual(
        [d.label, true],
      );
    }
  });

  it('scores the best and worst histories as the spec says', () => {
    for (const text of [spec.desiderata_extremes.best_history, spec.desiderata_extremes.worst_history]) {
      const [, history = '', met = ''] = /^(\w+) \((\d+)\/12\)$/.exec(text ?? '') ?? [];
      expect([history, evaluateDesiderata(events(history)).met]).toEqual([history, Number(met)]);
    }
  });

  it('P before A holds in 59% of the histories, weighted uniformly', () => {
    const share = spec.cs_histories.filter((h) => h.indexOf('P') < h.indexOf('A')).length / spec.cs_histories.length;
    expect(Math.round(share * 100)).toBe(59);
  });
});

describe('evaluateDesiderata', () => {
  const statuses = (history: string): Record<string, DesideratumStatus> =>
    Object.fromEntries(evaluateDesiderata(events(history)).results.map((r) => [r.label, r.status]));

  it('meets all twelve with VFDPXA and none with AXPVFD', () => {
    expect(evaluateDesiderata(events('VFDPXA'))).toMatchObject({ met: 12, violated: 0, pending: 0 });
    expect(evaluateDesiderata(events('AXPVFD'))).toMatchObject({ met: 0, violated: 12, pending: 0 });
  });

  it('judges a case still in progress: decided pairs stay decided, the rest are pending', () => {
    expect(evaluateDesiderata(events('VF'))).toMatchObject({ met: 6, violated: 0, pending: 6 });
    expect(statuses('VAP')).toEqual({
      'V before P': 'met',
      'V before X': 'met',
      'V before A': 'met',
      'F before P': 'violated',
      'F before X': 'pending',
      'F before A': 'violated',
      'D before P': 'violated',
      'D before X': 'pending',
      'D before A': 'violated',
      'P before X': 'met',
      'P before A': 'violated',
      'X before A': 'violated',
    });
    expect(evaluateDesiderata([])).toMatchObject({ met: 0, violated: 0, pending: 12 });
  });

  it('scores a typical history where the fix came after publication', () => {
    // Vendor told, public aware, fix ready, exploit public, fix deployed, attacks.
    expect(statuses('VPFXDA')).toMatchObject({
      'V before P': 'met',
      'F before P': 'violated',
      'F before X': 'met',
      'D before X': 'violated',
      'D before A': 'met',
      'X before A': 'met',
    });
    expect(evaluateDesiderata(events('VPFXDA')).met).toBe(9);
  });
});
