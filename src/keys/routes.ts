import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ctxOf, requireAuth, type Services } from '../http/auth.ts';
import { errorResponses } from '../http/schemas.ts';
import { systemActor } from '../policy/actor.ts';
import { can, instance } from '../policy/policy.ts';
import { ensureInstanceKey, rotateInstanceKey } from './commands.ts';
import { instanceKeyHistory } from './queries.ts';

const KeyView = Type.Object({
  fingerprint: Type.String(),
  algorithm: Type.String(),
  createdAt: Type.String(),
  publicKey: Type.String(),
});

/** The instance OpenPGP key: published for finders, rotated by admins. */
export async function keyRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const current = (request: Parameters<typeof ctxOf>[1]) =>
    ensureInstanceKey({ ...ctxOf(services, request), actor: systemActor('instance-key') });

  r.get('/.well-known/openpgp-key.asc', { schema: { hide: true } }, async (request, reply) =>
    reply
      .type('application/pgp-keys; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send((await current(request)).public_key),
  );

  r.get(
    '/api/v1/instance-key',
    {
      schema: {
        tags: ['instance key'],
        summary: 'The OpenPGP key to encrypt reports to (public); admins also get the retired keys',
        response: {
          200: Type.Object({
            fingerprint: Type.String(),
            algorithm: Type.String(),
            createdAt: Type.String(),
            publicKey: Type.String(),
            retired: Type.Optional(
              Type.Array(
                Type.Object({ fingerprint: Type.String(), createdAt: Type.String(), retiredAt: Type.String() }),
              ),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const key = await current(request);
      const view = {
        fingerprint: key.fingerprint,
        algorithm: key.algorithm,
        createdAt: key.created_at.toISOString(),
        publicKey: key.public_key,
      };
      if (!can(request.actor, 'instance_key:rotate', instance)) return view;
      const history = await instanceKeyHistory(services.db);
      return {
        ...view,
        retired: history
          .filter((k) => k.retired_at)
          .map((k) => ({
            fingerprint: k.fingerprint,
            createdAt: k.created_at.toISOString(),
            retiredAt: k.retired_at!.toISOString(),
          })),
      };
    },
  );

  r.post(
    '/api/v1/instance-key/rotate',
    {
      schema: {
        tags: ['instance key'],
        summary: 'Create a new instance key (admin); the old one is kept to decrypt older mail',
        response: { 200: KeyView, ...errorResponses },
      },
    },
    async (request) => {
      requireAuth(request);
      const key = await rotateInstanceKey(ctxOf(services, request));
      return {
        fingerprint: key.fingerprint,
        algorithm: key.algorithm,
        createdAt: key.created_at.toISOString(),
        publicKey: key.public_key,
      };
    },
  );
}
