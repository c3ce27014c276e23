// Multi-party cases (issue 4's performance targets), over HTTP against `accord serve`:
//   one case with 300 vendor organizations (one user each, terms accepted, an OpenPGP key),
//   5 vulnerabilities, vendor statuses (some vendors silent), 2,000 messages in the official,
//   discussion and private threads;
//   latency of the case page API (GET /api/v1/cases/:ref, all the web case page loads first) and
//   of the status matrix (GET /api/v1/cases/:ref/statuses), one request at a time, as the case
//   lead and as a vendor user;
//   one official post by the lead, timed until all 300 vendors' OpenPGP-encrypted mails have
//   reached an SMTP server run in this process (each one checked: encrypted, no clear text,
//   decrypts with the recipient's key, signed by the instance key).
// Afterwards the same requests run in-process (app.inject, server stopped) with every SQL
// statement captured and run again under EXPLAIN ANALYZE, to show where the time goes.
import { type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { CompiledQuery, sql, type Insertable, type Kysely } from 'kysely';
import { SMTPServer } from 'smtp-server';
import type { Ctx } from '../src/app/context.ts';
import { createApiToken } from '../src/auth/tokens.ts';
import {
  acceptTerms,
  addParticipant,
  addVulnerability,
  openCase,
  participantRm,
  setVendorStatus,
} from '../src/cases/commands.ts';
import { createPrivateThread } from '../src/cases/threads.ts';
import { loadConfig } from '../src/config/config.ts';
import { newId } from '../src/core/ids.ts';
import { openDatabase } from '../src/db/connect.ts';
import type { Database } from '../src/db/schema.ts';
import { buildApp } from '../src/http/app.ts';
import { createOrg, setMembership } from '../src/orgs/commands.ts';
import { findHomeOrg } from '../src/orgs/queries.ts';
import { systemActor, type UserActor } from '../src/policy/actor.ts';
import { startWorker } from '../src/jobs/worker.ts';
import { enqueueNotification } from '../src/notifications/dispatch.ts';
import { inTransaction } from '../src/app/context.ts';
import { jobHandlers, openInstance } from '../src/server/serve.ts';
import { createUser, updateProfile } from '../src/users/commands.ts';
import { findUserByEmail, membershipsOf, toActor } from '../src/users/queries.ts';
import { createToken, startServer } from './engine.ts';
import { cpuMs } from './load.ts';
import { freePort, progress, rootDir, stopProcess, type Env } from './proc.ts';
import { capturing } from './explain.ts';
import { round, send, summarize, type Latency, type Reply } from './http.ts';
import { description, pick, prng, PRODUCTS, VENDORS } from './text.ts';

export const CASE_PAGE_TARGET_P95_MS = 150;
export const MATRIX_TARGET_P95_MS = 100;
export const NOTIFY_TARGET_S = 10;
const LEAD_EMAIL = 'bench-lead@example.org';

export interface CasesOptions {
  /** Vendor organizations in the case (issue 4: 300), one user each. */
  vendors: number;
  /** Vulnerabilities in the case (issue 4: 5). */
  vulnerabilities: number;
  /** Messages across the official, discussion and private threads (issue 4: 2,000). */
  messages: number;
  /** Private threads (one vendor and the coordinators each). */
  privateThreads: number;
  /** Measured requests per endpoint and user, one at a time (after `warmup` discarded ones). */
  requests: number;
  warmup: number;
  /** How long to wait for all the notification mails before giving up. */
  notifyTimeoutS: number;
  /** Routine notice jobs (vendor status notifications) queued before the second timed post; 0 skips it. */
  notifyBacklog: number;
}

export interface EndpointResult {
  path: string;
  responseBytes: number;
  latencyMs: Latency;
  /** Server process CPU per request (Node side only; PostgreSQL's backends not included). */
  serverCpuMsPerRequest: number | null;
  targetP95Ms: number | null;
  p95TargetMet: boolean | null;
}

export interface ProfiledQuery {
  /** The statement as the app sent it (first 300 characters). */
  sql: string;
  /** PostgreSQL's Execution Time of the statement alone (after one warm run). */
  executionMs: number | null;
  /** The same statement through Kysely and the driver, rows decoded into JavaScript (median of 5). */
  roundTripMs: number;
  rows: number | null;
  /** The token lookup: the server answers it from its authentication cache, the profile does not. */
  auth: boolean;
  plan: string[];
}

export interface ProfiledRequest {
  path: string;
  who: string;
  /** In-process app.inject, no HTTP socket: median and p95 of 20 runs. */
  injectMs: { p50: number; p95: number };
  queries: ProfiledQuery[];
  /** Sums over the statements other than the token lookup. */
  sqlExecutionMsTotal: number;
  roundTripMsTotal: number;
  /** JSON.parse and JSON.stringify of the response body: the order of the serialization cost. */
  responseBytes: number;
  jsonStringifyMs: number;
}

export interface NotifyDiagnostics {
  /** src/keys/pgp.ts encryptText (read the keys, encrypt, sign) of the post's mail text, per recipient. */
  encryptTextMsPerRecipient: number;
  /** nodemailer against the bench's SMTP server, one at a time: a new connection per mail (as
   * src/mail/transport.ts does) and one pooled connection. */
  smtpNewConnectionMsPerMail: number;
  smtpPooledMsPerMail: number;
  note: string;
}

export interface CasesResult {
  /** 1-minute load average when seeding began, when the latency runs began, and at the end. */
  loadAverage: { seedStart: number; latencyStart: number; end: number };
  seed: {
    how: string;
    vendors: number;
    vendorUsersWithKeys: number;
    silentVendors: number;
    vulnerabilities: number;
    statuses: number;
    /** Cells of the matrix without a statement: silent vendors, and answering vendors that skipped one. */
    unknownCells: number;
    posts: Record<string, number>;
    privateThreads: number;
    keyGenerationS: number;
    commandsS: number;
    /** The set-up's own jobs (notices of statuses, participants, terms) run to the end before the server starts. */
    setupJobs: number;
    setupJobsS: number;
    postsSqlS: number;
    vacuumAnalyzeS: number;
    caseId: string;
  };
  preferences: { api: string; set: number; failed: number; note: string };
  latency: Record<'lead' | 'vendor', Record<string, EndpointResult>>;
  notification: NotifyResult;
  /** The same post right after the server restarts with `backlogJobs` routine notice jobs queued: official
   * posts are urgent jobs (src/jobs/priority.ts), so they should not wait behind them. */
  notificationWithBacklog: (NotifyResult & { backlogJobs: number }) | { error: string } | null;
  targets: {
    casePageP95Ms: number;
    matrixP95Ms: number;
    notifyAllS: number;
    casePageMet: boolean;
    matrixMet: boolean;
    notifyMet: boolean;
  };
  profile: ProfiledRequest[] | { error: string };
  notificationDiagnostics: NotifyDiagnostics | { error: string };
}

export interface NotifyResult {
  recipientsExpected: number;
  /** Mails to the vendor users received within the time limit. */
  vendorMailsReceived: number;
  /** Other mails in the window: to anyone else (other staff get a content-free notice), and vendors' other notices. */
  otherMailsReceived: number;
  /** POST /threads/:id/posts answered (it only queues the notifications.send job; the worker composes and encrypts). */
  postMs: number;
  firstMailMs: number | null;
  allMailsMs: number | null;
  /** When the n-th vendor mail arrived (ms after the POST was sent). */
  arrivalMs: Record<string, number>;
  /** (last − first arrival) ÷ (mails − 1): the delivery rate once the worker has started. */
  meanMsBetweenMails: number | null;
  timedOut: boolean;
  /** Server process CPU from the POST to the last mail. */
  serverCpuMs: number | null;
  check: {
    encrypted: number;
    notEncrypted: number;
    clearTextLeaks: number;
    decryptFailures: number;
    /** Decrypted, but the signature did not verify against the instance key. */
    signatureFailures: number;
    format: string;
    meanMailBytes: number;
  };
  met: boolean;
}

// ---------------------------------------------------------------------------------------------
// Seeding

interface Vendor {
  index: number;
  orgId: string;
  orgName: string;
  userId: string;
  email: string;
  actor: UserActor;
  participantId: string;
  privateKey: string;
  token: string;
  silent: boolean;
  products: string[];
}

interface Seeded {
  caseRef: string;
  caseUuid: string;
  leadToken: string;
  vendors: Vendor[];
  threads: { official: string; discussion: string; private: string[] };
  stats: CasesResult['seed'];
}

const quietLog = {
  info() {},
  warn(obj: object, msg?: string) {
    progress(`  (server code warned: ${msg ?? ''} ${JSON.stringify(obj).slice(0, 300)})`);
  },
  error(obj: object, msg?: string) {
    progress(`  (server code error: ${msg ?? ''} ${JSON.stringify(obj).slice(0, 300)})`);
  },
};

const CVSS = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N',
  'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N',
  'CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:H',
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
] as const;
const CWES = ['CWE-787', 'CWE-125', 'CWE-190', 'CWE-476', 'CWE-400'] as const;
const JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;

