import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { Field } from '../../components/forms.tsx';
import { FilterCard, PagedTable } from '../../components/lists.tsx';
import { useDraft, useFormatDate, usePaged, useTitle } from '../../hooks.ts';

type Filter = Record<'action' | 'actorId' | 'subjectType' | 'subjectId' | 'since' | 'until', string>;

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
  const { draft, setDraft, bind } = useDraft<Filter>(empty);
  const [filter, setFilter] = useState<Filter>(empty);
  const list = usePaged(
    (cursor) => api.audit({ ...filter, since: toIso(filter.since), until: toIso(filter.until), cursor }),
    JSON.stringify(filter),
  );

  return (
    <>
      <h1>{t('audit.title')}</h1>
      <FilterCard
        id="audit-filter"
        onApply={() => setFilter(draft)}
        onReset={() => {
          setDraft(empty);
          setFilter(empty);
        }}
      >
        <Field id="audit-action" label={t('audit.action')} hint={t('audit.actionHint')} {...bind('action')} />
        <Field id="audit-actorId" label={t('audit.actorId')} {...bind('actorId')} />
        <Field id="audit-subjectType" label={t('audit.subjectType')} {...bind('subjectType')} />
        <Field id="audit-subjectId" label={t('audit.subjectId')} {...bind('subjectId')} />
        <Field id="audit-since" label={t('audit.since')} type="datetime-local" {...bind('since')} />
        <Field id="audit-until" label={t('audit.until')} type="datetime-local" {...bind('until')} />
      </FilterCard>
      <section className="card" aria-labelledby="audit-list-heading">
        <h2 id="audit-list-heading">{t('audit.events')}</h2>
        <PagedTable
          list={list}
          caption={t('audit.events')}
          className="table-dense"
          columns={[
            '#',
            t('audit.time'),
            t('audit.actor'),
            t('audit.action'),
            t('audit.subject'),
            t('audit.summary'),
            t('audit.ip'),
          ]}
          row={(e) => (
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
          )}
        />
      </section>
    </>
  );
}
