import { stringify } from 'csv-stringify/sync';
import { invalidFields, type FieldProblem } from '../reports/rules.ts';
import { ASSESSABLE_ITEMS, CATALOGUE, assessableItemOf, isAssessableItem, isCatalogueId } from './catalogue.ts';

/**
 * The self-assessment, pure: the maturity scale, input checks, per-service-area summaries, the
 * comparison with the previous assessment and the CSV export.
 *
 * The scale follows "Crawl, Walk, Run: Living the PSIRT Framework" (Duo Security, 2018), which
 * measured each facet of the framework "conservatively, to prevent us from lying to ourselves":
 * 0 not in place, 1 crawl (ad hoc, depends on individuals), 2 walk (defined, documented and done
 * consistently), 3 run (measured, reviewed and improved). An item not yet rated has no level.
 */
export const maturityLevels = [
  { level: 0, key: 'none', label: 'Not in place' },
  { level: 1, key: 'crawl', label: 'Crawl: ad hoc, depends on individuals' },
  { level: 2, key: 'walk', label: 'Walk: defined, documented and done consistently' },
  { level: 3, key: 'run', label: 'Run: measured, reviewed and improved' },
] as const;
export const MAX_LEVEL = 3;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
export function isDay(value: string): boolean {
  if (!DAY.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export interface AssessmentInput {
  title?: string | undefined;
  assessedOn?: string | undefined;
  notes?: string | undefined;
}

export function checkAssessment(
  input: AssessmentInput,
  defaults: { title: string; assessedOn: string; notes: string },
) {
  const problems: FieldProblem[] = [];
  const title = (input.title ?? defaults.title).trim();
  if (title.length < 1 || title.length > 200) problems.push({ field: 'title', message: 'write 1 to 200 characters' });
  const assessedOn = (input.assessedOn ?? defaults.assessedOn).trim();
  if (!isDay(assessedOn)) problems.push({ field: 'assessedOn', message: 'a day looks like 2026-11-28' });
  const notes = (input.notes ?? defaults.notes).trim();
  if (notes.length > 20_000) problems.push({ field: 'notes', message: 'at most 20,000 characters' });
  if (problems.length > 0) throw invalidFields(problems);
  return { title, assessedOn, notes };
}

export interface ItemInput {
  itemId: string;
  level: number;
  evidence?: string | undefined;
}

export function checkItems(items: readonly ItemInput[]) {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  const out = items.map((item, i) => {
    if (!isAssessableItem(item.itemId))
      problems.push({ field: `items[${i}].itemId`, message: `${item.itemId} is not a function of the framework` });
    else if (seen.has(item.itemId))
      problems.push({ field: `items[${i}].itemId`, message: `${item.itemId} is rated twice` });
    seen.add(item.itemId);
    if (!Number.isInteger(item.level) || item.level < 0 || item.level > MAX_LEVEL)
      problems.push({ field: `items[${i}].level`, message: `a level from 0 to ${MAX_LEVEL}` });
    const evidence = (item.evidence ?? '').trim();
    if (evidence.length > 20_000)
      problems.push({ field: `items[${i}].evidence`, message: 'at most 20,000 characters' });
    return { itemId: item.itemId, level: item.level, evidence };
  });
  if (items.length === 0) problems.push({ field: 'items', message: 'rate at least one item' });
  if (problems.length > 0) throw invalidFields(problems);
  return out;
}

export interface GapInput {
  itemId?: string | undefined;
  action?: string | undefined;
  owner?: string | undefined;
  dueOn?: string | null | undefined;
  done?: boolean | undefined;
}

export function checkGap(
  input: GapInput,
  current: { itemId: string; action: string; owner: string; dueOn: string | null; done: boolean } | null,
) {
  const problems: FieldProblem[] = [];
  const itemId = (input.itemId ?? current?.itemId ?? '').trim();
  if (!isCatalogueId(itemId))
    problems.push({ field: 'itemId', message: 'name a service area, service, function or sub-function, e.g. 1.1.3' });
  const action = (input.action ?? current?.action ?? '').trim();
  if (action.length < 1 || action.length > 2000)
    problems.push({ field: 'action', message: 'write 1 to 2,000 characters' });
  const owner = (input.owner ?? current?.owner ?? '').trim();
  if (owner.length < 1 || owner.length > 200) problems.push({ field: 'owner', message: 'name who owns the action' });
  const dueOn = input.dueOn === undefined ? (current?.dueOn ?? null) : input.dueOn?.trim() || null;
  if (dueOn && !isDay(dueOn)) problems.push({ field: 'dueOn', message: 'a day looks like 2026-11-28' });
  if (problems.length > 0) throw invalidFields(problems);
  return { itemId, action, owner, dueOn, done: input.done ?? current?.done ?? false };
}

export interface RatedItem {
  itemId: string;
  level: number;
}

export interface AreaSummary {
  areaId: string;
  title: string;
  /** Items rated / items in the area. */
  rated: number;
  total: number;
  /** Mean level of the rated items (0–3), null when none is rated. */
  average: number | null;
  /** How many items sit at each level 0..3. */
  distribution: [number, number, number, number];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Rated items of a part of the framework rolled up: rated/total, mean level, how many at each level. */
function rollUp(inPart: readonly { id: string }[], byId: ReadonlyMap<string, number>) {
  const levels = inPart.map((i) => byId.get(i.id)).filter((l): l is number => l !== undefined);
  const distribution: [number, number, number, number] = [0, 0, 0, 0];
  for (const l of levels) distribution[l as 0 | 1 | 2 | 3] += 1;
  return {
    rated: levels.length,
    total: inPart.length,
    average: levels.length === 0 ? null : round2(levels.reduce((a, b) => a + b, 0) / levels.length),
    distribution,
  };
}

/** The summary per service area (the chart's bars). */
export function summarize(items: readonly RatedItem[]): AreaSummary[] {
  const byId = new Map(items.map((i) => [i.itemId, i.level]));
  return CATALOGUE.map((area) => ({
    areaId: area.id,
    title: area.title,
    ...rollUp(
      ASSESSABLE_ITEMS.filter((i) => i.areaId === area.id),
      byId,
    ),
  }));
}

export interface ServiceSummary extends Omit<AreaSummary, 'title'> {
  serviceId: string;
  title: string;
}

/** The summary per service (its functions rolled up), in framework order. */
export function summarizeServices(items: readonly RatedItem[]): ServiceSummary[] {
  const byId = new Map(items.map((i) => [i.itemId, i.level]));
  return CATALOGUE.flatMap((area) =>
    area.services.map((s) => ({
      serviceId: s.id,
      areaId: area.id,
      title: s.title,
      ...rollUp(
        ASSESSABLE_ITEMS.filter((i) => i.serviceId === s.id),
        byId,
      ),
    })),
  );
}

export interface Comparison {
  areas: { areaId: string; previous: number | null; current: number | null; change: number | null }[];
  items: { itemId: string; previous: number | null; current: number | null }[];
}

/** What moved since the previous assessment: per area, and the items whose level changed. */
export function compare(current: readonly RatedItem[], previous: readonly RatedItem[]): Comparison {
  const now = summarize(current);
  const before = summarize(previous);
  const cur = new Map(current.map((i) => [i.itemId, i.level]));
  const prev = new Map(previous.map((i) => [i.itemId, i.level]));
  return {
    areas: now.map((a, i) => {
      const p = before[i]?.average ?? null;
      return {
        areaId: a.areaId,
        previous: p,
        current: a.average,
        change: p === null || a.average === null ? null : round2(a.average - p),
      };
    }),
    items: ASSESSABLE_ITEMS.filter((i) => (cur.get(i.id) ?? null) !== (prev.get(i.id) ?? null)).map((i) => ({
      itemId: i.id,
      previous: prev.get(i.id) ?? null,
      current: cur.get(i.id) ?? null,
    })),
  };
}

export interface ExportGap {
  itemId: string;
  action: string;
  owner: string;
  dueOn: string | null;
  done: boolean;
}

/** A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is written as text. */
export function csvCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * One row per rated framework item (rated or not) with its sub-functions, the roll-up of its service
 * and service area, and its gap actions (a gap naming a sub-function goes with its function); a
 * spreadsheet opens it as is.
 */
export function toCsv(
  meta: { title: string; assessedOn: string },
  items: readonly (RatedItem & { evidence: string })[],
  gaps: readonly ExportGap[],
): string {
  const byId = new Map(items.map((i) => [i.itemId, i]));
  const label = new Map(maturityLevels.map((m) => [m.level as number, m.key]));
  const services = new Map(summarizeServices(items).map((s) => [s.serviceId, s]));
  const areas = new Map(summarize(items).map((a) => [a.areaId, a]));
  const avg = (n: number | null | undefined) => (n === null || n === undefined ? '' : n.toFixed(2));
  const rows = ASSESSABLE_ITEMS.map((i) => {
    const rated = byId.get(i.id);
    const itemGaps = gaps.filter(
      (g) => g.itemId === i.serviceId || g.itemId === i.areaId || assessableItemOf(g.itemId)?.id === i.id,
    );
    return [
      meta.assessedOn,
      meta.title,
      i.areaId,
      i.areaTitle,
      avg(areas.get(i.areaId)?.average),
      i.serviceId,
      i.serviceTitle,
      avg(services.get(i.serviceId)?.average),
      i.id,
      i.title,
      i.subFunctions.map((f) => `${f.id} ${f.title}`).join('\n'),
      rated ? String(rated.level) : '',
      rated ? (label.get(rated.level) ?? '') : '',
      csvCell(rated?.evidence ?? ''),
      csvCell(
        itemGaps
          .map(
            (g) =>
              `${g.done ? '[done] ' : ''}${g.itemId === i.id || g.itemId === i.serviceId || g.itemId === i.areaId ? '' : `${g.itemId}: `}${g.action} (${g.owner}${g.dueOn ? `, due ${g.dueOn}` : ''})`,
          )
          .join('\n'),
      ),
    ].map((v, n) => (n === 1 ? csvCell(v) : v));
  });
  return stringify(rows, {
    header: true,
    columns: [
      'assessed_on',
      'assessment',
      'area',
      'area_title',
      'area_average',
      'service',
      'service_title',
      'service_average',
      'item',
      'item_title',
      'sub_functions',
      'level',
      'maturity',
      'evidence',
      'gap_actions',
    ],
  });
}
