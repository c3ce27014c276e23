/** A small typed client for the Accord HTTP API (same origin, session cookie + CSRF header). */

export type Abilities = Record<string, boolean>;

export interface Membership {
  orgId: string;
  orgName: string;
  orgKind: string;
  role: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  locale: string;
  timeZone: string;
  pgpFingerprint: string | null;
  pgpPublicKey: string | null;
  totpEnabled: boolean;
  disabled: boolean;
  createdAt: string;
  memberships: Membership[] | null;
  abilities: Abilities;
}

export interface Me {
  user: User;
  csrfToken: string | null;
  staffRole: string | null;
  capabilities: string[];
  authenticatedBy: string;
  instanceName: string;
  totpEnrolmentRequired: boolean;
}

export interface LoginAnswer {
  user: User;
  csrfToken: string;
  expiresAt: string;
}

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface Org {
  id: string;
  name: string;
  kind: string;
  website: string | null;
  createdAt: string;
  abilities: Abilities;
}

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: string;
  since: string;
}

export interface Invitation {
  id: string;
  orgId: string;
  email: string;
  role: string;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  revokedAt: string | null;
}

export interface InvitationInfo {
  orgName: string;
  email: string;
  role: string;
  expiresAt: string;
  hasAccount: boolean;
  /** The case the invitation was sent for (its id only), or null. */
  caseId: string | null;
}

export interface AuditEvent {
  seq: number;
  id: string;
  occurredAt: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  summary: Record<string, unknown>;
  requestId: string | null;
  ip: string | null;
  hash: string;
}

export interface OutboxMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface Settings {
  require2faForStaff: boolean;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Issue {
  path: string;
  message: string;
}

/** An error answer of the API: `{"error":{"code","message","details"}}`, or a network failure. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The form field the server blamed, if any (details.field or details.fields[0]). */
  get field(): string | null {
    const { field, fields } = this.details;
    if (typeof field === 'string') return field;
    if (Array.isArray(fields) && typeof fields[0] === 'string') return fields[0];
    return null;
  }

  get issues(): Issue[] {
    const list = this.details.issues;
    return Array.isArray(list) ? (list as Issue[]) : [];
  }

