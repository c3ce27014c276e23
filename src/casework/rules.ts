import { invalidFields, type FieldProblem } from '../reports/rules.ts';

/**
 * The case execution template, pure: what a template holds (checklist steps, post-mortem
 * questions, days after release when the post-mortem is due), the default one shipped, and the
 * checks of every entry filled in as a case runs — stakeholders and their roles, sign-offs,
 * meeting notes, reproductions, remediations, the issue overview and the post-mortem. Follows
 * the "PSIRT execution template" of the "Crawl, Walk, Run" talk (Duo Security) and the FIRST
 * PSIRT Services Framework's Function 1.1.3 (Incident Postmortem Process).
 */

export interface TemplateStep {
  key: string;
  title: string;
}
export interface TemplateQuestion {
  key: string;
  text: string;
}
export interface CaseworkTemplate {
  steps: TemplateStep[];
  questions: TemplateQuestion[];
  postmortemDays: number;
}

/** Shipped when the home organization has not written its own. */
export const DEFAULT_TEMPLATE: CaseworkTemplate = {
  steps: [
    { key: 'initial_report', title: 'Initial report recorded (who, when, via what method)' },
    { key: 'stakeholders', title: 'PSIRT stakeholders identified and informed' },
    { key: 'triage', title: 'Report triaged; severity scored (CVSS) and weakness classified (CWE)' },
    { key: 'reproduction', title: 'Vulnerability reproduced' },
    { key: 'root_cause', title: 'Root cause analysed' },
    { key: 'fix_developed', title: 'Fix developed' },
    { key: 'fix_tested', title: 'Fix tested by QA (regressions checked)' },
    { key: 'fix_released', title: 'Fix released or deployed' },
    { key: 'advisory_reviewed', title: 'Advisory drafted and reviewed (PR, legal)' },
    { key: 'advisory_published', title: 'Advisory published and customers notified' },
    { key: 'finder_credited', title: 'Finder informed and credited' },
    { key: 'postmortem_held', title: 'Post-mortem held' },
  ],
  questions: [
    { key: 'timeline', text: 'What happened, in order? Note the date and time of every major event.' },
    { key: 'went_well', text: 'What went well?' },
    { key: 'went_badly', text: 'What could have gone better?' },
    {
      key: 'detection',
      text: 'How was the vulnerability found, and which development-lifecycle activity could have caught it earlier?',
    },
    {
      key: 'communication',
      text: 'Were internal and external stakeholders informed at the right time and through the right channels?',
    },
    { key: 'timing', text: 'Were the response targets met at every stage? If not, why not?' },
    { key: 'changes', text: 'What will change, who owns each change, and by when?' },
  ],
  postmortemDays: 7,
};

/** Internal stakeholder roles (the talk's list, plus the PSIRT itself, executives and "other"). */
export const internalRoles = [
  'psirt',
  'legal',
  'pr',
  'engineering',
  'qa',
  'support',
  'marketing',
  'operations',
  'executive',
  'other',
] as const;
export type InternalRole = (typeof internalRoles)[number];

export const entryKinds = ['stakeholder', 'meeting', 'reproduction', 'remediation'] as const;
export type EntryKind = (typeof entryKinds)[number];

export const overviewFields = ['summary', 'rootCause', 'impact', 'resolution'] as const;
export type Overview = Record<(typeof overviewFields)[number], string>;

const KEY = /^[a-z][a-z0-9_]{0,39}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day `YYYY-MM-DD`. */
export function isDay(value: string): boolean {
  if (!DAY.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

function text(problems: FieldProblem[], field: string, value: unknown, opts: { min?: number; max: number }): string {
  const v = typeof value === 'string' ? value.trim() : '';
  const min = opts.min ?? 0;
  if (v.length < min || v.length > opts.max) {
    problems.push({
      field,
      message: min > 0 ? `write ${min} to ${opts.max} characters` : `at most ${opts.max} characters`,
    });
  }
  return v;
}

function uniqueKeys(problems: FieldProblem[], field: string, items: { key: string }[]) {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (!KEY.test(item.key)) {
      problems.push({
        field: `${field}[${i}].key`,
        message: 'a key is 1 to 40 lowercase letters, digits or _, starting with a letter',
      });
    } else if (seen.has(item.key)) {
      problems.push({ field: `${field}[${i}].key`, message: `the key "${item.key}" is used twice` });
    }
    seen.add(item.key);
  });
}

