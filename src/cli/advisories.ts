/**
 * `accord advisory export CASE-OR-ADVISORY --format csaf|csaf-vex|cve|cve-cna|osv|openvex|md|html`: the same
 * export as the API (validated before it is printed; an invalid one exits 1 with the validator's findings).
 */
import fs from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { Ctx } from '../app/context.ts';
import { AppError, validation } from '../core/errors.ts';
import type { Finding } from '../formats/validate.ts';
import { exportAdvisory, exportFormats, type ExportFormat } from '../advisories/export.ts';
import {
  importIntoCase,
  importStandaloneAdvisory,
  type ImportResult,
  type StandaloneImportResult,
} from '../advisories/import/commands.ts';
import { importReportText, standaloneReportText } from '../advisories/import/present.ts';
import { advisoryTlps } from '../advisories/rules.ts';
import { advisoryCommand } from './formats.ts';

async function readImportFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw validation(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? 'error'})`}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw validation(`${file} is not JSON: ${(err as Error).message}`);
  }
}

const findingLines = (findings: Finding[]) =>
  findings
    .map(
      (f) =>
        `  ${f.severity}${f.test !== undefined ? ` [${f.test}]` : ''} ${f.path === '' ? '/' : f.path}: ${f.message}\n`,
    )
    .join('');

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

  // accord advisory import: an upstream CSAF 2.0, CVE JSON 5 or OSV document into a case, or (without a
  // case) as a new standalone draft advisory.
  advisoryCommand(program)
    .command('import')
    .description(
      'import a CSAF 2.0, CVE JSON 5 or OSV file into a case: vulnerabilities by CVE id, statuses as the vendor ' +
        "participants' statements; without a case, as a new standalone draft advisory (product tree, " +
        'vulnerabilities, statuses, notes, references, remediations). Prints what was applied and what could not ' +
        "be mapped. An invalid file is refused with the validator's findings (exit 1)",
    )
    .argument('<case-or-file>', 'a case id (CASE-2026-0001) or a case UUID; only the file: a standalone draft')
    .argument('[file]', 'the JSON document')
    .option('--dry-run', 'show what the import would do, change nothing')
    .addOption(
      new Option('--tlp <label>', "the standalone draft's TLP (default: the document's own, else AMBER)").choices([
        ...advisoryTlps,
      ]),
    )
    .option('--json', 'print the report as JSON')
    .action(
      async (first: string, second: string | undefined, opts: { dryRun?: boolean; json?: boolean; tlp?: string }) => {
        const standalone = second === undefined;
        if (!standalone && opts.tlp !== undefined) {
          throw validation('--tlp is for a standalone draft (no case): an import into a case creates no advisory');
        }
        const document = await readImportFile(second ?? first);
        let result: ImportResult | StandaloneImportResult;
        try {
          result = await withInstance<ImportResult | StandaloneImportResult>((ctx) =>
            standalone
              ? importStandaloneAdvisory(ctx, { document, dryRun: opts.dryRun, tlp: opts.tlp })
              : importIntoCase(ctx, first, { document, dryRun: opts.dryRun }),
          );
        } catch (err) {
          const findings = err instanceof AppError ? err.details.findings : undefined;
          if (!(err instanceof AppError) || !Array.isArray(findings)) throw err;
          // Refused as invalid: every finding of the validator, not only the first ones the message names.
          if (opts.json) {
            process.stdout.write(`${JSON.stringify({ error: { code: err.code, message: err.message, findings } })}\n`);
          } else {
            process.stderr.write(`accord: ${err.message}\n${findingLines(findings as Finding[])}`);
          }
          process.exitCode = 1;
          return;
        }
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(result, null, 2)}\n`
            : 'advisory' in result
              ? standaloneReportText(result)
              : importReportText(result),
        );
      },
    );
}
