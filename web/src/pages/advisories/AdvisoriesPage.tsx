import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { advisoriesApi, advisoryStates, advisoryTlps, type AdvisoryTlp } from '../../advisoriesApi.ts';
import { withQuery } from '../../api.ts';
import { Field, SelectField } from '../../components/forms.tsx';
import { FormCard } from '../../components/FormCard.tsx';
import { FilterCard, PagedTable } from '../../components/lists.tsx';
import { PInput, PSelect } from '../../components/problems.tsx';
import { useAction, useDraft, useForm, useFormatDate, usePaged, useTitle } from '../../hooks.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { ImportCard } from '../cases/ImportCard.tsx';
import { StateBadge } from './parts.tsx';
import './advisories.css';

type Filter = Record<'state' | 'case' | 'q', string>;

/**
 * Advisories (staff): filtered by state and case in the address; the search narrows the loaded
 * pages by title or tracking id. "New advisory" creates one standalone or from a case.
 */
export function AdvisoriesPage() {
  const { t } = useTranslation();
  useTitle(t('advisories.title'));
  const fmt = useFormatDate();
  const { query } = useLocation();
  const filter: Filter = { state: query.get('state') ?? '', case: query.get('case') ?? '', q: query.get('q') ?? '' };
  const list = usePaged(
    (cursor) => advisoriesApi.list({ state: filter.state, caseId: filter.case, cursor, limit: 50 }),
    `${filter.state}|${filter.case}`,
  );
  const [importing, setImporting] = useState(false);
  const needle = filter.q.trim().toLowerCase();
  const shown = needle
    ? list.items.filter((a) => a.title.toLowerCase().includes(needle) || a.trackingId.toLowerCase().includes(needle))
    : list.items;

  return (
    <>
      <h1>{t('advisories.title')}</h1>
      <p className="lead">{t('advisories.intro')}</p>
      <NewAdvisoryForm caseRef={query.get('newForCase') ?? ''} />
      {importing ? (
        <ImportCard target={{ kind: 'standalone' }} open onImported={() => list.reload()} />
      ) : (
        <div className="actions">
          <button type="button" className="btn" onClick={() => setImporting(true)}>
            {t('advisories.import.button')}
          </button>
        </div>
      )}
      <FilterForm key={`${filter.state}|${filter.case}|${filter.q}`} initial={filter} />
      <section className="card" aria-labelledby="advisories-heading">
        <h2 id="advisories-heading">{t('advisories.list')}</h2>
        <PagedTable
          list={{ ...list, items: shown }}
          shown={(count) => t('advisories.shown', { count })}
          caption={t('advisories.list')}
          className="table-dense"
          columns={[
            t('advisories.trackingId'),
            t('advisories.fields.title'),
            t('advisories.state'),
            'TLP',
            t('advisories.case'),
            t('advisories.revision'),
            t('advisories.updated'),
          ]}
          row={(a) => (
            <tr key={a.id}>
              <td className="nowrap">
                <Link to={`/staff/advisories/${encodeURIComponent(a.trackingId)}`} className="mono">
                  {a.trackingId}
                </Link>
              </td>
              <td>{a.title}</td>
              <td>
                <StateBadge state={a.state} />
              </td>
              <td className="nowrap">TLP:{a.tlp}</td>
              <td className="nowrap">
                {a.caseRef ? (
                  <Link to={`/cases/${encodeURIComponent(a.caseRef)}`} className="mono">
                    {a.caseRef}
                  </Link>
                ) : (
                  <span className="muted">{t('advisories.standalone')}</span>
                )}
              </td>
              <td className="num">{a.publishedRevision}</td>
              <td className="nowrap">{fmt(a.updatedAt)}</td>
            </tr>
          )}
        />
      </section>
    </>
  );
}

function FilterForm({ initial }: { initial: Filter }) {
  const { t } = useTranslation();
  const { draft, bind } = useDraft<Filter>(initial);
  return (
    <FilterCard
      id="advisories-filter"
      onApply={() => navigate(withQuery('/staff/advisories', draft))}
      onReset={() => navigate('/staff/advisories')}
    >
      <Field id="advisories-q" type="search" label={t('advisories.search')} {...bind('q')} />
      <SelectField id="advisories-state" label={t('advisories.state')} {...bind('state')}>
        <option value="">{t('common.all')}</option>
        {advisoryStates.map((s) => (
          <option key={s} value={s}>
            {t(`advisories.states.${s}`)}
          </option>
        ))}
      </SelectField>
      <Field id="advisories-case" label={t('advisories.case')} placeholder="CASE-2026-0001" {...bind('case')} />
    </FilterCard>
  );
}

function NewAdvisoryForm({ caseRef }: { caseRef: string }) {
  const { t } = useTranslation();
  const { form, bind } = useForm({ title: '', caseId: caseRef, tlp: 'AMBER' });
  const create = useAction(async () => {
    const caseId = form.caseId.trim();
    const title = form.title.trim();
    const created = await advisoriesApi.create({
      tlp: form.tlp as AdvisoryTlp,
      ...(caseId ? { caseId } : {}),
      ...(caseId ? {} : { content: { title } }),
    });
    navigate(`/staff/advisories/${encodeURIComponent(created.trackingId)}`);
  });
  return (
    <FormCard
      id="new-advisory"
      title={t('advisories.new')}
      intro={t('advisories.newIntro')}
      open={caseRef !== ''}
      action={create}
      submit={t('advisories.create')}
    >
      <PInput path="title" label={t('advisories.fields.title')} maxLength={300} {...bind.text('title')} />
      <div className="grid-2">
        <PInput
          path="caseId"
          label={t('advisories.forCase')}
          hint={t('advisories.forCaseHint')}
          placeholder="CASE-2026-0001"
          {...bind.text('caseId')}
        />
        <PSelect path="tlp" label={t('advisories.fields.tlp')} {...bind.text('tlp')}>
          {advisoryTlps.map((tlp) => (
            <option key={tlp} value={tlp}>
              TLP:{tlp}
            </option>
          ))}
        </PSelect>
      </div>
    </FormCard>
  );
}
