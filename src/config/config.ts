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
  rateLimit: { authPerMinute: number; publicPerMinute: number; reportsPerHour: number };
  reports: ReportsConfig;
  cases: { idPrefix: string; reminderDays: number[] };
  notifications: NotificationsConfig;
  sla: SlaConfig;
  embargo: EmbargoConfig;
  intake: IntakeConfig;
  disclosure: DisclosureConfig;
  /** The CNA identity CVE record exports carry (the CVE program's organization UUID and short name). */
  cve: { orgId: string | null; shortName: string | null };
  /** The CVE Services API the CNA reserves ids and publishes records with; null (off) without ACCORD_CVE_SERVICES_URL. */
  cveServices: CveServicesConfig | null;
}

/** CVE Services endpoint and credentials (src/cveservices/client.ts). The key is a secret: never log it. */
export interface CveServicesConfig {
  url: string;
  org: string;
  user: string;
  key: string;
  timeoutMs: number;
}

export interface ReportsConfig {
  /** Tracking ids are PREFIX-YEAR-NNNN. */
  idPrefix: string;
  attachmentMaxBytes: number;
  attachmentMaxCount: number;
  /** Allowed media types; `text/*` allows every text type. */
  attachmentTypes: string[];
}

export interface SlaConfig {
  /** The home organization's business calendar. */
  timeZone: string;
  holidays: string[];
  acknowledgeDays: number;
  triageDays: number;
}

export interface EmbargoConfig {
  /** Default embargo length in days, counted from the (earliest) report. */
  defaultDays: number;
  /** Hours an embargo runs on after a parachute cord is pulled; 0 ends it at once. */
  graceHours: number;
  /** Local business hours ('HH:MM'); an end outside them in a participant's zone is warned about. */
  businessHours: { start: string; end: string };
  /** Holidays by ISO 3166 country code, for participants whose directory profile names that country. */
  countryHolidays: Record<string, string[]>;
}

export interface IntakeConfig {
  /** The SMTP listener for forwarded security@ mail; null: off. */
  smtpPort: number | null;
  smtpHost: string;
  /** Recipients the listener accepts (empty: any); the first is the instance key's address. */
  addresses: string[];
}

export interface DisclosureConfig {
  /** security.txt Contact lines; default: the report form. */
  contacts: string[];
  preferredLanguages: string[];
  /** A Markdown file with the disclosure policy; null: the built-in one. */
  policyFile: string | null;
  signSecurityTxt: boolean;
}

