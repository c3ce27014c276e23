/**
 * The CVE Services client (CVE Program's REST API for CNAs): reserve CVE ids, read an id's state, publish, update and
 * reject CVE records. Requests carry the three credential headers (`CVE-API-ORG`, `CVE-API-USER`, `CVE-API-KEY`);
 * nothing here ever logs them. Every answer other than 2xx becomes an `AppError` (`ERR_UPSTREAM`) that quotes the
 * service's own error code, message and details, so the caller sees what CVE Services refused and why.
 */
import type { Logger } from '../app/context.ts';
import type { CveServicesConfig } from '../config/config.ts';
import { AppError } from '../core/errors.ts';

export type { CveServicesConfig };

export type CveIdState = 'RESERVED' | 'PUBLISHED' | 'REJECTED';

/** One CVE id as CVE Services describes it (`cve_id`, `state`, `owning_cna`, …). */
export interface CveIdInfo {
  cveId: string;
  cveYear: string;
  state: CveIdState;
  owningCna: string;
  requestedBy: { cna: string; user: string };
  reserved: string | null;
}

export interface ReserveOptions {
  amount: number;
  year: number;
  /** Needed when amount > 1 (CVE Services refuses a batch without it). */
  batchType?: 'sequential' | 'nonsequential' | undefined;
}

export interface ReserveResult {
  ids: CveIdInfo[];
  remainingQuota: number | null;
}

/** A description in a language, as CVE JSON has them (rejection reasons). */
export interface LangValue {
  lang: string;
  value: string;
}

type Json = Record<string, unknown>;

/** The service's error body (`{"error": "...", "message": "...", "details": ...}`). */
interface ServiceError {
  error?: unknown;
  message?: unknown;
  details?: unknown;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A string field of the service's JSON, or '' when it is missing or not a string. */
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function toIdInfo(raw: unknown): CveIdInfo {
  const r = isObject(raw) ? raw : {};
  const by = isObject(r.requested_by) ? r.requested_by : {};
  return {
    cveId: str(r.cve_id),
    cveYear: str(r.cve_year),
    state: str(r.state) as CveIdState,
    owningCna: str(r.owning_cna),
    requestedBy: { cna: str(by.cna), user: str(by.user) },
    reserved: typeof r.reserved === 'string' ? r.reserved : null,
  };
}

const CVE_ID = /^CVE-[0-9]{4}-[0-9]{4,19}$/;

/** Throws ERR_VALIDATION unless `id` is a CVE id (CVE-YYYY-NNNN…); returns it upper-cased. */
export function checkCveId(id: string): string {
  const up = id.trim().toUpperCase();
  if (!CVE_ID.test(up)) {
    throw new AppError('ERR_VALIDATION', `"${id}" is not a CVE id: write CVE-YYYY-NNNN (four or more digits)`, {
      field: 'cveId',
    });
  }
  return up;
}

export class CveServicesClient {
  private readonly base: string;

  constructor(
    private readonly config: CveServicesConfig,
    private readonly log?: Logger,
    private readonly fetchFn: typeof fetch = fetch,
  ) {
    this.base = config.url.replace(/\/+$/, '');
  }

  /** Reserves `amount` ids for `year` for the configured CNA. */
  async reserve(opts: ReserveOptions): Promise<ReserveResult> {
    if (!Number.isInteger(opts.amount) || opts.amount < 1) {
      throw new AppError('ERR_VALIDATION', 'reserve at least one CVE id (amount is a whole number ≥ 1)', {
        field: 'amount',
      });
    }
    const query = new URLSearchParams({
      amount: String(opts.amount),
      cve_year: String(opts.year),
      short_name: this.config.org,
    });
    if (opts.amount > 1) query.set('batch_type', opts.batchType ?? 'sequential');
    const body = await this.call('POST', `/cve-id?${query.toString()}`);
    const ids = Array.isArray(body.cve_ids) ? body.cve_ids.map(toIdInfo) : [];
    const meta = isObject(body.meta) ? body.meta : {};
    return { ids, remainingQuota: typeof meta.remaining_quota === 'number' ? meta.remaining_quota : null };
  }

  /** One id's state and owner. */
  async getId(cveId: string): Promise<CveIdInfo> {
    const id = checkCveId(cveId);
    return toIdInfo(await this.call('GET', `/cve-id/${encodeURIComponent(id)}`));
  }