export interface TemplateInput {
  steps: { key: string; title: string }[];
  questions: { key: string; text: string }[];
  postmortemDays: number;
}

export function checkTemplate(input: TemplateInput): CaseworkTemplate {
  const problems: FieldProblem[] = [];
  if (input.steps.length < 1 || input.steps.length > 60)
    problems.push({ field: 'steps', message: 'a checklist has 1 to 60 steps' });
  if (input.questions.length < 1 || input.questions.length > 60)
    problems.push({ field: 'questions', message: 'a post-mortem has 1 to 60 questions' });
  const steps = input.steps.map((s, i) => ({
    key: s.key.trim(),
    title: text(problems, `steps[${i}].title`, s.title, { min: 1, max: 300 }),
  }));
  const questions = input.questions.map((q, i) => ({
    key: q.key.trim(),
    text: text(problems, `questions[${i}].text`, q.text, { min: 1, max: 1000 }),
  }));
  uniqueKeys(problems, 'steps', steps);
  uniqueKeys(problems, 'questions', questions);
  if (!Number.isInteger(input.postmortemDays) || input.postmortemDays < 0 || input.postmortemDays > 365)
    problems.push({ field: 'postmortemDays', message: 'the post-mortem is due 0 to 365 days after release' });
  if (problems.length > 0) throw invalidFields(problems);
  return { steps, questions, postmortemDays: input.postmortemDays };
}

export interface SignoffInput {
  name?: string | undefined;
  date?: string | undefined;
  note?: string | undefined;
}

/** A step signed off by a name on a day; both default to the signer and today. */
export function checkSignoff(input: SignoffInput, defaults: { name: string; today: string }) {
  const problems: FieldProblem[] = [];
  const name = input.name === undefined ? defaults.name : text(problems, 'name', input.name, { min: 1, max: 200 });
  const date = input.date?.trim() || defaults.today;
  if (!isDay(date)) problems.push({ field: 'date', message: 'a day looks like 2026-11-28' });
  else if (date > defaults.today)
    problems.push({ field: 'date', message: 'a step cannot be signed off in the future' });
  const note = text(problems, 'note', input.note ?? '', { max: 2000 });
  if (problems.length > 0) throw invalidFields(problems);
  return { name, date, note };
}

export interface StakeholderData {
  side: 'internal' | 'external';
  role: string;
  name: string;
  contact: string;
  participantId: string | null;
  notes: string;
}

export interface ActionItem {
  text: string;
  owner: string;
  due: string | null;
  done: boolean;
}

export interface MeetingData {
  heldAt: string;
  durationMinutes: number;
  location: string;
  attendees: string[];
  notes: string;
  decisions: string[];
  actions: ActionItem[];
}

export interface ReproductionData {
  by: string;
  on: string;
  environment: string;
  steps: string;
  result: 'reproduced' | 'not_reproduced' | 'partially';
}

export interface RemediationData {
  kind: 'patch' | 'workaround' | 'configuration' | 'other';
  status: 'planned' | 'in_progress' | 'released';
  description: string;
  fixedVersions: string;
  links: string[];
}

export type EntryData = StakeholderData | MeetingData | ReproductionData | RemediationData;

function oneOf<T extends string>(problems: FieldProblem[], field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  problems.push({ field, message: `use one of ${allowed.join(', ')}` });
  return allowed[0]!;
}

function list(problems: FieldProblem[], field: string, value: unknown, max: number, maxLen: number): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > max) {
    problems.push({ field, message: `a list of at most ${max} texts` });
    return [];
  }
  return value.map((v, i) => text(problems, `${field}[${i}]`, v, { max: maxLen })).filter((v: string) => v.length > 0);
}

/**
 * Checks one entry of a kind and returns its stored shape. `participantIds` are the case's
 * participants: an external stakeholder names one of them.
 */
