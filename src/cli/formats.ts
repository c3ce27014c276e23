/**
 * Commands that work on files and vectors, without an instance: `accord cvss score` and `accord advisory validate`.
 * Both print one JSON object (or, for validate without --json, one block of text) per input and exit 1 when any
 * input is invalid.
 */
import fs from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { AppError } from '../core/errors.ts';
import {
  type DocumentKind,
  type ValidationResult,
  documentKindNames,
  documentKinds,
  validateDocument,
} from '../formats/validate.ts';
import { type CvssResult, cvssSeverity, parseCvss } from '../scores/cvss.ts';

/** The `advisory` command group, created once whichever module registers its subcommands first. */
export function advisoryCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'advisory') ??
    program.command('advisory').description('machine-readable advisories (CSAF 2.0, CVE JSON 5, OSV, OpenVEX)')
  );
}

/** What `accord cvss score` prints for a vector. */
export function cvssScoreOutput(input: string): Record<string, unknown> {
  const r = parseCvss(input);
  if (!r.ok) return { input, valid: false, error: r.error, problems: r.problems };
  return { input, valid: true, ...describeCvss(r) };
}

function describeCvss(r: CvssResult): Record<string, unknown> {
  const severities = Object.fromEntries(
    Object.entries(r.scores as Record<string, number>).map(([k, v]) => [k, cvssSeverity(v)]),
  );
  return {
    version: r.version,
    vector: r.vector,
    ...(r.version === '4.0' ? { nomenclature: r.nomenclature } : {}),
    score: r.score,
    severity: r.severity,
    scores: r.scores,
    severities,
  };
}

async function readLines(stream: NodeJS.ReadableStream): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

const out = (line: string) => process.stdout.write(`${line}\n`);

export function registerFormatCommands(program: Command): void {
  program
    .command('cvss')
    .description('CVSS 3.0, 3.1 and 4.0 vectors')
    .command('score')
    .description(
      'score CVSS vectors: prints one JSON object per vector (version, normalized vector, scores and severities, or ' +
        'the error naming the bad metric); reads one vector per line from standard input when none is given; ' +
        'exits 1 if any vector is invalid',
    )
    .argument('[vector...]', 'CVSS vectors, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')
    .action(async (vectors: string[]) => {
      const inputs = vectors.length > 0 ? vectors : await readLines(process.stdin);
      if (inputs.length === 0) {
        throw new AppError(
          'ERR_VALIDATION',
          'no CVSS vector given: pass vectors as arguments or one per line on stdin',
        );
      }
      let invalid = 0;
      for (const input of inputs) {
        const result = cvssScoreOutput(input);
        if (result.valid === false) invalid++;
        out(JSON.stringify(result));
      }
      if (invalid > 0) process.exitCode = 1;
    });

  advisoryCommand(program)
    .command('validate')
    .description(
      'validate advisory files: CSAF 2.0 (schema, mandatory tests 6.1, recommended 6.2 as warnings), CVE JSON 5.1 ' +
        'record or CNA container, OSV or OpenVEX 0.2, the kind detected from the content; exits 1 if any is invalid',
    )
    .argument('<file...>', 'JSON files')
    .option('--json', 'print one JSON object per file instead of text')
    .addOption(new Option('--kind <kind>', 'validate as this kind instead of detecting it').choices([...documentKinds]))
    .action(async (files: string[], o: { json?: boolean; kind?: DocumentKind }) => {
      let invalid = 0;
      for (const file of files) {
        const report = await validateFile(file, o.kind);
        if (!report.valid) invalid++;
        out(o.json ? JSON.stringify(report) : formatReport(report));
      }
      if (invalid > 0) process.exitCode = 1;
    });
}

type FileReport = ({ file: string } & ValidationResult) | { file: string; valid: false; error: string };

async function validateFile(file: string, kind: DocumentKind | undefined): Promise<FileReport> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { file, valid: false, error: code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? 'error'})` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { file, valid: false, error: `not JSON: ${(err as Error).message}` };
  }
  try {
    return { file, ...(await validateDocument(doc, kind)) };
  } catch (err) {
    if (err instanceof AppError) return { file, valid: false, error: err.message };
    throw err;
  }
}

function formatReport(r: FileReport): string {
  if ('error' in r) return `${r.file}: invalid: ${r.error}`;
  const count = (s: string) => r.findings.filter((f) => f.severity === s).length;
  const tally = [`${count('error')} error(s)`, `${count('warning')} warning(s)`, `${count('info')} info(s)`].join(', ');
  const head = `${r.file}: ${r.valid ? 'valid' : 'invalid'} ${documentKindNames[r.kind]} (${tally})`;
  const lines = r.findings.map(
    (f) => `  ${f.severity}${f.test !== undefined ? ` [${f.test}]` : ''} ${f.path === '' ? '/' : f.path}: ${f.message}`,
  );
  return [head, ...lines].join('\n');
}
