import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert, Field, Submit, errorFor } from '../../components/forms.tsx';
import { Pending } from '../../components/lists.tsx';
import { useAction, useFormatDate, useResource } from '../../hooks.ts';
import { publicationApi, type ReadinessChange, type ReleasePlan } from '../../publicationApi.ts';
import type { CaseTabProps } from './CasePage.tsx';

const readinessKeys = ['advisoryReady', 'fixAvailable', 'customersNotified'] as const;

/** A date-time for `<input type="datetime-local">` in the browser's zone, and back to ISO. */
function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The coordinated release: the publication time, each participant's readiness, the release-day
 * checklist, staff approval of statements, and "publish now" (one staff member asks, another confirms).
 */
export function ReleaseTab({ c }: CaseTabProps) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const { data, setData, error } = useResource(() => publicationApi.get(c.caseId), c.caseId);
  const act = useAction(async (fn: () => Promise<ReleasePlan>) => {
    setData(await fn());
  });
  const [publishAt, setPublishAt] = useState<string | null>(null);
  const [notes, setNotes] = useState<string | null>(null);
  const [item, setItem] = useState('');
  const [reason, setReason] = useState('');

  if (!data) return <Pending error={error} />;
  const plan = data;
  const manage = plan.abilities.manage;
  const run = (fn: () => Promise<ReleasePlan>) => void act.run(fn);

  const savePlan = (e: FormEvent) => {
    e.preventDefault();
    const local = publishAt ?? toLocalInput(plan.publishAt);
    run(() =>
      publicationApi.update(c.caseId, {
        publishAt: local ? new Date(local).toISOString() : null,
        ...(notes !== null ? { notes } : {}),
      }),
    );
  };
  const setReady = (participantId: string, change: ReadinessChange) =>
    run(() => publicationApi.readiness(c.caseId, participantId, change));

  return (
    <>
      <section className="card" aria-labelledby="release-heading">
        <h2 id="release-heading">{t('release.title')}</h2>
        <ErrorAlert error={act.error} />
        {plan.published ? (
          <p className="badge case-closed" data-testid="release-published">
            {t('release.published', { at: fmt(plan.published.at) })}{' '}
            <a href={plan.published.url}>{t('release.publicPage')}</a>
          </p>
        ) : (
          <p data-testid="release-when">
            {plan.publishAt ? t('release.scheduled', { at: fmt(plan.publishAt) }) : t('release.notScheduled')}
          </p>
        )}
        <p>
          {t(`release.embargo.${plan.embargo.state}`, {
            at: fmt(plan.embargo.endsAt),
            reason: plan.embargo.exitReason ? t(`release.exit.${plan.embargo.exitReason}`) : '',
          })}
        </p>
        {manage && !plan.published && (
          <form onSubmit={savePlan} className="stack">
            <Field
              label={t('release.publishAt')}
              hint={t('release.publishAtHint')}
              type="datetime-local"
              value={publishAt ?? toLocalInput(plan.publishAt)}
              onChange={(e) => setPublishAt(e.target.value)}
              error={errorFor(act.error, 'publishAt')}
            />
            <label className="field">
              <span>{t('release.notes')}</span>
              <textarea rows={3} value={notes ?? plan.notes ?? ''} onChange={(e) => setNotes(e.target.value)} />
            </label>
            <Submit busy={act.busy}>{t('release.save')}</Submit>
          </form>
        )}
      </section>

      <section className="card" aria-labelledby="readiness-heading">
        <h2 id="readiness-heading">{t('release.readiness.title')}</h2>
        <table className="data-table" data-testid="release-readiness">
          <thead>
            <tr>
              <th scope="col">{t('release.readiness.participant')}</th>
              {readinessKeys.map((k) => (
                <th scope="col" key={k}>
                  {t(`release.readiness.${k}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {plan.readiness.map((r) => (
              <tr key={r.participantId}>
                <td>{r.name}</td>
                {readinessKeys.map((k) => (
                  <td key={k}>
                    <input
                      type="checkbox"
                      aria-label={`${r.name}: ${t(`release.readiness.${k}`)}`}
                      checked={r[k]}
                      disabled={act.busy || plan.published !== null || !(r.mine || manage)}
                      onChange={(e) => setReady(r.participantId, { [k]: e.target.checked })}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="card" aria-labelledby="checklist-heading">
        <h2 id="checklist-heading">{t('release.checklist.title')}</h2>
        {plan.checklistOpen && <p className="badge">{t('release.checklist.open')}</p>}
        <ul className="checklist" data-testid="release-checklist">
          {plan.checklist.map((i) => (
            <li key={i.id}>
              <label>
                <input
                  type="checkbox"
                  checked={i.done}
                  disabled={!manage || act.busy}
                  onChange={(e) => run(() => publicationApi.tick(c.caseId, i.id, e.target.checked))}
                />{' '}
                {i.key ? t(`release.checklist.items.${i.key}`, { defaultValue: i.label }) : i.label}
              </label>
              {i.done && i.doneBy && (
                <small> — {t('release.checklist.doneBy', { name: i.doneBy, at: fmt(i.doneAt) })}</small>
              )}
            </li>
          ))}
        </ul>
        {manage && (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              run(async () => {
                const next = await publicationApi.addItem(c.caseId, item);
                setItem('');
                return next;
              });
            }}
          >
            <Field
              label={t('release.checklist.add')}
              value={item}
              maxLength={200}
              onChange={(e) => setItem(e.target.value)}
            />
            <Submit busy={act.busy}>{t('release.checklist.addButton')}</Submit>
          </form>
        )}
      </section>

      {manage && (
        <section className="card" aria-labelledby="statements-heading">
          <h2 id="statements-heading">{t('release.statements.title')}</h2>
          <p>{t('release.statements.hint')}</p>
          {plan.statements.length === 0 ? (
            <p>{t('release.statements.none')}</p>
          ) : (
            <table className="data-table" data-testid="release-statements">
              <thead>
                <tr>
                  <th scope="col">{t('release.statements.vendor')}</th>
                  <th scope="col">{t('release.statements.product')}</th>
                  <th scope="col">{t('release.statements.vulnerability')}</th>
                  <th scope="col">{t('release.statements.status')}</th>
                  <th scope="col">{t('release.statements.approved')}</th>
                </tr>
              </thead>
              <tbody>
                {plan.statements.map((s) => (
                  <tr key={s.id}>
                    <td>{s.vendor ?? '—'}</td>
                    <td>{s.product}</td>
                    <td>{s.vulnerability}</td>
                    <td>{t(`cases.vendorStatus.${s.status}`, { defaultValue: s.status })}</td>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`${s.vendor ?? ''} ${s.product}: ${t('release.statements.approved')}`}
                        checked={s.approved}
                        disabled={act.busy}
                        onChange={(e) => run(() => publicationApi.approve(c.caseId, s.id, e.target.checked))}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}

      {manage && !plan.published && (
        <section className="card" aria-labelledby="early-heading">
          <h2 id="early-heading">{t('release.early.title')}</h2>
          <p>{t('release.early.hint')}</p>
          {plan.earlyRequest ? (
            <>
              <p data-testid="release-early-request">
                {t('release.early.requested', {
                  name: plan.earlyRequest.requestedBy ?? '—',
                  at: fmt(plan.earlyRequest.at),
                })}
              </p>
              {plan.earlyRequest.reason && <blockquote>{plan.earlyRequest.reason}</blockquote>}
              <div className="actions">
                {plan.abilities.confirmEarly && (
                  <button
                    type="button"
                    className="btn btn-danger"
                    disabled={act.busy}
                    onClick={() => run(() => publicationApi.confirmEarly(c.caseId))}
                  >
                    {t('release.early.confirm')}
                  </button>
                )}
                {plan.earlyRequest.requestedByMe && (
                  <>
                    <span>{t('release.early.waiting')}</span>
                    <button
                      type="button"
                      className="btn"
                      disabled={act.busy}
                      onClick={() => run(() => publicationApi.withdrawEarly(c.caseId))}
                    >
                      {t('release.early.withdraw')}
                    </button>
                  </>
                )}
              </div>
            </>
          ) : (
            plan.abilities.requestEarly && (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  run(() => publicationApi.requestEarly(c.caseId, reason));
                }}
              >
                <Field
                  label={t('release.early.reason')}
                  value={reason}
                  required
                  maxLength={2000}
                  onChange={(e) => setReason(e.target.value)}
                  error={errorFor(act.error, 'reason')}
                />
                <Submit busy={act.busy}>{t('release.early.request')}</Submit>
              </form>
            )
          )}
        </section>
      )}
    </>
  );
}
