import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert, Field, MoreButton, SelectField } from '../../components/forms.tsx';
import { DataTable } from '../../components/lists.tsx';
import { useAction, useDraft, useResource, useTitle } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { type DirectoryItem, directoryApi } from './directoryApi.ts';
import { VerifiedBadge } from './parts.tsx';

interface Filter extends Record<string, string> {
  q: string;
  /** '', 'true' or 'false'. */
  verified: string;
  country: string;
  product: string;
}

const noFilter: Filter = { q: '', verified: '', country: '', product: '' };

/**
 * The vendor directory: every external organization for staff, one's own for vendors, with its
 * verified flag, country, languages and how many contacts (and proposals) and products it has.
 */
export function DirectoryPage() {
  const { t } = useTranslation();
  useTitle(t('directory.title'));
  const { can } = useSession();
  const staff = can('org:create');
  const { draft, setDraft, bind } = useDraft<Filter>(noFilter);
  const [filter, setFilter] = useState<Filter>(noFilter);
  const key = JSON.stringify(filter);
  const list = useResource(() => directoryApi.list({ ...filter }), key);
  // Counted again with every search, so the link does not keep an old count.
  const pending = useResource(
    () => (staff ? directoryApi.pendingContacts() : Promise.resolve({ items: [] })),
    `${staff}|${key}`,
  );
  // Pages after the first, for the current filter (a new search starts from the first page again).
  const [more, setMore] = useState<{ key: string; items: DirectoryItem[]; cursor: string | null } | null>(null);
  const extra = more?.key === key ? more : null;
  const items = [...(list.data?.items ?? []), ...(extra?.items ?? [])];
  const nextCursor = extra ? extra.cursor : (list.data?.nextCursor ?? null);
  const loadMore = useAction(async () => {
    if (!nextCursor) return;
    const page = await directoryApi.list({ ...filter, cursor: nextCursor });
    setMore({ key, items: [...(extra?.items ?? []), ...page.items], cursor: page.nextCursor });
  });

  const search = (e: FormEvent) => {
    e.preventDefault();
    setFilter({ ...draft, q: draft.q.trim(), country: draft.country.trim(), product: draft.product.trim() });
  };
  const clear = () => {
    setDraft(noFilter);
    setFilter(noFilter);
  };

  return (
    <>
      <h1>{t('directory.title')}</h1>
      <p className="lead">{staff ? t('directory.introStaff') : t('directory.intro')}</p>
      {can('org:list') && (
        <nav aria-label={t('directory.tools')} className="card">
          <ul className="link-grid">
            {staff && (
              <li>
                <Link to="/directory/pending">
                  {t('directory.pending.link', { count: pending.data?.items.length ?? 0 })}
                </Link>
              </li>
            )}
            <li>
              <Link to="/directory/communities">{t('directory.communities.title')}</Link>
            </li>
            {staff && (
              <li>
                <Link to="/directory/import">{t('directory.transfer.title')}</Link>
              </li>
            )}
          </ul>
        </nav>
      )}
      <section className="card" aria-labelledby="directory-list-heading">
        <h2 id="directory-list-heading">{t('directory.list')}</h2>
        <form role="search" aria-labelledby="directory-list-heading" className="filters" onSubmit={search} noValidate>
          <Field id="directory-q" label={t('directory.search')} type="search" {...bind('q')} />
          <SelectField id="directory-verified" label={t('directory.verified')} {...bind('verified')}>
            <option value="">{t('common.all')}</option>
            <option value="true">{t('directory.onlyVerified')}</option>
            <option value="false">{t('directory.onlyUnverified')}</option>
          </SelectField>
          <Field
            id="directory-country"
            label={t('directory.country')}
            hint={t('directory.countryHint')}
            className="field-short"
            maxLength={2}
            autoComplete="off"
            {...bind('country')}
          />
          <Field
            id="directory-product"
            label={t('directory.product')}
            hint={t('directory.productFilterHint')}
            {...bind('product')}
          />
          <div className="actions">
            <button type="submit" className="btn btn-primary">
              {t('common.search')}
            </button>
            <button type="button" className="btn btn-ghost" onClick={clear}>
              {t('common.reset')}
            </button>
          </div>
        </form>
        <ErrorAlert error={list.error ?? loadMore.error} />
        <p className="visually-hidden" role="status">
          {list.data ? t('directory.shown', { count: items.length }) : t('common.loading')}
        </p>
        {list.data && items.length === 0 && <p className="muted">{t('common.noResults')}</p>}
        <DirectoryTable items={items} />
        <MoreButton cursor={nextCursor} busy={loadMore.busy} onMore={() => void loadMore.run()} />
      </section>
    </>
  );
}

function DirectoryTable({ items }: { items: DirectoryItem[] }) {
  const { t } = useTranslation();
  return (
    <DataTable
      items={items}
      caption={t('directory.list')}
      className="table-dense"
      columns={[
        t('orgs.name'),
        t('orgs.kind'),
        t('directory.verified'),
        t('directory.country'),
        t('directory.languages'),
        { label: t('directory.contacts.title'), className: 'num' },
        { label: t('directory.products.title'), className: 'num' },
      ]}
      row={(o) => (
        <tr key={o.id} data-testid={`directory-${o.name}`}>
          <th scope="row">
            <Link to={`/directory/${encodeURIComponent(o.id)}`}>{o.name}</Link>
          </th>
          <td>{t(`orgKinds.${o.kind}`, { defaultValue: o.kind })}</td>
          <td>
            <VerifiedBadge verified={o.verified} />
          </td>
          <td>{o.country ?? '—'}</td>
          <td>{o.languages.length ? o.languages.join(', ') : '—'}</td>
          <td className="num">
            {o.contacts}
            {o.pendingContacts > 0 && (
              <>
                {' '}
                <span className="badge badge-action">{t('directory.pendingCount', { count: o.pendingContacts })}</span>
              </>
            )}
          </td>
          <td className="num">{o.products}</td>
        </tr>
      )}
    />
  );
}
