/**
 * The answer every Vultron machine gives (spec /work/shared/spec/vultron.md, all sections): either the
 * move is legal and says where it leads and which message announces it, or it is refused with the
 * rule it breaks, written for a person.
 */
import { AppError, type ErrorDetails } from '../core/errors.ts';

/** A refused move: `rule` names the rule broken and, where there is one, the way forward. */
export interface Refusal {
  readonly ok: false;
  readonly rule: string;
}

/** A legal move to `to`, announced by the Vultron message type `message`. */
export interface Moved<S, M> {
  readonly ok: true;
  readonly to: S;
  readonly message: M;
}

export type TransitionResult<S, M> = Moved<S, M> | Refusal;

export function refuse(rule: string): Refusal {
  return { ok: false, rule };
}

/**
 * For commands that want the house error rather than a result: returns the legal move, or throws
 * `ERR_ILLEGAL_TRANSITION` (HTTP 409) carrying the rule as its message.
 */
export function orThrow<T extends { readonly ok: true }>(result: T | Refusal, details: ErrorDetails = {}): T {
  if (!result.ok) throw new AppError('ERR_ILLEGAL_TRANSITION', result.rule, details);
  return result;
}
