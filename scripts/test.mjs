#!/usr/bin/env node
// The README's test command. Runs the suite on the embedded engine, then on PostgreSQL when
// ACCORD_TEST_DATABASE_URL is set, then the browser journey when Chromium is there (or
// ACCORD_TEST_BROWSER=1 insists), and ends with the line CI reads: "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const vitest = path.resolve('node_modules/.bin/vitest');
const extra = process.argv.slice(2);
const runs = [{ name: 'embedded', config: 'vitest.config.ts', env: { ACCORD_TEST_ENGINE: 'embedded' } }];
if (process.env.ACCORD_TEST_DATABASE_URL) {
  runs.push({ name: 'postgres', config: 'vitest.config.ts', env: { ACCORD_TEST_ENGINE: 'postgres' } });
}
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const browserWanted = process.env.ACCORD_TEST_BROWSER ?? (fs.existsSync(chromium) ? '1' : '0');
if (browserWanted === '1' && fs.existsSync('vitest.browser.config.ts')) {
  runs.push({ name: 'browser', config: 'vitest.browser.config.ts', env: {} });
} else {
  console.log(`browser tests skipped: no Chromium at ${chromium} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
}

const totals = { passed: 0, failed: 0, skipped: 0 };
let ok = true;
for (const run of runs) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'accord-vitest-')), 'results.json');
  console.log(`\n=== tests on ${run.name} ===`);
  const res = spawnSync(
    vitest,
    ['run', '--config', run.config, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...extra],
    { stdio: 'inherit', env: { ...process.env, ...run.env } },
  );
  if (res.status !== 0) ok = false;
  if (fs.existsSync(out)) {
    const r = JSON.parse(fs.readFileSync(out, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + r.numTodoTests;
    if (r.numFailedTestSuites > 0 && r.numFailedTests === 0) totals.failed += r.numFailedTestSuites;
  } else {
    totals.failed += 1;
  }
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(ok && totals.failed === 0 ? 0 : 1);
