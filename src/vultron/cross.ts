/**
 * Rules that tie the three machines together — spec §8 "Cross-model constraints (RM × EM × CS)"
 * (vultron.json: cross_model_rules). Only the MUST rules refuse; SHOULD rules are reported as advice.
 */
import type { PxaState, VfdState } from './cs.ts';
import { emTransition, type EmEvent, type EmMessage, type EmState } from './em.ts';
import { refuse, type Refusal, type TransitionResult } from './result.ts';
import { rmStateLabels, type RmState } from './rm.ts';

/** A vendor's fix path may show F or D only once that vendor has accepted the report (A, D or C). */
export function checkVfdAgainstRm(vfd: VfdState, rm: RmState): { readonly ok: true } | Refusal {
  if (vfd === 'vfd' || vfd === 'Vfd' || rm === 'A' || rm === 'D' || rm === 'C') return { ok: true };
  return refuse(
    `CS×RM: a vendor whose report is ${rmStateLabels[rm]} cannot have a fix ready or deployed (${vfd}); ` +
      'fixes are made only after the report is Accepted (F or D needs RM in A, D or C)',
  );
}

/** Messages that start, accept or revise embargo terms; rejecting a first proposal (ER) or ending one (ET) is always fine. */
const negotiation: readonly EmMessage[] = ['EP', 'EA', 'EV', 'EJ', 'EC'];

/**
 * An EM step for a participant in context: EP, EA, EV, EJ and EC are refused once anything is public
 * (CS must be …pxa) and from a participant who has Closed the report.
 */
export function emTransitionInContext(
  from: EmState,
  event: EmEvent,
  context: { readonly pxa: PxaState; readonly rm: RmState },
): TransitionResult<EmState, EmMessage> {
  const step = emTransition(from, event);
  if (!step.ok || !negotiation.includes(step.message)) return step;
  if (context.pxa !== 'pxa') {
    return refuse(
      `EM×CS: embargo terms cannot be proposed, accepted or revised once the public is aware, an exploit is ` +
        `public or attacks are observed (CS is …${context.pxa}; ${step.message} needs …pxa)`,
    );
  }
  if (context.rm === 'C') {
    return refuse(
      `EM×RM: a participant who has Closed the report cannot negotiate an embargo (${step.message} needs RM other than C)`,
    );
  }
  return step;
}

export interface EmTeardown {
  readonly event: 'reject' | 'terminate';
  /** MUST on public awareness or a public exploit; SHOULD when only attacks are observed. */
  readonly strength: 'MUST' | 'SHOULD';
  readonly reason: string;
}

/**
 * What the embargo must do now that `pxa` is known (CP/CX/CA receipt): a pending proposal is
 * rejected (P→N), an embargo in force is terminated ({A,R}→X). Null when nothing needs to change.
 */
export function emTeardownFor(em: EmState, pxa: PxaState): EmTeardown | null {
  if (pxa === 'pxa' || em === 'N' || em === 'X') return null;
  const published = pxa.includes('P') || pxa.includes('X');
  const strength = published ? 'MUST' : 'SHOULD';
  const what = published ? 'the vulnerability or an exploit is public' : 'attacks have been observed';
  if (em === 'P') return { event: 'reject', strength, reason: `${what}, so the pending embargo proposal is rejected` };
  return { event: 'terminate', strength, reason: `${what}, so the embargo ends` };
}
