/**
 * The Vultron MPCVD protocol's state machines as pure functions (spec: /work/shared/spec/vultron.md and
 * vultron.json, CERTCC/Vultron@6883299). RM per participant, EM per case, CS split into a per-vendor
 * fix path (vfd) and a global part (pxa). No I/O: callers load state, ask, and persist the answer.
 */
export * from './result.ts';
export * from './messages.ts';
export * from './roles.ts';
export * from './rm.ts';
export * from './em.ts';
export * from './cs.ts';
export * from './desiderata.ts';
export * from './cross.ts';