export interface NotificationsConfig {
  /** Local hour (in each user's time zone) at which daily digests go out. */
  digestHour: number;
  /** Whether webhooks may point at loopback and private addresses (tests, closed networks). */
  webhookAllowPrivate: boolean;
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
  ['ACCORD_RATE_LIMIT_REPORTS', '20', 'reports and finder messages per hour per client address'],
  ['ACCORD_REPORT_ID_PREFIX', 'ACC', 'prefix of report tracking ids (ACC-2026-0001)'],
  ['ACCORD_CASE_ID_PREFIX', 'CASE', 'prefix of case ids (CASE-2026-0001)'],
  ['ACCORD_REMINDER_DAYS', '3,7,14', 'days after notification on which silent vendors are reminded'],
  ['ACCORD_DIGEST_HOUR', '8', "hour (0-23, in each user's time zone) at which daily notification digests are sent"],
  [
    'ACCORD_WEBHOOK_ALLOW_PRIVATE',
    'false',
    'true lets webhooks reach loopback and private addresses (and http:// on loopback); for tests',
  ],
  ['ACCORD_ATTACHMENT_MAX_BYTES', '10485760', 'largest attachment accepted on a report or message'],
  ['ACCORD_ATTACHMENT_MAX_COUNT', '10', 'most attachments on one report or message'],
  ['ACCORD_ATTACHMENT_TYPES', '(see below)', 'comma-separated media types accepted as attachments; text/* allowed'],
  ['ACCORD_TIME_ZONE', 'UTC', 'IANA time zone of the home organization; seed of the stored SLA calendar'],
  ['ACCORD_HOLIDAYS', '(unset)', 'comma-separated YYYY-MM-DD holidays; seed of the stored SLA calendar'],
  ['ACCORD_SLA_ACKNOWLEDGE_DAYS', '3', 'business days to acknowledge a report while no SLA policy is stored'],
  ['ACCORD_SLA_TRIAGE_DAYS', '10', 'business days to triage a report while no SLA policy is stored'],
  ['ACCORD_EMBARGO_DEFAULT_DAYS', '90', 'default embargo length in days, counted from the report'],
  ['ACCORD_EMBARGO_GRACE_HOURS', '0', 'hours an embargo runs on after a parachute cord is pulled (0: at once)'],
  ['ACCORD_EMBARGO_HOURS', '09:00-17:00', 'local business hours; an embargo ending outside them is warned about'],
  ['ACCORD_EMBARGO_HOLIDAYS', '(unset)', 'comma-separated COUNTRY:YYYY-MM-DD holidays (JP:2027-01-01)'],
  ['ACCORD_INTAKE_SMTP_PORT', '(unset)', 'port of the SMTP listener for forwarded security@ mail; unset: off'],
  ['ACCORD_INTAKE_SMTP_HOST', '127.0.0.1', 'address of that SMTP listener'],
  ['ACCORD_INTAKE_ADDRESSES', '(unset)', 'comma-separated recipients the listener accepts (unset: any)'],
  ['ACCORD_SECURITY_CONTACTS', 'BASE_URL/report', 'comma-separated security.txt Contact URIs (mailto:, https:)'],
  ['ACCORD_PREFERRED_LANGUAGES', 'en, ja', 'security.txt Preferred-Languages'],
  ['ACCORD_POLICY_FILE', '(unset)', 'Markdown file with the disclosure policy shown at /policy'],
  ['ACCORD_SIGN_SECURITY_TXT', 'true', 'OpenPGP clear-sign security.txt with the instance key'],
  ['ACCORD_CVE_ORG_ID', '(unset)', "the CNA's organization UUID in the CVE program (CVE record exports)"],
  ['ACCORD_CVE_SHORT_NAME', '(unset)', "the CNA's short name in the CVE program (CVE record exports)"],
  ['ACCORD_CVE_SERVICES_URL', '(unset)', 'CVE Services API base (https://cveawg.mitre.org/api); unset: off'],
  [
    'ACCORD_CVE_SERVICES_ORG',
    '(short name)',
    'CVE Services org short name (CVE-API-ORG); unset: ACCORD_CVE_SHORT_NAME',
  ],
  ['ACCORD_CVE_SERVICES_USER', '(unset)', 'CVE Services user name (CVE-API-USER)'],
  ['ACCORD_CVE_SERVICES_KEY', '(unset)', 'CVE Services API key (CVE-API-KEY); secret'],
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

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

export const defaultAttachmentTypes = [
  'text/*',
  'image/png',
  'image/jpeg',
  'image/gif',
  'application/pdf',
  'application/json',
  'application/zip',
  'application/gzip',
  'application/x-tar',
  'application/x-7z-compressed',
  'application/vnd.tcpdump.pcap',
  'video/mp4',
  'video/webm',
];

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Parses and validates; every problem is collected so the operator fixes them in one go. */
/** CVE Services: off without a URL; with one, the user and key are required and the org defaults to the short name. */
function cveServicesConfig(env: Env, shortName: string | null, errors: string[]): CveServicesConfig | null {
  const url = env.ACCORD_CVE_SERVICES_URL?.trim() || null;
  const org = env.ACCORD_CVE_SERVICES_ORG?.trim() || shortName;
  const user = env.ACCORD_CVE_SERVICES_USER?.trim() || null;
  const key = env.ACCORD_CVE_SERVICES_KEY?.trim() || null;
  if (!url) {
    if (user || key) errors.push('ACCORD_CVE_SERVICES_USER and _KEY need ACCORD_CVE_SERVICES_URL (the API base)');
    return null;
  }
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    errors.push(`ACCORD_CVE_SERVICES_URL="${url}" is not a URL`);
  }
  const loopback = parsed !== null && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (parsed && parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    errors.push(`ACCORD_CVE_SERVICES_URL="${url}" must be https:// (http:// only on loopback, for a local stand-in)`);
  }
  if (!org) errors.push('ACCORD_CVE_SERVICES_URL needs ACCORD_CVE_SERVICES_ORG (or ACCORD_CVE_SHORT_NAME)');
  if (!user) errors.push('ACCORD_CVE_SERVICES_URL needs ACCORD_CVE_SERVICES_USER');
  if (!key) errors.push('ACCORD_CVE_SERVICES_URL needs ACCORD_CVE_SERVICES_KEY');
  if (!org || !user || !key) return null;
  return { url: url.replace(/\/+$/, ''), org, user, key, timeoutMs: 30_000 };
}

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

  const idPrefix = env.ACCORD_REPORT_ID_PREFIX?.trim() || 'ACC';
  if (!/^[A-Z][A-Z0-9]{0,15}$/.test(idPrefix)) {
    errors.push(
      `ACCORD_REPORT_ID_PREFIX="${idPrefix}" must be 1 to 16 capital letters or digits, starting with a letter`,
    );
  }
  const caseIdPrefix = env.ACCORD_CASE_ID_PREFIX?.trim() || 'CASE';
  if (!/^[A-Z][A-Z0-9]{0,15}$/.test(caseIdPrefix)) {
    errors.push(
      `ACCORD_CASE_ID_PREFIX="${caseIdPrefix}" must be 1 to 16 capital letters or digits, starting with a letter`,
    );
  }
  const reminderDays = (env.ACCORD_REMINDER_DAYS?.trim() ? list(env, 'ACCORD_REMINDER_DAYS') : ['3', '7', '14']).map(
    Number,
  );
  if (reminderDays.some((d) => !Number.isInteger(d) || d < 1 || d > 365)) {
    errors.push('ACCORD_REMINDER_DAYS must be whole numbers of days from 1 to 365, comma-separated (e.g. 3,7,14)');
  }
  const timeZone = env.ACCORD_TIME_ZONE?.trim() || 'UTC';
  if (!isTimeZone(timeZone))
    errors.push(`ACCORD_TIME_ZONE="${timeZone}" is not an IANA time zone such as Europe/Berlin`);
  const holidays = list(env, 'ACCORD_HOLIDAYS');
  for (const h of holidays) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(h) || Number.isNaN(Date.parse(`${h}T00:00:00Z`))) {
      errors.push(`ACCORD_HOLIDAYS: "${h}" is not a date like 2026-12-25`);
    }
  }
  const businessHours = env.ACCORD_EMBARGO_HOURS?.trim() || '09:00-17:00';
  const hoursMatch = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/.exec(businessHours);
  if (!hoursMatch || businessHours.slice(0, 5) >= businessHours.slice(6) || businessHours.slice(6) > '24:00') {
    errors.push(`ACCORD_EMBARGO_HOURS="${businessHours}" must be a range like 09:00-17:00 (start before end)`);
  }
  const countryHolidays: Record<string, string[]> = {};
  for (const entry of list(env, 'ACCORD_EMBARGO_HOLIDAYS')) {
    const m = /^([A-Za-z]{2}):(\d{4}-\d{2}-\d{2})$/.exec(entry);
    if (!m || Number.isNaN(Date.parse(`${m[2]}T00:00:00Z`))) {
      errors.push(`ACCORD_EMBARGO_HOLIDAYS: "${entry}" is not COUNTRY:YYYY-MM-DD like JP:2027-01-01`);
      continue;
    }
    const country = (m[1] ?? '').toUpperCase();
    (countryHolidays[country] ??= []).push(m[2] ?? '');
  }
  const attachmentTypes = env.ACCORD_ATTACHMENT_TYPES?.trim()
    ? list(env, 'ACCORD_ATTACHMENT_TYPES').map((t) => t.toLowerCase())
    : defaultAttachmentTypes;
  for (const t of attachmentTypes) {
    if (!/^[a-z0-9.+-]+\/([a-z0-9.+-]+|\*)$/.test(t))
      errors.push(`ACCORD_ATTACHMENT_TYPES: "${t}" is not a media type`);
  }
  const intakePort = env.ACCORD_INTAKE_SMTP_PORT?.trim()
    ? int(env, 'ACCORD_INTAKE_SMTP_PORT', 0, 0, 65535, errors)
    : null;
  const addresses = list(env, 'ACCORD_INTAKE_ADDRESSES').map((a) => a.toLowerCase());
  for (const a of addresses)
    if (!/^[^@\s]+@[^@\s]+$/.test(a)) errors.push(`ACCORD_INTAKE_ADDRESSES: "${a}" is not an address`);
  const contacts = list(env, 'ACCORD_SECURITY_CONTACTS');
  for (const c of contacts) {
    if (!/^(mailto:|https:\/\/|tel:)/.test(c)) {
      errors.push(`ACCORD_SECURITY_CONTACTS: "${c}" must be a mailto:, https:// or tel: URI (RFC 9116)`);
    }
  }
  const policyFile = env.ACCORD_POLICY_FILE?.trim() ? path.resolve(cwd, env.ACCORD_POLICY_FILE.trim()) : null;

  const cveOrgId = env.ACCORD_CVE_ORG_ID?.trim().toLowerCase() || null;
  if (cveOrgId && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(cveOrgId)) {
    errors.push(`ACCORD_CVE_ORG_ID="${cveOrgId}" must be the UUID the CVE program gave your CNA`);
  }
  const cveShortName = env.ACCORD_CVE_SHORT_NAME?.trim() || null;
  if (cveShortName && !/^[A-Za-z0-9_-]{2,32}$/.test(cveShortName)) {
    errors.push(`ACCORD_CVE_SHORT_NAME="${cveShortName}" must be 2 to 32 letters, digits, - or _`);
  }
  const cveServices = cveServicesConfig(env, cveShortName, errors);
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
      reportsPerHour: int(env, 'ACCORD_RATE_LIMIT_REPORTS', 20, 1, 1000000, errors),
    },
    reports: {
      idPrefix,
      attachmentMaxBytes: int(env, 'ACCORD_ATTACHMENT_MAX_BYTES', 10 * 1024 * 1024, 1, 100 * 1024 * 1024, errors),
      attachmentMaxCount: int(env, 'ACCORD_ATTACHMENT_MAX_COUNT', 10, 0, 100, errors),
      attachmentTypes,
    },
    cases: { idPrefix: caseIdPrefix, reminderDays },
    notifications: {
      digestHour: int(env, 'ACCORD_DIGEST_HOUR', 8, 0, 23, errors),
      webhookAllowPrivate: bool(env, 'ACCORD_WEBHOOK_ALLOW_PRIVATE', false, errors),
    },
    sla: {
      timeZone,
      holidays,
      acknowledgeDays: int(env, 'ACCORD_SLA_ACKNOWLEDGE_DAYS', 3, 0, 365, errors),
      triageDays: int(env, 'ACCORD_SLA_TRIAGE_DAYS', 10, 0, 365, errors),
    },
    embargo: {
      defaultDays: int(env, 'ACCORD_EMBARGO_DEFAULT_DAYS', 90, 1, 3650, errors),
      graceHours: int(env, 'ACCORD_EMBARGO_GRACE_HOURS', 0, 0, 168, errors),
      businessHours: { start: businessHours.slice(0, 5), end: businessHours.slice(6) },
      countryHolidays,
    },
    intake: { smtpPort: intakePort, smtpHost: env.ACCORD_INTAKE_SMTP_HOST?.trim() || '127.0.0.1', addresses },
    disclosure: {
      contacts: contacts.length > 0 ? contacts : [`${baseUrl}/report`],
      preferredLanguages: env.ACCORD_PREFERRED_LANGUAGES?.trim()
        ? list(env, 'ACCORD_PREFERRED_LANGUAGES')
        : ['en', 'ja'],
      policyFile,
      signSecurityTxt: bool(env, 'ACCORD_SIGN_SECURITY_TXT', true, errors),
    },
    cve: { orgId: cveOrgId, shortName: cveShortName },
    cveServices,
  };

  if (errors.length > 0) {
    throw new AppError('ERR_CONFIG', `invalid configuration:\n  - ${errors.join('\n  - ')}`, { errors });
  }
  return config;
}
