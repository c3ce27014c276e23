import { createHmac } from 'node:crypto';
import { invalidFields, type FieldProblem } from '../reports/rules.ts';
import { formatDay, instantAt, localDay } from '../sla/zone.ts';

/**
 * Notifications, pure: the kinds and how each is delivered, a case's policy, @mentions, which
 * timeline events a participant may see, webhook addresses, signatures and payloads, and when a
 * user's daily digest is due. Nothing embargoed travels in clear text: notices and webhook
 * payloads are built here from ids and labels only.
 */

/**
 * What a user can be told about. `official_post` is mandatory (the coordinators' channel for
 * embargo dates and obligations): it may go to the digest but not be switched off. Invitations
 * and reminders to silent vendors are always sent at once as content-free notices.
 */
export const notificationKinds = ['official_post', 'thread_post', 'mention', 'status_change'] as const;
export type NotificationKind = (typeof notificationKinds)[number];
export const mandatoryKinds: readonly NotificationKind[] = ['official_post'];

export const deliveryModes = ['immediate', 'digest', 'off'] as const;
export type DeliveryMode = (typeof deliveryModes)[number];

/** `encrypted`: the full content, OpenPGP-encrypted to the user's key (a notice when there is none). */
export const contentModes = ['encrypted', 'notice'] as const;
export type ContentMode = (typeof contentModes)[number];

export interface Preferences {
  contentMode: ContentMode;
  kinds: Record<NotificationKind, DeliveryMode>;
}

export const defaultPreferences: Preferences = {
  contentMode: 'encrypted',
  kinds: { official_post: 'immediate', thread_post: 'immediate', mention: 'immediate', status_change: 'immediate' },
};

const isKind = (k: string): k is NotificationKind => (notificationKinds as readonly string[]).includes(k);
const isMode = (m: unknown): m is DeliveryMode => (deliveryModes as readonly unknown[]).includes(m);

/** Stored preferences merged over the defaults; unknown or stale values fall back to the default. */
export function resolvePreferences(stored: { content_mode: string; kinds: Record<string, string> } | null | undefined) {
  const prefs: Preferences = { contentMode: defaultPreferences.contentMode, kinds: { ...defaultPreferences.kinds } };
  if (!stored) return prefs;
  if ((contentModes as readonly string[]).includes(stored.content_mode))
    prefs.contentMode = stored.content_mode as ContentMode;
  for (const [k, v] of Object.entries(stored.kinds)) {
    if (isKind(k) && isMode(v) && !(v === 'off' && mandatoryKinds.includes(k))) prefs.kinds[k] = v;
  }
  return prefs;
}

export interface PreferencesInput {
  contentMode?: string | undefined;
  kinds?: Record<string, string> | undefined;
}

/** Validates a change of preferences against the current ones; encrypted content needs a key. */
export function checkPreferences(current: Preferences, input: PreferencesInput, hasKey: boolean): Preferences {
  const problems: FieldProblem[] = [];
  const next: Preferences = { contentMode: current.contentMode, kinds: { ...current.kinds } };
  if (input.contentMode !== undefined) {
    if (!(contentModes as readonly string[]).includes(input.contentMode)) {
      problems.push({ field: 'contentMode', message: `use one of ${contentModes.join(', ')}` });
    } else if (input.contentMode === 'encrypted' && !hasKey) {
      problems.push({
        field: 'contentMode',
        message: 'encrypted content needs an OpenPGP key on your profile: add one first',
      });
    } else next.contentMode = input.contentMode as ContentMode;
  }
  for (const [k, v] of Object.entries(input.kinds ?? {})) {
    if (!isKind(k))
      problems.push({ field: `kinds.${k}`, message: `unknown kind; use ${notificationKinds.join(', ')}` });
    else if (!isMode(v)) problems.push({ field: `kinds.${k}`, message: `use one of ${deliveryModes.join(', ')}` });
    else if (v === 'off' && mandatoryKinds.includes(k))
      problems.push({ field: `kinds.${k}`, message: 'this notification cannot be switched off; choose the digest' });
    else next.kinds[k] = v;
  }
  if (problems.length > 0) throw invalidFields(problems);
  return next;
}

