import { ApiError, type FieldProblem, type Query, request, requestBlob, withQuery } from '../../api.ts';

/** Types and calls of the vendor directory (profiles, contacts, products, relations, communities). */

export const contactRoles = ['security', 'psirt', 'technical', 'management', 'legal', 'other'] as const;
export type ContactRole = (typeof contactRoles)[number];
/** The roles a whole community can be invited in. */
export const communityRoles = ['vendor', 'deployer', 'coordinator', 'other'] as const;

export interface DirectoryItem {
  id: string;
  name: string;
  kind: string;
  verified: boolean;
  country: string | null;
  languages: string[];
  contacts: number;
  pendingContacts: number;
  products: number;
}

export interface ContactValues {
  email: string;
  role: string;
  name: string | null;
  phone: string | null;
  pgpFingerprint: string | null;
  pgpExpiresAt: string | null;
}

export interface Contact extends ContactValues {
  id: string;
  status: 'approved' | 'pending';
  /** A vendor's change to this approved contact, waiting for staff (shown to those who may edit the entry). */
  pendingChange?: (ContactValues & { createdAt: string }) | null;
}

export interface Product {
  id: string;
  name: string;
  identifier: string | null;
  versions: string;
}

export interface Related {
  id: string;
  name: string;
  note: string;
}

export interface DirectoryEntry {
  id: string;
  name: string;
  kind: string;
  website: string | null;
  verified: boolean;
  languages: string[];
  timeZone: string | null;
  country: string | null;
  contacts: Contact[];
  products: Product[];
  /** Organizations that supply this one. */
  upstream: Related[];
  /** Organizations this one supplies. */
  downstream: Related[];
  communities: { id: string; name: string }[];
  /** edit: the vendor's admin or staff; manage: directory staff (verify, approve, relations). */
  abilities: { edit: boolean; manage: boolean };
}

export interface PendingContact extends ContactValues {
  /** The contact's id: approve or reject with it. */
  id: string;
  orgId: string;
  orgName: string;
  /** new: a proposed contact; change: a proposed change to an active contact (`current`). */
  kind: 'new' | 'change';
  current: ContactValues | null;
  proposedBy: { name: string; email: string } | null;
  createdAt: string;
}

export interface Community {
  id: string;
  name: string;
  termsText: string;
  members: { id: string; name: string }[];
}

export interface ImportReport {
  created: number;
  updated: number;
  contacts: number;
  products: number;
  rejected: { at: string; name: string; problems: FieldProblem[] }[];
}

export interface ContactInput {
  email: string;
  role: string;
  name?: string;
  phone?: string;
  pgpPublicKey?: string;
}

export interface ContactChangeInput {
  email: string;
  role: string;
  name?: string;
  phone?: string;
  /** Absent: keep the current key; null: no key any more; text: this key. */
  pgpPublicKey?: string | null;
}

export type DataFormat = 'csv' | 'json';

const enc = encodeURIComponent;
const entry = (orgId: string) => `/api/v1/directory/${enc(orgId)}`;

