import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ctxOf, requireAuth, type Services } from '../http/auth.ts';
import { Body, errorResponses } from '../http/schemas.ts';
import { getSettings, updateSettings } from './settings.ts';

const Settings = Type.Object({ require2faForStaff: Type.Boolean() });

export function settingsRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/admin/settings',
    {
      schema: { tags: ['admin'], summary: 'Instance settings', response: { 200: Settings, ...errorResponses } },
    },
    async (request) => {
      requireAuth(request);
      return getSettings(ctxOf(services, request));
    },
  );

  r.patch(
    '/api/v1/admin/settings',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change instance settings (admin)',
        body: Body({ require2faForStaff: Type.Optional(Type.Boolean()) }),
        response: { 200: Settings, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      return updateSettings(ctxOf(services, request), request.body);
    },
  );
}