export function checkEntry(
  kind: EntryKind,
  raw: Record<string, unknown>,
  ctx: { participantIds: readonly string[] },
): EntryData {
  const problems: FieldProblem[] = [];
  let data: EntryData;
  switch (kind) {
    case 'stakeholder': {
      const side = oneOf(problems, 'side', raw.side ?? 'internal', ['internal', 'external'] as const);
      const role =
        side === 'internal'
          ? oneOf(problems, 'role', raw.role, internalRoles)
          : text(problems, 'role', raw.role, { min: 1, max: 100 });
      const participantId = typeof raw.participantId === 'string' && raw.participantId ? raw.participantId : null;
      if (side === 'external' && !participantId)
        problems.push({ field: 'participantId', message: 'an external stakeholder is one of the case participants' });
      if (participantId && !ctx.participantIds.includes(participantId))
        problems.push({ field: 'participantId', message: 'not a participant of this case' });
      if (side === 'internal' && participantId)
        problems.push({ field: 'participantId', message: 'internal stakeholders are not case participants' });
      data = {
        side,
        role,
        name: text(problems, 'name', raw.name, { min: side === 'internal' ? 1 : 0, max: 200 }),
        contact: text(problems, 'contact', raw.contact ?? '', { max: 300 }),
        participantId,
        notes: text(problems, 'notes', raw.notes ?? '', { max: 5000 }),
      };
      break;
    }
    case 'meeting': {
      const heldAt = typeof raw.heldAt === 'string' ? new Date(raw.heldAt) : null;
      if (!heldAt || Number.isNaN(heldAt.getTime()))
        problems.push({ field: 'heldAt', message: 'when the meeting was held, e.g. 2026-11-28T09:00:00Z' });
      const duration = raw.durationMinutes;
      if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 1 || duration > 1440)
        problems.push({ field: 'durationMinutes', message: 'the duration is 1 to 1,440 minutes' });
      const attendees = list(problems, 'attendees', raw.attendees, 100, 200);
      if (attendees.length === 0) problems.push({ field: 'attendees', message: 'name who attended' });
      const rawActions = raw.actions ?? [];
      const actions: ActionItem[] = [];
      if (!Array.isArray(rawActions) || rawActions.length > 100) {
        problems.push({ field: 'actions', message: 'a list of at most 100 actions' });
      } else {
        rawActions.forEach((a: unknown, i) => {
          const o = (typeof a === 'object' && a !== null ? a : {}) as Record<string, unknown>;
          const due = typeof o.due === 'string' && o.due.trim() ? o.due.trim() : null;
          if (due && !isDay(due)) problems.push({ field: `actions[${i}].due`, message: 'a day looks like 2026-11-28' });
          actions.push({
            text: text(problems, `actions[${i}].text`, o.text, { min: 1, max: 1000 }),
            owner: text(problems, `actions[${i}].owner`, o.owner, { min: 1, max: 200 }),
            due,
            done: o.done === true,
          });
        });
      }
      data = {
        heldAt: heldAt && !Number.isNaN(heldAt.getTime()) ? heldAt.toISOString() : '',
        durationMinutes: typeof duration === 'number' ? duration : 0,
        location: text(problems, 'location', raw.location ?? '', { max: 300 }),
        attendees,
        notes: text(problems, 'notes', raw.notes ?? '', { max: 50_000 }),
        decisions: list(problems, 'decisions', raw.decisions, 100, 2000),
        actions,
      };
      break;
    }
    case 'reproduction': {
      const on = typeof raw.on === 'string' ? raw.on.trim() : '';
      if (!isDay(on)) problems.push({ field: 'on', message: 'the day it was reproduced, e.g. 2026-11-28' });
      data = {
        by: text(problems, 'by', raw.by, { min: 1, max: 200 }),
        on,
        environment: text(problems, 'environment', raw.environment ?? '', { max: 2000 }),
        steps: text(problems, 'steps', raw.steps, { min: 1, max: 50_000 }),
        result: oneOf(problems, 'result', raw.result ?? 'reproduced', [
          'reproduced',
          'not_reproduced',
          'partially',
        ] as const),
      };
      break;
    }
    case 'remediation': {
      const links = list(problems, 'links', raw.links, 50, 2000);
      links.forEach((l, i) => {
        if (!/^https?:\/\/\S+$/.test(l)) problems.push({ field: `links[${i}]`, message: 'use an http(s) address' });
      });
      data = {
        kind: oneOf(problems, 'kind', raw.kind ?? 'patch', ['patch', 'workaround', 'configuration', 'other'] as const),
        status: oneOf(problems, 'status', raw.status ?? 'planned', ['planned', 'in_progress', 'released'] as const),
        description: text(problems, 'description', raw.description, { min: 1, max: 20_000 }),
        fixedVersions: text(problems, 'fixedVersions', raw.fixedVersions ?? '', { max: 1000 }),
        links,
      };
      break;
    }
  }
  if (problems.length > 0) throw invalidFields(problems);
  return data;
}

