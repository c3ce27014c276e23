import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireAuth, type Services } from '../http/auth.ts';
import { errorResponses, PageOf, PageQuery } from '../http/schemas.ts';
import { search } from './queries.ts';
import { checkSearch } from './rules.ts';

const Hit = Type.Object({
  kind: Type.Union([Type.Literal('case'), Type.Literal('vulnerability'), Type.Literal('post')]),
  id: Type.String(),
  caseId: Type.String(),
  lead: Type.Union([Type.String(), Type.Null()]),
  title: Type.Union([Type.String(), Type.Null()]),
  threadId: Type.Union([Type.String(), Type.Null()]),
  tlp: Type.Union([Type.String(), Type.Null()]),
  snippet: Type.Union([Type.Array(Type.Object({ text: Type.String(), match: Type.Boolean() })), Type.Null()]),
  createdAt: Type.String(),
});

/** Full-text search over the cases, vulnerabilities and posts the caller may see. */
export function searchRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/search',
    {
      schema: {
        tags: ['search'],
        summary:
          'Search cases, vulnerabilities and posts you may read (web search syntax: "phrase", -word, or); newest first',
        querystring: Type.Object(
          {
            q: Type.String({ maxLength: 200 }),
            kinds: Type.Optional(Type.String({ maxLength: 60 })),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(Hit), ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const query = checkSearch(request.query);
      const page = await search(services.db, request.actor, query, request.query);
      return {
        items: page.items.map((h) => ({ ...h, createdAt: h.createdAt.toISOString() })),
        nextCursor: page.nextCursor,
      };
    },
  );
}
