/**
 * A local stand-in for CVE Services, for tests and for trying the CVE features without the real service (which is
 * not reachable from a development machine without CNA credentials). It is a real HTTP server (node:http) that
 *
 * - authenticates the three credential headers like the service: a missing one is `400 BAD_REQUEST "<header> header
 *   field required."`, a wrong one `401 UNAUTHORIZED`;
 * - validates every query and body with Ajv against the request schemas in `schemas/` (the reserve query, the CNA
 *   container, the rejection) — the CNA container against the CVE JSON 5.1.1 `cnaPublishedContainer` definition —
 *   and answers `400` with the errors like the service (`BAD_INPUT` with `details` for parameters,
 *   `INVALID_JSON_SCHEMA` with `details.errors` for records);
 * - keeps ids and records in memory and answers with the service's response shapes (`cve_ids`, `meta`, `created`,
 *   `updated`, the id's `state`, `owning_cna`, `requested_by`, `reserved`, `time`).
 *
 * Start one with `startCveServicesStandIn({ port })`, or run `node bin/tsx.mjs src/cveservices/standin.ts` (PORT,
 * default 8090; it prints the URL and credentials to use as ACCORD_CVE_SERVICES_*).
 */
import { randomInt, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import cveSchema from '../formats/schemas/cve-5.1.1.schema.json' with { type: 'json' };
import cnaRequestSchema from './schemas/cna-container-request.schema.json' with { type: 'json' };
import rejectRequestSchema from './schemas/reject-request.schema.json' with { type: 'json' };
import reserveQuerySchema from './schemas/reserve-query.schema.json' with { type: 'json' };

type Json = Record<string, unknown>;

export interface StandInOrg {
  shortName: string;
  /** The org's UUID (assignerOrgId); random when not given. */
  orgId?: string;
  users: { username: string; key: string }[];
  /** How many ids may be RESERVED at once (the service's id quota). */
  idQuota?: number;
}

export interface StandInOptions {
  port?: number;
  host?: string;
  orgs: StandInOrg[];
}

export interface StandInId {
  cve_id: string;
  cve_year: string;
  owning_cna: string;
  state: 'RESERVED' | 'PUBLISHED' | 'REJECTED';
  requested_by: { cna: string; user: string };
  reserved: string;
  time: { created: string; modified: string };
}

export interface StandInRequest {
  method: string;
  path: string;
  status: number;
}

export interface CveServicesStandIn {
  /** The API base to configure as ACCORD_CVE_SERVICES_URL (ends in /api). */
  url: string;
  ids: Map<string, StandInId>;
  records: Map<string, Json>;
  /** Every request answered, in order (method, path without query, status). */
  requests: StandInRequest[];
  close(): Promise<void>;
}

const NONSEQUENTIAL_MAX_AMOUNT = 10;
const CVE_ID = /^CVE-[0-9]{4}-[0-9]{4,19}$/;

function compileValidators(): {
  reserve: ValidateFunction;
  cna: ValidateFunction;
  reject: ValidateFunction;
} {
  // strict: false — the CVE schema carries annotations strict mode refuses. Query values are strings on the wire:
  // the query validator coerces them as the service's express-validator checks do (isInt, isNumeric).
  const bodies = new Ajv({ allErrors: true, strict: false });
  addFormats.default(bodies);
  bodies.addSchema(cveSchema);
  const query = new Ajv({ allErrors: true, strict: false, coerceTypes: true });
  return {
    reserve: query.compile(reserveQuerySchema),
    cna: bodies.compile(cnaRequestSchema),
    reject: bodies.compile(rejectRequestSchema),
  };
}

/** Starts the stand-in; resolves once it listens. */
export async function startCveServicesStandIn(opts: StandInOptions): Promise<CveServicesStandIn> {
  const validators = compileValidators();
  const orgs = new Map(opts.orgs.map((o) => [o.shortName, { ...o, orgId: o.orgId ?? randomUUID() }]));
  const ids = new Map<string, StandInId>();
  const records = new Map<string, Json>();
  const requests: StandInRequest[] = [];
  const counters = new Map<string, number>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const send = (status: number, body: Json): void => {
        requests.push({ method: req.method ?? '', path: url.pathname, status });
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      };
      try {
        handle(req, url, Buffer.concat(chunks).toString('utf8'), send);
      } catch (err) {
        send(500, { error: 'SERVICE_NOT_AVAILABLE', message: String(err) });
      }
    });
  });

  function handle(req: http.IncomingMessage, url: URL, raw: string, send: (status: number, body: Json) => void) {
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '');
    // GET /api/cve/:id is public in the service; everything else needs the three headers.
    const single = /^\/api\/cve\/([^/]+)$/.exec(path);
    if (method === 'GET' && single) {
      const rec = records.get(decodeURIComponent(single[1]!));
      return rec
        ? send(200, rec)
        : send(404, { error: 'CVE_RECORD_DNE', message: 'The cve record for the cve id does not exist.' });
    }
    const who = authenticate(req);
    if ('status' in who) return send(who.status, who.body);
    const org = who.org;

    let body: unknown = undefined;
    if (method === 'POST' || method === 'PUT') {
      if (raw.trim() !== '') {
        try {
          body = JSON.parse(raw);
        } catch {
          return send(400, { error: 'CVE_BAD_REQUEST', message: 'Request body format is incorrect.' });
        }
      }
    }

    if (path === '/api/cve-id' && method === 'POST') return reserve(url, org, who.user, send);
    if (path === '/api/cve-id' && method === 'GET') return list(url, org, send);
    const idMatch = /^\/api\/cve-id\/([^/]+)$/.exec(path);
    if (idMatch && method === 'GET') {
      const id = ids.get(decodeURIComponent(idMatch[1]!));
      return id ? send(200, { ...id }) : send(404, { error: 'CVE_ID_NOT_FOUND', message: `${idMatch[1]} not found` });
    }
    const cna = /^\/api\/cve\/([^/]+)\/(cna|reject)$/.exec(path);
    if (cna && (method === 'POST' || method === 'PUT')) {
      const cveId = decodeURIComponent(cna[1]!);
      if (!CVE_ID.test(cveId)) {
        return send(400, {
          error: 'BAD_INPUT',
          message: 'Parameters were invalid',
          details: [{ msg: 'Invalid value', param: 'id', location: 'params' }],
        });
      }
      const v = cna[2] === 'cna' ? validators.cna : validators.reject;
      if (!v(body ?? {})) {
        return send(400, {
          error: 'INVALID_JSON_SCHEMA',
          message: 'CVE JSON schema validation FAILED.',
          details: { errors: v.errors ?? [] },
        });
      }
      return record(method, cna[2] as 'cna' | 'reject', cveId, (body as Json).cnaContainer as Json, org, send);
    }
    return send(404, { error: 'NOT_FOUND', message: '404: resource not found' });
  }

  function authenticate(
    req: http.IncomingMessage,
  ): { org: StandInOrg & { orgId: string }; user: string } | { status: number; body: Json } {
    const header = (name: string) => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    };
    for (const name of ['CVE-API-ORG', 'CVE-API-USER', 'CVE-API-KEY']) {
      if (!header(name))
        return { status: 400, body: { error: 'BAD_REQUEST', message: `${name} header field required.` } };
    }
    const org = orgs.get(header('CVE-API-ORG')!);
    const user = org?.users.find((u) => u.username === header('CVE-API-USER'));
    if (!org || !user || user.key !== header('CVE-API-KEY')) {
      return { status: 401, body: { error: 'UNAUTHORIZED', message: 'Unauthorized' } };
    }
    return { org, user: user.username };
  }

  function reserve(url: URL, org: StandInOrg, user: string, send: (status: number, body: Json) => void) {
    const query: Json = Object.fromEntries(url.searchParams.entries());
    if (!validators.reserve(query)) {
      return send(400, {
        error: 'BAD_INPUT',
        message: 'Parameters were invalid',
        details: (validators.reserve.errors ?? []).map((e) => ({
          msg: e.message ?? 'Invalid value',
          param: paramOf(e),
          location: 'query',
        })),
      });
    }
    const amount = query.amount as number;
    const year = query.cve_year as number;
    const batch = query.batch_type as string | undefined;
    if (query.short_name !== org.shortName) {
      return send(403, {
        error: 'ORG_CANNOT_RESERVE_FOR_OTHER',
        message:
          'The organization designated by the CVE-API-ORG header is not allowed to reserve IDs for the organization specified by the short_name query parameter.',
      });
    }
    if (amount > 1 && !batch) {
      return send(400, {
        error: 'NO_BATCH_TYPE',
        message:
          'The batch_type query parameter must be specified when reserving more than one CVE ID. Available values are: sequential, nonsequential, non-sequential.',
      });
    }
    if (batch && batch !== 'sequential' && amount > NONSEQUENTIAL_MAX_AMOUNT) {
      return send(400, {
        error: 'OVER_NONSEQUENTIAL_MAX_AMOUNT',
        message: `The amount query parameter exceeds the maximum amount allowed. Only amounts of ${NONSEQUENTIAL_MAX_AMOUNT} ids or less can be reserved at a time.`,
      });
    }
    const quota = org.idQuota ?? 1000;
    const reservedNow = [...ids.values()].filter((i) => i.owning_cna === org.shortName && i.state === 'RESERVED');
    if (reservedNow.length + amount > quota) {
      return send(403, {
        error: 'EXCEEDED_ID_QUOTA',
        message:
          "The amount requested would exceed the organization's ID quota. No more IDs can be reserved until the number of IDs in the Reserved state goes below the ID quota or the ID quota is raised.",
        details: { id_quota: quota, total_reserved: reservedNow.length, available: quota - reservedNow.length },
      });
    }
    const now = new Date().toISOString();
    const out: StandInId[] = [];
    for (let i = 0; i < amount; i++) {
      let n: number;
      if (batch === 'nonsequential' || batch === 'non-sequential') {
        do n = randomInt(20000, 999999);
        while (ids.has(`CVE-${year}-${n}`));
      } else {
        n = (counters.get(String(year)) ?? 1000) + 1;
        counters.set(String(year), n);
      }
      const id: StandInId = {
        cve_id: `CVE-${year}-${n}`,
        cve_year: String(year),
        owning_cna: org.shortName,
        state: 'RESERVED',
        requested_by: { cna: org.shortName, user },
        reserved: now,
        time: { created: now, modified: now },
      };
      ids.set(id.cve_id, id);
      out.push(id);
    }
    send(200, { cve_ids: out, meta: { remaining_quota: quota - reservedNow.length - amount } });
  }

  function list(url: URL, org: StandInOrg, send: (status: number, body: Json) => void) {
    const state = url.searchParams.get('state')?.toUpperCase();
    const year = url.searchParams.get('cve_id_year');
    const items = [...ids.values()].filter(
      (i) => i.owning_cna === org.shortName && (!state || i.state === state) && (!year || i.cve_year === year),
    );
    send(200, {
      totalCount: items.length,
      itemsPerPage: 1000,
      pageCount: 1,
      currentPage: 1,
      prevPage: null,
      nextPage: null,
      cve_ids: items,
    });
  }

  function record(
    method: string,
    kind: 'cna' | 'reject',
    cveId: string,
    container: Json,
    org: StandInOrg & { orgId: string },
    send: (status: number, body: Json) => void,
  ) {
    const id = ids.get(cveId);
    if (!id) return send(400, { error: 'CVEID_DNE', message: 'The cve id does not exist.' });
    if (id.owning_cna !== org.shortName) {
      return send(403, {
        error: 'ORG_DOES_NOT_OWN_ID',
        message: `It appears that ${org.shortName} does not own ${cveId}`,
      });
    }
    const existing = records.get(cveId);
    if (method === 'POST' && existing) {
      return send(400, { error: 'CVE_RECORD_EXISTS', message: 'The cve record for the cve id already exists.' });
    }
    if (method === 'PUT' && !existing) {
      return send(400, { error: 'CVE_RECORD_DNE', message: 'The cve record for the cve id does not exist.' });
    }
    const now = new Date().toISOString();
    const state = kind === 'cna' ? 'PUBLISHED' : 'REJECTED';
    const prevMeta = (existing?.cveMetadata ?? {}) as Json;
    const cveMetadata: Json = {
      cveId,
      assignerOrgId: org.orgId,
      assignerShortName: org.shortName,
      state,
      dateReserved: id.reserved,
      dateUpdated: now,
      ...(state === 'PUBLISHED' ? { datePublished: prevMeta.datePublished ?? now } : { dateRejected: now }),
    };
    const rec: Json = {
      dataType: 'CVE_RECORD',
      dataVersion: '5.1',
      cveMetadata,
      containers: {
        cna: { ...container, providerMetadata: { orgId: org.orgId, shortName: org.shortName, dateUpdated: now } },
      },
    };
    records.set(cveId, rec);
    id.state = state;
    id.time.modified = now;
    if (method === 'PUT') return send(200, { message: `${cveId} record was successfully updated.`, updated: rec });
    send(200, { message: `${cveId} record was successfully created.`, created: rec });
  }

  // Longer than undici's keep-alive, so a client never reuses a socket the stand-in is closing (a flaky "fetch failed").
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${addr.port}/api`,
    ids,
    records,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function paramOf(e: ErrorObject): string {
  if (e.keyword === 'required') return String((e.params as { missingProperty?: string }).missingProperty ?? '');
  if (e.keyword === 'additionalProperties') {
    return String((e.params as { additionalProperty?: string }).additionalProperty ?? '');
  }
  return e.instancePath.replace(/^\//, '');
}

// `node bin/tsx.mjs src/cveservices/standin.ts`: a stand-in for a developer, with one CNA and one user.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const key = randomUUID();
  const s = await startCveServicesStandIn({
    port: Number(process.env.PORT ?? 8090),
    orgs: [{ shortName: 'example', users: [{ username: 'psirt@example.org', key }] }],
  });
  process.stdout.write(
    `CVE Services stand-in listening\n` +
      `ACCORD_CVE_SERVICES_URL=${s.url}\nACCORD_CVE_SERVICES_ORG=example\n` +
      `ACCORD_CVE_SERVICES_USER=psirt@example.org\nACCORD_CVE_SERVICES_KEY=${key}\n`,
  );
}
