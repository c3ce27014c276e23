import type { Db } from '../app/context.ts';
import { sql } from 'kysely';
import { clampLimit, decodeTextCursor, likePattern, toTextPage, type Page } from '../app/pagination.ts';
import type { Actor } from '../policy/actor.ts';
import { orgVisibility } from '../policy/policy.ts';

/** Reads of the vendor directory. Who may see which organization is decided in SQL. */

export interface DirectoryFilter {
  /** Part of the organization's name. */
  q?: string | undefined;
  verified?: boolean | undefined;
  /** Two-letter ISO 3166 code. */
  country?: string | undefined;
  /** Part of a product's name or of its package URL / CPE. */
  product?: string | undefined;
  /** The nextCursor of the previous page. */
  cursor?: string | undefined;
  /** Page size (default 50, at most 200). */
  limit?: number | undefined;
}

export interface DirectoryListItem {
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

/** The directory by name, a page at a time (staff: every external organization; others: their own). */
export async function listDirectory(db: Db, actor: Actor, filter: DirectoryFilter): Promise<Page<DirectoryListItem>> {
  const limit = clampLimit(filter.limit);
  const cursor = decodeTextCursor(filter.cursor);
  const vis = orgVisibility(actor);
  let q = db
    .selectFrom('organizations as o')
    .leftJoin('org_profiles as p', 'p.org_id', 'o.id')
    .select(['o.id', 'o.name', 'o.kind', 'p.verified', 'p.country', 'p.languages'])
    .select((eb) => [
      eb
        .selectFrom('org_contacts as c')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('c.org_id', '=', 'o.id')
        .where('c.status', '=', 'approved')
        .as('contacts'),
      eb
        .selectFrom('org_contacts as c')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('c.org_id', '=', 'o.id')
        .where('c.status', '=', 'pending')
        .as('pending'),
      eb
        .selectFrom('org_contact_changes as cc')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('cc.org_id', '=', 'o.id')
        .as('changes'),
      eb
        .selectFrom('org_products as x')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('x.org_id', '=', 'o.id')
        .as('products'),
    ])
    .where('o.kind', '!=', 'home');
  if (!vis.all) {
    if (vis.orgIds.length === 0) return { items: [], nextCursor: null };
    q = q.where('o.id', 'in', vis.orgIds);
  }
  if (filter.q?.trim()) q = q.where('o.name', 'ilike', likePattern(filter.q.trim()));
  if (filter.verified === true) q = q.where('p.verified', '=', true);
  if (filter.verified === false)
    q = q.where((eb) => eb.or([eb('p.verified', 'is', null), eb('p.verified', '=', false)]));
  if (filter.country?.trim()) q = q.where('p.country', '=', filter.country.trim().toUpperCase());
  const product = filter.product?.trim();
  if (product) {
    const like = likePattern(product);
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('org_products as x')
          .select('x.id')
          .whereRef('x.org_id', '=', 'o.id')
          .where((w) => w.or([w('x.name', 'ilike', like), w('x.identifier', 'ilike', like)])),
      ),
    );
  }
  if (cursor) q = q.where(sql<boolean>`(o.name, o.id) > (${cursor.key}, ${cursor.id})`);
  const rows = await q
    .orderBy('o.name')
    .orderBy('o.id')
    .limit(limit + 1)
    .execute();
  return toTextPage(
    rows,
    limit,
    (o) => o.name,
    (o) => ({
      id: o.id,
      name: o.name,
      kind: o.kind,
      verified: o.verified ?? false,
      country: o.country,
      languages: o.languages ?? [],
      contacts: Number(o.contacts ?? 0),
      pendingContacts: Number(o.pending ?? 0) + Number(o.changes ?? 0),
      products: Number(o.products ?? 0),
    }),
  );
}

export interface ContactValues {
  email: string;
  role: string;
  name: string | null;
  phone: string | null;
  pgpFingerprint: string | null;
  pgpExpiresAt: string | null;
}

export interface PendingContact extends ContactValues {
  /** The contact's id (approve or reject it with this id). */
  id: string;
  orgId: string;
  orgName: string;
  /** new: a contact proposed by the vendor; change: a proposed change to an active contact. */
  kind: 'new' | 'change';
  /** For a change: the active values, which stay in use until the change is approved. */
  current: ContactValues | null;
  proposedBy: { name: string; email: string } | null;
  createdAt: string;
}