  /** The configured CNA's ids, optionally of one state and year (every page). */
  async listIds(filter: { state?: CveIdState | undefined; year?: number | undefined } = {}): Promise<CveIdInfo[]> {
    const out: CveIdInfo[] = [];
    for (let page = 1; page <= 1000; page++) {
      const query = new URLSearchParams();
      if (filter.state) query.set('state', filter.state);
      if (filter.year) query.set('cve_id_year', String(filter.year));
      if (page > 1) query.set('page', String(page));
      const body = await this.call('GET', `/cve-id${query.size > 0 ? `?${query.toString()}` : ''}`);
      if (Array.isArray(body.cve_ids)) out.push(...body.cve_ids.map(toIdInfo));
      if (typeof body.nextPage !== 'number') break;
    }
    return out;
  }

  /** Publishes the first record of a reserved id from its CNA container. Returns the record the service created. */
  async publish(cveId: string, cnaContainer: Json): Promise<Json> {
    const id = checkCveId(cveId);
    const body = await this.call('POST', `/cve/${encodeURIComponent(id)}/cna`, { cnaContainer });
    return isObject(body.created) ? body.created : body;
  }

  /** Replaces the CNA container of a published record. Returns the updated record. */
  async update(cveId: string, cnaContainer: Json): Promise<Json> {
    const id = checkCveId(cveId);
    const body = await this.call('PUT', `/cve/${encodeURIComponent(id)}/cna`, { cnaContainer });
    return isObject(body.updated) ? body.updated : body;
  }

  /** Rejects an id (one with no record yet): the reasons, and the ids that replace it if any. */
  async reject(cveId: string, reasons: LangValue[], replacedBy: string[] = []): Promise<Json> {
    const id = checkCveId(cveId);
    const cnaContainer: Json = { rejectedReasons: reasons };
    if (replacedBy.length > 0) cnaContainer.replacedBy = replacedBy.map(checkCveId);
    const body = await this.call('POST', `/cve/${encodeURIComponent(id)}/reject`, { cnaContainer });
    return isObject(body.created) ? body.created : body;
  }

  /** The published or rejected record of an id. */
  async getRecord(cveId: string): Promise<Json> {
    const id = checkCveId(cveId);
    return this.call('GET', `/cve/${encodeURIComponent(id)}`);
  }

  private async call(method: 'GET' | 'POST' | 'PUT', path: string, body?: Json): Promise<Json> {
    const url = `${this.base}${path}`;
    const what = `${method} ${path.split('?')[0]}`;
    const started = Date.now();
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method,
        headers: {
          'CVE-API-ORG': this.config.org,
          'CVE-API-USER': this.config.user,
          'CVE-API-KEY': this.config.key,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : null,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      this.log?.warn({ cveServices: what, ms: Date.now() - started, timedOut }, 'CVE Services request failed');
      throw new AppError(
        'ERR_UPSTREAM',
        timedOut
          ? `CVE Services did not answer ${what} within ${this.config.timeoutMs / 1000} s: try again later`
          : `could not reach CVE Services at ${this.base} (${err instanceof Error ? err.message : String(err)}${cause}): ` +
              'check ACCORD_CVE_SERVICES_URL and the network',
        { service: 'cve-services', request: what, timedOut },
      );
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = null;
    }
    this.log?.info({ cveServices: what, status: res.status, ms: Date.now() - started }, 'CVE Services request');
    if (res.ok && isObject(parsed)) return parsed;
    if (res.ok) {
      throw new AppError('ERR_UPSTREAM', `CVE Services answered ${what} with something that is not a JSON object`, {
        service: 'cve-services',
        request: what,
        status: res.status,
      });
    }
    throw serviceError(what, res.status, isObject(parsed) ? parsed : { message: text.slice(0, 500) });
  }
}

/** The AppError for a refusal by CVE Services, quoting its error code, message and details. */
function serviceError(what: string, status: number, body: ServiceError): AppError {
  const code = typeof body.error === 'string' ? body.error : `HTTP_${status}`;
  const message = typeof body.message === 'string' ? body.message : `HTTP ${status}`;
  let hint = '';
  if (status === 401) {
    hint = ': check ACCORD_CVE_SERVICES_ORG, ACCORD_CVE_SERVICES_USER and ACCORD_CVE_SERVICES_KEY';
  } else if (code === 'INVALID_JSON_SCHEMA') {
    const errors = isObject(body.details) && Array.isArray(body.details.errors) ? body.details.errors : [];
    const listed = errors
      .slice(0, 5)
      .map((e) => (isObject(e) ? `${str(e.instancePath ?? e.property)} ${str(e.message)}`.trim() : String(e)))
      .join('; ');
    if (listed) hint = `: ${listed}${errors.length > 5 ? ` (and ${errors.length - 5} more)` : ''}`;
  }
  return new AppError('ERR_UPSTREAM', `CVE Services refused ${what} (${status} ${code}): ${message}${hint}`, {
    service: 'cve-services',
    request: what,
    status,
    error: code,
    serviceMessage: message,
    serviceDetails: body.details ?? null,
  });
}