export function checkOverview(input: Partial<Record<string, unknown>>, current: Overview): Overview {
  const problems: FieldProblem[] = [];
  const next = { ...current };
  for (const f of overviewFields) {
    if (input[f] !== undefined) next[f] = text(problems, f, input[f], { max: 50_000 });
  }
  if (problems.length > 0) throw invalidFields(problems);
  return next;
}

export const emptyOverview: Overview = { summary: '', rootCause: '', impact: '', resolution: '' };

export interface PostmortemInput {
  answers?: Record<string, string> | undefined;
  participants?: string | undefined;
  heldOn?: string | null | undefined;
  complete?: boolean | undefined;
}

/** Answers keyed by the case's (snapshotted) question keys; completing needs every answer. */
export function checkPostmortem(
  input: PostmortemInput,
  questions: readonly TemplateQuestion[],
  current: { answers: Record<string, string>; participants: string; heldOn: string | null },
) {
  const problems: FieldProblem[] = [];
  const keys = new Set(questions.map((q) => q.key));
  const answers = { ...current.answers };
  for (const [k, v] of Object.entries(input.answers ?? {})) {
    if (!keys.has(k)) {
      problems.push({ field: `answers.${k}`, message: 'not a question of this post-mortem' });
      continue;
    }
    answers[k] = text(problems, `answers.${k}`, v, { max: 50_000 });
  }
  const participants =
    input.participants === undefined
      ? current.participants
      : text(problems, 'participants', input.participants, { max: 2000 });
  let heldOn = current.heldOn;
  if (input.heldOn !== undefined) {
    heldOn = input.heldOn?.trim() || null;
    if (heldOn && !isDay(heldOn)) problems.push({ field: 'heldOn', message: 'a day looks like 2026-11-28' });
  }
  if (input.complete) {
    for (const q of questions) {
      if (!answers[q.key]?.trim()) problems.push({ field: `answers.${q.key}`, message: 'answer every question first' });
    }
    if (!heldOn) problems.push({ field: 'heldOn', message: 'say when the post-mortem was held' });
  }
  if (problems.length > 0) throw invalidFields(problems);
  return { answers, participants, heldOn };
}

/** The case's timeline events, as the release rule reads them. */
export interface TimelineEvent {
  kind: string;
  participantId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Release is the case's public event: the first case-level Vultron CS event whose resulting
 * P/X/A state is public (P). Vultron never leaves P, so the first such event is the release.
 */
export function releasedAt(events: readonly TimelineEvent[]): Date | null {
  let first: Date | null = null;
  for (const e of events) {
    if (e.kind !== 'cs_event' || e.participantId !== null) continue;
    const to = typeof e.data.to === 'string' ? e.data.to : '';
    const pxa = to.slice(-3);
    if (pxa.length === 3 && pxa[0] === 'P' && (first === null || e.createdAt < first)) first = e.createdAt;
  }
  return first;
}

export function postmortemDueAt(release: Date | null, days: number): Date | null {
  return release ? new Date(release.getTime() + days * 86_400_000) : null;
}

/** Progress of the checklist: how many of the steps are signed off. */
export function checklistProgress(steps: readonly TemplateStep[], signoffs: Record<string, unknown>) {
  const signed = steps.filter((s) => signoffs[s.key] !== undefined).length;
  return { signed, total: steps.length };
}
