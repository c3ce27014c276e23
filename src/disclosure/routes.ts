import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.ts';
import type { Services } from '../http/auth.ts';
import { clearSign } from '../keys/pgp.ts';
import { ensureInstanceKey } from '../keys/commands.ts';
import { renderMarkdown } from '../markdown/render.ts';
import { systemActor } from '../policy/actor.ts';
import { DEFAULT_POLICY, securityTxt } from './rules.ts';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A server-rendered public page: works without JavaScript, no inline script or style (CSP). */
export function publicPage(title: string, instanceName: string, bodyHtml: string, lang = 'en'): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — ${escapeHtml(instanceName)}</title>
<link rel="stylesheet" href="/public.css">
</head>
<body>
<header><a href="/">${escapeHtml(instanceName)}</a> · <a href="/report">Report a vulnerability</a> · <a href="/policy">Policy</a> · <a href="/acknowledgements">Acknowledgements</a></header>
<main>
${bodyHtml}
</main>
</body>
</html>
`;
}

const PUBLIC_CSS = `body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.55;color:#1b1b1b}
header{margin-bottom:2rem;font-size:.95rem}a{color:#0b57d0}code,pre{background:#f3f3f3;border-radius:4px}pre{padding:.75rem;overflow:auto}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
@media (prefers-color-scheme: dark){body{background:#121212;color:#e8e8e8}a{color:#8ab4f8}code,pre{background:#222}}
`;

/** security.txt, the disclosure policy and the public acknowledgements page. */
export function disclosureRoutes(app: FastifyInstance, services: Services): void {
  const { config } = services;
  let policy = DEFAULT_POLICY;
  if (config.disclosure.policyFile) {
    try {
      policy = fs.readFileSync(config.disclosure.policyFile, 'utf8');
    } catch {
      throw new AppError('ERR_CONFIG', `ACCORD_POLICY_FILE=${config.disclosure.policyFile} cannot be read`);
    }
  }
  const policyHtml = publicPage('Vulnerability disclosure policy', config.instanceName, renderMarkdown(policy));

  app.get('/public.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(PUBLIC_CSS),
  );

  app.get('/.well-known/security.txt', { schema: { hide: true } }, async (request, reply) => {
    const text = securityTxt({
      baseUrl: config.baseUrl,
      contacts: config.disclosure.contacts,
      preferredLanguages: config.disclosure.preferredLanguages,
      // The CSAF trusted provider (src/advisories) always serves its provider metadata.
      csaf: true,
      now: services.now(),
    });
    let body = text;
    if (config.disclosure.signSecurityTxt) {
      const ctx = {
        db: services.db,
        config,
        log: request.log,
        now: services.now,
        actor: systemActor('instance-key'),
        meta: { requestId: request.id, ip: request.ip },
      };
      const key = await ensureInstanceKey(ctx);
      body = await clearSign(text, key.private_key);
    }
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=3600').send(body);
  });
  app.get('/security.txt', { schema: { hide: true } }, async (_request, reply) =>
    reply.redirect('/.well-known/security.txt', 301),
  );

  app.get('/policy', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(policyHtml),
  );

  app.get('/acknowledgements', { schema: { hide: true } }, async (_request, reply) => {
    // Only finders who opted in, under the credit they chose; anonymous credit is never shown.
    const rows = await services.db
      .selectFrom('finders as f')
      .innerJoin('reports as r', 'r.finder_id', 'f.id')
      .select(['f.name', 'f.handle'])
      .select((eb) => eb.fn.count<number>('r.id').as('reports'))
      .where('f.public_acknowledgement', '=', true)
      .where('r.rm_state', 'in', ['V', 'A', 'D', 'C'])
      .where((eb) => eb.or([eb('r.close_reason', 'is', null), eb('r.close_reason', '=', 'resolved')]))
      .where((eb) => eb.or([eb('f.name', 'is not', null), eb('f.handle', 'is not', null)]))
      .groupBy(['f.id', 'f.name', 'f.handle'])
      .orderBy('reports', 'desc')
      .execute();
    const items = rows.map((r) => `<li>${escapeHtml(r.name ?? `@${r.handle ?? ''}`)}</li>`).join('\n');
    const html = publicPage(
      'Acknowledgements',
      config.instanceName,
      `<h1>Acknowledgements</h1>\n<p>We thank these people for reporting vulnerabilities to us responsibly.</p>\n${
        items ? `<ul>\n${items}\n</ul>` : '<p>No one yet: be the first.</p>'
      }`,
    );
    return reply.type('text/html; charset=utf-8').send(html);
  });
}
