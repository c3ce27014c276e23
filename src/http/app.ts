import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { Type } from 'typebox';
import { auditRoutes } from '../audit/routes.ts';
import { authRoutes } from '../auth/routes.ts';
import { AppError } from '../core/errors.ts';
import type { Engine } from '../db/connect.ts';
import { mailRoutes } from '../mail/routes.ts';
import { orgRoutes } from '../orgs/routes.ts';
import { settingsRoutes } from '../settings/routes.ts';
import { userRoutes } from '../users/routes.ts';
import { installAuth, type Services } from './auth.ts';
import { reportRoutes } from '../reports/routes.ts';
import { caseRoutes } from '../cases/routes.ts';
import { directoryRoutes } from '../directory/routes.ts';
import { embargoRoutes } from '../embargo/routes.ts';
import { keyRoutes } from '../keys/routes.ts';
import { disclosureRoutes } from '../disclosure/routes.ts';
import { notificationRoutes } from '../notifications/routes.ts';
import { searchRoutes } from '../search/routes.ts';
import { advisoryRoutes } from '../advisories/routes.ts';
import { advisoryImportRoutes } from '../advisories/import/routes.ts';
import { metricsRoutes } from '../metrics/routes.ts';
import { slaPolicyRoutes } from '../slapolicy/routes.ts';
import { caseworkRoutes } from '../casework/routes.ts';
import { assessmentRoutes } from '../assessment/routes.ts';
import { publicAdvisoryRoutes, publicationRoutes } from '../publication/routes.ts';
import { cveServicesRoutes } from '../cveservices/routes.ts';
import { errorBody, installErrorHandlers } from './errors.ts';
import { databaseRateLimitStore } from './rate-limit-store.ts';
import { ErrorResponse } from './schemas.ts';
import { installValidators, serializerCompilers } from './validation.ts';

export interface AppOptions {
  engine: Engine;
  version: string;
  /** Built web UI (web/dist); when absent the UI paths explain how to build it. */
  webDir: string | null;
  /** A pino logger; without it the app does not log (tests). */
  loggerInstance?: FastifyServerOptions['loggerInstance'];
  /** Compile every route schema at start-up instead of on first use (a test checks they all compile). */
  eagerSchemas?: boolean;
}

/** Builds the HTTP server: security plugins, the API under /api/v1, OpenAPI, and the web UI. */
export async function buildApp(services: Services, opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.loggerInstance ? { loggerInstance: opts.loggerInstance } : { logger: false }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: services.config.trustProxy,
    bodyLimit: 1024 * 1024,
    schemaController: serializerCompilers({ eager: opts.eagerSchemas }),
  });
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onSend', async (request, reply) => {
    // Embargoed data must not linger in shared caches or the browser's back/forward cache.
    if (request.url.startsWith('/api/')) void reply.header('cache-control', 'no-store');
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: services.config.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    store: databaseRateLimitStore(services.db),
    errorResponseBuilder: (_req, ctx) =>
      new AppError('ERR_RATE_LIMITED', `too many requests: try again in ${Math.ceil(ctx.ttl / 1000)} s`, {
        retryAfter: Math.ceil(ctx.ttl / 1000),
      }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Accord API',
        version: opts.version,
        description:
          'Coordinated vulnerability disclosure. Authenticate with the session cookie (+ x-csrf-token on writes) or an API token as `Authorization: Bearer acc_…`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'accord_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  // Swagger UI sets inline style attributes, so its pages alone allow them; scripts stay 'self'.
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP:
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
      "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  });
  app.addSchema(ErrorResponse);

  installValidators(app, { eager: opts.eagerSchemas });
  installErrorHandlers(app);
  installAuth(app, services);

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness and database check',
        response: {
          200: Type.Object({ status: Type.String(), database: Type.String(), version: Type.String() }),
          503: ErrorResponse,
        },
      },
    },
    async (_request, reply) => {
      try {
        await services.db.selectFrom('organizations').select('id').limit(1).execute();
      } catch {
        return reply.status(503).send(errorBody('ERR_INTERNAL', 'the database does not answer'));
      }
      return { status: 'ok', database: opts.engine, version: opts.version };
    },
  );
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  authRoutes(app, services);
  userRoutes(app, services);
  orgRoutes(app, services);
  auditRoutes(app, services);
  mailRoutes(app, services);
  settingsRoutes(app, services);
  reportRoutes(app, services);
  caseRoutes(app, services);
  embargoRoutes(app, services);
  directoryRoutes(app, services);
  await keyRoutes(app, services);
  disclosureRoutes(app, services);
  notificationRoutes(app, services);
  searchRoutes(app, services);
  advisoryRoutes(app, services);
  advisoryImportRoutes(app, services);
  caseworkRoutes(app, services);
  assessmentRoutes(app, services);
  metricsRoutes(app, services);
  slaPolicyRoutes(app, services);
  publicationRoutes(app, services);
  cveServicesRoutes(app, services);
  await publicAdvisoryRoutes(app, services);

  await serveWebUi(app, opts.webDir);
  return app;
}

async function serveWebUi(app: FastifyInstance, webDir: string | null): Promise<void> {
  const index = webDir ? path.join(webDir, 'index.html') : null;
  const built = index !== null && fs.existsSync(index);
  if (built && webDir) {
    // wildcard: files are looked up per request, so a rebuilt UI is served without a restart;
    // paths that are no file fall through to the not-found handler below (the SPA entry).
    await app.register(fastifyStatic, { root: webDir, wildcard: true, index: false, maxAge: '1h' });
  }
  const sendApp = async (reply: FastifyReply) => {
    if (!built || !index) {
      return reply
        .status(503)
        .type('text/plain')
        .send('The Accord web UI is not built. Run `npm run build:web` (npm start does it).\n');
    }
    return reply.header('cache-control', 'no-cache').type('text/html').send(fs.createReadStream(index));
  };
  app.get('/', { schema: { hide: true } }, async (_request, reply) => sendApp(reply));
  app.setNotFoundHandler(async (request, reply) => {
    const pathname = request.url.split('?')[0] ?? '';
    const wantsPage = request.method === 'GET' && !pathname.startsWith('/api/') && !path.extname(pathname);
    if (!wantsPage) return reply.status(404).send(errorBody('ERR_NOT_FOUND', `no route ${request.method} ${pathname}`));
    // Client-side routes all load the single-page app.
    return sendApp(reply);
  });
}
