import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ErrorAlert, Notice } from '../../components/forms.tsx';
import { Crumb, DataTable } from '../../components/lists.tsx';
import { useAction, useFormatDate, useResource, useTitle } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { directoryApi, type PendingContact } from './directoryApi.ts';
import { ChangeList } from './ContactsSection.tsx';
import { KeyFacts } from './parts.tsx';

/**
 * Security contacts vendors proposed, waiting for staff: approve each once you checked it is
 * really the vendor's (a hijacked vendor account must not redirect notifications), or reject it.
 */
export function PendingContactsPage() {
  const { t } = useTranslation();
  useTitle(t('directory.pending.title'));
  const fmt = useFormatDate();
  const { data, error, reload } = useResource(() => directoryApi.pendingContacts(), 'pending');
  const [notice, setNotice] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState<PendingContact | null>(null);
  const approve = useAction(async (c: PendingContact) => {
    setNotice(null);
    await directoryApi.approveContact(c.orgId, c.id);
    setNotice(
      c.kind === 'change'
        ? t('directory.pending.changeApprovedFor', { email: c.email, name: c.orgName })
        : t('directory.contacts.approvedFor', { email: c.email, name: c.orgName }),
    );
    await reload();
  });
  const reject = useAction(async (c: PendingContact) => {
    setNotice(null);
    // Rejecting a change leaves the active contact as it is; rejecting a new contact deletes it.
    if (c.kind === 'change') await directoryApi.discardContactChange(c.orgId, c.id);
    else await directoryApi.removeContact(c.orgId, c.id);
    setRejecting(null);
    setNotice(t('directory.pending.rejected', { email: c.email, name: c.orgName }));
    await reload();
  });
  const items = data?.items ?? [];

  return (
    <>
      <Crumb to="/directory" label={t('directory.title')} />
      <h1>{t('directory.pending.title')}</h1>
      <p className="lead">{t('directory.pending.intro')}</p>
      <section className="card" aria-labelledby="pending-heading">
        <h2 id="pending-heading">{t('directory.pending.list')}</h2>
        <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
        <ErrorAlert error={error ?? approve.error} />
        {data && items.length === 0 && <p className="muted">{t('directory.pending.none')}</p>}
        {!data && !error && (
          <p className="muted" role="status">
            {t('common.loading')}
          </p>
        )}
        <DataTable
          items={items}
          caption={t('directory.pending.list')}
          className="table-dense"
          columns={[
            t('orgs.name'),
            t('directory.contacts.email'),
            t('directory.contacts.role'),
            t('directory.contacts.phone'),
            t('directory.contacts.key'),
            t('directory.pending.proposedBy'),
            t('common.actions'),
          ]}
          row={(c) => (
            <tr key={`${c.kind}-${c.id}`} data-testid={`pending-${c.email}`}>
              <td>
                <Link to={`/directory/${encodeURIComponent(c.orgId)}`}>{c.orgName}</Link>
              </td>
              <th scope="row">
                {c.email}
                {c.name && <div className="muted small">{c.name}</div>}
                {c.kind === 'change' && c.current ? (
                  <div className="small">
                    <span className="badge badge-action">{t('directory.pending.kindChange')}</span>
                    <ChangeList current={c.current} proposed={c} />
                  </div>
                ) : (
                  <div className="small">
                    <span className="badge">{t('directory.pending.kindNew')}</span>
                  </div>
                )}
              </th>
              <td>{t(`directory.contactRoles.${c.role}`, { defaultValue: c.role })}</td>
              <td>{c.phone ?? '—'}</td>
              <td>
                <KeyFacts fingerprint={c.pgpFingerprint} expiresAt={c.pgpExpiresAt} />
              </td>
              <td className="small">
                {c.proposedBy ? `${c.proposedBy.name} <${c.proposedBy.email}>` : '—'}
                <br />
                <span className="muted">{fmt(c.createdAt)}</span>
              </td>
              <td>
                <div className="row-actions">
                  <button
                    type="button"
                    className="btn btn-small btn-primary"
                    disabled={approve.busy}
                    aria-label={
                      c.kind === 'change'
                        ? t('directory.contacts.approveChangeNamed', { email: c.current?.email ?? c.email })
                        : t('directory.contacts.approveNamed', { email: c.email })
                    }
                    onClick={() => void approve.run(c)}
                  >
                    {t('directory.contacts.approve')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-small"
                    aria-label={
                      c.kind === 'change'
                        ? t('directory.contacts.rejectChangeNamed', { email: c.current?.email ?? c.email })
                        : t('directory.pending.rejectNamed', { email: c.email })
                    }
                    onClick={() => setRejecting(c)}
                  >
                    {t('directory.pending.reject')}
                  </button>
                </div>
              </td>
            </tr>
          )}
        />
      </section>
      <ConfirmDialog
        open={rejecting !== null}
        title={t('directory.pending.rejectNamed', { email: rejecting?.email ?? '' })}
        confirmLabel={t('directory.pending.reject')}
        danger
        busy={reject.busy}
        onConfirm={() => rejecting && void reject.run(rejecting)}
        onCancel={() => {
          setRejecting(null);
          reject.setError(null);
        }}
      >
        <p>
          {rejecting?.kind === 'change'
            ? t('directory.pending.rejectChangeWarning')
            : t('directory.pending.rejectWarning')}
        </p>
        <ErrorAlert error={reject.error} />
      </ConfirmDialog>
    </>
  );
}
