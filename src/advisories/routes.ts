import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { AppError, notFound } from '../core/errors.ts';
import type { AdvisoryRow } from '../db/schema.ts';
import { publicPage } from '../disclosure/routes.ts';
import { ctxOf, requireAuth, type Services } from '../http/auth.ts';
import { Body, errorResponses, PageOf, PageQuery } from '../http/schemas.ts';
import { instanceKeyHistory } from '../keys/queries.ts';
import { renderMarkdown } from '../markdown/render.ts';
import { abilities } from '../policy/policy.ts';
import { advisoryAction, createAdvisory, defaultPublisher, updateAdvisory } from './commands.ts';
import { exportAdvisory, exportFormats } from './export.ts';
import { toMarkdown } from './markdown.ts';
import {
  changesCsv,
  feedName,
  folderOf,
  indexTxt,
  providerMetadata,
  restrictedTlps,
  rolieCategories,
  rolieFeed,
  rolieService,
  type PublishedFile,
} from './provider.ts';
import {
  advisoryDocument,
  advisoryResource,
  advisoryRevisions,
  documentOf,
  listAdvisories,
  loadAdvisory,
  publicRevision,
  publishedFile,
  publishedFiles,
  vendorsOf,
  type PublishedFileRow,
} from './queries.ts';
import {
  advisoryActions,
  advisoryStates,
  advisoryTlps,
  allowedActions,
  checkContent,
  diffContent,
  readinessProblems,
  type AdvisoryContent,
  type AdvisoryTlp,
} from './rules.ts';

