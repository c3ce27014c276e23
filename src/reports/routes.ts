import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { notFound } from '../core/errors.ts';
import { isUuid } from '../core/ids.ts';
import type { ReportRow } from '../db/schema.ts';
import { ctxOf, type Services } from '../http/auth.ts';
import { Body, errorResponses, IdParams, PageOf, PageQuery } from '../http/schemas.ts';
import { authorize, can, instance } from '../policy/policy.ts';
import { parseCvss } from '../scores/cvss.ts';
import { searchCwe, validateCwe } from '../scores/cwe.ts';
import { ssvcRoleTableViews } from '../scores/ssvc.ts';
import { rmEvents } from '../vultron/rm.ts';
import {
  addFinderMessage,
  setReportCredit,
  addStaffMessage,
  assignReport,
  decryptForInstance,
  markDuplicate,
  parseDecryptedJson,
  submitReport,
  transitionReport,
  type MessageInput,
} from './commands.ts';
import { presentFinder, presentFinderReport, presentQueueRow, presentStaffReport } from './present.ts';
import {
  findReport,
  listReports,
  loadReadableReport,
  reportAttachments,
  reportEvents,
  reportMessages,
  reportResource,
  similarReports,
  finderFigures,
  listFinders,
} from './queries.ts';
import { reportClocks } from './sla.ts';
import { effectivePolicies, loadSlaSettings } from '../slapolicy/queries.ts';
import { policyFor } from '../slapolicy/rules.ts';
import { closeReasons, creditModes, osvCreditTypes, reportLanguages, type ReportInput } from './rules.ts';

const Text = (max: number) => Type.String({ maxLength: max });
const Attachment = Type.Object(
  {
    filename: Type.String({ minLength: 1, maxLength: 200 }),
    contentType: Type.String({ maxLength: 200 }),
    contentBase64: Type.String(),
  },
  { additionalProperties: false },
);

