import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.ts';
import { addMember, makeApp, makeCtx, makeOrg, makeUser, signIn, type Session } from '../../tests/support/factories.ts';
import type { OrganizationRow, UserRow } from '../db/schema.ts';
import { submitReport } from '../reports/commands.ts';
import { openCase } from '../cases/commands.ts';
import { createAdvisory } from '../advisories/commands.ts';
import { systemActor } from '../policy/actor.ts';
import { sampleReport } from '../../tests/support/reports.ts';

/**
 * Every endpoint, with callers who must be refused. A caller who may not see an object gets
 * 404 exactly as for a missing one; a caller who sees it but may not act gets 403; nobody
 * signed in gets 401.
 */
type Who = 'anon' | 'outsider' | 'vendor' | 'viewer' | 'analyst' | 'coordinator';

describe('access control on every endpoint', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  const s = {} as Record<Who, Session | null>;
  let acme: OrganizationRow;
  let globex: OrganizationRow;
  let globexUser: UserRow;
  let report: { id: string };
  let caseRow: { id: string };
  let advisory: { id: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await makeApp(db);
    const ctx = makeCtx(db);
    acme = await makeOrg(ctx, { name: 'ACME' });
    globex = await makeOrg(ctx, { name: 'Globex' });
    globexUser = await makeUser(ctx);
    await addMember(ctx, globex.id, globexUser.id, 'org_admin');
    s.anon = null;
    const outsider = await makeUser(ctx);
    s.outsider = await signIn(app, outsider.email);
    const vendor = await makeUser(ctx);
    await addMember(ctx, acme.id, vendor.id, 'member');
    s.vendor = await signIn(app, vendor.email);
    for (const role of ['viewer', 'analyst', 'coordinator'] as const) {
      const u = await makeUser(ctx, { role });
      s[role] = await signIn(app, u.email);
    }
    report = (await submitReport(ctx, sampleReport(), { channel: 'api', submittedEncrypted: false })).report;
    caseRow = await openCase({ ...ctx, actor: systemActor('test') }, { title: 'A hidden case' });
    advisory = await createAdvisory({ ...ctx, actor: systemActor('test') }, { caseId: caseRow.id });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const cases = (): [string, string, string, unknown, Partial<Record<Who, number>>][] => [
    ['list users', 'GET', '/api/v1/users', undefined, { anon: 401, outsider: 403, vendor: 403 }],
    [
      'delete a user',
      'DELETE',
      `/api/v1/users/${globexUser.id}`,
      undefined,
      { anon: 401, vendor: 404, outsider: 404, analyst: 403, coordinator: 403 },
    ],
    [
      'create user',
      'POST',
      '/api/v1/users',
      { email: 'n@example.org', name: 'N' },
      { anon: 401, vendor: 403, analyst: 403, coordinator: 403 },
    ],
    [
      'read a user of another org',
      'GET',
      `/api/v1/users/${globexUser.id}`,
      undefined,
      { anon: 401, outsider: 404, vendor: 404 },
    ],
    [
      'change another user',
      'PATCH',
      `/api/v1/users/${globexUser.id}`,
      { name: 'X' },
      { anon: 401, vendor: 404, analyst: 403, coordinator: 403 },
    ],
    [
      'disable a user',
      'PATCH',
      `/api/v1/users/${globexUser.id}`,
      { disabled: true },
      { analyst: 403, coordinator: 403 },
    ],
    ['list orgs', 'GET', '/api/v1/orgs', undefined, { anon: 401 }],
    [
      'create org',
      'POST',
      '/api/v1/orgs',
      { name: 'New', kind: 'vendor' },
      { anon: 401, vendor: 403, viewer: 403, analyst: 403 },
    ],
    ['read another org', 'GET', `/api/v1/orgs/${globex.id}`, undefined, { anon: 401, outsider: 404, vendor: 404 }],
    [
      'change own org as member',
      'PATCH',
      `/api/v1/orgs/${acme.id}`,
      { name: 'ACME2' },
      { vendor: 403, viewer: 403, analyst: 403 },
    ],
    ['change another org', 'PATCH', `/api/v1/orgs/${globex.id}`, { name: 'G2' }, { vendor: 404, outsider: 404 }],
    ['delete org', 'DELETE', `/api/v1/orgs/${globex.id}`, undefined, { anon: 401, vendor: 404, coordinator: 403 }],
    ['members of another org', 'GET', `/api/v1/orgs/${globex.id}/members`, undefined, { anon: 401, vendor: 404 }],
    [
      'set membership',
      'PUT',
      `/api/v1/orgs/${globex.id}/members/${globexUser.id}`,
      { role: 'member' },
      { vendor: 404, analyst: 403 },
    ],
    [
      'remove membership',
      'DELETE',
      `/api/v1/orgs/${globex.id}/members/${globexUser.id}`,
      undefined,
      { vendor: 404, viewer: 403 },
    ],
    [
      'list invitations',
      'GET',
      `/api/v1/orgs/${acme.id}/invitations`,
      undefined,
      { anon: 401, vendor: 403, analyst: 403 },
    ],
    [
      'withdraw invitation',
      'DELETE',
      `/api/v1/orgs/${globex.id}/invitations/00000000-0000-4000-8000-000000000000`,
      undefined,
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      'invite',
      'POST',
      `/api/v1/orgs/${acme.id}/invitations`,
      { email: 'i@example.org', role: 'member' },
      { anon: 401, vendor: 403, outsider: 404 },
    ],
    [
      'audit log',
      'GET',
      '/api/v1/audit',
      undefined,
      { anon: 401, vendor: 403, viewer: 403, analyst: 403, coordinator: 403 },
    ],
    ['audit verify', 'GET', '/api/v1/audit/verify', undefined, { anon: 401, coordinator: 403 }],
    ['outbox', 'GET', '/api/v1/admin/outbox', undefined, { anon: 401, vendor: 403, coordinator: 403 }],
    ['read settings', 'GET', '/api/v1/admin/settings', undefined, { anon: 401, vendor: 403, viewer: 403 }],
    [
      'change settings',
      'PATCH',
      '/api/v1/admin/settings',
      { require2faForStaff: true },
      { anon: 401, vendor: 403, coordinator: 403 },
    ],
    ['me', 'GET', '/api/v1/me', undefined, { anon: 401 }],
    ['change profile', 'PATCH', '/api/v1/me', { name: 'Me' }, { anon: 401 }],
    ['change password', 'POST', '/api/v1/me/password', { currentPassword: 'x', newPassword: 'y' }, { anon: 401 }],
    ['start TOTP', 'POST', '/api/v1/me/totp', undefined, { anon: 401 }],
    ['confirm TOTP', 'POST', '/api/v1/me/totp/confirm', { code: '123456' }, { anon: 401 }],
    ['disable TOTP', 'DELETE', '/api/v1/me/totp', { password: 'x', code: '123456' }, { anon: 401 }],
    ['list tokens', 'GET', '/api/v1/tokens', undefined, { anon: 401 }],
    ['create token', 'POST', '/api/v1/tokens', { name: 't' }, { anon: 401 }],
    [
      'revoke token',
      'DELETE',
      '/api/v1/tokens/00000000-0000-4000-8000-000000000000',
      undefined,
      { anon: 401, vendor: 404 },
    ],
    ['sign out', 'DELETE', '/api/v1/session', undefined, { anon: 401 }],
    [
      'accept invitation with a bad token',
      'POST',
      '/api/v1/invitations/accept',
      { token: 'acci_not-a-real-token' },
      { anon: 401 },
    ],
    [
      'look up a bad invitation token',
      'POST',
      '/api/v1/invitations/lookup',
      { token: 'acci_not-a-real-token' },
      { anon: 401 },
    ],
    ['report queue', 'GET', '/api/v1/reports', undefined, { anon: 401 }],
    ['read a report', 'GET', `/api/v1/reports/${report.id}`, undefined, { anon: 401, vendor: 404, outsider: 404 }],
    ['similar reports', 'GET', `/api/v1/reports/${report.id}/similar`, undefined, { anon: 401, vendor: 404 }],
    [
      'write on a report',
      'POST',
      `/api/v1/reports/${report.id}/messages`,
      { body: 'hello' },
      { anon: 401, vendor: 404, outsider: 404, viewer: 403 },
    ],
    [
      'triage a report',
      'POST',
      `/api/v1/reports/${report.id}/transitions`,
      { event: 'validate' },
      { anon: 401, vendor: 404, viewer: 403 },
    ],
    [
      'mark a duplicate',
      'POST',
      `/api/v1/reports/${report.id}/duplicate`,
      { of: 'ACC-2026-0001' },
      { anon: 401, vendor: 404, viewer: 403 },
    ],
    [
      'assign a report',
      'PUT',
      `/api/v1/reports/${report.id}/assignee`,
      { userId: null },
      { anon: 401, vendor: 404, viewer: 403 },
    ],
    [
      "change a report's credit",
      'PUT',
      `/api/v1/reports/${report.id}/credit`,
      { credit: { mode: 'handle', value: 'x' }, publicAcknowledgement: true },
      { anon: 401, vendor: 404, outsider: 404, viewer: 403 },
    ],
    [
      'download an attachment',
      'GET',
      `/api/v1/reports/${report.id}/attachments/00000000-0000-4000-8000-000000000000`,
      undefined,
      { anon: 401, vendor: 404, outsider: 404 },
    ],
    ['list finders', 'GET', '/api/v1/finders', undefined, { anon: 401, vendor: 403, outsider: 403 }],
    [
      'a finder profile',
      'GET',
      '/api/v1/finders/00000000-0000-4000-8000-000000000000',
      undefined,
      { anon: 401, vendor: 403 },
    ],
    ['list cases', 'GET', '/api/v1/cases', undefined, { anon: 401 }],
    ['open a case', 'POST', '/api/v1/cases', { title: 'A new case' }, { anon: 401, vendor: 403, viewer: 403 }],
    [
      'request a case',
      'POST',
      '/api/v1/cases/request',
      { orgId: '00000000-0000-4000-8000-000000000000', title: 'Please coordinate' },
      { anon: 401, outsider: 403 },
    ],
    ['read a case', 'GET', `/api/v1/cases/${caseRow.id}`, undefined, { anon: 401, vendor: 404, outsider: 404 }],
    [
      'accept case terms',
      'POST',
      `/api/v1/cases/${caseRow.id}/terms/accept`,
      { version: 1 },
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      'add a participant',
      'POST',
      `/api/v1/cases/${caseRow.id}/participants`,
      { orgId: '00000000-0000-4000-8000-000000000000', role: 'vendor' },
      { anon: 401, vendor: 404, analyst: 403, viewer: 403 },
    ],
    [
      'a participant RM move',
      'POST',
      `/api/v1/cases/${caseRow.id}/participants/00000000-0000-4000-8000-000000000000/rm`,
      { event: 'receive' },
      { anon: 401, vendor: 404 },
    ],
    [
      'a case state event',
      'POST',
      `/api/v1/cases/${caseRow.id}/state`,
      { event: 'P' },
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      'add a vulnerability',
      'POST',
      `/api/v1/cases/${caseRow.id}/vulnerabilities`,
      { title: 'A bug' },
      { anon: 401, vendor: 404, viewer: 403 },
    ],
    [
      'import an advisory into a case',
      'POST',
      `/api/v1/cases/${caseRow.id}/imports`,
      { document: { id: 'OSV-2026-1', modified: '2026-11-28T00:00:00Z' }, dryRun: true },
      { anon: 401, outsider: 404, vendor: 404, viewer: 403, analyst: 403 },
    ],
    [
      'state a status',
      'PUT',
      `/api/v1/cases/${caseRow.id}/statuses`,
      {
        participantId: '00000000-0000-4000-8000-000000000000',
        vulnerabilityId: '00000000-0000-4000-8000-000000000000',
        product: 'P',
        status: 'affected',
        statement: 'update',
      },
      { anon: 401, vendor: 404 },
    ],
    ['the status matrix', 'GET', `/api/v1/cases/${caseRow.id}/statuses`, undefined, { anon: 401, vendor: 404 }],
    ['case threads', 'GET', `/api/v1/cases/${caseRow.id}/threads`, undefined, { anon: 401, vendor: 404 }],
    [
      'open a private thread',
      'POST',
      `/api/v1/cases/${caseRow.id}/threads`,
      { title: 'T', participantIds: ['00000000-0000-4000-8000-000000000000'] },
      { anon: 401, vendor: 404, viewer: 403 },
    ],
    [
      'read a thread',
      'GET',
      `/api/v1/cases/${caseRow.id}/threads/00000000-0000-4000-8000-000000000000/posts`,
      undefined,
      { anon: 401, vendor: 404 },
    ],
    [
      'post in a thread',
      'POST',
      `/api/v1/cases/${caseRow.id}/threads/00000000-0000-4000-8000-000000000000/posts`,
      { body: 'hello' },
      { anon: 401, vendor: 404 },
    ],
    [
      'edit a post',
      'PATCH',
      `/api/v1/cases/${caseRow.id}/posts/00000000-0000-4000-8000-000000000000`,
      { body: 'hello' },
      { anon: 401, vendor: 404 },
    ],
    ['a case timeline', 'GET', `/api/v1/cases/${caseRow.id}/timeline`, undefined, { anon: 401, vendor: 404 }],
    ['the directory', 'GET', '/api/v1/directory', undefined, { anon: 401 }],
    [
      'export the directory',
      'GET',
      '/api/v1/directory/export?format=json',
      undefined,
      { anon: 401, vendor: 403, analyst: 403 },
    ],
    [
      'import the directory',
      'POST',
      '/api/v1/directory/import',
      { format: 'json', content: '[]' },
      { anon: 401, vendor: 403, analyst: 403 },
    ],
    [
      'relate organizations',
      'POST',
      '/api/v1/directory/relations',
      { upstreamOrgId: globex.id, downstreamOrgId: acme.id },
      { anon: 401, vendor: 403, analyst: 403 },
    ],
    [
      'a directory entry',
      'GET',
      `/api/v1/directory/${globex.id}`,
      undefined,
      { anon: 401, vendor: 404, outsider: 404 },
    ],
    [
      'edit a directory entry',
      'PATCH',
      `/api/v1/directory/${globex.id}`,
      { country: 'JP' },
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      'verify an organization',
      'PUT',
      `/api/v1/directory/${globex.id}/verified`,
      { verified: true },
      { anon: 401, vendor: 403, analyst: 403 },
    ],
    [
      'add a contact',
      'POST',
      `/api/v1/directory/${globex.id}/contacts`,
      { email: 'x@example.org' },
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      'approve a contact',
      'POST',
      `/api/v1/directory/${globex.id}/contacts/00000000-0000-4000-8000-000000000000/approve`,
      undefined,
      { anon: 401, vendor: 403, analyst: 403 },
    ],
    [
      'remove a contact',
      'DELETE',
      `/api/v1/directory/${globex.id}/contacts/00000000-0000-4000-8000-000000000000`,
      undefined,
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      'edit a contact in place',
      'PATCH',
      `/api/v1/directory/${globex.id}/contacts/00000000-0000-4000-8000-000000000000`,
      { email: 'x@example.org' },
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      'withdraw or reject a contact change',
      'DELETE',
      `/api/v1/directory/${globex.id}/contacts/00000000-0000-4000-8000-000000000000/change`,
      undefined,
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      'delete a community',
      'DELETE',
      '/api/v1/communities/00000000-0000-4000-8000-000000000000',
      undefined,
      { anon: 401, vendor: 403, analyst: 403 },
    ],
    [
      'add a product',
      'POST',
      `/api/v1/directory/${globex.id}/products`,
      { name: 'P' },
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      'remove a product',
      'DELETE',
      `/api/v1/directory/${globex.id}/products/00000000-0000-4000-8000-000000000000`,
      undefined,
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    ['communities', 'GET', '/api/v1/communities', undefined, { anon: 401, vendor: 403 }],
    ['create a community', 'POST', '/api/v1/communities', { name: 'Group' }, { anon: 401, vendor: 403, analyst: 403 }],
    [
      'invite a community',
      'POST',
      `/api/v1/cases/${caseRow.id}/communities`,
      { communityId: '00000000-0000-4000-8000-000000000000' },
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      'contacts waiting for approval',
      'GET',
      '/api/v1/directory/pending-contacts',
      undefined,
      { anon: 401, outsider: 403, vendor: 403, analyst: 403 },
    ],
    [
      'remove a supplier relation',
      'DELETE',
      `/api/v1/directory/relations/${globex.id}/${acme.id}`,
      undefined,
      { anon: 401, vendor: 403, analyst: 403 },
    ],
    [
      'edit a community',
      'PATCH',
      '/api/v1/communities/00000000-0000-4000-8000-000000000000',
      { name: 'Group' },
      { anon: 401, vendor: 403, analyst: 403 },
    ],
    [
      'remove a participant',
      'DELETE',
      `/api/v1/cases/${caseRow.id}/participants/00000000-0000-4000-8000-000000000000`,
      undefined,
      { anon: 401, vendor: 404, outsider: 404, analyst: 403, viewer: 403 },
    ],
    [
      'name the users of a participant',
      'PUT',
      `/api/v1/cases/${caseRow.id}/participants/00000000-0000-4000-8000-000000000000/users`,
      { userIds: [] },
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      'send case invitations again',
      'POST',
      `/api/v1/cases/${caseRow.id}/participants/00000000-0000-4000-8000-000000000000/invitations`,
      undefined,
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      'the summary for the finder',
      'PUT',
      `/api/v1/cases/${caseRow.id}/public-summary`,
      { publicSummary: 'Shared' },
      { anon: 401, vendor: 404, analyst: 403, viewer: 403 },
    ],
    [
      'share a post with reporters',
      'PUT',
      `/api/v1/cases/${caseRow.id}/posts/00000000-0000-4000-8000-000000000000/reporters`,
      { shared: true },
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      "the finder's view of a report's cases",
      'GET',
      `/api/v1/reports/${report.id}/cases`,
      undefined,
      { anon: 401, vendor: 404, outsider: 404 },
    ],
    ['search', 'GET', '/api/v1/search?q=hidden', undefined, { anon: 401 }],
    ['notification preferences', 'GET', '/api/v1/me/notifications', undefined, { anon: 401 }],
    ['change notification preferences', 'PUT', '/api/v1/me/notifications', { contentMode: 'notice' }, { anon: 401 }],
    [
      'changes since the last visit',
      'GET',
      `/api/v1/cases/${caseRow.id}/changes`,
      undefined,
      { anon: 401, vendor: 404, outsider: 404 },
    ],
    ['record a visit', 'POST', `/api/v1/cases/${caseRow.id}/seen`, { all: true }, { anon: 401, vendor: 404 }],
    [
      'a case notification policy',
      'GET',
      `/api/v1/cases/${caseRow.id}/notification-policy`,
      undefined,
      { anon: 401, vendor: 404 },
    ],
    [
      'set a case notification policy',
      'PUT',
      `/api/v1/cases/${caseRow.id}/notification-policy`,
      { noticeOnly: true },
      { anon: 401, vendor: 404, viewer: 403, analyst: 403 },
    ],
    // Following a thread: readers of the thread only (others 404, as for a missing thread).
    ...(['GET', 'PUT', 'DELETE'] as const).map(
      (method): [string, string, string, unknown, Partial<Record<Who, number>>] => [
        `thread follow (${method})`,
        method,
        `/api/v1/cases/${caseRow.id}/threads/00000000-0000-4000-8000-000000000000/follow`,
        undefined,
        { anon: 401, vendor: 404, outsider: 404, coordinator: 404 },
      ],
    ),
    // Embargoes: readers of the full case only (others 404); the lead and coordinators manage (403).
    [
      'a case embargo',
      'GET',
      `/api/v1/cases/${caseRow.id}/embargo`,
      undefined,
      { anon: 401, vendor: 404, outsider: 404 },
    ],
    [
      'propose an embargo',
      'POST',
      `/api/v1/cases/${caseRow.id}/embargo/proposals`,
      { end: '2030-01-10T10:00', timeZone: 'Europe/Berlin' },
      { anon: 401, vendor: 404, outsider: 404, viewer: 403, analyst: 403 },
    ],
    [
      'consent to an embargo',
      'POST',
      `/api/v1/cases/${caseRow.id}/embargo/consent`,
      { decision: 'accept' },
      { anon: 401, vendor: 404, outsider: 404 },
    ],
    [
      "the finder's answer to an embargo proposal",
      'POST',
      `/api/v1/reports/${report.id}/cases/${caseRow.id}/embargo/consent`,
      { decision: 'accept' },
      { anon: 401, vendor: 404, outsider: 404, viewer: 403, coordinator: 403 },
    ],
    [
      'terminate an embargo',
      'POST',
      `/api/v1/cases/${caseRow.id}/embargo/terminate`,
      {},
      { anon: 401, vendor: 404, outsider: 404, viewer: 403, analyst: 403 },
    ],
    ['parachute cords', 'GET', `/api/v1/cases/${caseRow.id}/embargo/cords`, undefined, { anon: 401, vendor: 404 }],
    [
      'agree a parachute cord',
      'POST',
      `/api/v1/cases/${caseRow.id}/embargo/cords`,
      { trigger: 'exploit_public' },
      { anon: 401, vendor: 404, outsider: 404, viewer: 403, analyst: 403 },
    ],
    [
      'pull a parachute cord',
      'POST',
      `/api/v1/cases/${caseRow.id}/embargo/cords/00000000-0000-4000-8000-000000000000/pull`,
      { note: 'Details leaked' },
      { anon: 401, vendor: 404, outsider: 404, viewer: 403 },
    ],
    [
      "another org's maximum embargo length",
      'GET',
      `/api/v1/orgs/${globex.id}/embargo-policy`,
      undefined,
      { anon: 401, vendor: 404, outsider: 404 },
    ],
    [
      "set another org's maximum embargo length",
      'PUT',
      `/api/v1/orgs/${globex.id}/embargo-policy`,
      { maxDays: 14 },
      { anon: 401, vendor: 404, outsider: 404, viewer: 403, analyst: 403 },
    ],
    [
      "another org's webhooks",
      'GET',
      `/api/v1/orgs/${globex.id}/webhooks`,
      undefined,
      { anon: 401, vendor: 404, outsider: 404, viewer: 403, analyst: 403 },
    ],
    [
      'register a webhook',
      'POST',
      `/api/v1/orgs/${acme.id}/webhooks`,
      { url: 'https://hooks.example.org/accord', eventKinds: ['post.created'] },
      { anon: 401, vendor: 403, outsider: 404, analyst: 403 },
    ],
    [
      'change a webhook',
      'PATCH',
      `/api/v1/orgs/${globex.id}/webhooks/00000000-0000-4000-8000-000000000000`,
      { active: false },
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      'remove a webhook',
      'DELETE',
      `/api/v1/orgs/${globex.id}/webhooks/00000000-0000-4000-8000-000000000000`,
      undefined,
      { anon: 401, vendor: 404, viewer: 403, coordinator: 404 },
    ],
    [
      'ping a webhook',
      'POST',
      `/api/v1/orgs/${acme.id}/webhooks/00000000-0000-4000-8000-000000000000/ping`,
      undefined,
      { anon: 401, vendor: 403, outsider: 404, analyst: 403 },
    ],
    [
      'a webhook delivery log',
      'GET',
      `/api/v1/orgs/${globex.id}/webhooks/00000000-0000-4000-8000-000000000000/deliveries`,
      undefined,
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      'rotate a webhook secret',
      'POST',
      `/api/v1/orgs/${acme.id}/webhooks/00000000-0000-4000-8000-000000000000/rotate-secret`,
      { graceHours: 24 },
      { anon: 401, vendor: 403, outsider: 404, analyst: 403, coordinator: 404 },
    ],
    [
      "revoke a webhook's previous secret",
      'DELETE',
      `/api/v1/orgs/${globex.id}/webhooks/00000000-0000-4000-8000-000000000000/previous-secret`,
      undefined,
      { anon: 401, vendor: 404, viewer: 403, coordinator: 404 },
    ],
    // Case execution template and self-assessment: staff only (others 404), writes by role (403).
    ['casework template', 'GET', '/api/v1/casework/templates', undefined, { anon: 401, outsider: 404, vendor: 404 }],
    [
      'change the casework template',
      'PUT',
      '/api/v1/casework/templates',
      { steps: [{ key: 'a', title: 'A' }], questions: [{ key: 'q', text: 'Q?' }], postmortemDays: 3 },
      { anon: 401, vendor: 404, viewer: 403, analyst: 403 },
    ],
    [
      'reset the casework template',
      'DELETE',
      '/api/v1/casework/templates',
      undefined,
      { anon: 401, vendor: 404, analyst: 403 },
    ],
    [
      'casework of a case',
      'GET',
      `/api/v1/cases/${caseRow.id}/casework`,
      undefined,
      { anon: 401, outsider: 404, vendor: 404 },
    ],
    [
      'sign a casework step off',
      'PUT',
      `/api/v1/cases/${caseRow.id}/casework/checklist`,
      { step: 'triage' },
      { anon: 401, vendor: 404, viewer: 403 },
    ],
    [
      'withdraw a sign-off',
      'DELETE',
      `/api/v1/cases/${caseRow.id}/casework/checklist?step=triage`,
      undefined,
      { anon: 401, vendor: 404, viewer: 403 },
    ],
    [
      'add a casework entry',
      'POST',
      `/api/v1/cases/${caseRow.id}/casework/entries`,
      { kind: 'reproduction', data: { by: 'x', on: '2026-01-01', steps: 'x' } },
      { anon: 401, vendor: 404, outsider: 404, viewer: 403 },
    ],
    [
      'change a casework entry',
      'PATCH',
      `/api/v1/cases/${caseRow.id}/casework/entries/00000000-0000-4000-8000-000000000000`,
      { data: {} },
      { anon: 401, vendor: 404, viewer: 403 },
    ],
    [
      'remove a casework entry',
      'DELETE',
      `/api/v1/cases/${caseRow.id}/casework/entries/00000000-0000-4000-8000-000000000000`,
      undefined,
      { anon: 401, vendor: 404, viewer: 403 },
    ],
    [
      'casework issue overview',
      'PUT',
      `/api/v1/cases/${caseRow.id}/casework/overview`,
      { summary: 'x' },
      { anon: 401, vendor: 404, viewer: 403 },
    ],
    [
      'casework post-mortem',
      'PUT',
      `/api/v1/cases/${caseRow.id}/casework/postmortem`,
      { answers: {} },
      { anon: 401, vendor: 404, viewer: 403 },
    ],
    ['assessment framework', 'GET', '/api/v1/assessments/framework', undefined, { anon: 401, vendor: 404 }],
    ['assessments', 'GET', '/api/v1/assessments', undefined, { anon: 401, outsider: 404, vendor: 404 }],
    [
      'start an assessment',
      'POST',
      '/api/v1/assessments',
      { title: 'x' },
      { anon: 401, vendor: 404, viewer: 403, analyst: 403 },
    ],
    [
      'an assessment',
      'GET',
      '/api/v1/assessments/00000000-0000-4000-8000-000000000000',
      undefined,
      { anon: 401, vendor: 404 },
    ],
    [
      'change an assessment',
      'PATCH',
      '/api/v1/assessments/00000000-0000-4000-8000-000000000000',
      { title: 'x' },
      { anon: 401, vendor: 404 },
    ],
    [
      'rate assessment items',
      'PUT',
      '/api/v1/assessments/00000000-0000-4000-8000-000000000000/items',
      { items: [{ itemId: '1.1.1', level: 1 }] },
      { anon: 401, vendor: 404 },
    ],
    [
      'add a gap action',
      'POST',
      '/api/v1/assessments/00000000-0000-4000-8000-000000000000/gaps',
      { itemId: '1', action: 'x', owner: 'y' },
      { anon: 401, vendor: 404 },
    ],
    [
      'change a gap action',
      'PATCH',
      '/api/v1/assessments/00000000-0000-4000-8000-000000000000/gaps/00000000-0000-4000-8000-000000000000',
      { done: true },
      { anon: 401, vendor: 404 },
    ],
    [
      'remove a gap action',
      'DELETE',
      '/api/v1/assessments/00000000-0000-4000-8000-000000000000/gaps/00000000-0000-4000-8000-000000000000',
      undefined,
      { anon: 401, vendor: 404 },
    ],
    [
      'export an assessment',
      'GET',
      '/api/v1/assessments/00000000-0000-4000-8000-000000000000/export?format=csv',
      undefined,
      { anon: 401, vendor: 404 },
    ],
    ['rotate the instance key', 'POST', '/api/v1/instance-key/rotate', undefined, { anon: 401, coordinator: 403 }],
    // PSIRT metrics and SLA: staff only; refreshing for admins and coordinators; policies for admins.
    ['metrics summary', 'GET', '/api/v1/metrics/summary', undefined, { anon: 401, outsider: 403, vendor: 403 }],
    [
      'metrics export',
      'GET',
      '/api/v1/metrics/export?format=csv&dataset=reports',
      undefined,
      { anon: 401, outsider: 403, vendor: 403 },
    ],
    ['metrics owners', 'GET', '/api/v1/metrics/owners', undefined, { anon: 401, vendor: 403 }],
    [
      'recompute metrics',
      'POST',
      '/api/v1/metrics/refresh',
      undefined,
      { anon: 401, vendor: 403, viewer: 403, analyst: 403 },
    ],
    ['SLA clocks at risk', 'GET', '/api/v1/sla/clocks', undefined, { anon: 401, outsider: 403, vendor: 403 }],
    ['SLA policies', 'GET', '/api/v1/sla/policies', undefined, { anon: 401, vendor: 403 }],
    [
      'set SLA policies',
      'PUT',
      '/api/v1/sla/policies',
      { policies: [] },
      { anon: 401, vendor: 403, analyst: 403, coordinator: 403 },
    ],
    [
      'set the SLA calendar',
      'PUT',
      '/api/v1/sla/calendar',
      { timeZone: 'UTC' },
      { anon: 401, vendor: 403, viewer: 403, coordinator: 403 },
    ],
    [
      'reset with a bad token',
      'POST',
      '/api/v1/password-reset/confirm',
      { token: 'accr_not-a-real-token', password: 'whatever it is ok' },
      { anon: 401 },
    ],
    ['list advisories', 'GET', '/api/v1/advisories', undefined, { anon: 401 }],
    [
      'create an advisory',
      'POST',
      '/api/v1/advisories',
      { content: { title: 'A standalone advisory' } },
      { anon: 401, vendor: 403, viewer: 403 },
    ],
    ['check advisory content', 'POST', '/api/v1/advisories/check', { content: {} }, { anon: 401, vendor: 403 }],
    [
      'import an advisory as a standalone draft',
      'POST',
      '/api/v1/advisories/imports',
      { document: { id: 'OSV-2026-1', modified: '2026-11-28T00:00:00Z' }, dryRun: true },
      { anon: 401, outsider: 403, vendor: 403, viewer: 403 },
    ],
    [
      'read an advisory',
      'GET',
      `/api/v1/advisories/${advisory.id}`,
      undefined,
      { anon: 401, vendor: 404, outsider: 404 },
    ],
    [
      'edit an advisory',
      'PUT',
      `/api/v1/advisories/${advisory.id}`,
      { content: {}, lockVersion: 1 },
      { anon: 401, vendor: 404, viewer: 403 },
    ],
    [
      'approve an advisory',
      'POST',
      `/api/v1/advisories/${advisory.id}/actions`,
      { action: 'approve' },
      { anon: 401, vendor: 404, analyst: 403, viewer: 403 },
    ],
    ['diff an advisory', 'GET', `/api/v1/advisories/${advisory.id}/diff?from=0`, undefined, { anon: 401, vendor: 404 }],
    [
      'export an advisory',
      'GET',
      `/api/v1/advisories/${advisory.id}/export?format=md`,
      undefined,
      { anon: 401, vendor: 404, outsider: 404 },
    ],
    ['preview an advisory', 'GET', `/api/v1/advisories/${advisory.id}/preview`, undefined, { anon: 401, vendor: 404 }],
    ['restricted CSAF documents', 'GET', '/api/v1/csaf/red/index.txt', undefined, { anon: 401 }],
    // The release plan (issue 5): participants read, the lead/coordinators edit, staff publish early.
    [
      'release plan',
      'GET',
      `/api/v1/cases/${caseRow.id}/release`,
      undefined,
      { anon: 401, outsider: 404, vendor: 404 },
    ],
    [
      'set the release plan',
      'PATCH',
      `/api/v1/cases/${caseRow.id}/release`,
      { notes: 'x' },
      { anon: 401, outsider: 404, vendor: 404, viewer: 403, analyst: 403 },
    ],
    [
      'set readiness',
      'PUT',
      `/api/v1/cases/${caseRow.id}/release/readiness/00000000-0000-4000-8000-000000000000`,
      { fixAvailable: true },
      { anon: 401, outsider: 404, vendor: 404 },
    ],
    [
      'add a checklist item',
      'POST',
      `/api/v1/cases/${caseRow.id}/release/checklist`,
      { label: 'x' },
      { anon: 401, vendor: 404, viewer: 403, analyst: 403 },
    ],
    [
      'tick a checklist item',
      'PATCH',
      `/api/v1/cases/${caseRow.id}/release/checklist/00000000-0000-4000-8000-000000000000`,
      { done: true },
      { anon: 401, vendor: 404, viewer: 403, analyst: 403 },
    ],
    [
      'approve a statement',
      'PUT',
      `/api/v1/cases/${caseRow.id}/release/statements/00000000-0000-4000-8000-000000000000/approval`,
      { approved: true },
      { anon: 401, vendor: 404, viewer: 403, analyst: 403 },
    ],
    [
      'ask to publish early',
      'POST',
      `/api/v1/cases/${caseRow.id}/release/publish-request`,
      { reason: 'x' },
      { anon: 401, outsider: 404, vendor: 404, viewer: 403, analyst: 403 },
    ],
    [
      'withdraw the early publication request',
      'DELETE',
      `/api/v1/cases/${caseRow.id}/release/publish-request`,
      undefined,
      { anon: 401, vendor: 404, viewer: 403 },
    ],
    [
      'confirm the early publication',
      'POST',
      `/api/v1/cases/${caseRow.id}/release/publish-confirm`,
      undefined,
      { anon: 401, outsider: 404, vendor: 404, viewer: 403, analyst: 403 },
    ],
    // CVE Services (src/cveservices): staff only; a pool and rejections are for coordinators and admins.
    [
      'list CVE reservations',
      'GET',
      '/api/v1/cve-services/reservations',
      undefined,
      { anon: 401, outsider: 403, vendor: 403 },
    ],
    [
      'reserve CVE ids for later',
      'POST',
      '/api/v1/cve-services/reservations',
      { amount: 2 },
      { anon: 401, outsider: 403, vendor: 403, viewer: 403, analyst: 403 },
    ],
    [
      'publish a CVE record from an advisory',
      'POST',
      '/api/v1/cve-services/records/:id',
      { advisory: advisory.id },
      { anon: 401, outsider: 404, vendor: 404, viewer: 403, analyst: 403 },
    ],
    [
      'reject a reserved CVE id',
      'POST',
      '/api/v1/cve-services/reservations/:id/reject',
      { reason: 'Reserved by mistake.' },
      { anon: 401, outsider: 403, vendor: 403, viewer: 403, analyst: 403 },
    ],
    [
      'sync CVE ids',
      'POST',
      '/api/v1/cve-services/sync',
      undefined,
      { anon: 401, outsider: 403, vendor: 403, viewer: 403, analyst: 403 },
    ],
  ];

  it('the table covers every API route', () => {
    const covered = new Set(
      cases().map(([, method, url]) => `${method} ${(url.split('?')[0] ?? '').replace(/[0-9a-f-]{36}/g, ':id')}`),
    );
    const spec = JSON.parse(JSON.stringify(app.swagger())) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, methods] of Object.entries(spec.paths)) {
      if (!path.startsWith('/api/v1/')) continue;
      for (const method of Object.keys(methods)) {
        // Public by design: signing in and asking for a reset link (rate-limited, tested elsewhere).
        // Reporting, the instance key and the CVSS/CWE/SSVC lookups are public too (rate-limited).
        if (
          [
            'post /api/v1/session',
            'post /api/v1/reports',
            'get /api/v1/instance-key',
            'get /api/v1/report-settings',
          ].includes(`${method} ${path}`) ||
          ['/api/v1/password-reset', '/api/v1/cvss', '/api/v1/cwe', '/api/v1/ssvc/tables'].includes(path)
        )
          continue;
        const key = `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, ':id')}`;
        expect(covered, `no refusal case for ${key}`).toContain(key);
      }
    }
  });

  it('refuses every caller in the table with the expected status, and never leaks the object', async () => {
    const failures: string[] = [];
    for (const [label, method, url, payload, refusals] of cases()) {
      for (const [who, expected] of Object.entries(refusals) as [Who, number][]) {
        const session = s[who];
        const res = await app.inject({
          method: method as 'GET',
          url,
          headers: session ? session.headers : {},
          ...(payload === undefined ? {} : { payload: payload as object }),
        });
        if (res.statusCode !== expected)
          failures.push(`${label} as ${who}: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 120)}`);
        const body = res.json<{ error?: { code: string } }>();
        if (!body.error) failures.push(`${label} as ${who}: refusal without the error shape`);
        if (res.body.includes('Globex') && who !== 'coordinator')
          failures.push(`${label} as ${who}: the hidden org's name leaked`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('a hidden org and a missing org answer the same', async () => {
    const hidden = await app.inject({ url: `/api/v1/orgs/${globex.id}`, headers: s.vendor?.headers ?? {} });
    const missing = await app.inject({
      url: '/api/v1/orgs/00000000-0000-4000-8000-000000000000',
      headers: s.vendor?.headers ?? {},
    });
    expect(hidden.statusCode).toBe(missing.statusCode);
    expect(Object.keys(hidden.json().error)).toEqual(Object.keys(missing.json().error));
    expect(hidden.json().error.code).toBe(missing.json().error.code);
  });

  it("responses carry the caller's abilities on the object", async () => {
    const asVendor = (await app.inject({ url: `/api/v1/orgs/${acme.id}`, headers: s.vendor?.headers ?? {} })).json();
    expect(asVendor.abilities).toMatchObject({ 'org:read': true, 'org:update': false, 'org:invite': false });
    const asCoordinator = (
      await app.inject({ url: `/api/v1/orgs/${acme.id}`, headers: s.coordinator?.headers ?? {} })
    ).json();
    expect(asCoordinator.abilities).toMatchObject({ 'org:update': true, 'org:invite': true, 'org:delete': false });
  });

  it("a colleague's memberships in organizations the caller cannot see are not shown", async () => {
    const ctx = makeCtx(db);
    const both = await makeUser(ctx);
    await addMember(ctx, acme.id, both.id, 'member');
    await addMember(ctx, globex.id, both.id, 'member');
    const one = await app.inject({ url: `/api/v1/users/${both.id}`, headers: s.vendor?.headers ?? {} });
    expect(one.statusCode).toBe(200);
    expect(one.body).not.toContain('Globex');
    expect(one.json().memberships).toEqual([expect.objectContaining({ orgName: 'ACME' })]);
    const asStaff = await app.inject({ url: `/api/v1/users/${both.id}`, headers: s.analyst?.headers ?? {} });
    expect(asStaff.json().memberships).toHaveLength(2);
  });
});
