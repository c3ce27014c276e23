import type { FinderRow, ReportEventRow, ReportMessageRow, ReportRow } from '../db/schema.ts';
import { renderMarkdown } from '../markdown/render.ts';
import type { Actor } from '../policy/actor.ts';
import { abilities } from '../policy/policy.ts';
import { clockStateAt, type DerivedClock } from '../slapolicy/rules.ts';
import { rmAllowedEvents, rmStateLabels, type RmState } from '../vultron/rm.ts';
import type { AttachmentMeta, QueueRow, SimilarReport } from './queries.ts';
import { reportResource } from './queries.ts';
import { storedReportClocks, type ReportClocks, type StoredClock } from './sla.ts';

/**
 * Two views of a report. The finder's view has the status and the shared conversation only — no
 * internal notes, assignee, similar reports or staff timeline. Staff see everything.
 */
function presentAttachment(a: AttachmentMeta) {
  return {
    id: a.id,
    filename: a.filename,
    contentType: a.content_type,
    size: a.size,
    sha256: a.sha256,
    visibility: a.visibility,
    createdAt: a.created_at.toISOString(),
  };
}

function presentMessage(m: ReportMessageRow, files: AttachmentMeta[], staffView: boolean) {
  const fromFinder = m.from_finder;
  return {
    id: m.id,
    kind: m.kind,
    visibility: m.visibility,
    authorLabel: fromFinder ? 'Finder' : staffView ? m.author_label : m.via === 'system' ? 'System' : 'Security team',
    fromFinder,
    body: m.body,
    bodyHtml: renderMarkdown(m.body),
    via: m.via,
    createdAt: m.created_at.toISOString(),
    attachments: files.filter((f) => f.message_id === m.id).map(presentAttachment),
  };
}

export function presentFinderReport(
  r: ReportRow,
  messages: ReportMessageRow[],
  files: AttachmentMeta[],
  duplicateOfTrackingId: string | null,
  /** Null where the caller shows the finder record itself (the staff view). */
  publicAcknowledgement: boolean | null,
) {
  const credit = (r.details as { credit?: unknown }).credit ?? { mode: 'anonymous', value: null, type: 'FINDER' };
  return {
    id: r.id,
    trackingId: r.tracking_id,
    title: r.title,
    state: r.rm_state,
    stateLabel: rmStateLabels[r.rm_state as RmState],
    closeReason: r.close_reason,
    duplicateOf: duplicateOfTrackingId,
    createdAt: r.created_at.toISOString(),
    messages: messages.map((m) => presentMessage(m, files, false)),
    attachments: files.filter((f) => f.message_id === null).map(presentAttachment),
    credit,
    publicAcknowledgement,
  };
}

/** A clock derived now from the report's events (the same derivation as the queue columns and the SLA views). */
function presentClock(c: DerivedClock) {
  return {
    state: c.state,
    dueAt: c.dueAt.toISOString(),
    riskAt: c.riskAt?.toISOString() ?? null,
    pausedSince: c.pausedSince?.toISOString() ?? null,
  };
}

export function presentStaffReport(
  actor: Actor,
  r: ReportRow,
  extra: {
    messages: ReportMessageRow[];
    files: AttachmentMeta[];
    events: ReportEventRow[];
    finder: FinderRow | null;
    assignee: { id: string; name: string } | null;
    clocks: ReportClocks;
    similar: SimilarReport[];
    duplicateOf: string | null;
  },
) {
  const base = presentFinderReport(r, [], extra.files, extra.duplicateOf, null);
  const resource = reportResource(r);
  const ab = abilities(actor, ['report:triage'], resource);
  return {
    ...base,
    messages: extra.messages.map((m) => presentMessage(m, extra.files, true)),
    description: r.description,
    descriptionHtml: renderMarkdown(r.description),
    details: r.details,
    language: r.language,
    channel: r.channel,
    submittedEncrypted: r.submitted_encrypted,
    cvssScore: r.cvss_score,
    severity: r.severity,
    cwe: r.cwe,
    finder: extra.finder
      ? {
          id: extra.finder.id,
          email: extra.finder.email,
          name: extra.finder.name,
          handle: extra.finder.handle,
          pgpFingerprint: extra.finder.pgp_fingerprint,
        }
      : null,
    assignee: extra.assignee,
    sla: { acknowledge: presentClock(extra.clocks.acknowledge), triage: presentClock(extra.clocks.triage) },
    awaitingFinderSince: r.awaiting_finder_since?.toISOString() ?? null,
    events: extra.events.map((e) => ({
      kind: e.kind,
      fromState: e.from_state,
      toState: e.to_state,
      actorLabel: e.actor_label,
      createdAt: e.created_at.toISOString(),
      data: e.data,
    })),
    similar: extra.similar.map((s) => ({
      id: s.id,
      trackingId: s.tracking_id,
      title: s.title,
      state: s.rm_state,
      score: s.score,
    })),
    allowedEvents: ab['report:triage'] ? rmAllowedEvents(r.rm_state as RmState).filter((e) => e !== 'receive') : [],
    abilities: { triage: ab['report:triage'] ?? false },
  };
}

/** A queue row. SLA states come from the stored derived columns, evaluated at `now` by the SLA views' rule. */
export function presentQueueRow(r: QueueRow, now: Date) {
  const clock = (c: StoredClock | null) =>
    c ? { state: clockStateAt(c, now), dueAt: c.dueAt.toISOString() } : { state: 'running', dueAt: null };
  const clocks = storedReportClocks(r);
  return {
    id: r.id,
    trackingId: r.tracking_id,
    title: r.title,
    state: r.rm_state,
    stateLabel: rmStateLabels[r.rm_state as RmState],
    severity: r.severity,
    cvssScore: r.cvss_score,
    language: r.language,
    products: r.products,
    channel: r.channel,
    assignee: r.assignee_id ? { id: r.assignee_id, name: r.assignee_name ?? '' } : null,
    createdAt: r.created_at.toISOString(),
    sla: { acknowledge: clock(clocks.acknowledge), triage: clock(clocks.triage) },
  };
}

export function presentFinder(f: FinderRow, reports: number) {
  return {
    id: f.id,
    userId: f.user_id,
    email: f.email,
    name: f.name,
    handle: f.handle,
    pgpFingerprint: f.pgp_fingerprint,
    publicAcknowledgement: f.public_acknowledgement,
    reports,
    createdAt: f.created_at.toISOString(),
  };
}
