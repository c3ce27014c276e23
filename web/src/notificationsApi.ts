import { request } from './api.ts';
import type { Tlp } from './casesApi.ts';

/** Types and calls of notifications: preferences, read state and changes, a case's policy, webhooks. */

export type NotificationKind = 'official_post' | 'thread_post' | 'mention' | 'status_change';
export type DeliveryMode = 'immediate' | 'digest' | 'off';
export type ContentMode = 'encrypted' | 'notice';

export interface Preferences {
  contentMode: ContentMode;
  kinds: Record<NotificationKind, DeliveryMode>;
  hasKey: boolean;
  /** Kinds that cannot be switched off (the digest is allowed). */
  mandatory: NotificationKind[];
  available: { kinds: NotificationKind[]; deliveryModes: DeliveryMode[]; contentModes: ContentMode[] };
}

export interface ChangedPost {
  id: string;
  threadId: string;
  threadKind: 'official' | 'discussion' | 'private';
  threadTitle: string;
  author: string;
  tlp: Tlp;
  excerpt: string;
  mentionsYou: boolean;
  read: boolean;
  createdAt: string;
}

export interface ChangedStatus {
  id: string;
  participantId: string;
  vendor: string | null;
  vulnerabilityId: string;
  vulnerability: string | null;
  product: string;
  status: string;
  updatedAt: string;
}

export interface ChangedEvent {
  kind: string;
  participantId: string | null;
  actorLabel: string;
  data: Record<string, unknown>;
  createdAt: string;
}

export interface Changes {
  caseId: string;
  /** Your previous visit; null the first time (then everything is listed). */
  since: string | null;
  unread: number;
  truncated: boolean;
  posts: ChangedPost[];
  statuses: ChangedStatus[];
  events: ChangedEvent[];
}

export interface Webhook {
  id: string;
  orgId: string;
  url: string;
  secretHint: string;
  /** Secret rotation: when the secret was last replaced; the old secret's hint and expiry while it still signs. */
  secretRotatedAt: string | null;
  previousSecretHint: string | null;
  previousSecretExpiresAt: string | null;
  eventKinds: string[];
  active: boolean;
  lastStatus: 'pending' | 'delivered' | 'failed' | null;
  createdAt: string;
  updatedAt: string;
}

export interface Delivery {
  id: string;
  eventId: string;
  eventKind: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  responseStatus: number | null;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
}

const enc = encodeURIComponent;
const hooks = (orgId: string) => `/api/v1/orgs/${enc(orgId)}/webhooks`;

export interface ThreadFollow {
  following: boolean;
  /** The official thread: its notices reach every participant, so it is not followed or unfollowed. */
  mandatory: boolean;
}

export const notificationsApi = {
  preferences: () => request<Preferences>('GET', '/api/v1/me/notifications'),
  setPreferences: (body: { contentMode?: ContentMode; kinds?: Partial<Record<NotificationKind, DeliveryMode>> }) =>
    request<Preferences>('PUT', '/api/v1/me/notifications', body),
  changes: (ref: string) => request<Changes>('GET', `/api/v1/cases/${enc(ref)}/changes`),
  /** Records the visit; with a thread (or all), marks its posts read. */
  seen: (ref: string, body: { threadId?: string; postIds?: string[]; all?: boolean } = {}) =>
    request<{ previousVisit: string | null; lastSeenAt: string; marked: number }>(
      'POST',
      `/api/v1/cases/${enc(ref)}/seen`,
      body,
    ),
  policy: (ref: string) =>
    request<{ noticeOnly: boolean; abilities: Record<string, boolean> }>(
      'GET',
      `/api/v1/cases/${enc(ref)}/notification-policy`,
    ),
  setPolicy: (ref: string, noticeOnly: boolean) =>
    request<{ noticeOnly: boolean; abilities: Record<string, boolean> }>(
      'PUT',
      `/api/v1/cases/${enc(ref)}/notification-policy`,
      { noticeOnly },
    ),
  /** Whether you follow a thread (mail for its new messages); the official thread reaches everyone. */
  threadFollow: (ref: string, threadId: string) =>
    request<ThreadFollow>('GET', `/api/v1/cases/${enc(ref)}/threads/${enc(threadId)}/follow`),
  setThreadFollow: (ref: string, threadId: string, following: boolean) =>
    request<ThreadFollow>(following ? 'PUT' : 'DELETE', `/api/v1/cases/${enc(ref)}/threads/${enc(threadId)}/follow`),
  webhooks: (orgId: string) => request<{ items: Webhook[]; eventKinds: string[] }>('GET', hooks(orgId)),
  createWebhook: (orgId: string, body: { url: string; eventKinds: string[] }) =>
    request<{ webhook: Webhook; secret: string }>('POST', hooks(orgId), body),
  updateWebhook: (orgId: string, id: string, body: { url?: string; eventKinds?: string[]; active?: boolean }) =>
    request<Webhook>('PATCH', `${hooks(orgId)}/${enc(id)}`, body),
  deleteWebhook: (orgId: string, id: string) => request<undefined>('DELETE', `${hooks(orgId)}/${enc(id)}`),
  pingWebhook: (orgId: string, id: string) => request<{ status: string }>('POST', `${hooks(orgId)}/${enc(id)}/ping`),
  rotateWebhookSecret: (orgId: string, id: string, graceHours: number) =>
    request<{ webhook: Webhook; secret: string }>('POST', `${hooks(orgId)}/${enc(id)}/rotate-secret`, { graceHours }),
  revokePreviousSecret: (orgId: string, id: string) =>
    request<Webhook>('DELETE', `${hooks(orgId)}/${enc(id)}/previous-secret`),
  deliveries: (orgId: string, id: string) =>
    request<{ items: Delivery[] }>('GET', `${hooks(orgId)}/${enc(id)}/deliveries`),
};
