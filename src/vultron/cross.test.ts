import { describe, expect, it } from 'vitest';
import { checkVfdAgainstRm, emTeardownFor, emTransitionInContext } from './cross.ts';
import { vfdStates } from './cs.ts';
import { rmStates } from './rm.ts';

describe('cross-model rules', () => {
  it('allows F or D only for a vendor in A, D or C', () => {
    const allowed = vfdStates.flatMap((vfd) =>
      rmStates.filter((rm) => checkVfdAgainstRm(vfd, rm).ok).map((rm) => vfd + rm),
    );
    expect(allowed.filter((x) => x.startsWith('VF')).sort()).toEqual(['VFDA', 'VFDC', 'VFDD', 'VFdA', 'VFdC', 'VFdD']);
    expect(allowed.filter((x) => !x.startsWith('VF'))).toHaveLength(14);
    const refused = checkVfdAgainstRm('VFd', 'V');
    expect(refused.ok ? '' : refused.rule).toContain('F or D needs RM in A, D or C');
  });

  it('refuses embargo negotiation once anything is public or the report is closed', () => {
    expect(emTransitionInContext('N', 'propose', { pxa: 'pxa', rm: 'A' })).toEqual({
      ok: true,
      to: 'P',
      message: 'EP',
    });
    const late = emTransitionInContext('N', 'propose', { pxa: 'Pxa', rm: 'A' });
    expect(late.ok ? '' : late.rule).toContain('CS is …Pxa; EP needs …pxa');
    const revision = emTransitionInContext('R', 'reject', { pxa: 'pxA', rm: 'A' });
    expect(revision.ok ? '' : revision.rule).toContain('EJ needs …pxa');
    const closed = emTransitionInContext('P', 'accept', { pxa: 'pxa', rm: 'C' });
    expect(closed.ok ? '' : closed.rule).toContain('EA needs RM other than C');
  });

  it('always lets a proposal be rejected and an embargo be terminated, and still refuses illegal moves', () => {
    expect(emTransitionInContext('P', 'reject', { pxa: 'PXA', rm: 'C' })).toMatchObject({ ok: true, message: 'ER' });
    expect(emTransitionInContext('A', 'terminate', { pxa: 'PXA', rm: 'C' })).toMatchObject({ ok: true, message: 'ET' });
    expect(emTransitionInContext('N', 'terminate', { pxa: 'pxa', rm: 'A' }).ok).toBe(false);
  });

  it('tears the embargo down when the public learns, an exploit appears or attacks are seen', () => {
    expect(emTeardownFor('A', 'pxa')).toBeNull();
    expect(emTeardownFor('N', 'PXA')).toBeNull();
    expect(emTeardownFor('X', 'Pxa')).toBeNull();
    expect(emTeardownFor('P', 'Pxa')).toMatchObject({ event: 'reject', strength: 'MUST' });
    expect(emTeardownFor('R', 'pXa')).toMatchObject({ event: 'terminate', strength: 'MUST' });
    expect(emTeardownFor('A', 'pxA')).toMatchObject({ event: 'terminate', strength: 'SHOULD' });
  });
});
