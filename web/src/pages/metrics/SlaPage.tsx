import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api.ts';
import { ErrorAlert, Field, Labelled, Notice, SelectField } from '../../components/forms.tsx';
import { Crumb, Pending } from '../../components/lists.tsx';
import { useAction, useFormatDate, useResource, useTitle } from '../../hooks.ts';
import { metricsApi, type SlaPolicy, type SlaSettings, type SlaStage, slaStages } from '../../metricsApi.ts';
import { Link } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import './metrics.css';

const severityOrder = ['any', 'critical', 'high', 'medium', 'low', 'none', 'unknown'];
/** ISO weekdays, Monday first (the calendar API's numbering). */
const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;

const byStageAndSeverity = (a: SlaPolicy, b: SlaPolicy) =>
  slaStages.indexOf(a.stage) - slaStages.indexOf(b.stage) ||
  severityOrder.indexOf(a.severity) - severityOrder.indexOf(b.severity);

/**
 * The server's message about one field, e.g. `policies[2].targetBusinessDays` or `holidays[0]`:
 * from the domain's `{ field, message }` problems, or from the schema check's issue paths.
 */
export function problemFor(error: unknown, field: string): string | null {
  if (!(error instanceof ApiError)) return null;
  const found = error.problems.find((p) => p.field === field);
  if (found) return found.message;
  const path = `body/${field.replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/')}`;
  return error.issues.find((i) => i.path === path)?.message ?? null;
}

/**
 * SLA clocks that need attention now (at risk or breached), for everyone or the caller's own
 * reports and cases; the policies per ISO/IEC 30111 stage and severity with their pause
 * condition, and the business calendar (admins edit both).
 */