  /** Every field the server found wrong at once (`details.problems`, e.g. `affected[0].identifier`). */
  get problems(): FieldProblem[] {
    const list = this.details.problems;
    if (!Array.isArray(list)) return [];
    return list.filter(
      (p): p is FieldProblem =>
        typeof p === 'object' && p !== null && typeof p.field === 'string' && typeof p.message === 'string',
    );
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

let csrfToken: string | null = null;
type Listener = (error: ApiError) => void;
const listeners = new Set<Listener>();

/** Kept in memory only; sent as x-csrf-token on every write. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called for every error answer (the session layer reacts to lost sessions and 2FA enrolment). */
export function onApiError(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export type Query = Record<string, string | number | null | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export interface RequestOptions {
  /**
   * A bearer secret (a finder's follow-up secret): sent in the Authorization header, never in the
   * URL; the session cookie is left out, and its failures do not touch the signed-in session.
   */
  bearer?: string | undefined;
  /** Extra request headers (e.g. that a submission comes from the web form). */
  headers?: Record<string, string>;
}

async function send(method: Method, path: string, body: unknown, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  else if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  try {
    return await fetch(path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      credentials: opts.bearer ? 'omit' : 'same-origin',
      referrerPolicy: 'no-referrer',
    });
  } catch (err) {
    throw new ApiError(0, 'ERR_NETWORK', err instanceof Error ? err.message : 'network error');
  }
}

async function failure(res: Response, opts: RequestOptions): Promise<ApiError> {
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  const e = (data as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
  const error = new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? res.statusText, e?.details);
  if (!opts.bearer) for (const l of listeners) l(error);
  return error;
}

/** Downloads a file the API serves (an attachment) as a Blob. */
export async function requestBlob(path: string, opts: RequestOptions = {}): Promise<Blob> {
  const res = await send('GET', path, undefined, opts);
  if (!res.ok) throw await failure(res, opts);
  return res.blob();
}

export async function request<T>(method: Method, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, body, opts);
  if (!res.ok) throw await failure(res, opts);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  return data as T;
}

export const api = {
  me: () => request<Me>('GET', '/api/v1/me'),
  login: (body: { email: string; password: string; totp?: string }) =>
    request<LoginAnswer>('POST', '/api/v1/session', body),
  logout: () => request<undefined>('DELETE', '/api/v1/session'),
  updateMe: (body: { name?: string; locale?: string; timeZone?: string; pgpPublicKey?: string | null }) =>
    request<User>('PATCH', '/api/v1/me', body),
  changePassword: (body: { currentPassword: string; newPassword: string }) =>
    request<undefined>('POST', '/api/v1/me/password', body),
  beginTotp: () => request<{ secret: string; uri: string; qrSvg: string }>('POST', '/api/v1/me/totp'),
  confirmTotp: (code: string) => request<{ recoveryCodes: string[] }>('POST', '/api/v1/me/totp/confirm', { code }),
  disableTotp: (body: { password: string; code: string }) => request<undefined>('DELETE', '/api/v1/me/totp', body),
  tokens: () => request<{ items: ApiToken[] }>('GET', '/api/v1/tokens'),
  createToken: (body: { name: string; expiresInDays?: number }) =>
    request<{ token: string; apiToken: ApiToken }>('POST', '/api/v1/tokens', body),
  revokeToken: (id: string) => request<undefined>('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`),
  requestReset: (email: string) => request<{ status: string }>('POST', '/api/v1/password-reset', { email }),
  confirmReset: (body: { token: string; password: string }) =>
    request<undefined>('POST', '/api/v1/password-reset/confirm', body),
  users: (query: Query) => request<Page<User>>('GET', withQuery('/api/v1/users', query)),
  createUser: (body: { email: string; name: string; password?: string; role?: string | null; locale?: string }) =>
    request<User>('POST', '/api/v1/users', body),
  updateUser: (id: string, body: { disabled?: boolean }) =>
    request<User>('PATCH', `/api/v1/users/${encodeURIComponent(id)}`, body),
  deleteUser: (id: string) => request<undefined>('DELETE', `/api/v1/users/${encodeURIComponent(id)}`),
  orgs: (query: Query) => request<Page<Org>>('GET', withQuery('/api/v1/orgs', query)),
  org: (id: string) => request<Org>('GET', `/api/v1/orgs/${encodeURIComponent(id)}`),
  createOrg: (body: { name: string; kind: string; website?: string | null }) =>
    request<Org>('POST', '/api/v1/orgs', body),
  members: (id: string) => request<{ items: Member[] }>('GET', `/api/v1/orgs/${encodeURIComponent(id)}/members`),
  invitations: (id: string) =>
    request<{ items: Invitation[] }>('GET', `/api/v1/orgs/${encodeURIComponent(id)}/invitations`),
  invite: (id: string, body: { email: string; role: string }) =>
    request<Invitation>('POST', `/api/v1/orgs/${encodeURIComponent(id)}/invitations`, body),
  revokeInvitation: (id: string, invitationId: string) =>
    request<undefined>(
      'DELETE',
      `/api/v1/orgs/${encodeURIComponent(id)}/invitations/${encodeURIComponent(invitationId)}`,
    ),
  lookupInvitation: (token: string) => request<InvitationInfo>('POST', '/api/v1/invitations/lookup', { token }),
  acceptInvitation: (body: { token: string; name?: string; password?: string }) =>
    request<{ userId: string; orgId: string; caseId: string | null }>('POST', '/api/v1/invitations/accept', body),
  outbox: (query: Query) => request<Page<OutboxMail>>('GET', withQuery('/api/v1/admin/outbox', query)),
  audit: (query: Query) => request<Page<AuditEvent>>('GET', withQuery('/api/v1/audit', query)),
  settings: () => request<Settings>('GET', '/api/v1/admin/settings'),
  updateSettings: (body: Partial<Settings>) => request<Settings>('PATCH', '/api/v1/admin/settings', body),
};
