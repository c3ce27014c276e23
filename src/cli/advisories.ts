/**
 * `accord advisory export CASE-OR-ADVISORY --format csaf|csaf-vex|cve|cve-cna|osv|openvex|md|html`: the same
 * export as the API (validated before it is printed; an invalid one exits 1 with the validator's findings).
 */
import { type Command, Option } from 'commander';
import type { Ctx } from '../app/context.ts';
import { exportAdvisory, exportFormats, type ExportFormat } from '../advisories/export.ts';
import { advisoryCommand } from './formats.ts';

export function registerAdvisoryCommands(
  program: Command,
  withInstance: <T>(fn: (ctx: Ctx) => Promise<T>) => Promise<T>,
): void {
  advisoryCommand(program)
    .command('export')
    .description(
      'export an advisory (or the one advisory of a case) to standard output, validated first; ' +
        'md is Markdown. CVE records need ACCORD_CVE_ORG_ID and ACCORD_CVE_SHORT_NAME',
    )
    .argument('<case-or-advisory>', 'a case id (CASE-2026-0001), an advisory tracking id or an advisory id')
    .addOption(new Option('--format <format>', 'output format').choices([...exportFormats]).makeOptionMandatory())
    .option('--vulnerability <id>', 'only this vulnerability (CVE id or VULN-n) for cve, cve-cna and osv')
    .action(async (ref: string, opts: { format: ExportFormat; vulnerability?: string }) => {
      const result = await withInstance((ctx) =>
        exportAdvisory(ctx, ref, opts.format, { vulnerability: opts.vulnerability }),
      );
      process.stdout.write(result.body);
    });
}