/** Markdown-ish message text of about `chars` characters: paragraphs, sometimes a list or code. */
function messageBody(rand: () => number, chars: number): string {
  const parts = [description(rand, chars)];
  if (rand() < 0.15) parts.push(`- ${description(rand, 60)}\n- ${description(rand, 60)}\n- ${description(rand, 60)}`);
  if (rand() < 0.08) parts.push('```\n$ curl -s https://device.example/api/v1/status | head -n 3\n```');
  return parts.join('\n\n');
}

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; s: number }> {
  const t = performance.now();
  const value = await fn();
  const s = round((performance.now() - t) / 1000, 1);
  progress(`  ${label}: ${s} s`);
  return { value, s };
}

/**
 * Everything a case with many vendors has, through the app's own commands (organizations, users,
 * memberships, keys, the case, vulnerabilities, participants, terms, RM moves, statuses, private
 * threads, API tokens), except the 2,000 messages: posting them through `addPost` would encrypt
 * every official post to 300 keys; they are inserted in SQL with their timeline events.
 */
async function seed(engine: string, env: Env, opts: CasesOptions): Promise<Seeded> {
  const leadToken = await createToken(env, { email: LEAD_EMAIL, role: 'coordinator', tokenName: 'bench-cases-lead' });
  const config = loadConfig(env, rootDir);
  const { handle, ctx: startCtx } = await openInstance(config, quietLog);
  const rand = prng(4);
  // Unique names and addresses, so a DATABASE_URL used before can take another case.
  const run = Date.now().toString(36);
  try {
    const sys: Ctx = { ...startCtx, log: quietLog, actor: systemActor('bench') };
    const db = handle.db;
    const userCtx = async (userId: string, ip: string): Promise<{ ctx: Ctx; actor: UserActor }> => {
      const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
      const actor = toActor(user, await membershipsOf(db, userId), 'session');
      return { ctx: { ...sys, actor, meta: { requestId: null, ip } }, actor };
    };
    const leadUser = await findUserByEmail(db, LEAD_EMAIL);
    if (!leadUser) throw new Error(`${LEAD_EMAIL} was not created`);
    const lead = await userCtx(leadUser.id, '192.0.2.1');
    const home = await findHomeOrg(db);
    if (!home) throw new Error('no home organization');

    progress(`${engine}: generating ${opts.vendors} OpenPGP keys (ed25519/cv25519)`);
    const { generateKey } = await import('openpgp');
    const emails = Array.from({ length: opts.vendors }, (_, i) => `psirt.${i}.${run}@vendor${i}.example`);
    const keys = await timed('keys', async () => {
      const out: { publicKey: string; privateKey: string }[] = [];
      for (const email of emails) {
        const k = await generateKey({
          type: 'ecc',
          curve: 'curve25519Legacy',
          userIDs: [{ name: 'PSIRT', email }],
          format: 'armored',
        });
        out.push({ publicKey: k.publicKey, privateKey: k.privateKey });
      }
      return out;
    });

    progress(`${engine}: ${opts.vendors} vendor organizations, users, memberships and keys (commands)`);
    const t0 = performance.now();
    const partial: Omit<Vendor, 'participantId' | 'token' | 'actor'>[] = [];
    for (let i = 0; i < opts.vendors; i++) {
      const brand = VENDORS[i % VENDORS.length]!;
      const org = await createOrg(sys, {
        name: `${brand} ${PRODUCTS[i % PRODUCTS.length]} Systems ${i + 1} (${run})`,
        kind: 'vendor',
        website: `https://vendor${i}.example/security`,
      });
      const user = await createUser(sys, { email: emails[i]!, name: `${brand} PSIRT ${i + 1}` });
      await setMembership(sys, org.id, user.id, 'org_admin');
      const self = await userCtx(user.id, `198.51.100.${i % 250}`);
      await updateProfile(self.ctx, user.id, { pgpPublicKey: keys.value[i]!.publicKey });
      const productCount = rand() < 0.15 ? 2 : 1;
      partial.push({
        index: i,
        orgId: org.id,
        orgName: org.name,
        userId: user.id,
        email: user.email,
        privateKey: keys.value[i]!.privateKey,
        // Every fifth vendor never answers: silent, all its cells unknown.
        silent: i % 5 === 4,
        products: Array.from(
          { length: productCount },
          (_, k) => `${pick(rand, PRODUCTS)} ${k === 0 ? 'Server' : 'Agent'}`,
        ),
      });
      if ((i + 1) % 100 === 0) progress(`  ${i + 1} vendors`);
    }

    progress(`${engine}: the case, ${opts.vulnerabilities} vulnerabilities, ${opts.vendors} participants (commands)`);
    const c = await openCase(lead.ctx, {
      title: 'Heap overflow in a widely embedded TCP/IP stack (bench)',
      summary: messageBody(rand, 1500),
    });
    const vulns: string[] = [];
    for (let v = 0; v < opts.vulnerabilities; v++) {
      const row = await addVulnerability(lead.ctx, c.case_id, {
        title: `${['Heap overflow', 'Out-of-bounds read', 'Integer overflow', 'NULL dereference', 'Resource exhaustion'][v % 5]} in the ${['DNS', 'TCP', 'IPv6', 'DHCP', 'ICMP'][v % 5]} parser`,
        description: messageBody(rand, 800),
        cwe: CWES[v % CWES.length]!,
        cvssV3: CVSS[v % CVSS.length]!,
        cveId: `CVE-2026-${100000 + ((Date.now() + v) % 900000)}`,
      });
      vulns.push(row.id);
    }
    const vendors: Vendor[] = [];
    for (const p of partial) {
      const row = await addParticipant(lead.ctx, c.case_id, { orgId: p.orgId, role: 'vendor' });
      const self = await userCtx(p.userId, `198.51.100.${p.index % 250}`);
      vendors.push({ ...p, participantId: row.id, actor: self.actor, token: '' });
      if (vendors.length % 100 === 0) progress(`  ${vendors.length} participants`);
    }

    progress(`${engine}: terms, RM moves, statuses, API tokens (commands, as each vendor user)`);
    let statuses = 0;
    let unknownCells = 0;
    for (const v of vendors) {
      const self = { ...sys, actor: v.actor, meta: { requestId: null, ip: `198.51.100.${v.index % 250}` } };
      await acceptTerms(self, c.case_id, c.terms_version);
      if (!v.silent) {
        await participantRm(self, c.case_id, v.participantId, 'receive');
        if (rand() < 0.8) {
          await participantRm(self, c.case_id, v.participantId, 'validate');
          await participantRm(self, c.case_id, v.participantId, 'accept');
        }
      }
      for (const vulnerabilityId of vulns) {
        for (const product of v.products) {
          // Answering vendors still leave one cell in ten open.
          if (v.silent || rand() < 0.1) {
            unknownCells += 1;
            continue;
          }
          const r = rand();
          const base = { participantId: v.participantId, vulnerabilityId, product, mayShare: rand() < 0.3 };
          const input =
            r < 0.25
              ? {
                  ...base,
                  status: 'under_investigation',
                  statement: rand() < 0.5 ? 'We are analysing our use of the stack.' : '',
                }
              : r < 0.6
                ? { ...base, status: 'not_affected', justification: pick(rand, JUSTIFICATIONS) }
                : r < 0.75
                  ? {
                      ...base,
                      status: 'affected',
                      statement: `Update to the next maintenance release; until then block the port at the firewall. ${description(rand, 200)}`,
                      vendorTrackingId: `PSIRT-${1000 + v.index}`,
                    }
                  : {
                      ...base,
                      status: 'fixed',
                      fixedVersions: `${1 + (v.index % 5)}.${v.index % 10}.${1 + (v.index % 7)}`,
                      references: [`https://vendor${v.index}.example/advisories/${v.index}`],
                    };
          await setVendorStatus(self, c.case_id, input);
          statuses += 1;
        }
      }
      const { token } = await createApiToken(self, { name: 'bench-cases', expiresInDays: 30 });
      v.token = token;
      if ((v.index + 1) % 100 === 0) progress(`  ${v.index + 1} vendors`);
    }

    progress(`${engine}: ${opts.privateThreads} private threads (commands)`);
    const answering = vendors.filter((v) => !v.silent);
    const privateThreads: { id: string; vendor: Vendor }[] = [];
    for (let k = 0; k < opts.privateThreads && k < answering.length; k++) {
      const vendor = answering[k]!;
      const t = await createPrivateThread(lead.ctx, c.case_id, {
        title: `${vendor.orgName}: firmware details`,
        participantIds: [vendor.participantId],
      });
      privateThreads.push({ id: t.id, vendor });
    }
    const commandsS = round((performance.now() - t0) / 1000, 1);
    progress(`  commands: ${commandsS} s`);

    const threads = await db
      .selectFrom('case_threads')
      .select(['id', 'kind'])
      .where('case_id', '=', c.id)
      .where('kind', 'in', ['official', 'discussion'])
      .execute();
    const official = threads.find((t) => t.kind === 'official')!.id;
    const discussion = threads.find((t) => t.kind === 'discussion')!.id;

    progress(`${engine}: ${opts.messages} messages in SQL`);
    const posts = await timed('posts', () =>
      seedPosts(db, rand, {
        caseUuid: c.id,
        messages: opts.messages,
        lead: { userId: leadUser.id, label: leadUser.email, orgId: home.id },
        vendors: answering,
        official,
        discussion,
        privateThreads,
      }),
    );

    // The commands above queued jobs of their own (above all a notification per vendor status): run
    // them all to the end here, as the server would, so the timed notification measures itself alone.
    progress(`${engine}: the set-up's jobs (notices of statuses, participants, terms), in-process until none is due`);
    const setupJobs = await timed('set-up jobs', async () => {
      const worker = startWorker({ ...sys, actor: systemActor('jobs') }, jobHandlers(config), 0);
      try {
        return await worker.drain();
      } finally {
        await worker.stop();
      }
    });
    progress(`  ${setupJobs.value} jobs`);

    progress(`${engine}: VACUUM ANALYZE of the case tables`);
    const vacuum = await timed('vacuum analyze', async () => {
      for (const t of [
        'organizations',
        'users',
        'memberships',
        'api_tokens',
        'cases',
        'vulnerabilities',
        'case_participants',
        'vendor_statuses',
        'vendor_status_history',
        'case_threads',
        'case_thread_members',
        'case_posts',
        'case_events',
        'outbox',
        'jobs',
      ]) {
        await sql`vacuum analyze ${sql.table(t)}`.execute(db);
      }
    });

    return {
      caseRef: c.case_id,
      caseUuid: c.id,
      leadToken,
      vendors,
      threads: { official, discussion, private: privateThreads.map((t) => t.id) },
      stats: {
        how:
          'commands (src/orgs, src/users, src/cases, src/auth) for organizations, users, memberships, keys, the case, ' +
          'vulnerabilities, participants, terms, RM moves, statuses, private threads and tokens; the messages and ' +
          'their post_added timeline events in SQL (addPost would encrypt each official post to 300 keys)',
        vendors: vendors.length,
        vendorUsersWithKeys: vendors.length,
        silentVendors: vendors.filter((v) => v.silent).length,
        vulnerabilities: vulns.length,
        statuses,
        unknownCells,
        posts: posts.value,
        privateThreads: privateThreads.length,
        keyGenerationS: keys.s,
        commandsS,
        setupJobs: setupJobs.value,
        setupJobsS: setupJobs.s,
        postsSqlS: posts.s,
        vacuumAnalyzeS: vacuum.s,
        caseId: c.case_id,
      },
    };
  } finally {
    await handle.close();
  }
}

