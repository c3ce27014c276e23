import { request } from './api.ts';
import type { Participant } from './casesApi.ts';

/**
 * Calls around case participants (remove, named users, invitations to organizations not yet on
 * the platform), the summary shared with the finder, posts labelled for reporters, and the
 * finder's own view of the cases opened from their report.
 */

export type InvitationState = 'pending' | 'expired' | 'accepted' | 'withdrawn';

export interface CaseInvitation {
  id: string;
  email: string;
  state: InvitationState;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
}

/** What staff see on a participant besides the common fields. */
export interface StaffParticipant extends Participant {
  removedAt?: string | null;
  invitations?: CaseInvitation[];
}

export interface FinderCase {
  caseId: string;
  lead: string | null;
  status: string;
  publicSummary: string;
  publicSummaryHtml: string;
  createdAt: string;
  you: { participantId: string; rmState: string; rmStateLabel: string };
  /** The embargo's dates and the finder's own answer (never the rationale or others' answers). */
  embargo: {
    state: 'N' | 'P' | 'A' | 'R' | 'X';
    endsAt: string | null;
    timeZone: string | null;
    localEnd: string | null;
    pending: {
      endsAt: string;
      timeZone: string;
      localEnd: string;
      revision: boolean;
      yourConsent: 'invited' | 'signatory' | 'declined' | 'lapsed' | null;
    } | null;
  };
  posts: {
    id: string;
    thread: 'official' | 'discussion' | 'private';
    tlp: string;
    body: string;
    bodyHtml: string;
    byCoordinators: boolean;
    createdAt: string;
    editedAt: string | null;
  }[];
  statuses: {
    vendor: string;
    product: string;
    status: string;
    justification: string | null;
    statement: string;
    fixedVersions: string;
    updatedAt: string;
  }[];
}

const enc = encodeURIComponent;
const base = (ref: string) => `/api/v1/cases/${enc(ref)}`;

export const participantsApi = {
  remove: (ref: string, participantId: string) =>
    request<null>('DELETE', `${base(ref)}/participants/${enc(participantId)}`),
  setUsers: (ref: string, participantId: string, userIds: string[]) =>
    request<{ id: string; allowedUserIds: string[] }>('PUT', `${base(ref)}/participants/${enc(participantId)}/users`, {
      userIds,
    }),
  resendInvitations: (ref: string, participantId: string) =>
    request<{ items: { id: string; email: string }[] }>(
      'POST',
      `${base(ref)}/participants/${enc(participantId)}/invitations`,
    ),
  setPublicSummary: (ref: string, publicSummary: string) =>
    request<{ publicSummary: string }>('PUT', `${base(ref)}/public-summary`, { publicSummary }),
  shareWithReporters: (ref: string, postId: string, shared: boolean) =>
    request<{ id: string; forReporters: boolean }>('PUT', `${base(ref)}/posts/${enc(postId)}/reporters`, { shared }),
  /** The finder's view, with the follow-up secret as the bearer (or the session, without one). */
  finderCases: (trackingId: string, secret?: string) =>
    request<{ items: FinderCase[] }>('GET', `/api/v1/reports/${enc(trackingId)}/cases`, undefined, {
      bearer: secret,
    }),
  /** The finder accepts or declines the pending embargo proposal of one of their cases. */
  finderConsent: (trackingId: string, caseId: string, decision: 'accept' | 'decline', note: string, secret?: string) =>
    request<{ emState: string }>(
      'POST',
      `/api/v1/reports/${enc(trackingId)}/cases/${enc(caseId)}/embargo/consent`,
      { decision, ...(note ? { note } : {}) },
      { bearer: secret },
    ),
};
