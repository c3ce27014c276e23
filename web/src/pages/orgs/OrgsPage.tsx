import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Org } from '../../api.ts';
import { ErrorAlert, errorFor, Field, MoreButton, Notice, Submit } from '../../components/forms.tsx';
import { submitting, useAction, useFormatDate, usePaged, useTitle } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { useSession } from '../../session.tsx';

export const externalKinds = ['vendor', 'coordinator', 'finder', 'deployer', 'other'] as const;

export function OrgsPage() {
  const { t } = useTranslation();
  useTitle(t('orgs.title'));
  const { can } = useSession();
  const fmt = useFormatDate();
  const [q, setQ] = useState('');
  const [kind, setKind] = useState('');
  const [filter, setFilter] = useState({ q: '', kind: '' });
  const [notice, setNotice] = useState<string | null>(null);
  const list = usePaged((cursor) => api.orgs({ ...filter, cursor }), `${filter.q}|${filter.kind}`);

  return (
    <>
      <h1>{t('orgs.title')}</h1>
      {can('org:create') && (
        <CreateOrgForm
          onCreated={(o) => {
            setNotice(t('orgs.created', { name: o.name }));
            void list.reload();
          }}
        />
      )}
      <section className="card" aria-labelledby="orgs-list-heading">
        <h2 id="orgs-list-heading">{t('orgs.list')}</h2>
        <form role="search" className="filters" onSubmit={submitting(async () => setFilter({ q: q.trim(), kind }))}>
          <div className="field">
            <label htmlFor="orgs-q">{t('orgs.search')}</label>
            <input id="orgs-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="orgs-kind">{t('orgs.kind')}</label>
            <select id="orgs-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
              <option value="">{t('common.all')}</option>
              {['home', ...externalKinds].map((k) => (
                <option key={k} value={k}>
                  {t(`orgKinds.${k}`)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="btn">
            {t('common.search')}
          </button>
        </form>
        {notice && <Notice>{notice}</Notice>}
        <ErrorAlert error={list.error} />
        {!list.loading && list.items.length === 0 && !list.error && <p className="muted">{t('common.noResults')}</p>}
        {list.items.length > 0 && (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('orgs.list')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('orgs.name')}</th>
                  <th scope="col">{t('orgs.kind')}</th>
                  <th scope="col">{t('orgs.website')}</th>
                  <th scope="col">{t('common.created')}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((o) => (
                  <tr key={o.id}>
                    <td>
                      <Link to={`/orgs/${encodeURIComponent(o.id)}`}>{o.name}</Link>
                    </td>
                    <td>{t(`orgKinds.${o.kind}`, { defaultValue: o.kind })}</td>
                    <td>{o.website ?? '—'}</td>
                    <td>{fmt(o.createdAt)}</td>
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

function CreateOrgForm({ onCreated }: { onCreated: (org: Org) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<string>('vendor');
  const [website, setWebsite] = useState('');
  const create = useAction(async () => {
    const org = await api.createOrg({ name: name.trim(), kind, website: website.trim() || null });
    setName('');
    setWebsite('');
    onCreated(org);
  });
  return (
    <section className="card" aria-labelledby="create-org-heading">
      <h2 id="create-org-heading">{t('orgs.create')}</h2>
      <form onSubmit={submitting(create.run)} noValidate>
        <ErrorAlert error={create.error} />
        <div className="grid-3">
          <Field
            label={t('orgs.name')}
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={errorFor(create.error, 'name')}
          />
          <div className="field">
            <label htmlFor="new-org-kind">{t('orgs.kind')}</label>
            <select id="new-org-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
              {externalKinds.map((k) => (
                <option key={k} value={k}>
                  {t(`orgKinds.${k}`)}
                </option>
              ))}
            </select>
          </div>
          <Field
            label={t('orgs.website')}
            type="url"
            placeholder="https://example.org"
            value={website}
            onChange={(e) => setWebsite(e.target.value)}
            error={errorFor(create.error, 'website')}
          />
        </div>
        <div className="actions">
          <Submit busy={create.busy}>{t('orgs.createSubmit')}</Submit>
        </div>
      </form>
    </section>
  );
}