/**
 * The case's messages: 5 % official (the lead), 65 % discussion (answering vendors and the lead),
 * 30 % in the private threads (the vendor and the lead in turn), over the last 30 days. TLP mostly
 * AMBER, some GREEN/CLEAR, in the discussion some AMBER+STRICT (for one organization) and RED
 * (for two named people); a fifth reply to an earlier post of their thread.
 */
async function seedPosts(
  db: Kysely<Database>,
  rand: () => number,
  s: {
    caseUuid: string;
    messages: number;
    lead: { userId: string; label: string; orgId: string };
    vendors: Vendor[];
    official: string;
    discussion: string;
    privateThreads: { id: string; vendor: Vendor }[];
  },
): Promise<Record<string, number>> {
  const counts: Record<string, number> = { official: 0, discussion: 0, private: 0 };
  const byThread = new Map<string, string[]>();
  const start = Date.now() - 30 * 86400_000;
  const step = (30 * 86400_000) / s.messages;
  let batch: Insertable<Database['case_posts']>[] = [];
  let events: Insertable<Database['case_events']>[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await db.insertInto('case_posts').values(batch).execute();
    await db.insertInto('case_events').values(events).execute();
    batch = [];
    events = [];
  };
  for (let i = 0; i < s.messages; i++) {
    const r = rand();
    const kind = r < 0.05 ? 'official' : r < 0.7 || s.privateThreads.length === 0 ? 'discussion' : 'private';
    let threadId: string;
    let author: { userId: string; label: string; orgId: string };
    let tlp = 'AMBER';
    let recipientOrg: string | null = null;
    let recipientUsers: string[] = [];
    const vendorAuthor = (v: Vendor) => ({ userId: v.userId, label: v.email, orgId: v.orgId });
    if (kind === 'official') {
      threadId = s.official;
      author = s.lead;
      tlp = rand() < 0.7 ? 'AMBER' : rand() < 0.6 ? 'GREEN' : 'CLEAR';
    } else if (kind === 'discussion') {
      threadId = s.discussion;
      author = rand() < 0.3 ? s.lead : vendorAuthor(pick(rand, s.vendors));
      const t = rand();
      if (t < 0.1) {
        tlp = 'AMBER+STRICT';
        recipientOrg = author.orgId === s.lead.orgId ? pick(rand, s.vendors).orgId : s.lead.orgId;
      } else if (t < 0.15) {
        tlp = 'RED';
        const other = author.userId === s.lead.userId ? pick(rand, s.vendors).userId : s.lead.userId;
        recipientUsers = [author.userId, other];
      } else if (t < 0.4) tlp = 'GREEN';
    } else {
      const pt = pick(rand, s.privateThreads);
      threadId = pt.id;
      author = rand() < 0.5 ? s.lead : vendorAuthor(pt.vendor);
    }
    counts[kind] = (counts[kind] ?? 0) + 1;
    const earlier = byThread.get(threadId) ?? [];
    const id = newId();
    const at = new Date(start + i * step);
    batch.push({
      id,
      thread_id: threadId,
      case_id: s.caseUuid,
      reply_to: earlier.length > 0 && rand() < 0.2 ? pick(rand, earlier) : null,
      author_user_id: author.userId,
      author_org_id: author.orgId,
      author_label: author.label,
      body: messageBody(rand, 150 + Math.floor(1400 * rand() ** 2)),
      tlp,
      recipient_org_id: recipientOrg,
      recipient_user_ids: JSON.stringify(recipientUsers),
      mentions: JSON.stringify([]),
      edited_at: null,
      created_at: at,
    });
    events.push({
      id: newId(),
      case_id: s.caseUuid,
      participant_id: null,
      kind: 'post_added',
      actor_user_id: author.userId,
      actor_label: author.label,
      data: JSON.stringify({ threadId, postId: id, tlp }),
      created_at: at,
    });
    earlier.push(id);
    byThread.set(threadId, earlier);
    if (batch.length >= 250) await flush();
  }
  await flush();
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Latency

async function endpoint(
  agent: http.Agent,
  base: string,
  token: string,
  path: string,
  count: number,
  warmup: number,
  serverPid: number | undefined,
  target: number | null,
): Promise<EndpointResult> {
  const headers = { authorization: `Bearer ${token}` };
  const samples: number[] = [];
  let last: Reply | null = null;
  let cpuBefore: number | null = null;
  for (let i = 0; i < warmup + count; i++) {
    if (i === warmup) cpuBefore = cpuMs(serverPid);
    const r = await send(agent, `${base}${path}`, 'GET', headers);
    if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}: ${r.body.slice(0, 500)}`);
    if (i >= warmup) samples.push(r.ms);
    last = r;
  }
  const cpuAfter = cpuMs(serverPid);
  const latencyMs = summarize(samples);
  return {
    path,
    responseBytes: Buffer.byteLength(last!.body),
    latencyMs,
    serverCpuMsPerRequest:
      cpuBefore === null || cpuAfter === null ? null : round((cpuAfter - cpuBefore) / samples.length, 2),
    targetP95Ms: target,
    p95TargetMet: target === null ? null : latencyMs.p95 < target,
  };
}

// ---------------------------------------------------------------------------------------------
// SMTP

interface Received {
  to: string[];
  raw: string;
  atMs: number;
}

async function startSmtp(onMail: (m: Received) => void) {
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    size: 20 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        onMail({
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw: Buffer.concat(chunks).toString('utf8'),
          atMs: performance.now(),
        });
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Each vendor mail: armored OpenPGP or PGP/MIME, no clear text of the post, decrypts with the
 * recipient's key to the post, signed by the instance key. */
async function checkMails(
  mails: Received[],
  byEmail: Map<string, Vendor>,
  marker: string,
  instanceKeyArmored: string | null,
): Promise<NotifyResult['check']> {
  const { simpleParser } = await import('mailparser');
  const openpgp = await import('openpgp');
  const verificationKeys = instanceKeyArmored ? await openpgp.readKey({ armoredKey: instanceKeyArmored }) : undefined;
  const check = {
    encrypted: 0,
    notEncrypted: 0,
    clearTextLeaks: 0,
    decryptFailures: 0,
    signatureFailures: 0,
    format: '',
    meanMailBytes: 0,
  };
  const formats = new Set<string>();
  let bytes = 0;
  for (const m of mails) {
    bytes += Buffer.byteLength(m.raw);
    const vendor = m.to.map((t) => byEmail.get(t)).find(Boolean);
    if (!vendor) continue;
    const parsed = await simpleParser(m.raw);
    const text = parsed.text ?? '';
    const head = m.raw.slice(0, Math.max(0, m.raw.indexOf('\r\n\r\n')) || m.raw.length);
    const pgpMime = /^content-type:\s*multipart\/encrypted/im.test(head);
    const armored = /-----BEGIN PGP MESSAGE-----[\s\S]+-----END PGP MESSAGE-----/.exec(text)?.[0];
    if (m.raw.includes(marker) || text.includes(marker) || (parsed.subject ?? '').includes(marker)) {
      check.clearTextLeaks += 1;
    }
    if (!armored && !pgpMime) {
      check.notEncrypted += 1;
      continue;
    }
    check.encrypted += 1;
    formats.add(pgpMime ? 'PGP/MIME' : 'inline ASCII-armored OpenPGP in text/plain');
    const message = armored
      ? armored
      : (parsed.attachments.find((a) => /octet-stream|pgp-encrypted/.test(a.contentType))?.content.toString('utf8') ??
        '');
    try {
      const decryptionKeys = await openpgp.readPrivateKey({ armoredKey: vendor.privateKey });
      const result = await openpgp.decrypt({
        message: await openpgp.readMessage({ armoredMessage: message }),
        decryptionKeys,
        ...(verificationKeys ? { verificationKeys } : {}),
      });
      if (typeof result.data !== 'string' || !result.data.includes(marker)) check.decryptFailures += 1;
      else if (verificationKeys) {
        try {
          await result.signatures[0]?.verified;
          if (result.signatures.length === 0) check.signatureFailures += 1;
        } catch {
          check.signatureFailures += 1;
        }
      }
    } catch {
      check.decryptFailures += 1;
    }
  }
  check.format = [...formats].join(', ') || 'none';
  check.meanMailBytes = mails.length ? Math.round(bytes / mails.length) : 0;
  return check;
}

/** Where the notification time goes, measured apart from the server: encryption per recipient
 * (as src/notifications composes each mail) and SMTP delivery with and without a pooled connection. */
async function notifyDiagnostics(
  vendors: Vendor[],
  detail: string,
  smtpPort: number,
  mailsFor: (n: number) => Promise<void>,
): Promise<NotifyDiagnostics> {
  const { encryptText, generateInstanceKey } = await import('../src/keys/pgp.ts');
  const signing = await generateInstanceKey('Bench', 'bench@example.org', new Date());
  const { readPrivateKey } = await import('openpgp');
  const publicKeys: string[] = [];
  for (const v of vendors.slice(0, Math.min(100, vendors.length))) {
    publicKeys.push((await readPrivateKey({ armoredKey: v.privateKey })).toPublic().armor());
  }
  const t = performance.now();
  for (const key of publicKeys) await encryptText(detail, key, signing.privateKey);
  const encryptTextMsPerRecipient = round((performance.now() - t) / publicKeys.length, 2);
  const { default: nodemailer } = await import('nodemailer');
  const text = `-----BEGIN PGP MESSAGE-----\n${`${'A'.repeat(64)}\n`.repeat(40)}-----END PGP MESSAGE-----`;
  const perMail = async (pool: boolean, n: number) => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, pool });
    const done = mailsFor(n);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await transport.sendMail({ from: 'bench@example.org', to: `probe${i}@example.net`, subject: 'probe', text });
    }
    const ms = (performance.now() - t0) / n;
    await done;
    transport.close();
    return round(ms, 2);
  };
  const smtpNewConnectionMsPerMail = await perMail(false, 30);
  const smtpPooledMsPerMail = await perMail(true, 30);
  return {
    encryptTextMsPerRecipient,
    smtpNewConnectionMsPerMail,
    smtpPooledMsPerMail,
    note:
      'encryption of the same text to 100 of the vendor keys, signed with a new instance-like key; smtp-server waits a fixed ' +
      '100 ms after accepting a connection before its greeting (to catch early talkers), so every new connection costs ' +
      'at least 100 ms with this server',
  };
}

/**
 * Queues up to `count` notification jobs for the case's vendor statuses, as `setVendorStatus` does
 * for each change (bulk priority, src/notifications/dispatch.ts), with the server stopped.
 */
async function queueBacklog(env: Env, caseUuid: string, count: number): Promise<number> {
  const config = loadConfig(env, rootDir);
  const { handle, ctx } = await openInstance(config, quietLog);
  try {
    const sys: Ctx = { ...ctx, log: quietLog, actor: systemActor('bench') };
    const statuses = await handle.db
      .selectFrom('vendor_statuses')
      .select('id')
      .where('case_id', '=', caseUuid)
      .orderBy('id')
      .limit(count)
      .execute();
    await inTransaction(sys, async (tx) => {
      for (const st of statuses) {
        await enqueueNotification(
          tx,
          sys,
          { source: 'status', statusId: st.id, actorUserId: null },
          `bench-backlog:${st.id}:${newId()}`,
        );
      }
    });
    return statuses.length;
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// In-process profile (server stopped): every statement of a request, under EXPLAIN ANALYZE.

const jsonHeaders = (token: string, body: string) => ({
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
  'content-length': String(Buffer.byteLength(body)),
});

async function profileRequests(
  env: Env,
  requests: { who: string; token: string; path: string }[],
): Promise<ProfiledRequest[]> {
  const config = loadConfig(env, rootDir);
  const handle = await openDatabase({
    databaseUrl: env.DATABASE_URL ?? null,
    dataDir: env.ACCORD_DATA_DIR!,
    poolSize: 2,
  });
  try {
    const { db, captured } = capturing(handle.db);
    const app = await buildApp(
      { db, config, log: quietLog, now: () => new Date() },
      { engine: handle.engine, version: 'bench', webDir: null },
    );
    const out: ProfiledRequest[] = [];
    try {
      for (const r of requests) {
        const inject = async () => {
          const t = performance.now();
          const res = await app.inject({ method: 'GET', url: r.path, headers: { authorization: `Bearer ${r.token}` } });
          if (res.statusCode !== 200) throw new Error(`inject ${r.path}: ${res.statusCode} ${res.body.slice(0, 300)}`);
          return performance.now() - t;
        };
        for (let i = 0; i < 3; i++) await inject();
        const times: number[] = [];
        for (let i = 0; i < 20; i++) times.push(await inject());
        const body = (await app.inject({ method: 'GET', url: r.path, headers: { authorization: `Bearer ${r.token}` } }))
          .body;
        captured.length = 0;
        await inject();
        const tj = performance.now();
        for (let i = 0; i < 5; i++) JSON.stringify(JSON.parse(body));
        const jsonStringifyMs = round((performance.now() - tj) / 5);
        const queries: ProfiledQuery[] = [];
        const statements = [...captured];
        for (const q of statements) {
          const trips: number[] = [];
          for (let i = 0; i < 5; i++) {
            const tq = performance.now();
            await handle.db.executeQuery(CompiledQuery.raw(q.sql, [...q.parameters]));
            trips.push(performance.now() - tq);
          }
          const explainSql = `explain (analyze, buffers) ${q.sql}`;
          const run = () =>
            handle.db.executeQuery<Record<string, string>>(CompiledQuery.raw(explainSql, [...q.parameters]));
          await run();
          const result = await run();
          const plan = result.rows.map((row) => Object.values(row)[0] ?? '');
          const time = plan.map((l) => /Execution Time: ([\d.]+) ms/.exec(l)?.[1]).find(Boolean);
          const rows = plan.map((l) => /actual time=[\d.]+\.\.[\d.]+ rows=([\d.]+)/.exec(l)?.[1]).find(Boolean);
          queries.push({
            sql: q.sql.replace(/\s+/g, ' ').slice(0, 300),
            executionMs: time ? Number(time) : null,
            roundTripMs: summarize(trips).p50,
            rows: rows ? Number(rows) : null,
            auth: /"api_tokens"/.test(q.sql),
            plan,
          });
        }
        const t = summarize(times);
        out.push({
          path: r.path,
          who: r.who,
          injectMs: { p50: t.p50, p95: t.p95 },
          queries,
          sqlExecutionMsTotal: round(queries.filter((q) => !q.auth).reduce((a, q) => a + (q.executionMs ?? 0), 0)),
          roundTripMsTotal: round(queries.filter((q) => !q.auth).reduce((a, q) => a + q.roundTripMs, 0)),
          responseBytes: Buffer.byteLength(body),
          jsonStringifyMs,
        });
        const p = out.at(-1)!;
        progress(
          `  profile ${r.who} ${r.path}: inject p50 ${t.p50} ms; ${queries.length} statements: execution ${p.sqlExecutionMsTotal} ms, round trips ${p.roundTripMsTotal} ms; JSON ${jsonStringifyMs} ms`,
        );
      }
    } finally {
      await app.close();
    }
    return out;
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------

export async function benchCases(engine: string, baseEnv: Env, opts: CasesOptions): Promise<CasesResult> {
  const load1 = () => Number((os.loadavg()[0] ?? 0).toFixed(2));
  const loadAverage = { seedStart: load1(), latencyStart: 0, end: 0 };
  progress(`${engine}: seeding a case with ${opts.vendors} vendors (load average ${loadAverage.seedStart})`);
  const seeded = await seed(engine, baseEnv, opts);
  const { caseRef, vendors } = seeded;
  const byEmail = new Map(vendors.map((v) => [v.email.toLowerCase(), v]));

  let vendorMails: Received[] = [];
  let otherMails: Received[] = [];
  let collecting = false;
  let onVendorMail: (() => void) | null = null;
  let probes = 0;
  let probeWaiter: { n: number; resolve: () => void } | null = null;
  const mailsFor = (n: number) =>
    new Promise<void>((resolve) => {
      probes = 0;
      probeWaiter = { n, resolve };
    });
  // When the last mail other than a probe arrived: the set-up's own notices are delivered before the timed post.
  let lastMailAt = performance.now();
  const smtp = await startSmtp((m) => {
    if (m.to.some((t) => t.startsWith('probe'))) {
      probes += 1;
      if (probeWaiter && probes >= probeWaiter.n) probeWaiter.resolve();
      return;
    }
    lastMailAt = performance.now();
    if (!collecting) return;
    // The post's mails only: a queued vendor-status notice to a vendor is another mail.
    const subject = /^subject:(.*)$/im.exec(m.raw.slice(0, m.raw.indexOf('\r\n\r\n') + 1 || m.raw.length))?.[1] ?? '';
    if (m.to.some((t) => byEmail.has(t)) && subject.includes('New post in the official thread')) {
      vendorMails.push(m);
      onVendorMail?.();
    } else otherMails.push(m);
  });
  const env: Env = {
    ...baseEnv,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    SMTP_SECURE: 'false',
    MAIL_FROM: 'accord-bench@example.org',
  };
  let child: ChildProcess | null = null;
  try {
    const server = await startServer('accord', ['bin/accord.mjs', 'serve'], env, '/healthz');
    child = server.child;
    const base = server.base;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // Each vendor user: immediate mail for official posts, full content encrypted (they have a key).
      progress(`${engine}: notification preferences of ${vendors.length} vendor users (PUT /api/v1/me/notifications)`);
      const prefBody = JSON.stringify({ contentMode: 'encrypted', kinds: { official_post: 'immediate' } });
      let prefSet = 0;
      let prefFailed = 0;
      let prefApi = 'PUT /api/v1/me/notifications';
      for (const v of vendors) {
        const r = await send(agent, `${base}/api/v1/me/notifications`, 'PUT', jsonHeaders(v.token, prefBody), prefBody);
        if (r.status === 404 && prefSet === 0) {
          prefApi = 'absent (404): the defaults apply';
          break;
        }
        const ok = r.status === 200 && (JSON.parse(r.body) as { contentMode?: string }).contentMode === 'encrypted';
        if (ok) prefSet += 1;
        else {
          prefFailed += 1;
          if (prefFailed === 1) progress(`  preference refused: ${r.status} ${r.body.slice(0, 300)}`);
        }
      }

      loadAverage.latencyStart = load1();
      progress(`${engine}: load average ${loadAverage.latencyStart}`);
      const vendor = vendors.find((v) => !v.silent)!;
      const paths = {
        casePage: `/api/v1/cases/${caseRef}`,
        matrix: `/api/v1/cases/${caseRef}/statuses`,
      };
      const context = {
        threads: `/api/v1/cases/${caseRef}/threads`,
        officialPosts: `/api/v1/cases/${caseRef}/threads/${seeded.threads.official}/posts`,
        discussionPosts: `/api/v1/cases/${caseRef}/threads/${seeded.threads.discussion}/posts`,
      };
      const contextCount = Math.max(10, Math.round(opts.requests / 4));
      const latency: CasesResult['latency'] = { lead: {}, vendor: {} };
      for (const [who, token] of [
        ['lead', seeded.leadToken],
        ['vendor', vendor.token],
      ] as const) {
        for (const [name, path] of Object.entries(paths)) {
          const target = name === 'casePage' ? CASE_PAGE_TARGET_P95_MS : MATRIX_TARGET_P95_MS;
          const e = await endpoint(agent, base, token, path, opts.requests, opts.warmup, child.pid, target);
          latency[who][name] = e;
          progress(
            `${engine}: ${who} ${name}: p50 ${e.latencyMs.p50} ms, p95 ${e.latencyMs.p95} ms, p99 ${e.latencyMs.p99} ms, ${e.responseBytes} bytes`,
          );
        }
        for (const [name, path] of Object.entries(context)) {
          const e = await endpoint(agent, base, token, path, contextCount, 3, child.pid, null);
          latency[who][name] = e;
          progress(`${engine}: ${who} ${name} (context): p50 ${e.latencyMs.p50} ms, p95 ${e.latencyMs.p95} ms`);
        }
      }

      // The set-up's jobs ran before the server started (seed); wait until no mail has arrived for a while too.
      const drainStart = performance.now();
      while (performance.now() - lastMailAt < 3000 && performance.now() - drainStart < 180_000) {
        await new Promise((r) => setTimeout(r, 250));
      }
      progress(`${engine}: SMTP quiet after ${round(performance.now() - drainStart, 0)} ms`);
      const instanceKey = await send(agent, `${base}/.well-known/openpgp-key.asc`, 'GET', {});
      const instanceKeyArmored =
        instanceKey.status === 200 && instanceKey.body.includes('BEGIN PGP PUBLIC KEY') ? instanceKey.body : null;

      /** One official post by the lead, timed until every vendor's mail arrived, each mail checked. */
      const timedPost = async (postAgent: http.Agent, postBase: string, pid: number | undefined, label: string) => {
        progress(`${engine}: official post by the lead (${label}), waiting for ${vendors.length} encrypted mails`);
        const marker = `bench-embargoed-${newId()}`;
        const postText = `## Embargo and next steps\n\nThe embargo ends on 2027-01-15 14:00 UTC. ${marker}\n\n${messageBody(prng(9), 1200)}`;
        const postBody = JSON.stringify({ body: postText, tlp: 'AMBER' });
        // What the mail carries (src/notifications/send.ts), for the diagnostics below.
        const detailText = `TLP:AMBER\nCase: ${caseRef}\nThread: Official notices\nFrom: ${LEAD_EMAIL}\n\n${postText}\n\n-- \n${postBase}/cases/${caseRef}`;
        vendorMails = [];
        otherMails = [];
        collecting = true;
        const all = new Promise<void>((resolve) => {
          onVendorMail = () => {
            if (vendorMails.length >= vendors.length) resolve();
          };
        });
        const cpuBefore = cpuMs(pid);
        const t0 = performance.now();
        const posted = await send(
          postAgent,
          `${postBase}/api/v1/cases/${caseRef}/threads/${seeded.threads.official}/posts`,
          'POST',
          jsonHeaders(seeded.leadToken, postBody),
          postBody,
        );
        if (posted.status !== 201)
          throw new Error(`the official post answered ${posted.status}: ${posted.body.slice(0, 500)}`);
        progress(`  POST answered in ${round(posted.ms, 1)} ms`);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          all.then(() => false),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(true), opts.notifyTimeoutS * 1000);
          }),
        ]);
        clearTimeout(timer);
        const cpuAfter = cpuMs(pid);
        const lastAt = vendorMails.at(-1)?.atMs;
        // Mails still in flight to others (staff notices) have a moment to arrive.
        await new Promise((r) => setTimeout(r, 1500));
        collecting = false;
        onVendorMail = null;
        const arrivals = vendorMails.map((m) => m.atMs - t0);
        const arrivalMs: Record<string, number> = {};
        for (const n of [1, 10, 50, 100, 150, 200, 250, 300, vendors.length]) {
          const at = arrivals[n - 1];
          if (at !== undefined) arrivalMs[String(n)] = round(at, 0);
        }
        const allMailsMs = !timedOut && lastAt !== undefined ? round(lastAt - t0, 0) : null;
        progress(
          `${engine}: ${vendorMails.length} vendor mails in ${allMailsMs ?? `> ${opts.notifyTimeoutS * 1000}`} ms (first at ${arrivals[0] ? round(arrivals[0], 0) : '—'} ms); checking them`,
        );
        const check = await checkMails(vendorMails, byEmail, marker, instanceKeyArmored);
        progress(
          `  encrypted ${check.encrypted}, not encrypted ${check.notEncrypted}, clear-text leaks ${check.clearTextLeaks}, decrypt failures ${check.decryptFailures}, signature failures ${check.signatureFailures}`,
        );
        const perfect =
          check.notEncrypted === 0 &&
          check.clearTextLeaks === 0 &&
          check.decryptFailures === 0 &&
          check.signatureFailures === 0;
        const result: NotifyResult = {
          recipientsExpected: vendors.length,
          vendorMailsReceived: vendorMails.length,
          otherMailsReceived: otherMails.length,
          postMs: round(posted.ms, 1),
          firstMailMs: arrivals[0] === undefined ? null : round(arrivals[0], 0),
          allMailsMs,
          arrivalMs,
          meanMsBetweenMails:
            arrivals.length > 1 ? round((arrivals.at(-1)! - arrivals[0]!) / (arrivals.length - 1), 1) : null,
          timedOut,
          serverCpuMs: cpuBefore === null || cpuAfter === null ? null : round(cpuAfter - cpuBefore, 0),
          check,
          met: allMailsMs !== null && allMailsMs < NOTIFY_TARGET_S * 1000 && perfect,
        };
        return { result, detailText };
      };

      const quiet = await timedPost(agent, base, child.pid, 'empty job queue');
      const notification = quiet.result;
      const detailText = quiet.detailText;
      agent.destroy();
      await stopProcess(child);
      child = null;

      let notificationWithBacklog: CasesResult['notificationWithBacklog'] = null;
      if (opts.notifyBacklog > 0) {
        try {
          const queued = await queueBacklog(env, seeded.caseUuid, opts.notifyBacklog);
          progress(`${engine}: ${queued} vendor-status notification jobs queued (bulk); the server starts again`);
          const again = await startServer('accord', ['bin/accord.mjs', 'serve'], env, '/healthz');
          child = again.child;
          const agent2 = new http.Agent({ keepAlive: true, maxSockets: 1 });
          try {
            const r = await timedPost(agent2, again.base, child.pid, `behind ${queued} queued notice jobs`);
            notificationWithBacklog = { backlogJobs: queued, ...r.result };
          } finally {
            agent2.destroy();
            await stopProcess(child);
            child = null;
          }
        } catch (err) {
          notificationWithBacklog = { error: err instanceof Error ? err.message : String(err) };
          progress(`  backlog run failed: ${notificationWithBacklog.error}`);
        }
      }

      progress(`${engine}: in-process profile of the case page and the matrix (EXPLAIN ANALYZE of every statement)`);
      let profile: CasesResult['profile'];
      try {
        profile = await profileRequests(env, [
          { who: 'lead', token: seeded.leadToken, path: paths.casePage },
          { who: 'lead', token: seeded.leadToken, path: paths.matrix },
          { who: 'vendor', token: vendor.token, path: paths.casePage },
          { who: 'vendor', token: vendor.token, path: paths.matrix },
        ]);
      } catch (err) {
        profile = { error: err instanceof Error ? err.message : String(err) };
        progress(`  profile failed: ${profile.error}`);
      }

      progress(`${engine}: notification diagnostics (encryption per recipient, SMTP per connection and pooled)`);
      let notificationDiagnostics: CasesResult['notificationDiagnostics'];
      try {
        notificationDiagnostics = await notifyDiagnostics(vendors, detailText, smtp.port, mailsFor);
        progress(`  ${JSON.stringify(notificationDiagnostics).slice(0, 200)}`);
      } catch (err) {
        notificationDiagnostics = { error: err instanceof Error ? err.message : String(err) };
        progress(`  diagnostics failed: ${notificationDiagnostics.error}`);
      }

      const casePageMet = [latency.lead.casePage, latency.vendor.casePage].every((e) => e?.p95TargetMet === true);
      const matrixMet = [latency.lead.matrix, latency.vendor.matrix].every((e) => e?.p95TargetMet === true);
      loadAverage.end = load1();
      return {
        loadAverage,
        seed: seeded.stats,
        preferences: {
          api: prefApi,
          set: prefSet,
          failed: prefFailed,
          note: 'each vendor user: contentMode encrypted, official_post immediate, with their own API token',
        },
        latency,
        notification,
        notificationWithBacklog,
        targets: {
          casePageP95Ms: CASE_PAGE_TARGET_P95_MS,
          matrixP95Ms: MATRIX_TARGET_P95_MS,
          notifyAllS: NOTIFY_TARGET_S,
          casePageMet,
          matrixMet,
          notifyMet: notification.met,
        },
        profile,
        notificationDiagnostics,
      };
    } finally {
      agent.destroy();
    }
  } finally {
    if (child) await stopProcess(child);
    await smtp.close();
  }
}
