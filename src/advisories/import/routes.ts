import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ctxOf, requireAuth, type Services } from '../../http/auth.ts';
import { Body, errorResponses } from '../../http/schemas.ts';
import { importIntoCase, importStandaloneAdvisory } from './commands.ts';

const Loose = Type.Object({}, { additionalProperties: true });

/**
 * `POST /api/v1/cases/:ref/imports`: an upstream CSAF 2.0, CVE JSON 5 or OSV document into a case;
 * `POST /api/v1/advisories/imports`: the same document as a new standalone draft advisory.
 */
export function advisoryImportRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post(
    '/api/v1/cases/:ref/imports',
    {
      bodyLimit: 10 * 1024 * 1024,
      schema: {
        tags: ['cases', 'advisories'],
        summary:
          'Import a CSAF 2.0, CVE JSON 5 or OSV document into the case (case lead or coordinator): vulnerabilities ' +
          'by CVE id, statuses as the vendor participants’ statements; answers what was applied and what could not ' +
          'be mapped (with JSON paths). An invalid document is refused with the validator’s findings; dryRun ' +
          'changes nothing',
        params: Type.Object({ ref: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
        body: Body({ document: Type.Unknown(), dryRun: Type.Optional(Type.Boolean()) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const body = request.body;
      return importIntoCase(ctxOf(services, request), request.params.ref, {
        document: body.document,
        dryRun: body.dryRun,
      });
    },
  );
  r.post(
    '/api/v1/advisories/imports',
    {
      bodyLimit: 10 * 1024 * 1024,
      schema: {
        tags: ['advisories'],
        summary:
          'Import a CSAF 2.0, CVE JSON 5 or OSV document as a new standalone draft advisory (staff): its product ' +
          'tree, vulnerabilities, product statuses, notes, references and remediations as far as the advisory ' +
          'model holds them; answers the draft and what could not be kept (with JSON paths). An invalid document ' +
          'is refused with the validator’s findings; dryRun creates nothing',
        body: Body({
          document: Type.Unknown(),
          dryRun: Type.Optional(Type.Boolean()),
          tlp: Type.Optional(Type.String({ maxLength: 20 })),
        }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const body = request.body;
      return importStandaloneAdvisory(ctxOf(services, request), {
        document: body.document,
        dryRun: body.dryRun,
        tlp: body.tlp,
      });
    },
  );
}