export const directoryApi = {
  /** One page of the directory, by name; pass `cursor` (the previous page's nextCursor) for the next. */
  list: (query: Query) =>
    request<{ items: DirectoryItem[]; nextCursor: string | null }>('GET', withQuery('/api/v1/directory', query)),
  /** The whole directory for pickers: every page, 200 at a time. */
  listAll: async (): Promise<{ items: DirectoryItem[] }> => {
    const items: DirectoryItem[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: DirectoryItem[]; nextCursor: string | null } = await directoryApi.list({
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return { items };
  },
  get: (orgId: string) => request<DirectoryEntry>('GET', entry(orgId)),
  updateProfile: (orgId: string, body: { languages: string[]; timeZone: string | null; country: string | null }) =>
    request<DirectoryEntry>('PATCH', entry(orgId), body),
  setVerified: (orgId: string, verified: boolean) =>
    request<DirectoryEntry>('PUT', `${entry(orgId)}/verified`, { verified }),
  addContact: (orgId: string, body: ContactInput) =>
    request<{ id: string; status: string }>('POST', `${entry(orgId)}/contacts`, body),
  approveContact: (orgId: string, id: string) =>
    request<{ id: string; status: string }>('POST', `${entry(orgId)}/contacts/${enc(id)}/approve`),
  removeContact: (orgId: string, id: string) => request<undefined>('DELETE', `${entry(orgId)}/contacts/${enc(id)}`),
  /** From the vendor, a change to an approved contact waits for staff approval (`pendingChange`). */
  updateContact: (orgId: string, id: string, body: ContactChangeInput) =>
    request<{ id: string; pendingChange: boolean }>('PATCH', `${entry(orgId)}/contacts/${enc(id)}`, body),
  /** The vendor withdraws, or staff reject, a proposed change; the contact stays as it is. */
  discardContactChange: (orgId: string, id: string) =>
    request<undefined>('DELETE', `${entry(orgId)}/contacts/${enc(id)}/change`),
  addProduct: (orgId: string, body: { name: string; identifier?: string; versions?: string }) =>
    request<Product>('POST', `${entry(orgId)}/products`, body),
  removeProduct: (orgId: string, id: string) => request<undefined>('DELETE', `${entry(orgId)}/products/${enc(id)}`),
  addRelation: (body: { upstreamOrgId: string; downstreamOrgId: string; note?: string }) =>
    request<undefined>('POST', '/api/v1/directory/relations', body),
  removeRelation: (upstreamOrgId: string, downstreamOrgId: string) =>
    request<undefined>('DELETE', `/api/v1/directory/relations/${enc(upstreamOrgId)}/${enc(downstreamOrgId)}`),
  pendingContacts: () => request<{ items: PendingContact[] }>('GET', '/api/v1/directory/pending-contacts'),
  communities: () => request<{ items: Community[] }>('GET', '/api/v1/communities'),
  createCommunity: (body: { name: string; termsText?: string; orgIds?: string[] }) =>
    request<{ id: string; name: string }>('POST', '/api/v1/communities', body),
  updateCommunity: (id: string, body: { name?: string; termsText?: string; orgIds?: string[] }) =>
    request<Community>('PATCH', `/api/v1/communities/${enc(id)}`, body),
  deleteCommunity: (id: string) => request<undefined>('DELETE', `/api/v1/communities/${enc(id)}`),
  inviteCommunity: (caseRef: string, body: { communityId: string; role: string }) =>
    request<{ added: string[]; skipped: string[] }>('POST', `/api/v1/cases/${enc(caseRef)}/communities`, body),
  importData: (format: DataFormat, content: string) =>
    request<ImportReport>('POST', '/api/v1/directory/import', { format, content }),
  exportData: (format: DataFormat) => requestBlob(withQuery('/api/v1/directory/export', { format })),
};

/**
 * The API names a field in two ways: its own checks list `details.problems` (`timeZone`,
 * `languages[1]`), the JSON schema lists `details.issues` (`body/country`). This gives schema
 * issues the same shape, so the form shows every complaint on its field.
 */
export function withFieldProblems(error: unknown): unknown {
  if (!(error instanceof ApiError) || error.problems.length > 0 || error.field) return error;
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    const m = /^body\/(.+)$/.exec(issue.path);
    if (!m?.[1]) continue;
    const [head, ...rest] = m[1].split('/');
    const field = `${head}${rest.map((r) => (/^\d+$/.test(r) ? `[${r}]` : `.${r}`)).join('')}`;
    problems.push({ field, message: issue.message });
  }
  if (problems.length === 0) return error;
  return new ApiError(error.status, error.code, error.message, { ...error.details, problems });
}

/** Runs an API call and turns schema issues into field problems (see `withFieldProblems`). */
export async function fieldErrors<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw withFieldProblems(err);
  }
}