/** Every new contact or contact change a vendor proposed that waits for staff approval, oldest first. */
export async function listPendingContacts(db: Db): Promise<PendingContact[]> {
  const [rows, changes] = await Promise.all([
    db
      .selectFrom('org_contacts as c')
      .innerJoin('organizations as o', 'o.id', 'c.org_id')
      .leftJoin('users as u', 'u.id', 'c.proposed_by')
      .select([
        'c.id',
        'c.org_id',
        'o.name as org_name',
        'c.email',
        'c.role',
        'c.name',
        'c.phone',
        'c.pgp_fingerprint',
        'c.pgp_expires_at',
        'c.created_at',
        'u.name as proposer_name',
        'u.email as proposer_email',
      ])
      .where('c.status', '=', 'pending')
      .orderBy('c.created_at')
      .orderBy('c.id')
      .limit(1000)
      .execute(),
    db
      .selectFrom('org_contact_changes as x')
      .innerJoin('org_contacts as c', 'c.id', 'x.contact_id')
      .innerJoin('organizations as o', 'o.id', 'x.org_id')
      .leftJoin('users as u', 'u.id', 'x.proposed_by')
      .select([
        'x.contact_id',
        'x.org_id',
        'o.name as org_name',
        'x.email',
        'x.role',
        'x.name',
        'x.phone',
        'x.pgp_fingerprint',
        'x.pgp_expires_at',
        'x.created_at',
        'c.email as cur_email',
        'c.role as cur_role',
        'c.name as cur_name',
        'c.phone as cur_phone',
        'c.pgp_fingerprint as cur_fingerprint',
        'c.pgp_expires_at as cur_expires_at',
        'u.name as proposer_name',
        'u.email as proposer_email',
      ])
      .orderBy('x.created_at')
      .orderBy('x.contact_id')
      .limit(1000)
      .execute(),
  ]);
  const proposer = (r: { proposer_name: string | null; proposer_email: string | null }) =>
    r.proposer_name && r.proposer_email ? { name: r.proposer_name, email: r.proposer_email } : null;
  const items: PendingContact[] = [
    ...rows.map((r) => ({
      id: r.id,
      orgId: r.org_id,
      orgName: r.org_name,
      kind: 'new' as const,
      email: r.email,
      role: r.role,
      name: r.name,
      phone: r.phone,
      pgpFingerprint: r.pgp_fingerprint,
      pgpExpiresAt: r.pgp_expires_at?.toISOString() ?? null,
      current: null,
      proposedBy: proposer(r),
      createdAt: r.created_at.toISOString(),
    })),
    ...changes.map((r) => ({
      id: r.contact_id,
      orgId: r.org_id,
      orgName: r.org_name,
      kind: 'change' as const,
      email: r.email,
      role: r.role,
      name: r.name,
      phone: r.phone,
      pgpFingerprint: r.pgp_fingerprint,
      pgpExpiresAt: r.pgp_expires_at?.toISOString() ?? null,
      current: {
        email: r.cur_email,
        role: r.cur_role,
        name: r.cur_name,
        phone: r.cur_phone,
        pgpFingerprint: r.cur_fingerprint,
        pgpExpiresAt: r.cur_expires_at?.toISOString() ?? null,
      },
      proposedBy: proposer(r),
      createdAt: r.created_at.toISOString(),
    })),
  ];
  return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

export interface Community {
  id: string;
  name: string;
  termsText: string;
  members: { id: string; name: string }[];
}

/** The trusted communities with their member organizations. */
export async function listCommunities(db: Db): Promise<Community[]> {
  const [communities, members] = await Promise.all([
    db.selectFrom('communities').selectAll().orderBy('name').execute(),
    db
      .selectFrom('community_members as m')
      .innerJoin('organizations as o', 'o.id', 'm.org_id')
      .select(['m.community_id', 'o.id', 'o.name'])
      .orderBy('o.name')
      .execute(),
  ]);
  return communities.map((c) => ({
    id: c.id,
    name: c.name,
    termsText: c.terms_text,
    members: members.filter((m) => m.community_id === c.id).map((m) => ({ id: m.id, name: m.name })),
  }));
}
