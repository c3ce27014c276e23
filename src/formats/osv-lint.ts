/**
 * The offline checks of the OSV linter (ossf/osv-schema `tools/osv-linter`, collection "offline"), which go beyond
 * what the JSON schema can say. Re-implemented here (the linter is a Go program) with the linter's codes:
 * - RNG:001 every range has an `introduced` event;
 * - RNG:002 no version or commit is both where a range starts (`introduced`) and where it is `fixed`;
 * - P0003 `package.purl` is a valid package URL.
 * The linter's network checks (the package and its versions exist in the ecosystem's registry) are not run.
 */
import { parsePurl } from '../identifiers/purl.ts';
import type { Finding } from './findings.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function lintOsv(doc: unknown): Finding[] {
  if (!isObject(doc)) return [];
  const findings: Finding[] = [];
  list(doc.affected).forEach((affected, a) => {
    if (!isObject(affected)) return;
    const pkg = affected.package;
    if (isObject(pkg) && typeof pkg.purl === 'string') {
      const purl = parsePurl(pkg.purl);
      if (!purl.ok) {
        findings.push({ path: `/affected/${a}/package/purl`, message: purl.error, test: 'P0003', severity: 'error' });
      }
    }
    list(affected.ranges).forEach((range, r) => {
      if (!isObject(range)) return;
      const events = list(range.events).filter(isObject);
      const path = `/affected/${a}/ranges/${r}`;
      if (!isObject(pkg) && range.type !== 'GIT') {
        findings.push({
          path: `${path}/type`,
          message: `a range of an entry without a package must be of type GIT, not ${JSON.stringify(range.type)}`,
          test: 'RNG:002',
          severity: 'error',
        });
      }
      if (!events.some((e) => 'introduced' in e)) {
        findings.push({
          path: `${path}/events`,
          message: "the range has no 'introduced' event",
          test: 'RNG:001',
          severity: 'error',
        });
      }
      const starts = new Set(events.map((e) => e.introduced).filter((v) => typeof v === 'string'));
      events.forEach((e, i) => {
        if (typeof e.fixed === 'string' && starts.has(e.fixed)) {
          findings.push({
            path: `${path}/events/${i}/fixed`,
            message: `${JSON.stringify(e.fixed)} is both introduced and fixed in this range, so the range is empty`,
            test: 'RNG:002',
            severity: 'error',
          });
        }
      });
    });
  });
  return findings;
}
