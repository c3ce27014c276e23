import { Fragment, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Assessment, assessmentApi, type Framework, type ServiceSummary } from '../../assessmentApi.ts';
import { ErrorAlert, errorFor, Field, Labelled, SelectField, Submit } from '../../components/forms.tsx';
import { Crumb, Pending } from '../../components/lists.tsx';
import { useAction, useResource, useTitle } from '../../hooks.ts';
import { saveBlob } from '../../reportsApi.ts';
import { Link, navigate } from '../../router.tsx';
import { EntryForm, RemoveButton } from '../casework/EntryForm.tsx';
import { AreaChart } from './AreaChart.tsx';
import '../casework/casework.css';
import './assessment.css';

/** The history of PSIRT Services Framework self-assessments, and a new one. */
export function AssessmentsPage() {
  const { t } = useTranslation();
  useTitle(t('assessment.title'));
  const list = useResource(() => assessmentApi.list(), 'list');
  const [form, setForm] = useState({ title: '', assessedOn: new Date().toISOString().slice(0, 10), startEmpty: false });
  const create = useAction(async () => {
    const a = await assessmentApi.create({
      ...(form.title.trim() ? { title: form.title } : {}),
      assessedOn: form.assessedOn,
      startEmpty: form.startEmpty,
    });
    navigate(`/assessment/${a.id}`);
  });
  if (!list.data) return <Pending error={list.error} />;
  const latest = list.data.items[0];
  return (
    <>
      <h1>{t('assessment.title')}</h1>
      <p className="muted">{t('assessment.intro')}</p>
      {latest && (
        <section className="card">
          <h2>{t('assessment.latest', { title: latest.title, date: latest.assessedOn })}</h2>
          <AreaChart
            title={t('assessment.chartTitle', { title: latest.title })}
            rows={latest.areas.map((a) => ({ id: a.areaId, label: a.title, current: a.average }))}
          />
        </section>
      )}
      <section className="card" aria-labelledby="history-heading">
        <h2 id="history-heading">{t('assessment.history')}</h2>
        {list.data.items.length === 0 ? (
          <p className="muted">{t('assessment.none')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table-dense">
              <thead>
                <tr>
                  <th>{t('assessment.assessedOn')}</th>
                  <th>{t('assessment.name')}</th>
                  {list.data.items[0]!.areas.map((a) => (
                    <th key={a.areaId} title={a.title}>
                      {t('assessment.areaShort', { id: a.areaId })}
                    </th>
                  ))}
                  <th>{t('assessment.openGaps')}</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((a) => (
                  <tr key={a.id}>
                    <td className="nowrap">{a.assessedOn}</td>
                    <td>
                      <Link to={`/assessment/${a.id}`}>{a.title}</Link>
                    </td>
                    {a.areas.map((x) => (
                      <td key={x.areaId}>{x.average === null ? '—' : x.average.toFixed(2)}</td>
                    ))}
                    <td>{a.openGaps}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {list.data.abilities.write && (
        <section className="card" aria-labelledby="new-heading">
          <h2 id="new-heading">{t('assessment.new')}</h2>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void create.run();
            }}
          >
            <ErrorAlert error={create.error} />
            <Field
              label={t('assessment.name')}
              value={form.title}
              placeholder={t('assessment.namePlaceholder')}
              onChange={(e) => setForm({ ...form, title: e.target.value })}
              error={errorFor(create.error, 'title')}
            />
            <Field
              label={t('assessment.assessedOn')}
              type="date"
              value={form.assessedOn}
              onChange={(e) => setForm({ ...form, assessedOn: e.target.value })}
              error={errorFor(create.error, 'assessedOn')}
            />
            <Labelled label={t('assessment.startEmpty')} inline hint={t('assessment.startEmptyHint')}>
              {(aria) => (
                <input
                  {...aria}
                  type="checkbox"
                  checked={form.startEmpty}
                  onChange={(e) => setForm({ ...form, startEmpty: e.target.checked })}
                />
              )}
            </Labelled>
            <Submit busy={create.busy}>{t('assessment.start')}</Submit>
          </form>
        </section>
      )}
    </>
  );
}

type Draft = Record<string, { level: string; evidence: string }>;

/** One assessment: chart per area against the previous one, the ratings, the gap actions, export. */
export function AssessmentPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const framework = useResource(() => assessmentApi.framework(), 'framework');
  const assessment = useResource(() => assessmentApi.get(id), id);
  useTitle(assessment.data?.title ?? t('assessment.title'));
  if (!framework.data || !assessment.data) return <Pending error={framework.error ?? assessment.error} />;
  return (
    <AssessmentView
      fw={framework.data}
      a={assessment.data}
      onChange={(next) => assessment.setData(next)}
      reload={() => void assessment.reload()}
    />
  );
}

function AssessmentView({
  fw,
  a,
  onChange,
  reload,
}: {
  fw: Framework;
  a: Assessment;
  onChange: (a: Assessment) => void;
  reload: () => void;
}) {
  const { t } = useTranslation();
  const write = a.abilities.write;
  const initial = useMemo(() => {
    const d: Draft = {};
    for (const i of a.items) d[i.itemId] = { level: String(i.level), evidence: i.evidence };
    return d;
  }, [a.items]);
  const [draft, setDraft] = useState<Draft>(initial);
  useEffect(() => setDraft(initial), [initial]);
  const [header, setHeader] = useState({ title: a.title, assessedOn: a.assessedOn, notes: a.notes });
  const dirty = Object.entries(draft).filter(([itemId, v]) => {
    const was = initial[itemId];
    return v.level !== '' && (!was || was.level !== v.level || was.evidence !== v.evidence);
  });
  const saveItems = useAction(async () => {
    onChange(
      await assessmentApi.rate(
        a.id,
        dirty.map(([itemId, v]) => ({ itemId, level: Number(v.level), evidence: v.evidence })),
      ),
    );
  });
  const saveHeader = useAction(async () => {
    onChange(await assessmentApi.update(a.id, header));
  });
  const exportAction = useAction(async (format: 'csv' | 'json') => {
    saveBlob(await assessmentApi.export(a.id, format), `psirt-assessment-${a.assessedOn}.${format}`);
  });
  const previous = a.previous;
  const changed = new Map(previous?.comparison.items.map((c) => [c.itemId, c.previous]) ?? []);
  const levelLabel = (l: number) => fw.levels.find((x) => x.level === l)?.key ?? String(l);

  return (
    <>
      <Crumb to="/assessment" label={t('assessment.title')} />
      <h1>
        {a.title} <span className="muted small">{a.assessedOn}</span>
      </h1>
      <p className="small muted">
        {t('assessment.framework', { name: fw.framework.name, version: a.frameworkVersion })}{' '}
        <a href={fw.framework.source} rel="noopener noreferrer" target="_blank">
          {t('assessment.source')}
        </a>
      </p>
      <div className="actions">
        {(['csv', 'json'] as const).map((f) => (
          <button
            key={f}
            type="button"
            className="btn"
            disabled={exportAction.busy}
            onClick={() => void exportAction.run(f)}
          >
            {t('assessment.export', { format: f.toUpperCase() })}
          </button>
        ))}
      </div>
      <ErrorAlert error={exportAction.error} />
      <section className="card">
        <h2>{t('assessment.byArea')}</h2>
        {previous && (
          <p className="small">{t('assessment.comparedWith', { title: previous.title, date: previous.assessedOn })}</p>
        )}
        <AreaChart
          title={t('assessment.chartTitle', { title: a.title })}
          rows={a.areas.map((x) => ({
            id: x.areaId,
            label: x.title,
            current: x.average,
            ...(previous
              ? { previous: previous.comparison.areas.find((c) => c.areaId === x.areaId)?.previous ?? null }
              : {}),
          }))}
        />
        <table className="table-dense">
          <thead>
            <tr>
              <th>{t('assessment.area')}</th>
              <th>{t('assessment.rated')}</th>
              {fw.levels.map((l) => (
                <th key={l.level}>{t(`assessment.levels.${l.key}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {a.areas.map((x) => (
              <tr key={x.areaId}>
                <td>
                  {x.areaId}. {x.title}
                </td>
                <td>
                  {x.rated}/{x.total}
                </td>
                {x.distribution.map((n, i) => (
                  <td key={i}>{n}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {write && (
        <section className="card">
          <h2>{t('assessment.details')}</h2>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void saveHeader.run();
            }}
          >
            <ErrorAlert error={saveHeader.error} />
            <Field
              label={t('assessment.name')}
              value={header.title}
              onChange={(e) => setHeader({ ...header, title: e.target.value })}
              error={errorFor(saveHeader.error, 'title')}
            />
            <Field
              label={t('assessment.assessedOn')}
              type="date"
              value={header.assessedOn}
              onChange={(e) => setHeader({ ...header, assessedOn: e.target.value })}
              error={errorFor(saveHeader.error, 'assessedOn')}
            />
            <Labelled label={t('assessment.notes')}>
              {(aria) => (
                <textarea
                  {...aria}
                  rows={3}
                  value={header.notes}
                  onChange={(e) => setHeader({ ...header, notes: e.target.value })}
                />
              )}
            </Labelled>
            <Submit busy={saveHeader.busy}>{t('common.save')}</Submit>
          </form>
        </section>
      )}

      <section className="card" aria-labelledby="items-heading">
        <h2 id="items-heading">{t('assessment.items')}</h2>
        <dl className="facts small">
          {fw.levels.map((l) => (
            <Fragment key={l.level}>
              <dt>
                {l.level} · {t(`assessment.levels.${l.key}`)}
              </dt>
              <dd>{t(`assessment.levelHelp.${l.key}`)}</dd>
            </Fragment>
          ))}
        </dl>
        <ErrorAlert error={saveItems.error} />
        {fw.areas.map((area) => (
          <div key={area.id} className="as-area">
            <h3>
              {area.id}. {area.title}
            </h3>
            <AreaChart
              title={t('assessment.serviceChartTitle', { area: `${area.id}. ${area.title}` })}
              rows={a.services
                .filter((x) => x.areaId === area.id)
                .map((x) => ({ id: x.serviceId, label: x.title, current: x.average }))}
            />
            <table className="table-dense as-items">
              <tbody>
                {area.services.map((s) => (
                  <Fragment key={s.id}>
                    <tr className="as-service">
                      <th colSpan={3}>
                        {s.id} {s.title} <ServiceRollUp summary={a.services.find((x) => x.serviceId === s.id)} />
                      </th>
                    </tr>
                    {(s.functions.length > 0 ? s.functions : [{ id: s.id, title: s.title, subFunctions: [] }]).map(
                      (f) => {
                        const v = draft[f.id] ?? { level: '', evidence: '' };
                        const set = (next: Partial<typeof v>) => setDraft({ ...draft, [f.id]: { ...v, ...next } });
                        const before = changed.get(f.id);
                        return (
                          <tr key={f.id}>
                            <td className="nowrap mono">{f.id}</td>
                            <td>
                              {f.title}
                              {changed.has(f.id) && (
                                <span className="badge as-changed">
                                  {t('assessment.was', {
                                    level: before === null || before === undefined ? '—' : before,
                                  })}
                                </span>
                              )}
                              {f.subFunctions.length > 0 && (
                                <details className="as-subs small">
                                  <summary>{t('assessment.subFunctions', { count: f.subFunctions.length })}</summary>
                                  <ul>
                                    {f.subFunctions.map((x) => (
                                      <li key={x.id}>
                                        <span className="mono">{x.id}</span> {x.title}
                                        {x.printedAs && (
                                          <span className="muted">
                                            {' '}
                                            {t('assessment.printedAs', { id: x.printedAs })}
                                          </span>
                                        )}
                                      </li>
                                    ))}
                                  </ul>
                                </details>
                              )}
                            </td>
                            <td className="as-rating">
                              {write ? (
                                <>
                                  <SelectField
                                    label={t('assessment.level')}
                                    value={v.level}
                                    onChange={(e) => set({ level: e.target.value })}
                                  >
                                    <option value="">{t('assessment.notRated')}</option>
                                    {fw.levels.map((l) => (
                                      <option key={l.level} value={String(l.level)}>
                                        {l.level} · {t(`assessment.levels.${l.key}`)}
                                      </option>
                                    ))}
                                  </SelectField>
                                  <Labelled label={t('assessment.evidence')}>
                                    {(aria) => (
                                      <textarea
                                        {...aria}
                                        rows={2}
                                        value={v.evidence}
                                        onChange={(e) => set({ evidence: e.target.value })}
                                      />
                                    )}
                                  </Labelled>
                                </>
                              ) : (
                                <>
                                  <strong>
                                    {v.level === ''
                                      ? t('assessment.notRated')
                                      : `${v.level} · ${t(`assessment.levels.${levelLabel(Number(v.level))}`)}`}
                                  </strong>
                                  {v.evidence && <p className="cw-pre small">{v.evidence}</p>}
                                </>
                              )}
                            </td>
                          </tr>
                        );
                      },
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        ))}
        {write && (
          <div className="actions as-save">
            <button
              type="button"
              className="btn btn-primary"
              disabled={saveItems.busy || dirty.length === 0}
              onClick={() => void saveItems.run()}
            >
              {t('assessment.saveRatings', { count: dirty.length })}
            </button>
          </div>
        )}
      </section>
      <Gaps fw={fw} a={a} reload={reload} />
    </>
  );
}

/** A service's functions rolled up: mean level and how many are rated. */
function ServiceRollUp({ summary }: { summary: ServiceSummary | undefined }) {
  const { t } = useTranslation();
  if (!summary) return null;
  return (
    <span className="small as-rollup">
      {t('assessment.serviceRollUp', {
        average: summary.average === null ? '—' : summary.average.toFixed(2),
        rated: summary.rated,
        total: summary.total,
      })}
    </span>
  );
}

function Gaps({ fw, a, reload }: { fw: Framework; a: Assessment; reload: () => void }) {
  const { t } = useTranslation();
  const write = a.abilities.write;
  const blank = { itemId: '', action: '', owner: '', dueOn: '' };
  const [form, setForm] = useState(blank);
  const add = useAction(async () => {
    await assessmentApi.addGap(a.id, { ...form, dueOn: form.dueOn || null });
    setForm(blank);
    reload();
  });
  const toggle = useAction(async (gapId: string, done: boolean) => {
    await assessmentApi.updateGap(a.id, gapId, { done });
    reload();
  });
  const remove = useAction(async (gapId: string) => {
    await assessmentApi.removeGap(a.id, gapId);
    reload();
  });
  const targets = fw.areas.flatMap((area) => [
    { id: area.id, title: area.title },
    ...area.services.flatMap((s) => [
      { id: s.id, title: s.title },
      ...s.functions.flatMap((f) => [{ id: f.id, title: f.title }, ...f.subFunctions]),
    ]),
  ]);
  const titleOf = (id: string) => targets.find((x) => x.id === id)?.title ?? '';
  return (
    <section className="card" aria-labelledby="gaps-heading">
      <h2 id="gaps-heading">{t('assessment.gaps')}</h2>
      <ErrorAlert error={toggle.error ?? remove.error} />
      {a.gaps.length === 0 ? (
        <p className="muted">{t('assessment.noGaps')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table-dense">
            <thead>
              <tr>
                <th>{t('assessment.done')}</th>
                <th>{t('assessment.item')}</th>
                <th>{t('assessment.action')}</th>
                <th>{t('assessment.owner')}</th>
                <th>{t('assessment.dueOn')}</th>
                {write && <th />}
              </tr>
            </thead>
            <tbody>
              {a.gaps.map((g) => (
                <tr key={g.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={t('assessment.done')}
                      checked={g.done}
                      disabled={!write || toggle.busy}
                      onChange={(e) => void toggle.run(g.id, e.target.checked)}
                    />
                  </td>
                  <td>
                    <span className="mono">{g.itemId}</span> {titleOf(g.itemId)}
                  </td>
                  <td>{g.action}</td>
                  <td>{g.owner}</td>
                  <td className="nowrap">{g.dueOn ?? '—'}</td>
                  {write && (
                    <td className="cell-actions">
                      <RemoveButton busy={remove.busy} onClick={() => void remove.run(g.id)} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {write && (
        <EntryForm title={t('assessment.addGap')} error={add.error} busy={add.busy} onSubmit={() => void add.run()}>
          <SelectField
            label={t('assessment.item')}
            value={form.itemId}
            onChange={(e) => setForm({ ...form, itemId: e.target.value })}
            error={errorFor(add.error, 'itemId')}
          >
            <option value="">—</option>
            {targets.map((x) => (
              <option key={x.id} value={x.id}>
                {x.id} {x.title}
              </option>
            ))}
          </SelectField>
          <Field
            label={t('assessment.action')}
            value={form.action}
            onChange={(e) => setForm({ ...form, action: e.target.value })}
            error={errorFor(add.error, 'action')}
          />
          <Field
            label={t('assessment.owner')}
            value={form.owner}
            onChange={(e) => setForm({ ...form, owner: e.target.value })}
            error={errorFor(add.error, 'owner')}
          />
          <Field
            label={t('assessment.dueOn')}
            type="date"
            value={form.dueOn}
            onChange={(e) => setForm({ ...form, dueOn: e.target.value })}
            error={errorFor(add.error, 'dueOn')}
          />
        </EntryForm>
      )}
    </section>
  );
}