/** The fields of a report, unencrypted. An encrypted submission decrypts to exactly this object. */
const ReportFields = {
  title: Text(200),
  affected: Type.Array(
    Type.Object(
      {
        vendor: Type.Optional(Text(200)),
        product: Type.Optional(Text(200)),
        versions: Type.Optional(Text(500)),
        identifier: Type.Optional(Text(4096)),
      },
      { additionalProperties: false },
    ),
    { maxItems: 50 },
  ),
  description: Text(100_000),
  reproduction: Type.Optional(Text(100_000)),
  impact: Type.Optional(Text(20_000)),
  cvss: Type.Optional(Text(300)),
  cwe: Type.Optional(Text(20)),
  alreadyPublic: Type.Optional(Type.Boolean()),
  exploited: Type.Optional(Type.Boolean()),
  publicReferences: Type.Optional(Type.Array(Text(2000), { maxItems: 20 })),
  othersInformed: Type.Optional(Text(5000)),
  disclosurePlan: Type.Optional(Text(5000)),
  disclosureDate: Type.Optional(Text(10)),
  credit: Type.Optional(
    Type.Object(
      {
        mode: Type.Union(creditModes.map((m) => Type.Literal(m))),
        value: Type.Optional(Text(200)),
        type: Type.Optional(Type.Union(osvCreditTypes.map((t) => Type.Literal(t)))),
      },
      { additionalProperties: false },
    ),
  ),
  publicAcknowledgement: Type.Optional(Type.Boolean()),
  contactEmail: Type.Optional(Text(254)),
  pgpPublicKey: Type.Optional(Text(100_000)),
  language: Type.Optional(Text(10)),
  attachments: Type.Optional(Type.Array(Attachment, { maxItems: 100 })),
  website: Type.Optional(Text(500)),
};
const ReportBody = Type.Union([
  Type.Object(ReportFields, { additionalProperties: false }),
  Type.Object({ encrypted: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
]);
const PlainReport = Type.Object(ReportFields, { additionalProperties: false });

const MessageFields = {
  body: Text(100_000),
  attachments: Type.Optional(Type.Array(Attachment, { maxItems: 100 })),
};

const Ref = Type.Object({ ref: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
const Loose = Type.Object({}, { additionalProperties: true });

type ReportBodyT = (ReportInput & { publicAcknowledgement?: boolean }) | { encrypted: string };

/** Report intake (public), the finder's follow-up, and the staff triage queue. */
export function reportRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { config } = services;
  const limits = config.reports;
  // Base64 and OpenPGP armour each add about a third; room for the other fields on top.
  const bodyLimit =
    Math.ceil(limits.attachmentMaxBytes * Math.max(1, limits.attachmentMaxCount) * 1.9) + 2 * 1024 * 1024;
  const reportLimit = { rateLimit: { max: config.rateLimit.reportsPerHour, timeWindow: 3600_000 } };
  const publicLimit = { rateLimit: { max: config.rateLimit.publicPerMinute, timeWindow: 60_000 } };

  async function acknowledgeDays(): Promise<number> {
    const { policies, defaults } = await effectivePolicies(services.db, config.sla);
    return policyFor(policies, defaults, 'acknowledge', 'any').targetBusinessDays;
  }

  async function staffView(request: FastifyRequest, report: ReportRow) {
    const db = services.db;
    const [messages, files, events, finder, assignee, similar, duplicateOf, sla] = await Promise.all([
      reportMessages(db, report.id, { internal: true }),
      reportAttachments(db, report.id, { internal: true }),
      reportEvents(db, report.id),
      report.finder_id
        ? db.selectFrom('finders').selectAll().where('id', '=', report.finder_id).executeTakeFirst()
        : undefined,
      report.assignee_id
        ? db.selectFrom('users').select(['id', 'name']).where('id', '=', report.assignee_id).executeTakeFirst()
        : undefined,
      similarReports(db, report),
      duplicateTrackingId(report),
      loadSlaSettings(db, config.sla),
    ]);
    const clocks = reportClocks(sla, report, events, services.now());
    return presentStaffReport(request.actor, report, {
      messages,
      files,
      events,
      finder: finder ?? null,
      assignee: assignee ?? null,
      clocks,
      similar,
      duplicateOf,
    });
  }

  async function duplicateTrackingId(report: ReportRow): Promise<string | null> {
    if (!report.duplicate_of) return null;
    return (await findReport(services.db, report.duplicate_of))?.tracking_id ?? null;
  }

  async function view(request: FastifyRequest, report: ReportRow) {
    if (can(request.actor, 'report:read_internal', reportResource(report))) return staffView(request, report);
    const [messages, files, duplicateOf, finder] = await Promise.all([
      reportMessages(services.db, report.id, { internal: false }),
      reportAttachments(services.db, report.id, { internal: false }),
      duplicateTrackingId(report),
      report.finder_id
        ? services.db
            .selectFrom('finders')
            .select('public_acknowledgement')
            .where('id', '=', report.finder_id)
            .executeTakeFirst()
        : undefined,
    ]);
    return presentFinderReport(report, messages, files, duplicateOf, finder?.public_acknowledgement ?? false);
  }

  r.post(
    '/api/v1/reports',
    {
      bodyLimit,
      config: reportLimit,
      schema: {
        tags: ['reports'],
        summary: 'Report a vulnerability (no account needed). Send the fields, or {encrypted} to the instance key',
        description:
          'Answers 201 with the tracking id and, once only, the secret follow-up link. Every invalid field is ' +
          'listed in error.details.problems.',
        body: ReportBody,
        response: {
          201: Type.Object({ report: Loose, followUpSecret: Type.String(), followUpUrl: Type.String() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(services, request);
      const body = request.body as ReportBodyT;
      let input: ReportInput & { publicAcknowledgement?: boolean };
      let encrypted = false;
      if ('encrypted' in body) {
        input = parseDecryptedJson(await decryptForInstance(ctx, body.encrypted));
        encrypted = true;
        const check = app.validatorCompiler!({ schema: PlainReport, method: 'POST', url: '', httpPart: 'body' });
        const result = check(input) as boolean | { error?: Error };
        if (result !== true && typeof result === 'object' && result.error) {
          throw new (await import('../core/errors.ts')).AppError(
            'ERR_VALIDATION',
            `the decrypted report: ${result.error.message}`,
            { field: 'encrypted' },
          );
        }
      } else input = body;
      const submitted = await submitReport(ctx, input, {
        channel: request.headers['x-accord-form'] === 'web' ? 'web' : 'api',
        submittedEncrypted: encrypted,
        publicAcknowledgement: input.publicAcknowledgement,
      });
      const view = presentFinderReport(submitted.report, [], [], null, input.publicAcknowledgement === true);
      return reply
        .status(201)
        .send({ report: view, followUpSecret: submitted.followUpSecret, followUpUrl: submitted.followUpUrl });
    },
  );

  r.get(
    '/api/v1/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'The triage queue (staff); a finder with an account sees their own reports',
        querystring: Type.Object(
          {
            state: Type.Optional(Text(40)),
            assignee: Type.Optional(Text(64)),
            sla: Type.Optional(Text(20)),
            language: Type.Optional(Text(10)),
            product: Type.Optional(Text(200)),
            q: Type.Optional(Text(200)),
            olderThanDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 36500 })),
            sort: Type.Optional(Text(10)),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(Loose), ...errorResponses },
      },
    },
    async (request) => {
      const now = services.now();
      const page = await listReports(services.db, request.actor, request.query, now);
      return { items: page.items.map((row) => presentQueueRow(row, now)), nextCursor: page.nextCursor };
    },
  );

  r.get(
    '/api/v1/reports/:ref',
    {
      schema: {
        tags: ['reports'],
        summary: 'One report: the finder (follow-up link or account) sees the shared part; staff see all',
        params: Ref,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => view(request, await loadReadableReport(services.db, request.actor, request.params.ref)),
  );

  r.get(
    '/api/v1/reports/:ref/similar',
    {
      schema: {
        tags: ['reports'],
        summary: 'Possible duplicates of a report (full-text similarity), best first',
        params: Ref,
        response: { 200: Type.Object({ items: Type.Array(Loose) }), ...errorResponses },
      },
    },
    async (request) => {
      const report = await loadReadableReport(services.db, request.actor, request.params.ref);
      authorize(request.actor, 'report:read_internal', reportResource(report));
      const items = await similarReports(services.db, report, 10);
      return {
        items: items.map((s) => ({
          id: s.id,
          trackingId: s.tracking_id,
          title: s.title,
          state: s.rm_state,
          score: s.score,
        })),
      };
    },
  );

  r.post(
    '/api/v1/reports/:ref/messages',
    {
      bodyLimit,
      config: reportLimit,
      schema: {
        tags: ['reports'],
        summary: 'Add a message: the finder answers (plain or {encrypted}); staff write to the finder or a note',
        params: Ref,
        body: Type.Union([
          Type.Object(
            {
              ...MessageFields,
              visibility: Type.Optional(Type.Union([Type.Literal('shared'), Type.Literal('internal')])),
              kind: Type.Optional(Type.Union([Type.Literal('message'), Type.Literal('question')])),
            },
            { additionalProperties: false },
          ),
          Type.Object({ encrypted: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
        ]),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(services, request);
      const report = await loadReadableReport(services.db, request.actor, request.params.ref);
      const body = request.body;
      const staff = can(request.actor, 'report:triage', reportResource(report));
      let message;
      if (staff && !('encrypted' in body)) {
        message = await addStaffMessage(ctx, report.id, {
          body: body.body,
          attachments: body.attachments,
          visibility: body.visibility ?? 'internal',
          kind: body.kind,
        });
      } else {
        const input: MessageInput =
          'encrypted' in body ? parseDecryptedJson(await decryptForInstance(ctx, body.encrypted)) : body;
        message = await addFinderMessage(
          ctx,
          report.id,
          { body: String(input.body ?? ''), attachments: Array.isArray(input.attachments) ? input.attachments : [] },
          'web',
        );
      }
      return reply.status(201).send({ id: message.id, kind: message.kind, visibility: message.visibility });
    },
  );

  r.post(
    '/api/v1/reports/:ref/transitions',
    {
      schema: {
        tags: ['reports'],
        summary: 'A Vultron RM move (validate, invalidate, accept, defer, close); illegal moves answer 409',
        params: Ref,
        body: Body({
          event: Type.Union(rmEvents.map((e) => Type.Literal(e))),
          reason: Type.Optional(Type.Union(closeReasons.map((c) => Type.Literal(c)))),
          duplicateOf: Type.Optional(Text(64)),
          note: Type.Optional(Text(2000)),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      const report = await loadReadableReport(services.db, request.actor, request.params.ref);
      const updated = await transitionReport(ctxOf(services, request), report.id, request.body);
      return staffView(request, updated);
    },
  );

  r.post(
    '/api/v1/reports/:ref/duplicate',
    {
      schema: {
        tags: ['reports'],
        summary: 'Close as a duplicate of another report (tells the finder)',
        params: Ref,
        body: Body({ of: Text(64) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      const report = await loadReadableReport(services.db, request.actor, request.params.ref);
      const updated = await markDuplicate(ctxOf(services, request), report.id, request.body.of);
      return staffView(request, updated);
    },
  );

  r.put(
    '/api/v1/reports/:ref/assignee',
    {
      schema: {
        tags: ['reports'],
        summary: 'Assign the report to a staff member (or null to unassign)',
        params: Ref,
        body: Body({ userId: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      const report = await loadReadableReport(services.db, request.actor, request.params.ref);
      const updated = await assignReport(ctxOf(services, request), report.id, request.body.userId);
      return staffView(request, updated);
    },
  );

  r.put(
    '/api/v1/reports/:ref/credit',
    {
      config: reportLimit,
      schema: {
        tags: ['reports'],
        summary: 'The finder changes their credit and opts in to (or out of) the public acknowledgements page',
        params: Ref,
        body: Body({
          credit: Type.Object(
            {
              mode: Text(20),
              value: Type.Optional(Type.Union([Type.String({ maxLength: 400 }), Type.Null()])),
              type: Type.Optional(Text(40)),
            },
            { additionalProperties: false },
          ),
          publicAcknowledgement: Type.Boolean(),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      const report = await loadReadableReport(services.db, request.actor, request.params.ref);
      const { credit, publicAcknowledgement } = request.body;
      const saved = await setReportCredit(ctxOf(services, request), report.id, {
        credit: { mode: credit.mode, value: credit.value ?? undefined, type: credit.type },
        publicAcknowledgement,
      });
      return { credit: saved, publicAcknowledgement };
    },
  );

  r.get(
    '/api/v1/reports/:ref/attachments/:id',
    {
      schema: {
        tags: ['reports'],
        summary: 'Download an attachment (always as a download, never rendered)',
        params: Type.Object({ ref: Text(64), id: Text(64) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const report = await loadReadableReport(services.db, request.actor, request.params.ref);
      const internal = can(request.actor, 'report:read_internal', reportResource(report));
      let q = services.db
        .selectFrom('attachments')
        .selectAll()
        .where('report_id', '=', report.id)
        .where('id', '=', isUuid(request.params.id) ? request.params.id : '00000000-0000-0000-0000-000000000000');
      if (!internal) q = q.where('visibility', '=', 'shared');
      const file = await q.executeTakeFirst();
      if (!file) throw notFound('attachment', request.params.id);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
        .header('x-content-sha256', file.sha256)
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(Buffer.from(file.content));
    },
  );

  r.get(
    '/api/v1/report-settings',
    {
      config: publicLimit,
      schema: {
        tags: ['reports'],
        summary: 'What the report form accepts: attachment limits, languages, credit types, the promised response time',
        response: {
          200: Type.Object({
            attachmentMaxBytes: Type.Integer(),
            attachmentMaxCount: Type.Integer(),
            attachmentTypes: Type.Array(Type.String()),
            languages: Type.Array(Type.String()),
            creditTypes: Type.Array(Type.String()),
            acknowledgeBusinessDays: Type.Integer(),
            trackingIdPrefix: Type.String(),
          }),
          ...errorResponses,
        },
      },
    },
    async () => ({
      // The promise made to finders: the acknowledgement policy in force for any severity.
      acknowledgeBusinessDays: await acknowledgeDays(),
      attachmentMaxBytes: limits.attachmentMaxBytes,
      attachmentMaxCount: limits.attachmentMaxCount,
      attachmentTypes: limits.attachmentTypes,
      languages: [...reportLanguages],
      creditTypes: [...osvCreditTypes],
      trackingIdPrefix: limits.idPrefix,
    }),
  );

  r.get(
    '/api/v1/finders',
    {
      schema: {
        tags: ['finders'],
        summary: 'Finders (staff): linked by account, e-mail or OpenPGP fingerprint, with their report count',
        querystring: Type.Object({ q: Type.Optional(Text(200)), ...PageQuery }, { additionalProperties: false }),
        response: { 200: PageOf(Loose), ...errorResponses },
      },
    },
    async (request) => {
      authorize(request.actor, 'finder:read', instance);
      const page = await listFinders(services.db, request.query);
      return { items: page.items.map((f) => presentFinder(f, f.reports)), nextCursor: page.nextCursor };
    },
  );

  r.get(
    '/api/v1/finders/:id',
    {
      schema: {
        tags: ['finders'],
        summary: "A finder's profile: history and quality figures (valid share, duplicates, average severity)",
        params: IdParams,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      authorize(request.actor, 'finder:read', instance);
      const id = request.params.id;
      const finder = isUuid(id)
        ? await services.db.selectFrom('finders').selectAll().where('id', '=', id).executeTakeFirst()
        : undefined;
      if (!finder) throw notFound('finder', id);
      const [figures, reports] = await Promise.all([
        finderFigures(services.db, finder.id),
        services.db
          .selectFrom('reports')
          .select(['id', 'tracking_id', 'title', 'rm_state', 'close_reason', 'severity', 'created_at'])
          .where('finder_id', '=', finder.id)
          .orderBy('created_at', 'desc')
          .limit(200)
          .execute(),
      ]);
      return {
        ...presentFinder(finder, figures.reports),
        figures: {
          ...figures,
          firstReportAt: figures.firstReportAt?.toISOString() ?? null,
          lastReportAt: figures.lastReportAt?.toISOString() ?? null,
        },
        reports: reports.map((x) => ({
          id: x.id,
          trackingId: x.tracking_id,
          title: x.title,
          state: x.rm_state,
          closeReason: x.close_reason,
          severity: x.severity,
          createdAt: x.created_at.toISOString(),
        })),
      };
    },
  );

  r.get(
    '/api/v1/cvss',
    {
      config: publicLimit,
      schema: {
        tags: ['reference'],
        summary: 'Validate and score a CVSS 3.0, 3.1 or 4.0 vector',
        querystring: Type.Object({ vector: Text(300) }, { additionalProperties: false }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      const parsed = parseCvss(request.query.vector);
      if (!parsed.ok) {
        const { AppError } = await import('../core/errors.ts');
        throw new AppError('ERR_VALIDATION', parsed.error, { field: 'vector', problems: parsed.problems });
      }
      return {
        ok: true,
        version: parsed.version,
        vector: parsed.vector,
        score: parsed.score,
        severity: parsed.severity,
        scores: parsed.scores,
      };
    },
  );

  r.get(
    '/api/v1/ssvc/tables',
    {
      config: publicLimit,
      schema: {
        tags: ['reference'],
        summary:
          'The SSVC decision tables (Supplier, Deployer, Coordinator triage and publish) with their decision points',
        response: { 200: Type.Object({ items: Type.Array(Loose) }), ...errorResponses },
      },
    },
    async () => ({ items: ssvcRoleTableViews() }),
  );

  r.get(
    '/api/v1/cwe',
    {
      config: publicLimit,
      schema: {
        tags: ['reference'],
        summary: 'Search the CWE catalogue (by id or words), or check one id',
        querystring: Type.Object({ q: Text(100) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Loose) }), ...errorResponses },
      },
    },
    async (request) => {
      const exact = validateCwe(request.query.q);
      const items = exact.ok ? [exact.entry] : searchCwe(request.query.q, 20);
      return { items: items.map((e) => ({ id: e.id, name: e.name, usage: e.usage, status: e.status })) };
    },
  );
}