/** Whether a mail may carry the content (encrypted) or only a notice with a link. */
export function contentFor(prefs: Preferences, hasKey: boolean, caseNoticeOnly: boolean): 'encrypted' | 'notice' {
  return prefs.contentMode === 'encrypted' && hasKey && !caseNoticeOnly ? 'encrypted' : 'notice';
}

/**
 * @mentions name a person by their sign-in address: `@alice@example.org`. The `@` must start a
 * word (so `bob@example.org` alone mentions nobody); code spans and blocks are ignored. Returns
 * lower-cased addresses, each once, at most MAX_MENTIONS.
 */
export const MAX_MENTIONS = 20;
const MENTION = /(^|[^\w.+\-@])@([a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+)/gi;

export function parseMentions(body: string): string[] {
  const text = body.replace(/```[\s\S]*?(```|$)/g, ' ').replace(/`[^`\n]*`/g, ' ');
  const out: string[] = [];
  for (const m of text.matchAll(MENTION)) {
    const email = (m[2] ?? '').toLowerCase();
    if (email && !out.includes(email)) out.push(email);
    if (out.length >= MAX_MENTIONS) break;
  }
  return out;
}

/**
 * The kinds a recipient of a new post is told under, most specific first: a mention, then the
 * thread (official posts reach the whole audience; the discussion and private threads those who
 * follow them). Empty: not told. The first kind the user has not switched off decides.
 */
export function postKindsFor(input: {
  threadKind: 'official' | 'discussion' | 'private';
  mentioned: boolean;
  follows: boolean;
}): NotificationKind[] {
  const kinds: NotificationKind[] = input.mentioned ? ['mention'] : [];
  if (input.threadKind === 'official') kinds.push('official_post');
  else if (input.follows) kinds.push('thread_post');
  return kinds;
}

/**
 * Who may see a timeline event in "changes since your last visit". `participants`: anyone who
 * reads the full case (the case page shows the same facts); `own`: staff and the participant
 * the event is about; `thread`: whoever sees the thread; `staff`: staff only. Posts are listed
 * from the posts themselves, under their thread and TLP scope, so `post_added` is staff only here.
 * Kinds not listed are staff only.
 */
export type EventAudience = 'participants' | 'own' | 'thread' | 'staff';
export const eventAudience: Record<string, EventAudience> = {
  case_opened: 'participants',
  case_requested: 'participants',
  vulnerability_added: 'participants',
  participant_added: 'participants',
  terms_accepted: 'participants',
  rm_transition: 'participants',
  cs_event: 'participants',
  embargo_proposed: 'participants',
  embargo_consent: 'participants',
  embargo_agreed: 'participants',
  embargo_rejected: 'participants',
  embargo_exited: 'participants',
  embargo_cord_defined: 'participants',
  embargo_cord_pulled: 'participants',
  thread_created: 'thread',
  status_changed: 'own',
  first_seen: 'own',
  reminder_sent: 'own',
};

export function eventKindsFor(audience: EventAudience): string[] {
  return Object.entries(eventAudience)
    .filter(([, a]) => a === audience)
    .map(([k]) => k);
}

/** Event data as a participant may read it: addresses and report ids stay with staff. */
export function eventDataFor(kind: string, data: Record<string, unknown>, staff: boolean): Record<string, unknown> {
  if (staff) return data;
  const { ip: _ip, reports: _reports, recipients: _recipients, ...rest } = data;
  void kind;
  return rest;
}

/** Organizations' machine notifications. `ping` is sent on request, to test an endpoint. */
export const webhookEventKinds = [
  'post.created',
  'status.changed',
  'case.state_changed',
  'embargo.changed',
  'embargo.cord_pulled',
] as const;
export type WebhookEventKind = (typeof webhookEventKinds)[number] | 'ping';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** 4 or 6 for an IP address literal (brackets allowed), else 0; node:net is off limits in pure code. */
export function ipVersion(address: string): 0 | 4 | 6 {
  const ip = address.replace(/^\[|\]$/g, '');
  if (/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(ip)) return 4;
  if (/^[0-9a-f:.]+$/i.test(ip) && ip.includes(':') && (ip.match(/::/g) ?? []).length <= 1) return 6;
  return 0;
}

/** Whether an IP address is loopback, private, link-local or otherwise not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').toLowerCase();
  const v = ipVersion(ip);
  if (v === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  if (v === 6) {
    if (ip === '::1' || ip === '::') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
    if (mapped?.[1]) return isPrivateAddress(mapped[1]);
    return /^(fc|fd|fe8|fe9|fea|feb|ff)/.test(ip);
  }
  return false;
}

/**
 * A webhook address: https, without credentials or a fragment. http is accepted only for a
 * loopback host, and loopback or private hosts only when the instance allows them (tests).
 */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): string {
  const problem = (message: string) => invalidFields([{ field: 'url', message }]);
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw problem('not a URL; use https://hooks.example.com/accord');
  }
  if (u.username || u.password) throw problem('credentials in the URL are not accepted; the signature authenticates');
  if (u.hash) throw problem('remove the #fragment');
  const host = u.hostname.toLowerCase();
  const loopback = LOOPBACK_HOSTS.has(host) || (ipVersion(host) !== 0 && isPrivateAddress(host));
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK_HOSTS.has(host) && allowPrivate)) {
    throw problem('use an https:// address');
  }
  if (loopback && !allowPrivate) throw problem('loopback and private network addresses are not accepted');
  if (raw.length > 2000) throw problem('at most 2,000 characters');
  return u.toString();
}

export function checkWebhookKinds(kinds: readonly string[]): string[] {
  const unique = [...new Set(kinds)];
  const bad = unique.find((k) => !(webhookEventKinds as readonly string[]).includes(k));
  if (bad)
    throw invalidFields([{ field: 'eventKinds', message: `unknown kind ${bad}; use ${webhookEventKinds.join(', ')}` }]);
  if (unique.length === 0) throw invalidFields([{ field: 'eventKinds', message: 'choose at least one kind of event' }]);
  return unique;
}

/** `sha256=<hex HMAC-SHA256 over "<timestamp>.<body>">`, sent as X-Accord-Signature. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/* Secret rotation. */

export const DEFAULT_SECRET_GRACE_HOURS = 24;
export const MAX_SECRET_GRACE_HOURS = 7 * 24;

/** The grace period of a rotation in hours: a whole number from 0 (none) to 168 (seven days). */
export function checkGraceHours(hours: number | undefined): number {
  const h = hours ?? DEFAULT_SECRET_GRACE_HOURS;
  if (!Number.isInteger(h) || h < 0 || h > MAX_SECRET_GRACE_HOURS) {
    throw invalidFields([
      {
        field: 'graceHours',
        message: `a whole number of hours from 0 to ${MAX_SECRET_GRACE_HOURS} (seven days); ${DEFAULT_SECRET_GRACE_HOURS} when left out`,
      },
    ]);
  }
  return h;
}

/** Whether a rotation's previous secret still signs deliveries at `now` (decided by time alone). */
export function previousSecretValid(
  hook: { previous_secret: string | null; previous_secret_expires_at: Date | null },
  now: Date,
): boolean {
  return (
    hook.previous_secret !== null &&
    hook.previous_secret_expires_at !== null &&
    hook.previous_secret_expires_at.getTime() > now.getTime()
  );
}

/** The secrets a delivery at `now` is signed with: the current one first, then the previous one in its grace. */
export function signingSecrets(
  hook: { secret: string; previous_secret: string | null; previous_secret_expires_at: Date | null },
  now: Date,
): string[] {
  return previousSecretValid(hook, now) && hook.previous_secret ? [hook.secret, hook.previous_secret] : [hook.secret];
}

/**
 * The X-Accord-Signature value: one `sha256=<hex>` per signing secret, separated by a comma
 * (current secret first). A receiver splits on commas and accepts the request when any entry
 * matches the HMAC with the secret it holds, so both the old and the new secret verify during a
 * rotation's grace period.
 */
export function webhookSignatures(secrets: readonly string[], timestamp: string, body: string): string {
  return secrets.map((s) => webhookSignature(s, timestamp, body)).join(',');
}

export interface WebhookPayload {
  id: string;
  kind: WebhookEventKind;
  caseId: string | null;
  itemId: string | null;
  occurredAt: string;
  /** Where the details are read, with the receiver's own API token (access is checked then). */
  url: string | null;
}

/** What a webhook says: never content, only what happened where and where to read it. */
export function webhookPayload(input: {
  eventId: string;
  kind: WebhookEventKind;
  caseId: string | null;
  itemId: string | null;
  apiPath: string | null;
  baseUrl: string;
  at: Date;
}): WebhookPayload {
  return {
    id: input.eventId,
    kind: input.kind,
    caseId: input.caseId,
    itemId: input.itemId,
    occurredAt: input.at.toISOString(),
    url: input.apiPath ? `${input.baseUrl}${input.apiPath}` : null,
  };
}

/**
 * When a user's digest for today is due: at `hour` o'clock on today's local date in their time
 * zone. Items created before that instant belong to today's digest.
 */
export function digestSlot(timeZone: string, hour: number, now: Date): { date: string; at: Date } {
  let zone = timeZone;
  try {
    localDay(zone, now.getTime());
  } catch {
    zone = 'UTC';
  }
  const day = localDay(zone, now.getTime());
  return { date: formatDay(day), at: new Date(instantAt(zone, day, hour * 60)) };
}

/** The clear-text subject and notice for an item: the case id and what kind of thing, nothing else. */
export function noticeText(input: {
  caseId: string;
  what: 'post' | 'mention' | 'status' | 'case_state';
  tlp?: string | undefined;
  threadKind?: string | undefined;
  link: string;
}): { subject: string; text: string } {
  const where =
    input.threadKind === 'official'
      ? 'the official thread'
      : input.threadKind === 'private'
        ? 'a private thread'
        : 'the discussion';
  const tlp = input.tlp ? ` (TLP:${input.tlp})` : '';
  switch (input.what) {
    case 'post':
      return {
        subject: `[${input.caseId}] New post in ${where}`,
        text: `There is a new post${tlp} in ${where} of case ${input.caseId}. Sign in to read it:\n${input.link}`,
      };
    case 'mention':
      return {
        subject: `[${input.caseId}] You were mentioned`,
        text: `You were mentioned in a post${tlp} in ${where} of case ${input.caseId}. Sign in to read it:\n${input.link}`,
      };
    case 'status':
      return {
        subject: `[${input.caseId}] A vendor status changed`,
        text: `A vendor status changed in case ${input.caseId}. Sign in to see it:\n${input.link}`,
      };
    case 'case_state':
      return {
        subject: `[${input.caseId}] The case state changed`,
        text: `The Vultron case state changed in case ${input.caseId}. Sign in to see it:\n${input.link}`,
      };
  }
}

/**
 * The clear-text notice to a finder: the case id, their report's tracking id and where to read
 * it (the follow-up page; the secret of their follow-up link is never in a mail).
 */
export function finderNoticeText(input: {
  caseId: string;
  trackingId: string | null;
  what: 'post' | 'status';
  tlp?: string | undefined;
  link: string;
}): { subject: string; text: string } {
  const report = input.trackingId ? ` (your report ${input.trackingId})` : '';
  const thing = input.what === 'post' ? `a message${input.tlp ? ` (TLP:${input.tlp})` : ''}` : 'a vendor statement';
  return {
    subject: `[${input.caseId}] The coordinators shared ${input.what === 'post' ? 'a message' : 'a vendor statement'} with you`,
    text:
      `The coordinators of case ${input.caseId}${report} shared ${thing} with you. To read it, open the ` +
      `follow-up link you kept when you reported, or sign in:\n${input.link}`,
  };
}
