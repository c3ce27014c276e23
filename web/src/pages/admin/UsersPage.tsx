import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type User } from '../../api.ts';
import { Notice } from '../../components/forms.tsx';
import { PagedTable, SearchBar } from '../../components/lists.tsx';
import { useAction, useFormatDate, usePaged, useTitle } from '../../hooks.ts';
import { useSession } from '../../session.tsx';
import { CreateUserForm } from './CreateUserForm.tsx';

export function UsersPage() {
  const { t } = useTranslation();
  useTitle(t('users.title'));
  const { can, me } = useSession();
  const fmt = useFormatDate();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const list = usePaged((cursor) => api.users({ q: search, cursor }), search);

  const toggle = useAction(async (user: User) => {
    setNotice(null);
    const updated = await api.updateUser(user.id, { disabled: !user.disabled });
    list.setItems((items) => items.map((u) => (u.id === updated.id ? { ...u, ...updated } : u)));
    setNotice(
      updated.disabled
        ? t('users.disabledNotice', { email: user.email })
        : t('users.enabledNotice', { email: user.email }),
    );
  });

  const remove = useAction(async (user: User) => {
    setNotice(null);
    await api.deleteUser(user.id);
    list.setItems((items) => items.filter((u) => u.id !== user.id));
    setNotice(t('users.deletedNotice', { email: user.email }));
  });

  return (
    <>
      <h1>{t('users.title')}</h1>
      {can('user:create') && (
        <CreateUserForm
          onCreated={(u) => {
            setNotice(t('users.created', { email: u.email }));
            void list.reload();
          }}
        />
      )}
      <section className="card" aria-labelledby="users-list-heading">
        <h2 id="users-list-heading">{t('users.list')}</h2>
        <SearchBar
          id="users-q"
          label={t('users.search')}
          value={q}
          onChange={setQ}
          onSearch={() => setSearch(q.trim())}
        />
        {notice && <Notice>{notice}</Notice>}
        <PagedTable
          list={list}
          error={list.error ?? toggle.error ?? remove.error}
          caption={t('users.list')}
          columns={[
            t('fields.name'),
            t('fields.email'),
            t('users.staffRole'),
            t('totp.short'),
            t('users.status'),
            t('common.created'),
            <span key="actions" className="visually-hidden">
              {t('common.actions')}
            </span>,
          ]}
          row={(u) => (
            <tr key={u.id}>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>{staffRoleOf(u) ? t(`roles.${staffRoleOf(u)}`) : '—'}</td>
              <td>{u.totpEnabled ? t('totp.on') : t('totp.off')}</td>
              <td>
                <span className={`badge ${u.disabled ? 'badge-off' : 'badge-ok'}`}>
                  {u.disabled ? t('users.disabled') : t('users.active')}
                </span>
              </td>
              <td>{fmt(u.createdAt)}</td>
              <td className="cell-actions">
                {u.abilities['user:manage'] && u.id !== me?.user.id && (
                  <button
                    type="button"
                    className={`btn btn-small ${u.disabled ? '' : 'btn-danger'}`}
                    disabled={toggle.busy}
                    aria-label={
                      u.disabled
                        ? t('users.enableNamed', { email: u.email })
                        : t('users.disableNamed', { email: u.email })
                    }
                    onClick={() => {
                      if (u.disabled || window.confirm(t('users.disableConfirm', { email: u.email })))
                        void toggle.run(u);
                    }}
                  >
                    {u.disabled ? t('users.enable') : t('users.disable')}
                  </button>
                )}
                {u.abilities['user:manage'] && u.disabled && (
                  <button
                    type="button"
                    className="btn btn-small btn-danger"
                    disabled={remove.busy}
                    aria-label={t('users.deleteNamed', { email: u.email })}
                    onClick={() => {
                      if (window.confirm(t('users.deleteConfirm', { email: u.email }))) void remove.run(u);
                    }}
                  >
                    {t('users.delete')}
                  </button>
                )}
              </td>
            </tr>
          )}
        />
      </section>
    </>
  );
}

/** The user's role in the home organization, if they are staff. */
function staffRoleOf(u: User): string | null {
  return u.memberships?.find((m) => m.orgKind === 'home')?.role ?? null;
}
