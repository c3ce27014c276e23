import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testEngine } from '../../tests/support/engine.ts';

/** `accord cvss score` and `accord advisory validate`, run as a user would through the real `accord` binary. */
const root = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-formats-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function accord(args: string[], input = '') {
  const res = spawnSync(process.execPath, [path.join(root, 'bin/accord.mjs'), ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ACCORD_DATA_DIR: dir,
      ACCORD_LOG_LEVEL: 'warn',
    },
    timeout: 240_000,
  });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function write(name: string, doc: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(doc));
  return file;
}

const osv = {
  schema_version: '1.6.0',
  id: 'GHSA-aaaa-bbbb-cccc',
  modified: '2026-01-02T03:04:05Z',
  affected: [
    {
      package: { ecosystem: 'npm', name: 'left-pad', purl: 'pkg:npm/left-pad' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.1' }] }],
    },
  ],
};

const openvex = {
  '@context': 'https://openvex.dev/ns/v0.2.0',
  '@id': 'https://example.com/vex/2026-0001',
  author: 'Example PSIRT',
  timestamp: '2026-01-02T03:04:05Z',
  version: 1,
  statements: [
    {
      vulnerability: { name: 'CVE-2026-0001' },
      products: [{ '@id': 'pkg:npm/left-pad@1.3.0' }],
      status: 'affected',
      action_statement: 'Update to 1.3.1.',
    },
  ],
};

// A CSAF document that passes the schema but fails mandatory test 6.1.1 (a product id that is not defined).
const csaf = {
  document: {
    category: 'csaf_base',
    csaf_version: '2.0',
    publisher: { category: 'vendor', name: 'Example', namespace: 'https://example.com' },
    title: 'Example advisory',
    tracking: {
      current_release_date: '2026-01-02T03:04:05Z',
      id: 'EX-2026-0001',
      initial_release_date: '2026-01-02T03:04:05Z',
      revision_history: [{ date: '2026-01-02T03:04:05Z', number: '1', summary: 'Initial version.' }],
      status: 'final',
      version: '1',
    },
  },
  product_tree: { full_product_names: [{ name: 'Example Router 1.0', product_id: 'ROUTER-1.0' }] },
  vulnerabilities: [{ cve: 'CVE-2026-0001', product_status: { known_affected: ['ROUTER-2.0'] } }],
};

// These commands use no database, so they are run once, with the embedded engine's suite.
describe.skipIf(testEngine() !== 'embedded')('accord cvss score and advisory validate', { timeout: 600_000 }, () => {
  it('scores vectors given as arguments, names the bad metric of an invalid one and exits 1', () => {
    const res = accord([
      'cvss',
      'score',
      'CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H/E:X',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:U',
      'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    ]);
    expect(res.code).toBe(1);
    const [v31, v40, bad] = lines(res.out);
    expect(v31).toEqual({
      input: 'CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H/E:X',
      valid: true,
      version: '3.1',
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      score: 9.8,
      severity: 'CRITICAL',
      scores: { base: 9.8, temporal: 9.8, environmental: 9.8 },
      severities: { base: 'CRITICAL', temporal: 'CRITICAL', environmental: 'CRITICAL' },
    });
    expect(v40).toMatchObject({
      valid: true,
      version: '4.0',
      nomenclature: 'CVSS-BT',
      score: 8,
      severity: 'HIGH',
      scores: { 'CVSS-B': 9.3, 'CVSS-BT': 8 },
      severities: { 'CVSS-B': 'CRITICAL', 'CVSS-BT': 'HIGH' },
    });
    expect(bad).toMatchObject({ valid: false, error: 'AV (Attack Vector) cannot be "Q" (allowed: N, A, L, P)' });
  });

  it('reads one vector per line from standard input when none is given', () => {
    const res = accord(
      ['cvss', 'score'],
      'CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N\n\nCVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N\n',
    );
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    expect(lines(res.out).map((l) => [l.version, l.score])).toEqual([
      ['3.0', 6.1],
      ['4.0', 9.3],
    ]);
  });

  it('validates files of every kind, prints findings with their paths and exits 1 when one is invalid', () => {
    const files = [
      write('osv.json', osv),
      write('vex.json', openvex),
      write('csaf.json', csaf),
      write('osv-broken.json', { ...osv, modified: 'yesterday' }),
    ];
    fs.writeFileSync(path.join(dir, 'not-json.json'), '{');
    const res = accord(['advisory', 'validate', ...files, path.join(dir, 'not-json.json')]);
    expect(res.code).toBe(1);
    expect(res.out).toContain(`${files[0]}: valid OSV (0 error(s), 0 warning(s), 0 info(s))`);
    expect(res.out).toContain(`${files[1]}: valid OpenVEX 0.2`);
    expect(res.out).toContain(`${files[2]}: invalid CSAF 2.0`);
    expect(res.out).toContain('  error [6.1.1] /vulnerabilities/0/product_status/known_affected/0: ');
    expect(res.out).toContain(`${files[3]}: invalid OSV`);
    expect(res.out).toContain('  error [schema] /modified: must match format "date-time"');
    expect(res.out).toContain('not-json.json: invalid: not JSON');

    const json = accord(['advisory', 'validate', '--json', files[0] ?? '', files[1] ?? '']);
    expect(json.code).toBe(0);
    expect(lines(json.out)).toEqual([
      { file: files[0], kind: 'osv', valid: true, findings: [] },
      { file: files[1], kind: 'openvex', valid: true, findings: [] },
    ]);
  });
});
