import { useTranslation } from 'react-i18next';
import { withQuery } from '../../api.ts';
import { casesApi } from '../../casesApi.ts';
import { Labelled, SelectField } from '../../components/forms.tsx';
import { FilterCard, PagedTable } from '../../components/lists.tsx';
import { useDraft, useFormatDate, usePaged, useTitle } from '../../hooks.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { AskCoordinationForm, OpenCaseForm } from './CaseForms.tsx';
import { type CaseDigest, useCaseDigests } from './digest.ts';

type Filter = Record<'status' | 'action', string>;

/**
 * The cases the caller may see (staff: all; others: their organizations'), with what waits on
 * them. The filters live in the address, like the report queue's.
 */
export function CasesPage() {
  const { t } = useTranslation();
  useTitle(t('cases.title'));
  const fmt = useFormatDate();
  const { me, can } = useSession();
  const { query } = useLocation();
  const filter: Filter = { status: query.get('status') ?? '', action: query.get('action') ?? '' };
  const list = usePaged((cursor) => casesApi.list({ status: filter.status, cursor, limit: 25 }), filter.status);
  const digests = useCaseDigests(list.items);
  const external = (me?.user.memberships ?? []).filter((m) => m.orgKind !== 'home');
  const digestOf = (id: string): CaseDigest | null => {
    const d = digests.get(id);
    return d && d !== 'failed' ? d : null;
  };
  // "Needs my action" is decided per case on this page: the list answer does not carry it.
  const shown = filter.action ? list.items.filter((c) => (digestOf(c.id)?.actions.length ?? 0) > 0) : list.items;

  return (
    <>
      <h1>{t('cases.title')}</h1>
      <p className="lead">{me?.staffRole ? t('cases.introStaff') : t('cases.introVendor')}</p>
      {can('case:create') && <OpenCaseForm />}
      {external.length > 0 && <AskCoordinationForm orgs={external} />}
      <FilterForm key={`${filter.status}|${filter.action}`} initial={filter} />
      <section className="card" aria-labelledby="cases-heading">
        <h2 id="cases-heading">{t('cases.list')}</h2>
        <PagedTable
          list={{ ...list, items: shown }}
          shown={(count) => t('cases.shown', { count })}
          caption={t('cases.list')}
          className="table-dense"
          columns={[
            t('cases.caseId'),
            t('cases.titleCol'),
            t('cases.statusCol'),
            t('cases.lead'),
            t('cases.needsAction'),
            t('cases.opened'),
          ]}
          row={(c) => {
            const d = digestOf(c.id);
            return (
              <tr key={c.id}>
                <td className="nowrap">
                  <Link to={`/cases/${encodeURIComponent(c.caseId)}`} className="mono">
                    {c.caseId}
                  </Link>
                </td>
                <td>
                  {d ? (d.title ?? <span className="muted">{t('cases.titleHidden')}</span>) : '…'}
                  {(c.unread ?? 0) > 0 && (
                    <>
                      {' '}
                      <span className="badge badge-unread">{t('notifications.unread', { count: c.unread ?? 0 })}</span>
                    </>
                  )}
                </td>
                <td>
                  <span className={`badge case-${c.status}`}>{t(`cases.statuses.${c.status}`)}</span>
                </td>
                <td>{d?.lead ?? '—'}</td>
                <td>
                  {d && d.actions.length === 0 && <span className="muted">—</span>}
                  {d?.actions.map((a) => (
                    <span key={a} className="badge badge-action">
                      {t(`cases.actions.${a}`)}
                    </span>
                  ))}
                </td>
                <td className="nowrap">{fmt(c.createdAt)}</td>
              </tr>
            );
          }}
        />
      </section>
    </>
  );
}

function FilterForm({ initial }: { initial: Filter }) {
  const { t } = useTranslation();
  const { draft, setDraft, bind } = useDraft<Filter>(initial);
  return (
    <FilterCard
      id="cases-filter"
      onApply={() => navigate(withQuery('/cases', draft))}
      onReset={() => navigate('/cases')}
    >
      <SelectField id="cases-status" label={t('cases.statusCol')} {...bind('status')}>
        <option value="">{t('common.all')}</option>
        <option value="open">{t('cases.statuses.open')}</option>
        <option value="closed">{t('cases.statuses.closed')}</option>
      </SelectField>
      <Labelled id="cases-action" label={t('cases.onlyMine')} inline>
        {(aria) => (
          <input
            type="checkbox"
            {...aria}
            checked={draft.action === '1'}
            onChange={(e) => setDraft((d) => ({ ...d, action: e.target.checked ? '1' : '' }))}
          />
        )}
      </Labelled>
    </FilterCard>
  );
}
