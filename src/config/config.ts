import path from 'node:path';
import { AppError } from '../core/errors.ts';

/** Everything Accord reads from its environment, parsed once at start-up. Pure: takes the env. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  baseUrl: string;
  secureCookies: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  trustProxy: boolean;
  smtp: SmtpConfig | null;
  mailFrom: string;
  instanceName: string;
  sessionTtlHours: number;
  require2faForStaff: boolean;
  rateLimit: { authPerMinute: number; publicPerMinute: number };
}

export interface SmtpConfig {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
  password: string | null;
}

export type Env = Record<string, string | undefined>;

/** One row per variable: the README's configuration table is checked against this list. */
export const configVariables = [
  ['PORT', '8080', 'TCP port of the HTTP server'],
  ['HOST', '127.0.0.1', 'address the HTTP server listens on'],
  ['ACCORD_DATA_DIR', './data', 'where the embedded database (and its lock file) lives'],
  ['DATABASE_URL', '(unset)', 'postgres://… to use a PostgreSQL server instead of the embedded database'],
  ['ACCORD_BASE_URL', 'http://HOST:PORT', 'public URL used in links in e-mails; https:// makes cookies Secure'],
  ['ACCORD_INSTANCE_NAME', 'Accord', 'name shown in the UI and e-mails'],
  ['ACCORD_LOG_LEVEL', 'info', 'fatal, error, warn, info, debug, trace or silent'],
  ['ACCORD_TRUST_PROXY', 'false', 'true when behind a reverse proxy that sets X-Forwarded-For'],
  ['ACCORD_SESSION_TTL_HOURS', '12', 'idle lifetime of a web session'],
  ['ACCORD_REQUIRE_2FA_FOR_STAFF', 'false', 'initial value of the admin setting that makes TOTP mandatory for staff'],
  ['ACCORD_RATE_LIMIT_AUTH', '10', 'login / reset requests per minute per client address'],
  ['ACCORD_RATE_LIMIT_PUBLIC', '60', 'requests per minute per client address on public endpoints'],
  ['SMTP_HOST', '(unset)', 'SMTP server; unset keeps mail in the outbox table only'],
  ['SMTP_PORT', '587', 'SMTP port'],
  ['SMTP_SECURE', 'false', 'true for implicit TLS (port 465)'],
  ['SMTP_USER', '(unset)', 'SMTP user name'],
  ['SMTP_PASSWORD', '(unset)', 'SMTP password'],
  ['MAIL_FROM', 'accord@localhost', 'sender address of outgoing mail'],
] as const;

function int(env: Env, name: string, fallback: number, min: number, max: number, errors: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    errors.push(`${name}="${raw}" is not a whole number; set it to a number from ${min} to ${max}`);
    return fallback;
  }
  const value = Number(raw);
  if (value < min || value > max) errors.push(`${name}=${value} is out of range; use ${min} to ${max}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean, errors: string[]): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  errors.push(`${name}="${env[name]}" is not a boolean; use true or false`);
  return fallback;
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Parses and validates; every problem is collected so the operator fixes them in one go. */
export function loadConfig(env: Env, cwd: string = process.cwd()): Config {
  const errors: string[] = [];
  const port = int(env, 'PORT', 8080, 0, 65535, errors);
  const host = env.HOST?.trim() || '127.0.0.1';
  const dataDir = path.resolve(cwd, env.ACCORD_DATA_DIR?.trim() || './data');

  let databaseUrl: string | null = env.DATABASE_URL?.trim() || null;
  if (databaseUrl !== null) {
    try {
      const u = new URL(databaseUrl);
      if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
        errors.push(`DATABASE_URL must start with postgres:// (got ${u.protocol}//)`);
      }
    } catch {
      errors.push('DATABASE_URL is not a URL; use postgres://user:password@host:5432/database');
      databaseUrl = null;
    }
  }

  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  let baseUrl = env.ACCORD_BASE_URL?.trim() || `http://${displayHost}:${port}`;
  try {
    const u = new URL(baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      errors.push(`ACCORD_BASE_URL must be an http:// or https:// URL (got ${baseUrl})`);
    }
    baseUrl = baseUrl.replace(/\/+$/, '');
  } catch {
    errors.push(`ACCORD_BASE_URL="${baseUrl}" is not a URL; use e.g. https://accord.example.org`);
  }

  const level = (env.ACCORD_LOG_LEVEL?.trim() || 'info') as Config['logLevel'];
  if (!logLevels.includes(level)) {
    errors.push(`ACCORD_LOG_LEVEL="${level}" is unknown; use one of ${logLevels.join(', ')}`);
  }

  let smtp: SmtpConfig | null = null;
  const smtpHost = env.SMTP_HOST?.trim();
  const smtpPort = int(env, 'SMTP_PORT', 587, 1, 65535, errors);
  const smtpSecure = bool(env, 'SMTP_SECURE', false, errors);
  if (smtpHost) {
    smtp = {
      host: smtpHost,
      port: smtpPort,
      secure: smtpSecure,
      user: env.SMTP_USER?.trim() || null,
      password: env.SMTP_PASSWORD ?? null,
    };
    if ((smtp.user === null) !== (smtp.password === null)) {
      errors.push('SMTP_USER and SMTP_PASSWORD must be set together');
    }
  }
  const mailFrom = env.MAIL_FROM?.trim() || 'accord@localhost';
  if (!/^[^@\s<>]+@[^@\s<>]+$/.test(mailFrom.replace(/^.*<(.*)>$/, '$1'))) {
    errors.push(`MAIL_FROM="${mailFrom}" is not an e-mail address`);
  }

  const config: Config = {
    port,
    host,
    dataDir,
    databaseUrl,
    baseUrl,
    secureCookies: baseUrl.startsWith('https://'),
    logLevel: level,
    trustProxy: bool(env, 'ACCORD_TRUST_PROXY', false, errors),
    smtp,
    mailFrom,
    instanceName: env.ACCORD_INSTANCE_NAME?.trim() || 'Accord',
    sessionTtlHours: int(env, 'ACCORD_SESSION_TTL_HOURS', 12, 1, 24 * 90, errors),
    require2faForStaff: bool(env, 'ACCORD_REQUIRE_2FA_FOR_STAFF', false, errors),
    rateLimit: {
      authPerMinute: int(env, 'ACCORD_RATE_LIMIT_AUTH', 10, 1, 100000, errors),
      publicPerMinute: int(env, 'ACCORD_RATE_LIMIT_PUBLIC', 60, 1, 1000000, errors),
    },
  };
  if (errors.length > 0) {
    throw new AppError('ERR_CONFIG', `invalid configuration:\n  - ${errors.join('\n  - ')}`, { errors });
  }
  return config;
}
