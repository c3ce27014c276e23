import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCveCna } from '../advisories/cve.ts';
import { sampleAdvisory } from '../advisories/sample.ts';
import { AppError } from '../core/errors.ts';
import { validateDocument } from '../formats/validate.ts';
import { CveServicesClient, type CveServicesConfig } from './client.ts';
import { startCveServicesStandIn, type CveServicesStandIn } from './standin.ts';

const KEY = 'a-very-secret-api-key';
const ORG_ID = '6b8e2c1a-2f86-4a53-9d4c-3d1c7c5b1e11';

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

function container(cve: string): Record<string, unknown> {
  const doc = sampleAdvisory();
  const v = { ...doc.content.vulnerabilities[0]!, cve };
  return toCveCna(doc, v, { orgId: ORG_ID, shortName: 'example' });
}

describe('CVE Services client against the stand-in', () => {
  let standIn: CveServicesStandIn;
  let config: CveServicesConfig;
  let client: CveServicesClient;
  const logged: unknown[] = [];
  const log = {
    info: (o: object, m?: string) => logged.push([o, m]),
    warn: (o: object, m?: string) => logged.push([o, m]),
    error: (o: object, m?: string) => logged.push([o, m]),
  };

  beforeAll(async () => {
    standIn = await startCveServicesStandIn({
      orgs: [
        { shortName: 'example', orgId: ORG_ID, users: [{ username: 'psirt@example.org', key: KEY }], idQuota: 20 },
        { shortName: 'other', users: [{ username: 'o@other.example', key: 'other-key' }] },
      ],
    });
    config = { url: standIn.url, org: 'example', user: 'psirt@example.org', key: KEY, timeoutMs: 5000 };
    client = new CveServicesClient(config, log);
  });
  afterAll(async () => standIn.close());

  it('reserves one id, a sequential batch and a non-sequential batch, and reads an id back', async () => {
    const one = await client.reserve({ amount: 1, year: 2026 });
    expect(one.ids).toHaveLength(1);
    expect(one.ids[0]).toMatchObject({ cveYear: '2026', state: 'RESERVED', owningCna: 'example' });
    expect(one.ids[0]!.requestedBy).toEqual({ cna: 'example', user: 'psirt@example.org' });
    expect(one.remainingQuota).toBe(19);

    const seq = await client.reserve({ amount: 3, year: 2027, batchType: 'sequential' });
    const numbers = seq.ids.map((i) => Number(i.cveId.split('-')[2]));
    expect(numbers).toEqual([numbers[0], numbers[0]! + 1, numbers[0]! + 2]);

    const non = await client.reserve({ amount: 2, year: 2027, batchType: 'nonsequential' });
    expect(non.ids).toHaveLength(2);
    expect(non.remainingQuota).toBe(14);

    const info = await client.getId(one.ids[0]!.cveId);
    expect(info).toMatchObject({ cveId: one.ids[0]!.cveId, state: 'RESERVED' });
    const reserved2027 = await client.listIds({ state: 'RESERVED', year: 2027 });
    expect(reserved2027.map((i) => i.cveId).sort()).toEqual([...seq.ids, ...non.ids].map((i) => i.cveId).sort());
  });

  it('publishes a CNA container built by the exporter, updates it, and rejects another id', async () => {
    const [a, b] = (await client.reserve({ amount: 2, year: 2026, batchType: 'sequential' })).ids;
    const cna = container(a!.cveId);
    expect((await validateDocument(cna, 'cve')).valid).toBe(true);

    const created = await client.publish(a!.cveId, cna);
    expect(created).toMatchObject({ dataType: 'CVE_RECORD', cveMetadata: { cveId: a!.cveId, state: 'PUBLISHED' } });
    // What the stand-in stored is a valid full CVE 5.1 record.
    expect((await validateDocument(created, 'cve')).valid).toBe(true);
    expect((await client.getId(a!.cveId)).state).toBe('PUBLISHED');

    // A second POST is refused by the service; PUT updates.
    const again = await rejection(client.publish(a!.cveId, cna));
    expect(again.details).toMatchObject({ status: 400, error: 'CVE_RECORD_EXISTS' });
    const updated = await client.update(a!.cveId, { ...cna, title: 'Updated title' });
    expect((updated.containers as { cna: { title: string } }).cna.title).toBe('Updated title');
    expect(((await client.getRecord(a!.cveId)).containers as { cna: { title: string } }).cna.title).toBe(
      'Updated title',
    );

    const rejected = await client.reject(b!.cveId, [{ lang: 'en', value: 'Duplicate of another CVE.' }], [a!.cveId]);
    expect(rejected).toMatchObject({ cveMetadata: { cveId: b!.cveId, state: 'REJECTED' } });
    expect((await client.getId(b!.cveId)).state).toBe('REJECTED');
  });

  it('reports the schema errors when the stand-in refuses an invalid record', async () => {
    const [a] = (await client.reserve({ amount: 1, year: 2026 })).ids;
    const bad = container(a!.cveId);
    delete bad.affected;
    (bad.descriptions as unknown[]).length = 0;
    const err = await rejection(client.publish(a!.cveId, bad));
    expect(err.code).toBe('ERR_UPSTREAM');
    expect(err.details).toMatchObject({ status: 400, error: 'INVALID_JSON_SCHEMA' });
    expect(err.message).toContain('CVE JSON schema validation FAILED.');
    expect(err.message).toContain("must have required property 'affected'");
    const errors = (err.details.serviceDetails as { errors: { instancePath: string }[] }).errors;
    expect(errors.some((e) => e.instancePath === '/cnaContainer/descriptions')).toBe(true);
    // Nothing was published.
    expect((await client.getId(a!.cveId)).state).toBe('RESERVED');
  });

  it('turns bad credentials, a foreign id and bad parameters into clear errors', async () => {
    const wrong = new CveServicesClient({ ...config, key: 'not-the-key' }, log);
    const unauthorized = await rejection(wrong.reserve({ amount: 1, year: 2026 }));
    expect(unauthorized.code).toBe('ERR_UPSTREAM');
    expect(unauthorized.details).toMatchObject({ status: 401, error: 'UNAUTHORIZED' });
    expect(unauthorized.message).toContain('ACCORD_CVE_SERVICES_KEY');

    const missingUser = await rejection(new CveServicesClient({ ...config, user: '' }).getId('CVE-2026-1001'));
    expect(missingUser.details).toMatchObject({ status: 400, error: 'BAD_REQUEST' });
    expect(missingUser.message).toContain('CVE-API-USER header field required.');

    const other = new CveServicesClient({ ...config, org: 'other', user: 'o@other.example', key: 'other-key' });
    const [theirs] = (await other.reserve({ amount: 1, year: 2026 })).ids;
    const foreign = await rejection(client.publish(theirs!.cveId, container(theirs!.cveId)));
    expect(foreign.details).toMatchObject({ status: 403, error: 'ORG_DOES_NOT_OWN_ID' });

    const tooMany = await rejection(client.reserve({ amount: 11, year: 2026, batchType: 'nonsequential' }));
    expect(tooMany.details).toMatchObject({ error: 'OVER_NONSEQUENTIAL_MAX_AMOUNT' });
    const badYear = await rejection(client.reserve({ amount: 1, year: 1900 }));
    expect(badYear.details).toMatchObject({ status: 400, error: 'BAD_INPUT' });
    expect((badYear.details.serviceDetails as { param: string }[])[0]!.param).toBe('cve_year');
    expect((await rejection(client.getId('CVE-2026-99999'))).details).toMatchObject({
      status: 404,
      error: 'CVE_ID_NOT_FOUND',
    });
    await expect(client.getId('not-a-cve')).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  });

  it('times out, reports an unreachable service, and never logs the key', async () => {
    const slow: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error));
      });
    const timedOut = await rejection(
      new CveServicesClient({ ...config, timeoutMs: 50 }, log, slow).getId('CVE-2026-1001'),
    );
    expect(timedOut.code).toBe('ERR_UPSTREAM');
    expect(timedOut.message).toContain('did not answer');
    expect(timedOut.details.timedOut).toBe(true);

    const down = await rejection(
      new CveServicesClient({ ...config, url: 'http://127.0.0.1:9/api' }, log).getId('CVE-2026-1001'),
    );
    expect(down.message).toContain('could not reach CVE Services');

    expect(logged.length).toBeGreaterThan(5);
    expect(JSON.stringify(logged)).not.toContain(KEY);
    expect(JSON.stringify(logged)).not.toContain('not-the-key');
  });
});
