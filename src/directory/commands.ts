import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { sql, type Transaction } from 'kysely';
import { type Ctx, type Db, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { AppError, notFound } from '../core/errors.ts';
import { isUuid, newId } from '../core/ids.ts';
import type { Database, OrganizationRow } from '../db/schema.ts';
import { findOrgById, findOrgByName } from '../orgs/queries.ts';
import { checkOrgKind, checkOrgName, checkWebsite } from '../orgs/rules.ts';
import { authorize, can, instance } from '../policy/policy.ts';
import { invalidFields, type FieldProblem } from '../reports/rules.ts';
import { parsePublicKey } from '../users/pgp.ts';
import { addParticipant } from '../cases/commands.ts';
import { caseResource, findCase } from '../cases/queries.ts';
import {
  checkContact,
  checkProduct,
  checkProfile,
  CSV_COLUMNS,
  entriesFromCsvRows,
  type ContactInput,
  type DirectoryEntry,
  type ProductInput,
  type ProfileInput,
} from './rules.ts';

type Tx = Transaction<Database>;

async function loadOrg(tx: Db, orgId: string): Promise<OrganizationRow> {
  const org = await findOrgById(tx, orgId);
  if (!org) throw notFound('organization', orgId);
  return org;
}

/** Vendor admins edit their own entry; coordinators and admins any. */
async function loadEditable(tx: Db, ctx: Ctx, orgId: string): Promise<OrganizationRow> {
  const org = await loadOrg(tx, orgId);
  authorize(ctx.actor, 'org:update', { type: 'org', id: org.id, kind: org.kind });
  return org;
}

const isDirectoryStaff = (ctx: Ctx) => can(ctx.actor, 'org:create', instance);

async function upsertProfile(
  tx: Tx,
  orgId: string,
  p: { languages: string[]; timeZone: string | null; country: string | null },
  now: Date,
) {
  await tx
    .insertInto('org_profiles')
    .values({
      org_id: orgId,
      verified: false,
      verified_by: null,
      languages: JSON.stringify(p.languages),
      time_zone: p.timeZone,
      country: p.country,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet({
        languages: JSON.stringify(p.languages),
        time_zone: p.timeZone,
        country: p.country,
        updated_at: now,
      }),
    )
    .execute();
}

export async function updateProfile(ctx: Ctx, orgId: string, input: ProfileInput): Promise<void> {
  const problems: FieldProblem[] = [];
  const p = checkProfile(input, problems);
  if (problems.length > 0) throw invalidFields(problems);
  await inTransaction(ctx, async (tx) => {
    const org = await loadEditable(tx, ctx, orgId);
    await upsertProfile(tx, org.id, p, ctx.now());
    await recordAudit(tx, ctx, { action: 'directory.profile', subjectType: 'org', subjectId: org.id, summary: p });
  });
}

/** Staff vouch for an organization (they checked who is behind it). */
export async function setVerified(ctx: Ctx, orgId: string, verified: boolean): Promise<void> {
  authorize(ctx.actor, 'org:create', instance);
  await inTransaction(ctx, async (tx) => {
    const org = await loadOrg(tx, orgId);
    const by = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
    await tx
      .insertInto('org_profiles')
      .values({
        org_id: org.id,
        verified,
        verified_by: by,
        languages: JSON.stringify([]),
        time_zone: null,
        country: null,
        updated_at: ctx.now(),
      })
      .onConflict((oc) => oc.column('org_id').doUpdateSet({ verified, verified_by: by, updated_at: ctx.now() }))
      .execute();
    await recordAudit(tx, ctx, {
      action: 'directory.verify',
      subjectType: 'org',
      subjectId: org.id,
      summary: { verified },
    });
  });
}

async function contactValues(ctx: Ctx, input: ContactInput, problems: FieldProblem[], prefix = '') {
  const c = checkContact(input, problems, prefix);
  let key: { armored: string; fingerprint: string; expiresAt: Date | null } | null = null;
  if (c.pgpPublicKey) {
    try {
      key = await parsePublicKey(c.pgpPublicKey, ctx.now());
    } catch (err) {
      problems.push({
        field: `${prefix}pgpPublicKey`,
        message: err instanceof AppError ? err.message : 'the key could not be read',
      });
    }
  }
  return { ...c, key };
}

/** Inserts a contact unless the org already has that address in that role; undefined then. */
async function insertContact(
  tx: Tx,
  orgId: string,
  c: Awaited<ReturnType<typeof contactValues>>,
  status: 'approved' | 'pending',
  proposedBy: string | null,
  now: Date,
) {
  return tx
    .insertInto('org_contacts')
    .values({
      id: newId(),
      org_id: orgId,
      email: c.email,
      role: c.role,
      name: c.name,
      phone: c.phone,
      pgp_public_key: c.key?.armored ?? null,
      pgp_fingerprint: c.key?.fingerprint ?? null,
      pgp_expires_at: c.key?.expiresAt ?? null,
      status,
      proposed_by: proposedBy,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Inserts a product unless the org already lists one by that name; undefined then. */
async function insertProduct(tx: Tx, orgId: string, p: ReturnType<typeof checkProduct>, now: Date) {
  return tx
    .insertInto('org_products')
    .values({
      id: newId(),
      org_id: orgId,
      name: p.name,
      identifier: p.identifier,
      versions: p.versions,
      created_at: now,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

/**
 * A security contact. From staff it is approved at once; from the vendor itself it waits for
 * staff approval before notifications go to it (a hijacked vendor account cannot redirect them).
 */
export async function addContact(ctx: Ctx, orgId: string, input: ContactInput) {
  const problems: FieldProblem[] = [];
  const c = await contactValues(ctx, input, problems);
  if (problems.length > 0) throw invalidFields(problems);
  return inTransaction(ctx, async (tx) => {
    const org = await loadEditable(tx, ctx, orgId);
    const proposedBy = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
    const status = isDirectoryStaff(ctx) ? 'approved' : 'pending';
    const row = await insertContact(tx, org.id, c, status, proposedBy, ctx.now());
    if (!row)
      throw new AppError('ERR_CONFLICT', `${c.email} is already a ${c.role} contact of ${org.name}`, {
        field: 'email',
      });
    await recordAudit(tx, ctx, {
      action: 'directory.contact_add',
      subjectType: 'org',
      subjectId: org.id,
      summary: { contactId: row.id, email: row.email, role: row.role, status: row.status },
    });
    return row;
  });
}

/**
 * Approves what waits on a contact: a proposed new contact becomes active, or a proposed change to
 * an active contact is copied onto it (the contact keeps its id, so invitations sent to it stay linked).
 */
export async function approveContact(ctx: Ctx, orgId: string, contactId: string) {
  authorize(ctx.actor, 'org:create', instance);
  return inTransaction(ctx, async (tx) => {
    const contact =
      isUuid(contactId) && isUuid(orgId)
        ? await tx
            .selectFrom('org_contacts')
            .selectAll()
            .where('id', '=', contactId)
            .where('org_id', '=', orgId)
            .forUpdate()
            .executeTakeFirst()
        : undefined;
    if (!contact) throw notFound('contact', contactId);
    const change =
      contact.status === 'approved'
        ? await tx.selectFrom('org_contact_changes').selectAll().where('contact_id', '=', contact.id).executeTakeFirst()
        : undefined;
    let row = contact;
    if (change) {
      await refuseDuplicateContact(tx, orgId, contact.id, change.email, change.role);
      row = await tx
        .updateTable('org_contacts')
        .set({
          email: change.email,
          role: change.role,
          name: change.name,
          phone: change.phone,
          pgp_public_key: change.pgp_public_key,
          pgp_fingerprint: change.pgp_fingerprint,
          pgp_expires_at: change.pgp_expires_at,
          updated_at: ctx.now(),
        })
        .where('id', '=', contact.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await tx.deleteFrom('org_contact_changes').where('contact_id', '=', contact.id).execute();
    } else if (contact.status === 'pending') {
      row = await tx
        .updateTable('org_contacts')
        .set({ status: 'approved', updated_at: ctx.now() })
        .where('id', '=', contact.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    await recordAudit(tx, ctx, {
      action: change ? 'directory.contact_change_approve' : 'directory.contact_approve',
      subjectType: 'org',
      subjectId: orgId,
      summary: change
        ? { contactId, from: { email: contact.email, role: contact.role }, to: { email: row.email, role: row.role } }
        : { contactId },
    });
    return row;
  });
}

/** The unique index says the same; this says it in words, naming the field. */
async function refuseDuplicateContact(tx: Tx, orgId: string, exceptId: string, email: string, role: string) {
  const clash = await tx
    .selectFrom('org_contacts')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '!=', exceptId)
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .where('role', '=', role)
    .executeTakeFirst();
  if (clash)
    throw new AppError('ERR_CONFLICT', `${email} is already a ${role} contact of this organization`, {
      field: 'email',
    });
}

export interface ContactChangeInput {
  email: string;
  role?: string | undefined;
  name?: string | undefined;
  phone?: string | undefined;
  /** Absent: keep the current key; null or empty: no key; text: this armored public key. */
  pgpPublicKey?: string | null | undefined;
}

/**
 * Edits a contact in place. Staff changes apply at once; so do a vendor's edits to a contact that
 * still waits for approval. A vendor's change to an approved contact waits for staff approval
 * (`approveContact`) and the contact stays as it was until then: a hijacked vendor account
 * cannot redirect notifications by editing any more than by adding.
 */
export async function updateContact(ctx: Ctx, orgId: string, contactId: string, input: ContactChangeInput) {
  const problems: FieldProblem[] = [];
  const keyGiven = typeof input.pgpPublicKey === 'string' && input.pgpPublicKey.trim() !== '';
  const c = await contactValues(
    ctx,
    { ...input, pgpPublicKey: keyGiven ? (input.pgpPublicKey ?? undefined) : undefined },
    problems,
  );
  if (problems.length > 0) throw invalidFields(problems);
  return inTransaction(ctx, async (tx) => {
    const org = await loadEditable(tx, ctx, orgId);
    const contact = isUuid(contactId)
      ? await tx
          .selectFrom('org_contacts')
          .selectAll()
          .where('id', '=', contactId)
          .where('org_id', '=', org.id)
          .forUpdate()
          .executeTakeFirst()
      : undefined;
    if (!contact) throw notFound('contact', contactId);
    const staff = isDirectoryStaff(ctx);
    // "Keep the key" keeps the one of the change being revised, if the vendor proposed one.
    const kept =
      !staff && contact.status === 'approved'
        ? ((await tx
            .selectFrom('org_contact_changes')
            .select(['pgp_public_key', 'pgp_fingerprint', 'pgp_expires_at'])
            .where('contact_id', '=', contact.id)
            .executeTakeFirst()) ?? contact)
        : contact;
    const key =
      input.pgpPublicKey === undefined
        ? {
            pgp_public_key: kept.pgp_public_key,
            pgp_fingerprint: kept.pgp_fingerprint,
            pgp_expires_at: kept.pgp_expires_at,
          }
        : {
            pgp_public_key: c.key?.armored ?? null,
            pgp_fingerprint: c.key?.fingerprint ?? null,
            pgp_expires_at: c.key?.expiresAt ?? null,
          };
    const values = { email: c.email, role: c.role, name: c.name, phone: c.phone, ...key };
    const same =
      values.email === contact.email &&
      values.role === contact.role &&
      values.name === contact.name &&
      values.phone === contact.phone &&
      values.pgp_fingerprint === contact.pgp_fingerprint;
    if (same && (staff || contact.status === 'pending'))
      throw invalidFields([{ field: 'email', message: 'nothing changed: edit at least one field' }]);
    await refuseDuplicateContact(tx, org.id, contact.id, values.email, values.role);
    const waits = !staff && contact.status === 'approved';
    if (waits) {
      const proposedBy = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
      if (same) {
        // Back to what is active: the proposal is withdrawn.
        const res = await tx.deleteFrom('org_contact_changes').where('contact_id', '=', contact.id).executeTakeFirst();
        if (Number(res.numDeletedRows) === 0)
          throw invalidFields([{ field: 'email', message: 'nothing changed: edit at least one field' }]);
      } else {
        await tx
          .insertInto('org_contact_changes')
          .values({ contact_id: contact.id, org_id: org.id, ...values, proposed_by: proposedBy, created_at: ctx.now() })
          .onConflict((oc) =>
            oc.column('contact_id').doUpdateSet({ ...values, proposed_by: proposedBy, created_at: ctx.now() }),
          )
          .execute();
      }
    } else {
      await tx
        .updateTable('org_contacts')
        .set({ ...values, updated_at: ctx.now() })
        .where('id', '=', contact.id)
        .execute();
      // A change a vendor proposed earlier was made against the old values: it is superseded.
      await tx.deleteFrom('org_contact_changes').where('contact_id', '=', contact.id).execute();
    }
    await recordAudit(tx, ctx, {
      action: 'directory.contact_update',
      subjectType: 'org',
      subjectId: org.id,
      summary: {
        contactId: contact.id,
        email: values.email,
        role: values.role,
        keyChanged: values.pgp_fingerprint !== contact.pgp_fingerprint,
        pendingApproval: waits && !same,
      },
    });
    return { id: contact.id, pendingChange: waits && !same };
  });
}

/** Withdraws (the vendor) or rejects (staff) a proposed change; the contact stays as it is. */
export async function discardContactChange(ctx: Ctx, orgId: string, contactId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const org = await loadEditable(tx, ctx, orgId);
    const res = isUuid(contactId)
      ? await tx
          .deleteFrom('org_contact_changes')
          .where('contact_id', '=', contactId)
          .where('org_id', '=', org.id)
          .executeTakeFirst()
      : { numDeletedRows: 0n };
    if (Number(res.numDeletedRows) === 0) throw notFound('contact change', contactId);
    await recordAudit(tx, ctx, {
      action: 'directory.contact_change_discard',
      subjectType: 'org',
      subjectId: org.id,
      summary: { contactId },
    });
  });
}

export async function removeContact(ctx: Ctx, orgId: string, contactId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const org = await loadEditable(tx, ctx, orgId);
    const res = isUuid(contactId)
      ? await tx.deleteFrom('org_contacts').where('id', '=', contactId).where('org_id', '=', org.id).executeTakeFirst()
      : { numDeletedRows: 0n };
    if (Number(res.numDeletedRows) === 0) throw notFound('contact', contactId);
    await recordAudit(tx, ctx, {
      action: 'directory.contact_remove',
      subjectType: 'org',
      subjectId: org.id,
      summary: { contactId },
    });
  });
}

export async function addProduct(ctx: Ctx, orgId: string, input: ProductInput) {
  const problems: FieldProblem[] = [];
  const p = checkProduct(input, problems);
  if (problems.length > 0) throw invalidFields(problems);
  return inTransaction(ctx, async (tx) => {
    const org = await loadEditable(tx, ctx, orgId);
    const row = await insertProduct(tx, org.id, p, ctx.now());
    if (!row)
      throw new AppError('ERR_CONFLICT', `${org.name} already lists a product named ${p.name}`, { field: 'name' });
    await recordAudit(tx, ctx, {
      action: 'directory.product_add',
      subjectType: 'org',
      subjectId: org.id,
      summary: { productId: row.id, name: p.name },
    });
    return row;
  });
}

export async function removeProduct(ctx: Ctx, orgId: string, productId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const org = await loadEditable(tx, ctx, orgId);
    const res = isUuid(productId)
      ? await tx.deleteFrom('org_products').where('id', '=', productId).where('org_id', '=', org.id).executeTakeFirst()
      : { numDeletedRows: 0n };
    if (Number(res.numDeletedRows) === 0) throw notFound('product', productId);
    await recordAudit(tx, ctx, {
      action: 'directory.product_remove',
      subjectType: 'org',
      subjectId: org.id,
      summary: { productId },
    });
  });
}

/** Upstream supplies downstream (a library and the products that embed it). Staff record it. */
export async function addRelation(ctx: Ctx, upstreamId: string, downstreamId: string, note: string): Promise<void> {
  authorize(ctx.actor, 'org:create', instance);
  if (upstreamId === downstreamId)
    throw invalidFields([{ field: 'downstreamOrgId', message: 'an organization is not its own supplier' }]);
  await inTransaction(ctx, async (tx) => {
    // Each side is a field of the form: say which one names no organization.
    for (const [field, id] of [
      ['upstreamOrgId', upstreamId],
      ['downstreamOrgId', downstreamId],
    ] as const) {
      const org = await findOrgById(tx, id);
      if (!org || org.kind === 'home')
        throw invalidFields([{ field, message: 'choose an organization of the directory' }]);
    }
    await tx
      .insertInto('org_relations')
      .values({
        upstream_org_id: upstreamId,
        downstream_org_id: downstreamId,
        note: note.trim().slice(0, 500),
        created_at: ctx.now(),
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await recordAudit(tx, ctx, {
      action: 'directory.relation_add',
      subjectType: 'org',
      subjectId: upstreamId,
      summary: { downstreamId },
    });
  });
}

/** Staff remove a supplier relation recorded earlier. */
export async function removeRelation(ctx: Ctx, upstreamId: string, downstreamId: string): Promise<void> {
  authorize(ctx.actor, 'org:create', instance);
  await inTransaction(ctx, async (tx) => {
    const res =
      isUuid(upstreamId) && isUuid(downstreamId)
        ? await tx
            .deleteFrom('org_relations')
            .where('upstream_org_id', '=', upstreamId)
            .where('downstream_org_id', '=', downstreamId)
            .executeTakeFirst()
        : { numDeletedRows: 0n };
    if (Number(res.numDeletedRows) === 0) throw notFound('relation', `${upstreamId} → ${downstreamId}`);
    await recordAudit(tx, ctx, {
      action: 'directory.relation_remove',
      subjectType: 'org',
      subjectId: upstreamId,
      summary: { downstreamId },
    });
  });
}

export async function createCommunity(
  ctx: Ctx,
  input: { name: string; termsText?: string | undefined; orgIds?: string[] | undefined },
) {
  authorize(ctx.actor, 'org:create', instance);
  const name = input.name.trim();
  if (name.length < 2 || name.length > 200)
    throw invalidFields([{ field: 'name', message: 'the name must be 2 to 200 characters' }]);
  return inTransaction(ctx, async (tx) => {
    const c = await tx
      .insertInto('communities')
      .values({
        id: newId(),
        name,
        terms_text: (input.termsText ?? '').trim(),
        created_at: ctx.now(),
        updated_at: ctx.now(),
      })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!c) throw new AppError('ERR_CONFLICT', `a community named ${name} exists already`, { field: 'name' });
    for (const orgId of new Set(input.orgIds ?? [])) {
      const org = await findOrgById(tx, orgId);
      if (!org || org.kind === 'home')
        throw invalidFields([{ field: 'orgIds', message: `organization ${orgId} was not found` }]);
      await tx.insertInto('community_members').values({ community_id: c.id, org_id: org.id }).execute();
    }
    await recordAudit(tx, ctx, {
      action: 'directory.community_create',
      subjectType: 'community',
      subjectId: c.id,
      summary: { name },
    });
    return c;
  });
}

/** Replaces a community's members (when given) and its name or terms (when given). */
export async function updateCommunity(
  ctx: Ctx,
  communityId: string,
  input: { name?: string | undefined; termsText?: string | undefined; orgIds?: string[] | undefined },
) {
  authorize(ctx.actor, 'org:create', instance);
  const name = input.name?.trim();
  if (name !== undefined && (name.length < 2 || name.length > 200))
    throw invalidFields([{ field: 'name', message: 'the name must be 2 to 200 characters' }]);
  return inTransaction(ctx, async (tx) => {
    const existing = isUuid(communityId)
      ? await tx.selectFrom('communities').selectAll().where('id', '=', communityId).executeTakeFirst()
      : undefined;
    if (!existing) throw notFound('community', communityId);
    if (name !== undefined && name.toLowerCase() !== existing.name.toLowerCase()) {
      const clash = await tx
        .selectFrom('communities')
        .select('id')
        .where(sql<string>`lower(name)`, '=', name.toLowerCase())
        .executeTakeFirst();
      if (clash) throw new AppError('ERR_CONFLICT', `a community named ${name} exists already`, { field: 'name' });
    }
    const c = await tx
      .updateTable('communities')
      .set({
        ...(name !== undefined ? { name } : {}),
        ...(input.termsText !== undefined ? { terms_text: input.termsText.trim() } : {}),
        updated_at: ctx.now(),
      })
      .where('id', '=', existing.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    let members: { added: string[]; removed: string[] } | undefined;
    if (input.orgIds !== undefined) {
      const wanted = [...new Set(input.orgIds)];
      for (const orgId of wanted) {
        const org = await findOrgById(tx, orgId);
        if (!org || org.kind === 'home')
          throw invalidFields([{ field: 'orgIds', message: `organization ${orgId} was not found` }]);
      }
      const before = (
        await tx.selectFrom('community_members').select('org_id').where('community_id', '=', c.id).execute()
      ).map((m) => m.org_id);
      const removed = before.filter((id) => !wanted.includes(id));
      const added = wanted.filter((id) => !before.includes(id));
      if (removed.length > 0)
        await tx
          .deleteFrom('community_members')
          .where('community_id', '=', c.id)
          .where('org_id', 'in', removed)
          .execute();
      if (added.length > 0)
        await tx
          .insertInto('community_members')
          .values(added.map((orgId) => ({ community_id: c.id, org_id: orgId })))
          .execute();
      members = { added, removed };
    }
    await recordAudit(tx, ctx, {
      action: 'directory.community_update',
      subjectType: 'community',
      subjectId: c.id,
      summary: {
        ...(name !== undefined ? { name } : {}),
        ...(input.termsText !== undefined ? { termsChanged: true } : {}),
        ...(members ?? {}),
      },
    });
    return c;
  });
}

/**
 * Deletes a community. Nothing in a case points at a community: inviting one adds each member as a
 * participant of its own (recorded in the case's timeline), so those participations, and the
 * cases' history, are untouched. The audit event keeps the name, terms and members.
 */
export async function deleteCommunity(ctx: Ctx, communityId: string): Promise<void> {
  authorize(ctx.actor, 'org:create', instance);
  await inTransaction(ctx, async (tx) => {
    const existing = isUuid(communityId)
      ? await tx.selectFrom('communities').selectAll().where('id', '=', communityId).forUpdate().executeTakeFirst()
      : undefined;
    if (!existing) throw notFound('community', communityId);
    const members = await tx
      .selectFrom('community_members as m')
      .innerJoin('organizations as o', 'o.id', 'm.org_id')
      .select(['o.id', 'o.name'])
      .where('m.community_id', '=', existing.id)
      .orderBy('o.name')
      .execute();
    await tx.deleteFrom('communities').where('id', '=', existing.id).execute(); // members cascade
    await recordAudit(tx, ctx, {
      action: 'directory.community_delete',
      subjectType: 'community',
      subjectId: existing.id,
      summary: { name: existing.name, termsText: existing.terms_text, members },
    });
  });
}

/** Invites every member organization of a community to a case, skipping those already in it. */
export async function inviteCommunity(ctx: Ctx, caseRef: string, communityId: string, role = 'vendor') {
  const c = await findCase(ctx.db, caseRef);
  if (!c) throw notFound('case', caseRef);
  authorize(ctx.actor, 'case:manage', await caseResource(ctx.db, ctx.actor, c), 'case:read');
  const members = isUuid(communityId)
    ? await ctx.db.selectFrom('community_members').select('org_id').where('community_id', '=', communityId).execute()
    : [];
  if (members.length === 0)
    throw invalidFields([{ field: 'communityId', message: 'no such community, or it has no members' }]);
  const added: string[] = [];
  const skipped: string[] = [];
  for (const m of members) {
    try {
      await addParticipant(ctx, caseRef, { orgId: m.org_id, role });
      added.push(m.org_id);
    } catch (err) {
      if (err instanceof AppError && err.code === 'ERR_CONFLICT') skipped.push(m.org_id);
      else throw err;
    }
  }
  return { added, skipped };
}

export interface ImportReport {
  created: number;
  updated: number;
  contacts: number;
  products: number;
  rejected: { at: string; name: string; problems: FieldProblem[] }[];
}

/**
 * Imports organizations with their contacts and products (JSON array, or CSV with the columns
 * in `CSV_COLUMNS`). Each organization is its own transaction: a bad entry is reported with its
 * line (CSV) or index (JSON) and the reasons, and the others still land.
 */
export async function importDirectory(ctx: Ctx, format: 'json' | 'csv', content: string): Promise<ImportReport> {
  authorize(ctx.actor, 'org:create', instance);
  let items: { entry: DirectoryEntry; at: string }[];
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      throw invalidFields([{ field: 'content', message: 'the JSON could not be parsed' }]);
    }
    if (!Array.isArray(parsed))
      throw invalidFields([{ field: 'content', message: 'expected a JSON array of organizations' }]);
    items = parsed.map((entry, i) => ({ entry: entry as DirectoryEntry, at: `[${i}]` }));
  } else {
    let rows: Record<string, string>[];
    try {
      rows = parseCsv(content, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<
        string,
        string
      >[];
    } catch (err) {
      throw invalidFields([{ field: 'content', message: `the CSV could not be parsed: ${(err as Error).message}` }]);
    }
    const missing = rows.length > 0 && !('organization' in rows[0]!);
    if (missing)
      throw invalidFields([
        { field: 'content', message: `the CSV needs a header row with: ${CSV_COLUMNS.join(', ')}` },
      ]);
    items = [...entriesFromCsvRows(rows).entries.values()].map(({ entry, lines }) => ({
      entry,
      at: `line ${lines.join(', ')}`,
    }));
  }
  const report: ImportReport = { created: 0, updated: 0, contacts: 0, products: 0, rejected: [] };
  for (const { entry, at } of items) {
    const problems: FieldProblem[] = [];
    try {
      if (!entry || typeof entry !== 'object' || typeof entry.name !== 'string') {
        report.rejected.push({
          at,
          name: '',
          problems: [{ field: 'name', message: 'each organization needs a name' }],
        });
        continue;
      }
      const name = checkOrgName(entry.name);
      const kind = checkOrgKind(entry.kind ?? 'vendor');
      const website = checkWebsite(entry.website ?? null);
      const profile = checkProfile(entry, problems);
      const contacts: Awaited<ReturnType<typeof contactValues>>[] = [];
      for (const [i, c] of (entry.contacts ?? []).entries())
        contacts.push(await contactValues(ctx, c, problems, `contacts[${i}].`));
      const products = (entry.products ?? []).map((p, i) => checkProduct(p, problems, `products[${i}].`));
      if (problems.length > 0) {
        report.rejected.push({ at, name, problems });
        continue;
      }
      await inTransaction(ctx, async (tx) => {
        const now = ctx.now();
        let org = await findOrgByName(tx, name);
        if (org && org.kind === 'home')
          throw invalidFields([{ field: 'name', message: 'that is the home organization' }]);
        if (!org) {
          org = await tx
            .insertInto('organizations')
            .values({ id: newId(), name, kind, website, created_at: now, updated_at: now })
            .returningAll()
            .executeTakeFirstOrThrow();
          report.created++;
        } else report.updated++;
        await upsertProfile(tx, org.id, profile, now);
        for (const c of contacts) {
          if (await insertContact(tx, org.id, c, 'approved', null, now)) report.contacts++;
        }
        for (const p of products) {
          if (await insertProduct(tx, org.id, p, now)) report.products++;
        }
        await recordAudit(tx, ctx, {
          action: 'directory.import',
          subjectType: 'org',
          subjectId: org.id,
          summary: { name, at },
        });
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'ERR_VALIDATION') {
        const fromError = (err.details.problems as FieldProblem[] | undefined) ?? [
          { field: typeof err.details.field === 'string' ? err.details.field : 'entry', message: err.message },
        ];
        report.rejected.push({ at, name: String(entry?.name ?? ''), problems: fromError });
      } else throw err;
    }
  }
  return report;
}

/** Every external organization with its profile, approved contacts and products. */
export async function exportDirectory(ctx: Ctx, format: 'json' | 'csv'): Promise<string> {
  authorize(ctx.actor, 'org:create', instance);
  const orgs = await ctx.db
    .selectFrom('organizations as o')
    .leftJoin('org_profiles as p', 'p.org_id', 'o.id')
    .select(['o.id', 'o.name', 'o.kind', 'o.website', 'p.country', 'p.time_zone', 'p.languages', 'p.verified'])
    .where('o.kind', '!=', 'home')
    .orderBy(sql`lower(o.name)`)
    .execute();
  const contacts = await ctx.db
    .selectFrom('org_contacts')
    .selectAll()
    .where('status', '=', 'approved')
    .orderBy('created_at')
    .execute();
  const products = await ctx.db.selectFrom('org_products').selectAll().orderBy('name').execute();
  const entries: DirectoryEntry[] = orgs.map((o) => ({
    name: o.name,
    kind: o.kind,
    website: o.website,
    country: o.country,
    timeZone: o.time_zone,
    languages: o.languages ?? [],
    verified: o.verified ?? false,
    contacts: contacts
      .filter((c) => c.org_id === o.id)
      .map((c) => ({
        email: c.email,
        role: c.role,
        name: c.name ?? undefined,
        phone: c.phone ?? undefined,
        pgpPublicKey: c.pgp_public_key ?? undefined,
      })),
    products: products
      .filter((p) => p.org_id === o.id)
      .map((p) => ({ name: p.name, identifier: p.identifier ?? undefined, versions: p.versions })),
  }));
  if (format === 'json') return `${JSON.stringify(entries, null, 2)}\n`;
  const rows: string[][] = [];
  for (const e of entries) {
    const base = [
      e.name,
      e.kind ?? '',
      e.website ?? '',
      e.country ?? '',
      e.timeZone ?? '',
      (e.languages ?? []).join(';'),
    ];
    const n = Math.max(1, e.contacts!.length, e.products!.length);
    for (let i = 0; i < n; i++) {
      const c = e.contacts![i];
      const p = e.products![i];
      rows.push([
        ...base,
        c?.email ?? '',
        c?.role ?? '',
        c?.name ?? '',
        c?.phone ?? '',
        p?.name ?? '',
        p?.identifier ?? '',
        p?.versions ?? '',
      ]);
    }
  }
  return stringifyCsv(rows, { header: true, columns: [...CSV_COLUMNS] });
}
