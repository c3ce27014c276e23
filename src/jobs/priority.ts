/**
 * Job priorities: the worker claims the highest priority first, then the earliest `run_at`
 * (src/jobs/queue.ts claimJob). A mail job takes the priority of the mail (src/mail/outbox.ts), so
 * an urgent notification is delivered before a backlog of routine ones.
 *
 * - `urgent`: what someone must act on now — official posts, embargo notices (proposals asking for
 *   consent, agreement, end) and parachute-cord alerts, invitations to a case or an organization.
 * - `normal`: the default — everything else (publication, embargo end, webhooks, intake, account mail).
 * - `bulk`: routine notices — messages in discussion and private threads, mentions, status changes,
 *   case states — and daily digests and reminders to silent vendors.
 */
export const JOB_PRIORITY = {
  urgent: 10,
  normal: 0,
  bulk: -10,
} as const;

export type JobPriority = (typeof JOB_PRIORITY)[keyof typeof JOB_PRIORITY];
