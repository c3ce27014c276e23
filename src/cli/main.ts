import os from 'node:os';
import { Command, Option } from 'commander';
import type { Ctx } from '../app/context.ts';
import { verifyAuditChain } from '../audit/verify.ts';
import { createApiToken } from '../auth/tokens.ts';
import { backup, restore } from '../backup/backup.ts';
import { loadConfig, type Config } from '../config/config.ts';
import { AppError } from '../core/errors.ts';
import { openDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { listOutbox } from '../mail/queries.ts';
import { createOrg } from '../orgs/commands.ts';
import { staffRoles, systemActor } from '../policy/actor.ts';
import { createLogger, openInstance, packageVersion, serve } from '../server/serve.ts';
import { createUser, setPassword } from '../users/commands.ts';
import { findUserByEmail, membershipsOf, toActor } from '../users/queries.ts';
import { registerAdvisoryCommands } from './advisories.ts';
import { registerCaseCommands } from './cases.ts';
import { registerCveCommands } from './cve.ts';
import { registerFormatCommands } from './formats.ts';
import { readStdinSecret } from './stdin.ts';

/**
 * The `accord` command line. Every subcommand calls the same commands as the HTTP API, acting as
 * the system (the operator has the server's own rights), and every change is in the audit log.
 */
const say = (message: string) => process.stderr.write(`${message}\n`);

function config(): Config {
  return loadConfig(process.env);
}

async function withInstance<T>(fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  const cfg = config();
  const log = createLogger({ ...cfg, logLevel: cfg.logLevel === 'info' ? 'warn' : cfg.logLevel });
  const { handle, ctx } = await openInstance(cfg, log);
  try {
    return await fn({ ...ctx, actor: systemActor(`cli:${os.userInfo().username}`) });
  } finally {
    await handle.close();
  }
}

export function buildCli(): Command {
  const program = new Command('accord')
    .description('Accord: coordinated vulnerability disclosure platform')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('serve')
    .description('run the web server and job worker')
    .action(async () => {
      await serve(config());
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const cfg = config();
      const handle = await openDatabase(cfg);
      try {
        const applied = await migrateToLatest(handle.db);
        say(
          applied.length
            ? `applied ${applied.length} migration(s): ${applied.join(', ')}`
            : 'the database is up to date',
        );
      } finally {
        await handle.close();
      }
    });

  const user = program.command('user').description('manage users');
  user
    .command('add')
    .description('create a user (e.g. the first administrator)')
    .requiredOption('--email <email>', 'e-mail address (the login)')
    .requiredOption('--name <name>', 'display name')
    .addOption(new Option('--role <role>', 'staff role in the home organization').choices([...staffRoles]))
    .option('--password-stdin', 'read the password from standard input')
    .option('--locale <locale>', 'en or ja', 'en')
    .option('--time-zone <zone>', 'IANA time zone', 'UTC')
    .action(
      async (o: {
        email: string;
        name: string;
        role?: string;
        passwordStdin?: boolean;
        locale: string;
        timeZone: string;
      }) => {
        const password = o.passwordStdin ? await readStdinSecret('password') : null;
        await withInstance(async (ctx) => {
          const u = await createUser(ctx, {
            email: o.email,
            name: o.name,
            password,
            staffRole: o.role ?? null,
            locale: o.locale,
            timeZone: o.timeZone,
          });
          process.stdout.write(`${JSON.stringify({ id: u.id, email: u.email, role: o.role ?? null })}\n`);
          if (!password) say('no password set: use "accord user set-password" or the password reset link');
        });
      },
    );
  user
    .command('set-password')
    .description("set a user's password (ends their sessions)")
    .requiredOption('--email <email>', 'the user')
    .requiredOption('--password-stdin', 'read the password from standard input')
    .action(async (o: { email: string }) => {
      const password = await readStdinSecret('password');
      await withInstance(async (ctx) => {
        const u = await findUserByEmail(ctx.db, o.email);
        if (!u) throw new AppError('ERR_NOT_FOUND', `no user with e-mail ${o.email}`);
        await setPassword(ctx, u.id, password);
        say(`password of ${u.email} changed`);
      });
    });

  program
    .command('org')
    .description('manage organizations')
    .command('add')
    .description('create an external organization')
    .requiredOption('--name <name>', 'organization name')
    .requiredOption('--kind <kind>', 'vendor, coordinator, finder, deployer or other')
    .option('--website <url>', 'web site')
    .action(async (o: { name: string; kind: string; website?: string }) => {
      await withInstance(async (ctx) => {
        const org = await createOrg(ctx, o);
        process.stdout.write(`${JSON.stringify({ id: org.id, name: org.name, kind: org.kind })}\n`);
      });
    });

  program
    .command('token')
    .description('manage API tokens')
    .command('create')
    .description('create a personal API token for a user; prints the token once')
    .requiredOption('--email <email>', "the token's owner")
    .requiredOption('--name <name>', 'what the token is for')
    .option('--expires-days <days>', 'lifetime in days (1-366)', '90')
    .action(async (o: { email: string; name: string; expiresDays: string }) => {
      await withInstance(async (ctx) => {
        const u = await findUserByEmail(ctx.db, o.email);
        if (!u) throw new AppError('ERR_NOT_FOUND', `no user with e-mail ${o.email}`);
        const days = Number(o.expiresDays);
        const owner = toActor(u, await membershipsOf(ctx.db, u.id), 'cli');
        const { token } = await createApiToken({ ...ctx, actor: owner }, { name: o.name, expiresInDays: days });
        process.stdout.write(`${token}\n`);
      });
    });

  program
    .command('audit')
    .description('audit log tools')
    .command('verify')
    .description('check the audit hash chain; exits 1 at the first altered or missing event')
    .action(async () => {
      await withInstance(async (ctx) => {
        const result = await verifyAuditChain(ctx.db, (n) => say(`checked ${n} events…`));
        if (result.ok) {
          process.stdout.write(`audit log intact: ${result.checked} events\n`);
        } else {
          process.stdout.write(`audit log BROKEN at event #${result.problem?.seq}: ${result.problem?.message}\n`);
          process.exitCode = 1;
        }
      });
    });

  program
    .command('outbox')
    .description('show the newest mails in the outbox (where mail waits when SMTP is not configured)')
    .option('--to <email>', 'only mail to this address')
    .option('--limit <n>', 'how many', '10')
    .action(async (o: { to?: string; limit: string }) => {
      await withInstance(async (ctx) => {
        const page = await listOutbox(ctx.db, { ...(o.to ? { to: o.to } : {}), limit: Number(o.limit) });
        for (const m of page.items) {
          process.stdout.write(
            `--- ${m.created_at.toISOString()} ${m.status} to ${m.to_address}\nSubject: ${m.subject}\n\n${m.body_text}\n`,
          );
        }
      });
    });

  program
    .command('backup')
    .description("write a consistent snapshot of all data to FILE (gzip'd JSON lines)")
    .argument('<file>', 'where to write the backup')
    .action(async (file: string) => {
      const cfg = config();
      const handle = await openDatabase(cfg);
      try {
        await migrateToLatest(handle.db);
        const counts = await backup(handle.db, file, say);
        say(`backup written to ${file} (${Object.values(counts).reduce((a, b) => a + b, 0)} rows)`);
      } finally {
        await handle.close();
      }
    });

  program
    .command('restore')
    .description('restore a backup into an EMPTY instance (a new data directory or an empty PostgreSQL database)')
    .argument('<file>', 'a file made by "accord backup"')
    .action(async (file: string) => {
      const cfg = config();
      const handle = await openDatabase(cfg);
      try {
        const counts = await restore(handle.db, file, say);
        say(`restored ${Object.values(counts).reduce((a, b) => a + b, 0)} rows from ${file}`);
      } finally {
        await handle.close();
      }
    });

  registerFormatCommands(program);
  registerAdvisoryCommands(program, withInstance);
  registerCaseCommands(program, withInstance);
  registerCveCommands(program, withInstance);

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof AppError) {
      say(`accord: ${err.message}`);
      process.exitCode = 1;
      return;
    }
    say(`accord: unexpected error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  }
}