const Loose = Type.Object({}, { additionalProperties: true });
const Ref = Type.Object({ ref: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

/** Staff advisories API, the public advisory page, and the CSAF trusted provider. */
export function advisoryRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const db = services.db;

  async function present(row: AdvisoryRow, actor: Parameters<typeof abilities>[0]) {
    const [revisions, caseRow] = await Promise.all([
      advisoryRevisions(db, row.id),
      row.case_id
        ? db.selectFrom('cases').select('case_id').where('id', '=', row.case_id).executeTakeFirst()
        : undefined,
    ]);
    const content = row.content as unknown as AdvisoryContent;
    return {
      id: row.id,
      trackingId: row.tracking_id,
      caseId: row.case_id,
      caseRef: caseRow?.case_id ?? null,
      title: row.title,
      state: row.state,
      tlp: row.tlp,
      content,
      pendingSummary: row.pending_summary,
      publishedRevision: row.published_revision,
      lockVersion: row.lock_version,
      authorId: row.author_id,
      submittedBy: row.submitted_by,
      approvedBy: row.approved_by,
      approvedAt: row.approved_at?.toISOString() ?? null,
      initialReleaseAt: row.initial_release_at?.toISOString() ?? null,
      currentReleaseAt: row.current_release_at?.toISOString() ?? null,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      revisions: revisions.map((v) => ({ number: v.number, date: v.created_at.toISOString(), summary: v.summary })),
      readiness: readinessProblems(content),
      allowedActions: allowedActions(row.state),
      abilities: abilities(actor, ['advisory:edit', 'advisory:approve', 'advisory:publish'], advisoryResource(row)),
    };
  }

  r.get(
    '/api/v1/advisories',
    {
      schema: {
        tags: ['advisories'],
        summary: 'Advisories (staff; case-linked ones as the case scope allows)',
        querystring: Type.Object(
          {
            state: Type.Optional(Type.Union(advisoryStates.map((s) => Type.Literal(s)))),
            caseId: Type.Optional(Type.String({ maxLength: 64 })),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(Loose), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const page = await listAdvisories(db, request.actor, request.query);
      return {
        items: page.items.map((i) => ({
          ...i,
          updatedAt: i.updatedAt.toISOString(),
          createdAt: i.createdAt.toISOString(),
        })),
        nextCursor: page.nextCursor,
      };
    },
  );

  r.post(
    '/api/v1/advisories',
    {
      schema: {
        tags: ['advisories'],
        summary: 'Create an advisory: from a case (content derived from it) or standalone',
        body: Body({
          caseId: Type.Optional(Type.String({ maxLength: 64 })),
          tlp: Type.Optional(Type.Union(advisoryTlps.map((t) => Type.Literal(t)))),
          content: Type.Optional(Loose),
        }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const row = await createAdvisory(ctxOf(services, request), request.body);
      return reply.status(201).send(await present(row, request.actor));
    },
  );

  r.post(
    '/api/v1/advisories/check',
    {
      schema: {
        tags: ['advisories'],
        summary: 'Check advisory content without saving: every problem with the field that causes it',
        body: Body({ content: Loose }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      if (!(request.actor.kind === 'user' && request.actor.staffRole !== null)) {
        throw new AppError('ERR_FORBIDDEN', 'advisories are edited by staff');
      }
      try {
        const content = checkContent({
          publisher: defaultPublisher(ctxOf(services, request), 'vendor'),
          ...request.body.content,
        });
        return { valid: true, problems: readinessProblems(content), content };
      } catch (err) {
        if (err instanceof AppError && err.code === 'ERR_VALIDATION')
          return { valid: false, problems: err.details.problems ?? [] };
        throw err;
      }
    },
  );

  r.get(
    '/api/v1/advisories/:ref',
    {
      schema: {
        tags: ['advisories'],
        summary: 'One advisory with its content, revisions, readiness and the actions you may take',
        params: Ref,
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => present(await loadAdvisory(db, request.actor, request.params.ref), request.actor),
  );

  r.put(
    '/api/v1/advisories/:ref',
    {
      schema: {
        tags: ['advisories'],
        summary: 'Save an edit (back to draft); refused when someone saved since you loaded it',
        params: Ref,
        body: Body({
          content: Loose,
          tlp: Type.Optional(Type.Union(advisoryTlps.map((t) => Type.Literal(t)))),
          lockVersion: Type.Integer({ minimum: 1 }),
          revisionSummary: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const row = await updateAdvisory(ctxOf(services, request), request.params.ref, request.body);
      return present(row, request.actor);
    },
  );

  r.post(
    '/api/v1/advisories/:ref/actions',
    {
      schema: {
        tags: ['advisories'],
        summary: 'Workflow: submit for review, return to draft, approve (not the author), publish',
        params: Ref,
        body: Body({
          action: Type.Union(advisoryActions.map((a) => Type.Literal(a))),
          summary: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const row = await advisoryAction(ctxOf(services, request), request.params.ref, request.body.action, {
        summary: request.body.summary,
      });
      return present(row, request.actor);
    },
  );

  r.get(
    '/api/v1/advisories/:ref/diff',
    {
      schema: {
        tags: ['advisories'],
        summary: 'Field-level changes between two revisions (or a revision and the current draft: to=current)',
        params: Ref,
        querystring: Type.Object(
          {
            from: Type.Integer({ minimum: 0 }),
            to: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Literal('current')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      const row = await loadAdvisory(db, request.actor, request.params.ref);
      const revisions = await advisoryRevisions(db, row.id);
      const contentOf = (n: number | 'current') => {
        if (n === 'current') return row.content;
        if (n === 0) return {};
        const rev = revisions.find((v) => v.number === n);
        if (!rev) throw notFound('revision', String(n));
        return rev.content;
      };
      const to = request.query.to ?? 'current';
      return { from: request.query.from, to, changes: diffContent(contentOf(request.query.from), contentOf(to)) };
    },
  );

  r.get(
    '/api/v1/advisories/:ref/export',
    {
      schema: {
        tags: ['advisories'],
        summary:
          'Export (CSAF 2.0, CSAF VEX, CVE 5.1 record or CNA container, OSV, OpenVEX 0.2, Markdown, HTML), validated first',
        params: Ref,
        querystring: Type.Object(
          {
            format: Type.Union(exportFormats.map((f) => Type.Literal(f))),
            vulnerability: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.String(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAuth(request);
      const out = await exportAdvisory(ctxOf(services, request), request.params.ref, request.query.format, {
        vulnerability: request.query.vulnerability,
      });
      return reply
        .type(out.contentType)
        .header('content-disposition', `attachment; filename="${out.filename}"`)
        .send(out.body);
    },
  );

  r.get(
    '/api/v1/advisories/:ref/preview',
    {
      schema: {
        tags: ['advisories'],
        summary: 'The advisory as its public page will show it (HTML fragment)',
        params: Ref,
        response: { 200: Type.Object({ html: Type.String() }), ...errorResponses },
      },
    },
    async (request) => {
      const row = await loadAdvisory(db, request.actor, request.params.ref);
      const doc = await advisoryDocument(db, services.config, row, services.now());
      return { html: renderMarkdown(toMarkdown(doc)) };
    },
  );

  // ---- The public advisory page (TLP:CLEAR, published revisions only) ----

  app.get<{ Params: { trackingId: string } }>(
    '/security-advisories/:trackingId',
    { schema: { hide: true } },
    async (request, reply) => {
      const found = await publicRevision(db, request.params.trackingId);
      if (!found)
        return reply
          .status(404)
          .type('text/html; charset=utf-8')
          .send(publicPage('Not found', services.config.instanceName, '<h1>No such advisory</h1>'));
      const row: AdvisoryRow = {
        ...found.advisory,
        content: found.revision.content,
        tlp: found.revision.tlp,
        title: found.revision.title,
      };
      const doc = documentOf(services.config, row, found.revisions, services.now(), { state: 'published' });
      const html = publicPage(
        doc.content.title,
        services.config.instanceName,
        renderMarkdown(toMarkdown(doc)),
        doc.content.lang,
      );
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );

  // ---- CSAF trusted provider ----

  const asPublished = (rows: PublishedFileRow[]): PublishedFile[] =>
    rows.map((f) => ({
      trackingId: f.tracking_id,
      title: f.title,
      tlp: f.tlp as AdvisoryTlp,
      year: f.year,
      filename: f.filename,
      initialReleaseAt: f.initial_release_at ?? f.released_at,
      releasedAt: f.released_at,
      vendors: vendorsOf(f.document),
    }));

  const json = (reply: FastifyReply, body: unknown) =>
    reply
      .type('application/json; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(JSON.stringify(body, null, 2));

  app.get('/.well-known/csaf/provider-metadata.json', { schema: { hide: true } }, async (_request, reply) => {
    const keys = await instanceKeyHistory(db);
    const last = await db
      .selectFrom('advisory_files')
      .select((eb) => eb.fn.max('released_at').as('at'))
      .executeTakeFirst();
    const fallback = keys.at(-1)?.created_at ?? new Date(0);
    return json(
      reply,
      providerMetadata({
        baseUrl: services.config.baseUrl,
        publisher: defaultPublisher(ctxOf(services, _request), 'vendor'),
        keys: keys.map((k) => ({ fingerprint: k.fingerprint })),
        lastUpdated: last?.at ? new Date(last.at) : fallback,
      }),
    );
  });

  app.get('/.well-known/csaf/service.json', { schema: { hide: true } }, async (_request, reply) =>
    json(reply, rolieService(services.config.baseUrl, services.config.instanceName)),
  );

  app.get<{ Params: { fingerprint: string } }>(
    '/.well-known/csaf/openpgp/:fingerprint',
    { schema: { hide: true } },
    async (request, reply) => {
      const fp = request.params.fingerprint.replace(/\.asc$/, '').toUpperCase();
      const key = (await instanceKeyHistory(db)).find((k) => k.fingerprint === fp);
      if (!key) throw notFound('key', fp);
      return reply.type('application/pgp-keys').header('cache-control', 'public, max-age=3600').send(key.public_key);
    },
  );

  /** One folder's files: index.txt, changes.csv, the ROLIE feed and category document, each document and its companions. */
  async function folder(request: Parameters<typeof ctxOf>[1], reply: FastifyReply, tlp: AdvisoryTlp, rest: string) {
    const actor = request.actor;
    const rows = await publishedFiles(db, actor, tlp);
    const files = asPublished(rows);
    if (rest === 'index.txt') return reply.type('text/plain; charset=utf-8').send(indexTxt(files));
    if (rest === 'changes.csv') return reply.type('text/csv; charset=utf-8').send(changesCsv(files));
    if (rest === feedName(tlp)) {
      return json(reply, rolieFeed(services.config.baseUrl, services.config.instanceName, tlp, files, services.now()));
    }
    if (rest === 'category-vendors.json') return json(reply, rolieCategories(files));
    const m = /^(\d{4})\/([a-z0-9+_-]+\.json)(\.sha256|\.sha512|\.asc)?$/.exec(rest);
    if (!m) throw notFound('file', rest);
    const file = await publishedFile(db, actor, tlp, Number(m[1]), m[2]!);
    if (!file) throw notFound('file', rest);
    const companion = m[3];
    if (companion === '.sha256') return reply.type('text/plain; charset=utf-8').send(file.sha256);
    if (companion === '.sha512') return reply.type('text/plain; charset=utf-8').send(file.sha512);
    if (companion === '.asc') return reply.type('application/pgp-signature').send(file.signature);
    return reply.type('application/json; charset=utf-8').send(file.document);
  }

  app.get<{ Params: { '*': string } }>(
    '/.well-known/csaf/white/*',
    { schema: { hide: true } },
    async (request, reply) => folder(request, reply, 'CLEAR', request.params['*']),
  );

  app.get<{ Params: { tlp: string; '*': string } }>(
    '/api/v1/csaf/:tlp/*',
    // CSAF documents with TLP other than CLEAR, for signed-in entitled users. Hidden from the OpenAPI
    // document (a wildcard path); the provider metadata lists these feeds.
    { schema: { hide: true } },
    async (request, reply) => {
      requireAuth(request);
      const tlp = restrictedTlps.find((t) => folderOf(t) === request.params.tlp);
      if (!tlp) throw notFound('folder', request.params.tlp);
      return folder(request, reply, tlp, request.params['*']);
    },
  );
}
