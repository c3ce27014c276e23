import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pino from 'pino';
import type { Ctx } from '../app/context.ts';
import { startAuthCache } from '../auth/cache.ts';
import { caseReminderJob, REMINDER_JOB } from '../cases/reminders.ts';
import { POSTMORTEM_SWEEP_JOB, postmortemSweepJob } from '../casework/commands.ts';
import { acceptIntakeMail, INTAKE_JOB, intakeMailJob } from '../intake/commands.ts';
import { METRICS_REFRESH_JOB, metricsRefreshJob } from '../metrics/commands.ts';
import { SLA_ALERT_JOB, SLA_REFRESH_JOB, slaAlertJob, slaRefreshJob } from '../slapolicy/commands.ts';
import { startIntakeSmtp, type IntakeSmtp } from '../intake/smtp.ts';
import { ensureInstanceKey } from '../keys/commands.ts';
import type { Config } from '../config/config.ts';
import { openDatabase, type DatabaseHandle } from '../db/connect.ts';
import { EMBARGO_END_JOB, embargoEndJob } from '../embargo/commands.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { buildApp } from '../http/app.ts';
import { pruneRateLimits } from '../http/rate-limit-store.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { startWorker, type JobHandler } from '../jobs/worker.ts';
import { MAIL_JOB } from '../mail/outbox.ts';
import { mailSendHandler } from '../mail/transport.ts';
import {
  DIGEST_JOB,
  DIGEST_SWEEP_JOB,
  digestJob,
  digestSweepJob,
  dropExpiredWebhookSecrets,
} from '../notifications/commands.ts';
import { webhookDeliveryJob } from '../notifications/delivery.ts';
import { NOTIFY_JOB, WEBHOOK_JOB } from '../notifications/dispatch.ts';
import { notificationJob } from '../notifications/send.ts';
import { ensureHomeOrg } from '../orgs/commands.ts';
import { systemActor } from '../policy/actor.ts';
import { publicationJobHandlers } from '../publication/jobs.ts';

export const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(rootDir, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function createLogger(config: Config) {
  return pino({ level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] });
}

