/**
 * `accord cve reserve|publish|reject|sync`: CVE Services for CNAs from the command line (ACCORD_CVE_SERVICES_*), the
 * same commands as the API. Each prints one JSON object per result on standard output.
 */
import type { Command } from 'commander';
import type { Ctx } from '../app/context.ts';
import { publishCveRecord, rejectCveId, reserveCveIds, syncCveIds } from '../cveservices/commands.ts';

const whole = (name: string) => (raw: string) => {
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number (got "${raw}")`);
  return Number(raw);
};

const line = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

export function registerCveCommands(
  program: Command,
  withInstance: <T>(fn: (ctx: Ctx) => Promise<T>) => Promise<T>,
): void {
  const cve = program.command('cve').description('CVE Services: reserve CVE ids and publish CVE records');

  cve
    .command('reserve')
    .description('reserve CVE ids: one for a case vulnerability (stored on it), or --amount ids for later')
    .option('--amount <n>', 'how many ids (for later; a vulnerability gets one)', whole('--amount'))
    .option('--year <year>', 'the CVE year (default: this year)', whole('--year'))
    .option('--case <case>', 'the case of the vulnerability (CASE-2026-0001)')
    .option('--vulnerability <id>', 'the vulnerability (its id) that gets the CVE id')
    .action(async (o: { amount?: number; year?: number; case?: string; vulnerability?: string }) => {
      const result = await withInstance((ctx) =>
        reserveCveIds(ctx, { amount: o.amount, year: o.year, caseRef: o.case, vulnerabilityId: o.vulnerability }),
      );
      for (const r of result.reservations) {
        line({ cveId: r.cve_id, state: r.state, vulnerabilityId: r.vulnerability_id, fromPool: result.fromPool });
      }
    });

  cve
    .command('publish')
    .description('publish (or update) a CVE record from an approved TLP:CLEAR advisory whose case is public')
    .argument('<cve-id>', 'the CVE id (CVE-2026-1234)')
    .requiredOption('--advisory <ref>', 'the advisory (tracking id or id), or a case id with one advisory')
    .action(async (cveId: string, o: { advisory: string }) => {
      const result = await withInstance((ctx) => publishCveRecord(ctx, cveId, { advisory: o.advisory }));
      line({ cveId: result.cveId, action: result.action, advisory: result.trackingId });
    });

  cve
    .command('reject')
    .description('reject a reserved CVE id that no record uses')
    .argument('<cve-id>', 'the CVE id')
    .requiredOption('--reason <text>', 'why it is rejected (English)')
    .action(async (cveId: string, o: { reason: string }) => {
      const row = await withInstance((ctx) => rejectCveId(ctx, cveId, o.reason));
      line({ cveId: row.cve_id, state: row.state });
    });

  cve
    .command('sync')
    .description('record the ids CVE Services holds for the configured user (after a failure), with their state')
    .action(async () => {
      line(await withInstance((ctx) => syncCveIds(ctx)));
    });
}
