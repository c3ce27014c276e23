import { request } from './api.ts';

/** Types and calls of a case's embargo (Vultron EM), its consents and parachute cords. */

export type EmState = 'N' | 'P' | 'A' | 'R' | 'X';
export type ConsentState = 'invited' | 'signatory' | 'declined' | 'lapsed';
export const cordTriggers = ['exploit_public', 'attacks_observed', 'details_public', 'early_fix'] as const;
export type CordTrigger = (typeof cordTriggers)[number];

/** An instant in the embargo's zone and in the viewer's own (their profile's) zone. */
export interface EmbargoTime {
  at: string;
  timeZone: string;
  local: string;
  viewerTimeZone: string;
  viewerLocal: string;
}

export interface Consent {
  proposalId: string;
  participantId: string;
  name: string;
  role: string;
  orgId: string | null;
  state: ConsentState;
  exceedsMaximum: boolean;
  maxDays: number | null;
  acceptedLonger: boolean;
  decidedBy: string | null;
  decidedAt: string | null;
  note: string;
  mine: boolean;
}

export interface Proposal {
  id: string;
  seq: number;
  revision: boolean;
  status: 'pending' | 'accepted' | 'rejected' | 'superseded' | 'withdrawn';
  localEnd: string;
  end: EmbargoTime;
  rationale: string;
  proposedBy: string;
  acknowledgedWarnings: string[];
  createdAt: string;
  decidedAt: string | null;
  /** Every participant's for the lead and staff; a participant sees its own. */
  consents: Consent[];
  /** How many participants answered what (everyone sees these). */
  consentCounts?: Record<'invited' | 'signatory' | 'declined' | 'lapsed', number>;
}

export interface Cord {
  id: string;
  trigger: CordTrigger;
  description: string;
  createdAt: string;
  pulledAt: string | null;
  pulledBy: string | null;
  evidenceUrl: string | null;
  evidenceNote: string | null;
}

export interface ProposalWarning {
  code: string;
  message: string;
}

export interface Embargo {
  caseId: string;
  state: EmState;
  stateLabel: string;
  end: EmbargoTime | null;
  graceUntil: string | null;
  exitReason: 'cord' | 'terminated' | 'ended' | null;
  exitedAt: string | null;
  current: Proposal | null;
  pending: Proposal | null;
  history: Proposal[];
  cords: Cord[];
  alert: Cord | null;
  triggers: CordTrigger[];
  defaults: {
    timeZone: string;
    end: string;
    defaultDays: number;
    requiredParticipantIds: string[];
    participants: { id: string; name: string; role: string }[];
  } | null;
  allowed: {
    propose: boolean;
    terminate: boolean;
    defineCords: boolean;
    pullCords: boolean;
    consentFor: { participantId: string; name: string }[];
  };
  warnings?: ProposalWarning[];
}

export interface ProposalInput {
  end: string;
  timeZone: string;
  rationale: string;
  acknowledgeWarnings: string[];
}

const base = (caseId: string) => `/api/v1/cases/${encodeURIComponent(caseId)}/embargo`;

export const embargoApi = {
  get: (caseId: string) => request<Embargo>('GET', base(caseId)),
  propose: (caseId: string, input: ProposalInput) => request<Embargo>('POST', `${base(caseId)}/proposals`, input),
  consent: (
    caseId: string,
    input: { decision: 'accept' | 'decline'; participantId: string; acceptLongerThanMaximum?: boolean; note?: string },
  ) => request<Embargo>('POST', `${base(caseId)}/consent`, input),
  terminate: (caseId: string, note: string) => request<Embargo>('POST', `${base(caseId)}/terminate`, { note }),
  defineCord: (caseId: string, trigger: CordTrigger, description: string) =>
    request<Cord>('POST', `${base(caseId)}/cords`, { trigger, description }),
  pullCord: (caseId: string, cordId: string, evidence: { url?: string; note: string }) =>
    request<Embargo>('POST', `${base(caseId)}/cords/${encodeURIComponent(cordId)}/pull`, evidence),
};