/** Opens the database, applies migrations and makes sure the home organization exists. */
export async function openInstance(
  config: Config,
  log: Ctx['log'],
  phase: (name: string) => void = () => {},
): Promise<{ handle: DatabaseHandle; ctx: Ctx }> {
  const handle = await openDatabase(config);
  phase('database');
  try {
    const applied = await migrateToLatest(handle.db);
    phase('migrate');
    if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
    const ctx: Ctx = {
      db: handle.db,
      config,
      log,
      actor: systemActor('startup'),
      meta: { requestId: null, ip: null },
      now: () => new Date(),
    };
    await ensureHomeOrg(ctx);
    await ensureInstanceKey(ctx);
    phase('instance');
    return { handle, ctx };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

export function jobHandlers(config: Config): Record<string, JobHandler> {
  const handlers: Record<string, JobHandler> = {
    'maintenance.prune': async (ctx) => {
      await pruneRateLimits(ctx.db);
      const now = ctx.now();
      await ctx.db.deleteFrom('sessions').where('expires_at', '<', now).execute();
      await dropExpiredWebhookSecrets(ctx.db, now); // webhook secrets past a rotation's grace period
      const weekAgo = new Date(now.getTime() - 7 * 86400_000);
      await ctx.db.deleteFrom('jobs').where('status', '=', 'done').where('finished_at', '<', weekAgo).execute();
      // PGlite runs no autovacuum: refresh the planner's statistics (which also tell similar-report
      // suggestions how common each term is). PostgreSQL's autovacuum does this on its own.
      if (config.databaseUrl === null) await sql`analyze`.execute(ctx.db);
    },
  };
  if (config.smtp) handlers[MAIL_JOB] = mailSendHandler(config.smtp, config.mailFrom);
  handlers[INTAKE_JOB] = intakeMailJob;
  handlers[REMINDER_JOB] = caseReminderJob;
  handlers[DIGEST_SWEEP_JOB] = async (ctx) => {
    await digestSweepJob(ctx);
  };
  handlers[DIGEST_JOB] = digestJob;
  handlers[WEBHOOK_JOB] = webhookDeliveryJob;
  handlers[NOTIFY_JOB] = notificationJob;
  handlers[EMBARGO_END_JOB] = embargoEndJob;
  handlers[POSTMORTEM_SWEEP_JOB] = async (ctx) => {
    await postmortemSweepJob(ctx);
  };
  Object.assign(handlers, publicationJobHandlers);
  handlers[METRICS_REFRESH_JOB] = async (ctx) => {
    await metricsRefreshJob(ctx);
  };
  handlers[SLA_ALERT_JOB] = slaAlertJob;
  handlers[SLA_REFRESH_JOB] = slaRefreshJob;
  return handlers;
}

/** Ends what handlers keep open between jobs (the pooled SMTP connections). */
function closeJobHandlers(handlers: Record<string, JobHandler>): void {
  for (const handler of Object.values(handlers)) {
    if ('close' in handler && typeof handler.close === 'function') (handler as { close(): void }).close();
  }
}

/** `accord serve`: HTTP server + job worker, stopped cleanly on SIGINT/SIGTERM. */
export async function serve(config: Config): Promise<void> {
  const started = Date.now();
  const phases: Record<string, number> = {};
  let phaseStart = started;
  const phase = (name: string) => {
    const now = Date.now();
    phases[name] = now - phaseStart;
    phaseStart = now;
  };
  const logger = createLogger(config);
  const { handle, ctx } = await openInstance(config, logger, phase);
  const webDir = path.join(rootDir, 'web', 'dist');
  const authCache = await startAuthCache(handle, logger);
  const app = await buildApp(
    { db: handle.db, config, log: logger, now: () => new Date(), authCache: authCache.cache },
    { engine: handle.engine, version: packageVersion(), webDir, loggerInstance: logger },
  );
  phase('app');
  const handlers = jobHandlers(config);
  const worker = startWorker({ ...ctx, actor: systemActor('jobs') }, handlers);
  const schedulePrune = () => {
    const hour = new Date().toISOString().slice(0, 13);
    enqueueJob(handle.db, { kind: 'maintenance.prune', payload: {}, uniqueKey: `prune:${hour}` }, new Date()).catch(
      (err: unknown) => logger.warn({ err }, 'could not schedule maintenance'),
    );
    // Daily digests: one sweep per ten minutes across all nodes enqueues the digests now due.
    const slot = new Date().toISOString().slice(0, 15);
    enqueueJob(handle.db, { kind: DIGEST_SWEEP_JOB, payload: {}, uniqueKey: `digest-sweep:${slot}` }, new Date()).catch(
      (err: unknown) => logger.warn({ err }, 'could not schedule the digest sweep'),
    );
    // Post-mortems falling due after release: one sweep per ten minutes across all nodes.
    enqueueJob(
      handle.db,
      { kind: POSTMORTEM_SWEEP_JOB, payload: {}, uniqueKey: `postmortem-sweep:${slot}` },
      new Date(),
    ).catch((err: unknown) => logger.warn({ err }, 'could not schedule the post-mortem sweep'));
    // Metrics and SLA clocks: a full recomputation from the events (and new SLA alerts) per ten minutes.
    enqueueJob(
      handle.db,
      { kind: METRICS_REFRESH_JOB, payload: {}, uniqueKey: `metrics-refresh:${slot}` },
      new Date(),
    ).catch((err: unknown) => logger.warn({ err }, 'could not schedule the metrics refresh'));
  };
  schedulePrune();
  const pruneTimer = setInterval(schedulePrune, 10 * 60_000);

  let intake: IntakeSmtp | null = null;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    clearInterval(pruneTimer);
    await intake?.close();
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    await app.close();
    await authCache.stop();
    await worker.stop();
    closeJobHandlers(handlers);
    await handle.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  phase('listen');
  if (config.intake.smtpPort !== null) {
    const limits = config.reports;
    intake = await startIntakeSmtp({
      host: config.intake.smtpHost,
      port: config.intake.smtpPort,
      // Attachments travel base64-encoded (and maybe armored): room for the allowed files plus text.
      maxMessageBytes:
        Math.ceil(limits.attachmentMaxBytes * Math.max(1, limits.attachmentMaxCount) * 1.9) + 1024 * 1024,
      allowedRecipients: config.intake.addresses.length > 0 ? config.intake.addresses : undefined,
      onMessage: async (raw, envelope) => {
        await acceptIntakeMail(handle.db, raw, envelope, new Date());
      },
      log: logger,
    });
    logger.info({ host: config.intake.smtpHost, port: intake.port }, 'e-mail intake listening');
  }
  logger.info(
    {
      url: `http://${config.host}:${config.port}`,
      database: handle.engine,
      dataDir: handle.engine === 'embedded' ? config.dataDir : undefined,
      startupMs: Date.now() - started,
      startupPhasesMs: phases,
    },
    `Accord is ready at ${config.baseUrl}`,
  );
}
