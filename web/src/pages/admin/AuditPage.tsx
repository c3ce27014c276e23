import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { ErrorAlert, MoreButton } from '../../components/forms.tsx';
import { submitting, useFormatDate, usePaged, useTitle } from '../../hooks.ts';

interface Filter {
  action: string;
  actorId: string;
  subjectType: string;
  subjectId: string;
  since: string;
  until: string;
}

const empty: Filter = { action: '', actorId: '', subjectType: '', subjectId: '', since: '', until: '' };

/** datetime-local value → ISO timestamp (the browser's zone), or '' */
function toIso(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** An event's summary as "key: value" lines. */
function Summary({ value }: { value: Record<string, unknown> }) {
  const entries = Object.entries(value);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="summary">
      {entries.map(([k, v]) => (
        <li key={k}>
          <span className="summary-key">{k}:</span> {typeof v === 'string' ? v : JSON.stringify(v)}
        </li>
      ))}
    </ul>
  );
}

export function AuditPage() {
  const { t } = useTranslation();
  useTitle(t('audit.title'));
  const fmt = useFormatDate();
  const [draft, setDraft] = useState<Filter>(empty);
  const [filter, setFilter] = useState<Filter>(empty);
  const list = usePaged(
    (cursor) => api.audit({ ...filter, since: toIso(filter.since), until: toIso(filter.until), cursor }),
    JSON.stringify(filter),
  );
  const set = (k: keyof Filter) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));

  const text = (k: keyof Filter, label: string, hint?: string) => (
    <div className="field">
      <label htmlFor={`audit-${k}`}>{label}</label>
      <input
        id={`audit-${k}`}
        value={draft[k]}
        onChange={set(k)}
        aria-describedby={hint ? `audit-${k}-hint` : undefined}
      />
      {hint && (
        <p className="hint" id={`audit-${k}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );

  return (
    <>
      <h1>{t('audit.title')}</h1>
      <section className="card" aria-labelledby="audit-filter-heading">
        <h2 id="audit-filter-heading">{t('audit.filters')}</h2>
        <form onSubmit={submitting(async () => setFilter(draft))} noValidate>
          <div className="grid-3">
            {text('action', t('audit.action'), t('audit.actionHint'))}
            {text('actorId', t('audit.actorId'))}
            {text('subjectType', t('audit.subjectType'))}
            {text('subjectId', t('audit.subjectId'))}
            <div className="field">
              <label htmlFor="audit-since">{t('audit.since')}</label>
              <input id="audit-since" type="datetime-local" value={draft.since} onChange={set('since')} />
            </div>
            <div className="field">
              <label htmlFor="audit-until">{t('audit.until')}</label>
              <input id="audit-until" type="datetime-local" value={draft.until} onChange={set('until')} />
            </div>
          </div>
          <div className="actions">
            <button type="submit" className="btn btn-primary">
              {t('common.apply')}
            </button>
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() => {
                setDraft(empty);
                setFilter(empty);
              }}
            >
              {t('common.reset')}
            </button>
          </div>
        </form>
      </section>
      <section className="card" aria-labelledby="audit-list-heading">
        <h2 id="audit-list-heading">{t('audit.events')}</h2>
        <ErrorAlert error={list.error} />
        {!list.loading && list.items.length === 0 && !list.error && <p className="muted">{t('common.noResults')}</p>}
        {list.items.length > 0 && (
          <div className="table-wrap">
            <table className="table-dense">
              <caption className="visually-hidden">{t('audit.events')}</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t('audit.time')}</th>
                  <th scope="col">{t('audit.actor')}</th>
                  <th scope="col">{t('audit.action')}</th>
                  <th scope="col">{t('audit.subject')}</th>
                  <th scope="col">{t('audit.summary')}</th>
                  <th scope="col">{t('audit.ip')}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((e) => (
                  <tr key={e.id}>
                    <td>{e.seq}</td>
                    <td className="nowrap">{fmt(e.occurredAt)}</td>
                    <td>{e.actorLabel}</td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td>
                      {e.subjectType}
                      {e.subjectId && <span className="muted mono small"> {e.subjectId}</span>}
                    </td>
                    <td>
                      <Summary value={e.summary} />
                    </td>
                    <td className="mono small">{e.ip ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <MoreButton cursor={list.cursor} busy={list.loading} onMore={() => void list.more()} />
      </section>
    </>
  );
}