export function SlaPage() {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const { can } = useSession();
  useTitle(t('slaPolicy.title'));
  const [state, setState] = useState<'attention' | 'at_risk' | 'breached'>('attention');
  const [mine, setMine] = useState(false);
  const clocks = useResource(() => metricsApi.clocks(state, mine), `${state}|${mine}`);
  const settings = useResource(() => metricsApi.policies(), 'policies');
  const admin = can('settings:update');
  const [saved, setSaved] = useState<string | null>(null);
  const recompute = useAction(async () => {
    await metricsApi.refresh();
    await clocks.reload();
    setSaved(t('slaPolicy.recomputed'));
  });

  return (
    <>
      <Crumb to="/metrics" label={t('metrics.title')} />
      <h1>{t('slaPolicy.title')}</h1>
      <p className="lead">{t('slaPolicy.intro')}</p>
      {saved && <Notice>{saved}</Notice>}
      <section className="card" aria-labelledby="sla-list-heading">
        <h2 id="sla-list-heading">{t('slaPolicy.attention')}</h2>
        <div className="filters">
          <SelectField
            id="sla-state"
            label={t('slaPolicy.state')}
            value={state}
            onChange={(e) => setState(e.target.value as typeof state)}
          >
            <option value="attention">{t('slaPolicy.states.attention')}</option>
            <option value="at_risk">{t('slaPolicy.states.at_risk')}</option>
            <option value="breached">{t('slaPolicy.states.breached')}</option>
          </SelectField>
          <label className="check">
            <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> {t('slaPolicy.mine')}
          </label>
          {admin && (
            <button type="button" className="btn" disabled={recompute.busy} onClick={() => void recompute.run()}>
              {t('slaPolicy.recompute')}
            </button>
          )}
        </div>
        <ErrorAlert error={recompute.error} />
        {!clocks.data ? (
          <Pending error={clocks.error} />
        ) : clocks.data.items.length === 0 ? (
          <p className="muted" role="status">
            {t('slaPolicy.none')}
          </p>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th scope="col">{t('slaPolicy.subject')}</th>
                <th scope="col">{t('slaPolicy.stage')}</th>
                <th scope="col">{t('slaPolicy.severity')}</th>
                <th scope="col">{t('slaPolicy.owner')}</th>
                <th scope="col">{t('slaPolicy.due')}</th>
                <th scope="col">{t('slaPolicy.state')}</th>
              </tr>
            </thead>
            <tbody>
              {clocks.data.items.map((c) => (
                <tr key={`${c.subjectId}-${c.stage}`}>
                  <td>
                    <Link to={`/${c.subjectType}s/${encodeURIComponent(c.label)}`} className="mono">
                      {c.label}
                    </Link>
                  </td>
                  <td>{t(`metrics.stages.${c.stage}`)}</td>
                  <td>{t(`metrics.severities.${c.severity}`, { defaultValue: c.severity })}</td>
                  <td>{c.ownerName ?? '—'}</td>
                  <td>
                    {fmt(c.dueAt)}
                    {c.pausedSince && <span className="muted small"> · {t('slaPolicy.paused')}</span>}
                  </td>
                  <td>
                    <span className={`badge sla-${c.state}`}>{t(`slaPolicy.states.${c.state}`)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {!settings.data ? (
        <Pending error={settings.error} />
      ) : (
        <>
          <PoliciesCard
            settings={settings.data}
            admin={admin}
            onSaved={(next) => {
              settings.setData(next);
              setSaved(t('slaPolicy.policiesSaved'));
            }}
          />
          <CalendarCard
            settings={settings.data}
            admin={admin}
            onSaved={(next) => {
              settings.setData(next);
              setSaved(t('slaPolicy.calendarSaved'));
            }}
          />
        </>
      )}
    </>
  );
}

/** The policies: one row per stage and severity, edited as a whole (admins); 'any' covers the other severities. */
function PoliciesCard({
  settings,
  admin,
  onSaved,
}: {
  settings: SlaSettings;
  admin: boolean;
  onSaved: (s: SlaSettings) => void;
}) {
  const { t } = useTranslation();
  const initial = useMemo(() => [...settings.policies].sort(byStageAndSeverity), [settings.policies]);
  const [rows, setRows] = useState<SlaPolicy[]>(initial);
  useEffect(() => setRows(initial), [initial]);
  const [adding, setAdding] = useState<{ stage: SlaStage; severity: string }>({ stage: 'remediation', severity: '' });
  const dirty = JSON.stringify(rows) !== JSON.stringify(initial);
  const save = useAction(async () => onSaved(await metricsApi.setPolicies(rows)));
  const reset = useAction(async () => onSaved(await metricsApi.setPolicies([])));
  const set = (i: number, patch: Partial<SlaPolicy>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const taken = new Set(rows.filter((r) => r.stage === adding.stage).map((r) => r.severity));
  const severityLabel = (s: string) => (s === 'any' ? t('slaPolicy.anySeverity') : t(`metrics.severities.${s}`));
  const stageLabel = (s: SlaStage) => {
    const phase = settings.stages.find((x) => x.stage === s)?.phase ?? '';
    return `${t(`metrics.stages.${s}`)} (${t(`slaPolicy.phases.${s}`, { defaultValue: phase })})`;
  };

  return (
    <section className="card" aria-labelledby="sla-policies-heading">
      <h2 id="sla-policies-heading">{t('slaPolicy.policies')}</h2>
      <p className="muted small">{t('slaPolicy.policiesHelp')}</p>
      {settings.usingDefaults && <p className="muted">{t('slaPolicy.usingDefaults')}</p>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <ErrorAlert error={save.error ?? reset.error} />
        <table className="data sla-policies">
          <thead>
            <tr>
              <th scope="col">{t('slaPolicy.stage')}</th>
              <th scope="col">{t('slaPolicy.severity')}</th>
              <th scope="col">{t('slaPolicy.target')}</th>
              <th scope="col">{t('slaPolicy.atRisk')}</th>
              <th scope="col">{t('slaPolicy.pauses')}</th>
              {admin && <th scope="col" />}
            </tr>
          </thead>
          <tbody>
            {rows.map((p, i) => {
              const at = `policies[${i}]`;
              const rowError = problemFor(save.error, at);
              const name = `${t(`metrics.stages.${p.stage}`)}, ${severityLabel(p.severity)}`;
              return (
                <tr key={`${p.stage}-${p.severity}`} data-policy={`${p.stage}/${p.severity}`}>
                  <th scope="row">
                    {stageLabel(p.stage)}
                    {rowError && <p className="field-error">{rowError}</p>}
                  </th>
                  <td>{severityLabel(p.severity)}</td>
                  <td>
                    {admin ? (
                      <Field
                        label={t('slaPolicy.targetFor', { name })}
                        className="sla-compact"
                        type="number"
                        min={0}
                        max={3650}
                        step={1}
                        value={Number.isNaN(p.targetBusinessDays) ? '' : p.targetBusinessDays}
                        onChange={(e) => set(i, { targetBusinessDays: e.target.valueAsNumber })}
                        error={problemFor(save.error, `${at}.targetBusinessDays`)}
                      />
                    ) : (
                      p.targetBusinessDays
                    )}
                  </td>
                  <td>
                    {admin ? (
                      <Field
                        label={t('slaPolicy.atRiskFor', { name })}
                        className="sla-compact"
                        type="number"
                        min={1}
                        max={100}
                        step={1}
                        value={Number.isNaN(p.atRiskFraction) ? '' : Math.round(p.atRiskFraction * 100)}
                        onChange={(e) => set(i, { atRiskFraction: e.target.valueAsNumber / 100 })}
                        error={problemFor(save.error, `${at}.atRiskFraction`)}
                      />
                    ) : (
                      `${Math.round(p.atRiskFraction * 100)} %`
                    )}
                  </td>
                  <td>
                    {admin ? (
                      <Labelled label={t('slaPolicy.pausesFor', { name })} inline className="sla-compact">
                        {(aria) => (
                          <input
                            {...aria}
                            type="checkbox"
                            checked={p.pauseAwaitingFinder}
                            onChange={(e) => set(i, { pauseAwaitingFinder: e.target.checked })}
                          />
                        )}
                      </Labelled>
                    ) : p.pauseAwaitingFinder ? (
                      t('slaPolicy.yes')
                    ) : (
                      t('slaPolicy.no')
                    )}
                  </td>
                  {admin && (
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="btn btn-small btn-ghost"
                        aria-label={t('slaPolicy.removeNamed', { name })}
                        onClick={() => setRows(rows.filter((_, j) => j !== i))}
                      >
                        {t('slaPolicy.remove')}
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
        {admin && (
          <>
            <fieldset className="sla-add">
              <legend>{t('slaPolicy.add')}</legend>
              <SelectField
                label={t('slaPolicy.stage')}
                value={adding.stage}
                onChange={(e) => setAdding({ stage: e.target.value as SlaStage, severity: '' })}
              >
                {slaStages.map((s) => (
                  <option key={s} value={s}>
                    {stageLabel(s)}
                  </option>
                ))}
              </SelectField>
              <SelectField
                label={t('slaPolicy.severity')}
                value={adding.severity}
                onChange={(e) => setAdding({ ...adding, severity: e.target.value })}
              >
                <option value="">—</option>
                {severityOrder
                  .filter((s) => !taken.has(s))
                  .map((s) => (
                    <option key={s} value={s}>
                      {severityLabel(s)}
                    </option>
                  ))}
              </SelectField>
              <button
                type="button"
                className="btn"
                disabled={!adding.severity}
                onClick={() => {
                  const base =
                    rows.find((r) => r.stage === adding.stage && r.severity === 'any') ??
                    settings.defaults.find((r) => r.stage === adding.stage && r.severity === 'any');
                  setRows(
                    [
                      ...rows,
                      {
                        stage: adding.stage,
                        severity: adding.severity,
                        targetBusinessDays: base?.targetBusinessDays ?? 10,
                        atRiskFraction: base?.atRiskFraction ?? 0.8,
                        pauseAwaitingFinder: base?.pauseAwaitingFinder ?? false,
                      },
                    ].sort(byStageAndSeverity),
                  );
                  setAdding({ ...adding, severity: '' });
                }}
              >
                {t('slaPolicy.addRow')}
              </button>
            </fieldset>
            <p className="actions">
              <button type="submit" className="btn btn-primary" disabled={save.busy || !dirty}>
                {t('slaPolicy.savePolicies')}
              </button>
              {dirty && (
                <button type="button" className="btn btn-ghost" onClick={() => setRows(initial)}>
                  {t('common.cancel')}
                </button>
              )}
              {!settings.usingDefaults && (
                <button type="button" className="btn btn-ghost" disabled={reset.busy} onClick={() => void reset.run()}>
                  {t('slaPolicy.useDefaults')}
                </button>
              )}
            </p>
          </>
        )}
      </form>
    </section>
  );
}

type CalendarDraft = {
  timeZone: string;
  workdays: number[];
  holidays: string[];
  useHours: boolean;
  start: string;
  end: string;
};

const draftOf = (c: SlaSettings['calendar']): CalendarDraft => ({
  timeZone: c.timeZone,
  workdays: c.workdays ?? [1, 2, 3, 4, 5],
  holidays: [...(c.holidays ?? [])].sort(),
  useHours: Boolean(c.hours),
  start: c.hours?.start ?? '09:00',
  end: c.hours?.end ?? '17:00',
});

/** The IANA zone names the browser knows, for the time zone suggestions (empty on old browsers). */
function knownZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

/** The business calendar the clocks count in: time zone, workdays, optional hours, holidays. */
function CalendarCard({
  settings,
  admin,
  onSaved,
}: {
  settings: SlaSettings;
  admin: boolean;
  onSaved: (s: SlaSettings) => void;
}) {
  const { t, i18n } = useTranslation();
  const initial = useMemo(() => draftOf(settings.calendar), [settings.calendar]);
  const [draft, setDraft] = useState<CalendarDraft>(initial);
  useEffect(() => setDraft(initial), [initial]);
  const [holiday, setHoliday] = useState('');
  const zones = useMemo(knownZones, []);
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  const save = useAction(async () =>
    onSaved(
      await metricsApi.setCalendar({
        timeZone: draft.timeZone.trim(),
        workdays: draft.workdays,
        holidays: draft.holidays,
        ...(draft.useHours ? { hours: { start: draft.start, end: draft.end } } : {}),
      }),
    ),
  );
  // Monday 2026-11-23 is ISO weekday 1; its following days name the others in the reader's language.
  const dayName = (d: number) =>
    new Intl.DateTimeFormat(i18n.language, { weekday: 'long', timeZone: 'UTC' }).format(
      new Date(Date.UTC(2026, 10, 22 + d)),
    );
  const workdaysError =
    problemFor(save.error, 'workdays') ??
    draft.workdays.map((_, i) => problemFor(save.error, `workdays[${i}]`)).find((m) => m !== null) ??
    null;

  if (!admin) {
    return (
      <section className="card" aria-labelledby="sla-calendar-heading">
        <h2 id="sla-calendar-heading">{t('slaPolicy.calendarTitle')}</h2>
        <dl className="facts">
          <dt>{t('slaPolicy.timeZone')}</dt>
          <dd>{initial.timeZone}</dd>
          <dt>{t('slaPolicy.workdays')}</dt>
          <dd>{initial.workdays.map(dayName).join(', ')}</dd>
          <dt>{t('slaPolicy.hours')}</dt>
          <dd>{initial.useHours ? `${initial.start}–${initial.end}` : t('slaPolicy.wholeDays')}</dd>
          <dt>{t('slaPolicy.holidays')}</dt>
          <dd>{initial.holidays.length ? initial.holidays.join(', ') : t('slaPolicy.noHolidays')}</dd>
        </dl>
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="sla-calendar-heading">
      <h2 id="sla-calendar-heading">{t('slaPolicy.calendarTitle')}</h2>
      <p className="muted small">{t('slaPolicy.calendarHelp')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <ErrorAlert error={save.error} />
        <Field
          label={t('slaPolicy.timeZone')}
          hint={t('slaPolicy.timeZoneHint')}
          list="sla-zones"
          autoComplete="off"
          value={draft.timeZone}
          onChange={(e) => setDraft({ ...draft, timeZone: e.target.value })}
          error={problemFor(save.error, 'timeZone')}
        />
        <datalist id="sla-zones">
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <fieldset className="sla-days" aria-describedby={workdaysError ? 'sla-workdays-error' : undefined}>
          <legend>{t('slaPolicy.workdays')}</legend>
          {weekdays.map((d) => (
            <label key={d} className="check">
              <input
                type="checkbox"
                checked={draft.workdays.includes(d)}
                onChange={(e) =>
                  setDraft({
                    ...draft,
                    workdays: e.target.checked
                      ? [...draft.workdays, d].sort((a, b) => a - b)
                      : draft.workdays.filter((x) => x !== d),
                  })
                }
              />{' '}
              {dayName(d)}
            </label>
          ))}
          {workdaysError && (
            <p className="field-error" id="sla-workdays-error">
              {workdaysError}
            </p>
          )}
        </fieldset>
        <Labelled label={t('slaPolicy.useHours')} inline hint={t('slaPolicy.useHoursHint')}>
          {(aria) => (
            <input
              {...aria}
              type="checkbox"
              checked={draft.useHours}
              onChange={(e) => setDraft({ ...draft, useHours: e.target.checked })}
            />
          )}
        </Labelled>
        {draft.useHours && (
          <div className="sla-hours">
            <Field
              label={t('slaPolicy.hoursStart')}
              type="time"
              value={draft.start}
              onChange={(e) => setDraft({ ...draft, start: e.target.value })}
              error={problemFor(save.error, 'hours.start') ?? problemFor(save.error, 'hours')}
            />
            <Field
              label={t('slaPolicy.hoursEnd')}
              type="time"
              value={draft.end}
              onChange={(e) => setDraft({ ...draft, end: e.target.value })}
              error={problemFor(save.error, 'hours.end')}
            />
          </div>
        )}
        <fieldset className="sla-holidays">
          <legend>{t('slaPolicy.holidays')}</legend>
          {draft.holidays.length === 0 ? (
            <p className="muted small">{t('slaPolicy.noHolidays')}</p>
          ) : (
            <ul className="plain-list">
              {draft.holidays.map((h, i) => {
                const err = problemFor(save.error, `holidays[${i}]`);
                return (
                  <li key={h}>
                    <span className="mono">{h}</span>{' '}
                    <button
                      type="button"
                      className="btn btn-small btn-ghost"
                      aria-label={t('slaPolicy.removeNamed', { name: h })}
                      onClick={() => setDraft({ ...draft, holidays: draft.holidays.filter((x) => x !== h) })}
                    >
                      {t('slaPolicy.remove')}
                    </button>
                    {err && <p className="field-error">{err}</p>}
                  </li>
                );
              })}
            </ul>
          )}
          <div className="sla-add-holiday">
            <Field
              label={t('slaPolicy.holiday')}
              type="date"
              value={holiday}
              onChange={(e) => setHoliday(e.target.value)}
            />
            <button
              type="button"
              className="btn"
              disabled={!holiday || draft.holidays.includes(holiday)}
              onClick={() => {
                setDraft({ ...draft, holidays: [...draft.holidays, holiday].sort() });
                setHoliday('');
              }}
            >
              {t('slaPolicy.addHoliday')}
            </button>
          </div>
        </fieldset>
        <p className="actions">
          <button type="submit" className="btn btn-primary" disabled={save.busy || !dirty}>
            {t('slaPolicy.saveCalendar')}
          </button>
          {dirty && (
            <button type="button" className="btn btn-ghost" onClick={() => setDraft(initial)}>
              {t('common.cancel')}
            </button>
          )}
        </p>
      </form>
    </section>
  );
}
