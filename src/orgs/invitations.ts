import { sql } from 'kysely';
import { type Ctx, type Db, inTransaction } from '../app/context.ts';
import { recordAudit } from '../audit/record.ts';
import { newSecret, sha256 } from '../auth/secrets.ts';
import { INVITATION_TTL_MS } from '../auth/rules.ts';
import { recordCaseEvent } from '../cases/events.ts';
import { AppError, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { JOB_PRIORITY } from '../jobs/priority.ts';
import { queueMail } from '../mail/outbox.ts';
import { authorize } from '../policy/policy.ts';
import { createUserInTx } from '../users/commands.ts';
import { findUserByEmail } from '../users/queries.ts';
import { normalizeEmail } from '../users/rules.ts';
import { findOrgById } from './queries.ts';
import { checkRoleForOrg, type OrgKind } from './rules.ts';

export interface InvitationView {
  id: string;
  orgId: string;
  email: string;
  role: string;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}

/**
 * Stores one invitation (only the token's hash) and queues its mail, in the caller's transaction;
 * the caller has authorized. The link carries the token in the URL fragment, which browsers do
 * not send to servers. `mail` writes the message around the link.
 */
export async function createInvitation(
  tx: Db,
  ctx: Ctx,
  org: { id: string; name: string; kind: OrgKind },
  input: { email: string; role: string },
  mail: (link: string, role: string) => { subject: string; text: string },
): Promise<{ invitation: InvitationView; link: string }> {
  const email = normalizeEmail(input.email);
  const role = checkRoleForOrg(org.kind, input.role);
  const token = newSecret('acci_');
  const now = ctx.now();
  const row = await tx
    .insertInto('invitations')
    .values({
      id: newId(),
      org_id: org.id,
      email,
      role,
      token_hash: sha256(token),
      invited_by: ctx.actor.kind === 'user' ? ctx.actor.userId : null,
      created_at: now,
      expires_at: new Date(now.getTime() + INVITATION_TTL_MS),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const link = `${ctx.config.baseUrl}/accept-invitation#token=${token}`;
  await queueMail(tx, ctx, { to: email, ...mail(link, role), priority: JOB_PRIORITY.urgent });
  return { invitation: present(row), link };
}

/** Withdraws the invitations among `ids` that are still open; returns those it withdrew. */
export async function withdrawInvitations(tx: Db, ctx: Ctx, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .updateTable('invitations')
    .set({ revoked_at: ctx.now() })
    .where('id', 'in', [...ids])
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Invites an e-mail address into an org; the link (sent by mail) is the only copy of the secret. */
export async function inviteToOrg(
  ctx: Ctx,
  orgId: string,
  input: { email: string; role: string },
): Promise<{ invitation: InvitationView; link: string }> {
  return inTransaction(ctx, async (tx) => {
    const org = await findOrgById(tx, orgId);
    if (!org) throw notFound('organization', orgId);
    authorize(ctx.actor, 'org:invite', { type: 'org', id: org.id, kind: org.kind });
    const { invitation, link } = await createInvitation(tx, ctx, org, input, (link, role) => ({
      subject: `[${ctx.config.instanceName}] You are invited to join ${org.name}`,
      text:
        `You have been invited to join ${org.name} on ${ctx.config.instanceName} as ${role}.\n\n` +
        `Accept the invitation within 14 days:\n${link}\n\n` +
        'If you did not expect this message, you can ignore it.\n',
    }));
    await recordAudit(tx, ctx, {
      action: 'org.invite',
      subjectType: 'org',
      subjectId: org.id,
      summary: { email: invitation.email, role: invitation.role, invitationId: invitation.id },
    });
    return { invitation, link };
  });
}

function present(row: {
  id: string;
  org_id: string;
  email: string;
  role: string;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}): InvitationView {
  return {
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    role: row.role,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    acceptedAt: row.accepted_at,
    revokedAt: row.revoked_at,
  };
}

export async function listInvitations(ctx: Ctx, orgId: string): Promise<InvitationView[]> {
  const org = await findOrgById(ctx.db, orgId);
  if (!org) throw notFound('organization', orgId);
  authorize(ctx.actor, 'org:invite', { type: 'org', id: org.id, kind: org.kind });
  const rows = await ctx.db
    .selectFrom('invitations')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(present);
}

export async function revokeInvitation(ctx: Ctx, orgId: string, invitationId: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const org = await findOrgById(tx, orgId);
    if (!org) throw notFound('organization', orgId);
    authorize(ctx.actor, 'org:invite', { type: 'org', id: org.id, kind: org.kind });
    const res = await tx
      .updateTable('invitations')
      .set({ revoked_at: ctx.now() })
      .where('id', '=', invitationId)
      .where('org_id', '=', orgId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw notFound('invitation', invitationId);
    await recordAudit(tx, ctx, {
      action: 'org.invite.revoke',
      subjectType: 'org',
      subjectId: orgId,
      summary: { invitationId },
    });
  });
}

async function openInvitation(db: Db, token: string, now: Date) {
  const row = await db
    .selectFrom('invitations as i')
    .innerJoin('organizations as o', 'o.id', 'i.org_id')
    .select([
      'i.id',
      'i.org_id',
      'i.email',
      'i.role',
      'i.expires_at',
      'i.accepted_at',
      'i.revoked_at',
      'o.name as org_name',
      'o.kind as org_kind',
    ])
    .where('i.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.revoked_at || row.accepted_at) {
    throw new AppError(
      'ERR_TOKEN_INVALID',
      'this invitation link is not valid (it was used or withdrawn); ask for a new invitation',
    );
  }
  if (row.expires_at.getTime() <= now.getTime()) {
    throw new AppError('ERR_TOKEN_EXPIRED', 'this invitation has expired; ask the organization for a new one');
  }
  return row;
}

/**
 * The case an invitation was sent for (its public id only), while the organization still takes
 * part in it: the invited person lands there after joining.
 */
async function invitationCase(db: Db, invitationId: string) {
  return db
    .selectFrom('case_invitations as ci')
    .innerJoin('cases as c', 'c.id', 'ci.case_id')
    .innerJoin('case_participants as p', 'p.id', 'ci.participant_id')
    .select(['c.id', 'c.case_id', 'ci.participant_id'])
    .where('ci.invitation_id', '=', invitationId)
    .where('p.removed_at', 'is', null)
    .executeTakeFirst();
}

/** What the accept page shows before the person decides. */
export async function describeInvitation(ctx: Ctx, token: string) {
  const row = await openInvitation(ctx.db, token, ctx.now());
  const existing = await findUserByEmail(ctx.db, row.email);
  const forCase = await invitationCase(ctx.db, row.id);
  return {
    orgName: row.org_name,
    email: row.email,
    role: row.role,
    expiresAt: row.expires_at,
    hasAccount: !!existing,
    caseId: forCase?.case_id ?? null,
  };
}

/**
 * Accepts an invitation: a signed-in user joins with their account (the invited address must be
 * theirs); otherwise a new account is made for the invited address, which the link proved.
 */
export async function acceptInvitation(
  ctx: Ctx,
  token: string,
  newAccount: { name: string; password: string } | null,
): Promise<{ userId: string; orgId: string; caseId: string | null }> {
  return inTransaction(ctx, async (tx) => {
    const inv = await openInvitation(tx, token, ctx.now());
    let userId: string;
    const existing = await findUserByEmail(tx, inv.email);
    if (ctx.actor.kind === 'user') {
      if (!existing || existing.id !== ctx.actor.userId) {
        throw new AppError(
          'ERR_FORBIDDEN',
          `this invitation is for ${inv.email}; sign in with that account to accept it`,
        );
      }
      userId = existing.id;
    } else if (existing) {
      throw new AppError(
        'ERR_UNAUTHENTICATED',
        `an account for ${inv.email} exists: sign in first, then open the link again`,
      );
    } else {
      if (!newAccount)
        throw new AppError('ERR_VALIDATION', 'give a name and a password for the new account', {
          fields: ['name', 'password'],
        });
      const user = await createUserInTx(tx, ctx, {
        email: inv.email,
        name: newAccount.name,
        password: newAccount.password,
      });
      userId = user.id;
    }
    const used = await tx
      .updateTable('invitations')
      .set({ accepted_at: ctx.now(), accepted_by: userId })
      .where('id', '=', inv.id)
      .where('accepted_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) throw new AppError('ERR_TOKEN_INVALID', 'this invitation was used already');
    await tx
      .insertInto('memberships')
      .values({ user_id: userId, org_id: inv.org_id, role: inv.role, created_at: ctx.now() })
      .onConflict((oc) => oc.columns(['user_id', 'org_id']).doUpdateSet({ role: sql`excluded.role` }))
      .execute();
    const forCase = await invitationCase(tx, inv.id);
    if (forCase) {
      // The case timeline shows that the invited organization is now on the platform.
      await recordCaseEvent(
        tx,
        ctx,
        forCase.id,
        'invitation_accepted',
        { orgId: inv.org_id, invitationId: inv.id },
        forCase.participant_id,
        { userId, label: inv.email },
      );
    }
    await recordAudit(tx, ctx, {
      action: 'org.invite.accept',
      subjectType: 'org',
      subjectId: inv.org_id,
      summary: { userId, email: inv.email, role: inv.role, invitationId: inv.id, caseId: forCase?.case_id ?? null },
    });
    return { userId, orgId: inv.org_id, caseId: forCase?.case_id ?? null };
  });
}
