import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Invitation, type Member, type Org } from '../../api.ts';
import { ErrorAlert, errorFor, Field, Notice, Submit } from '../../components/forms.tsx';
import { submitting, useAction, useFormatDate, useTitle } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { WebhooksSection } from './WebhooksSection.tsx';

const homeRoles = ['admin', 'coordinator', 'analyst', 'viewer'];
const orgRoles = ['org_admin', 'member'];

export function OrgDetailPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const [org, setOrg] = useState<Org | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [invitations, setInvitations] = useState<Invitation[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useTitle(org?.name ?? t('orgs.title'));

  const load = useCallback(async () => {
    try {
      const o = await api.org(id);
      setOrg(o);
      setMembers((await api.members(id)).items);
      if (o.abilities['org:invite']) setInvitations((await api.invitations(id)).items);
    } catch (err) {
      setError(err);
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  const withdraw = useAction(async (invitationId: string) => {
    await api.revokeInvitation(id, invitationId);
    await load();
  });

  const pending = invitations?.filter((i) => !i.acceptedAt && !i.revokedAt) ?? [];
  return (
    <>
      <p className="crumbs">
        <Link to="/orgs">{t('orgs.title')}</Link> <span aria-hidden="true">›</span>
      </p>
      <h1>{org?.name ?? t('common.loading')}</h1>
      <ErrorAlert error={error} />
      {org && (
        <dl className="facts facts-inline">
          <dt>{t('orgs.kind')}</dt>
          <dd>{t(`orgKinds.${org.kind}`, { defaultValue: org.kind })}</dd>
          <dt>{t('orgs.website')}</dt>
          <dd>{org.website ?? '—'}</dd>
          <dt>{t('common.created')}</dt>
          <dd>{fmt(org.createdAt)}</dd>
        </dl>
      )}
      {org && org.kind !== 'home' && (
        <p>
          <Link to={`/directory/${encodeURIComponent(org.id)}`}>{t('directory.entryLink')}</Link>
        </p>
      )}
      {org && (
        <section className="card" aria-labelledby="members-heading">
          <h2 id="members-heading">{t('orgs.members')}</h2>
          {members.length === 0 ? (
            <p className="muted">{t('orgs.noMembers')}</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">{t('orgs.members')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('fields.name')}</th>
                    <th scope="col">{t('fields.email')}</th>
                    <th scope="col">{t('fields.role')}</th>
                    <th scope="col">{t('orgs.since')}</th>
                  </tr>
                </thead>
                <tbody>
                  {members.map((m) => (
                    <tr key={m.userId}>
                      <td>{m.name}</td>
                      <td>{m.email}</td>
                      <td>{t(`roles.${m.role}`, { defaultValue: m.role })}</td>
                      <td>{fmt(m.since)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
      {org?.abilities['org:invite'] && (
        <section className="card" aria-labelledby="invitations-heading">
          <h2 id="invitations-heading">{t('orgs.invitations')}</h2>
          <InviteForm org={org} onInvited={load} />
          <ErrorAlert error={withdraw.error} />
          {pending.length === 0 ? (
            <p className="muted">{t('orgs.noInvitations')}</p>
          ) : (
            <ul className="plain-list">
              {pending.map((i) => (
                <li key={i.id} className="row-between">
                  <span>
                    {i.email} <span className="badge">{t(`roles.${i.role}`, { defaultValue: i.role })}</span>{' '}
                    <span className="muted">{t('orgs.invitationExpires', { date: fmt(i.expiresAt) })}</span>
                  </span>
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={withdraw.busy}
                    aria-label={t('orgs.withdrawNamed', { email: i.email })}
                    onClick={() => void withdraw.run(i.id)}
                  >
                    {t('orgs.withdraw')}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {org && org.kind !== 'home' && org.abilities['org:update'] && <WebhooksSection org={org} />}
    </>
  );
}

function InviteForm({ org, onInvited }: { org: Org; onInvited: () => Promise<void> }) {
  const { t } = useTranslation();
  const roles = org.kind === 'home' ? homeRoles : orgRoles;
  const [email, setEmail] = useState('');
  const [role, setRole] = useState(roles[roles.length - 1] ?? '');
  const [sent, setSent] = useState<string | null>(null);
  const invite = useAction(async () => {
    setSent(null);
    const inv = await api.invite(org.id, { email: email.trim(), role });
    setEmail('');
    await onInvited();
    setSent(inv.email);
  });
  return (
    <form onSubmit={submitting(invite.run)} noValidate className="inline-form">
      <ErrorAlert error={invite.error} />
      {sent && <Notice>{t('orgs.invited', { email: sent })}</Notice>}
      <div className="grid-3">
        <Field
          label={t('fields.email')}
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errorFor(invite.error, 'email')}
        />
        <div className="field">
          <label htmlFor="invite-role">{t('fields.role')}</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-button">
          <Submit busy={invite.busy}>{t('orgs.invite')}</Submit>
        </div>
      </div>
    </form>
  );
}
