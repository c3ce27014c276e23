import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Org } from '../../api.ts';
import { ErrorAlert, errorFor, Field, Notice, SelectField, Submit } from '../../components/forms.tsx';
import { PagedTable, SearchBar } from '../../components/lists.tsx';
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
        <SearchBar
          id="orgs-q"
          label={t('orgs.search')}
          value={q}
          onChange={setQ}
          onSearch={() => setFilter({ q: q.trim(), kind })}
        >
          <SelectField id="orgs-kind" label={t('orgs.kind')} value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">{t('common.all')}</option>
            <KindOptions kinds={['home', ...externalKinds]} />
          </SelectField>
        </SearchBar>
        {notice && <Notice>{notice}</Notice>}
        <PagedTable
          list={list}
          caption={t('orgs.list')}
          columns={[t('orgs.name'), t('orgs.kind'), t('orgs.website'), t('common.created')]}
          row={(o) => (
            <tr key={o.id}>
              <td>
                <Link to={`/orgs/${encodeURIComponent(o.id)}`}>{o.name}</Link>
              </td>
              <td>{t(`orgKinds.${o.kind}`, { defaultValue: o.kind })}</td>
              <td>{o.website ?? '—'}</td>
              <td>{fmt(o.createdAt)}</td>
            </tr>
          )}
        />
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
          <SelectField id="new-org-kind" label={t('orgs.kind')} value={kind} onChange={(e) => setKind(e.target.value)}>
            <KindOptions kinds={externalKinds} />
          </SelectField>
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

function KindOptions({ kinds }: { kinds: readonly string[] }) {
  const { t } = useTranslation();
  return kinds.map((k) => (
    <option key={k} value={k}>
      {t(`orgKinds.${k}`)}
    </option>
  ));
}
