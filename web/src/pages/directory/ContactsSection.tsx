import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { FormCard } from '../../components/FormCard.tsx';
import { ErrorAlert, Notice } from '../../components/forms.tsx';
import { DataTable } from '../../components/lists.tsx';
import { PInput, PSelect, PTextArea } from '../../components/problems.tsx';
import { useAction, useForm } from '../../hooks.ts';
import { type Contact, contactRoles, directoryApi, fieldErrors } from './directoryApi.ts';
import type { EntryProps } from './EntryPage.tsx';
import { KeyFacts } from './parts.tsx';

/**
 * The security contacts: role, address, phone and OpenPGP key. Those a vendor proposed are marked
 * "waiting for approval" until staff approve them; notifications go to approved contacts only.
 */
export function ContactsSection({ entry, reload }: EntryProps) {
  const { t } = useTranslation();
  const [notice, setNotice] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Contact | null>(null);
  const approve = useAction(async (c: Contact) => {
    setNotice(null);
    await directoryApi.approveContact(entry.id, c.id);
    setNotice(t('directory.contacts.approved', { email: c.email }));
    await reload();
  });
  const remove = useAction(async (c: Contact) => {
    setNotice(null);
    await directoryApi.removeContact(entry.id, c.id);
    setRemoving(null);
    setNotice(t('directory.contacts.removed', { email: c.email }));
    await reload();
  });
  const showActions = entry.abilities.edit || entry.abilities.manage;

  return (
    <>
      <section className="card" aria-labelledby="contacts-heading">
        <h2 id="contacts-heading">{t('directory.contacts.title')}</h2>
        <p className="hint">{t('directory.contacts.hint')}</p>
        <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
        <ErrorAlert error={approve.error} />
        {entry.contacts.length === 0 && <p className="muted">{t('directory.contacts.none')}</p>}
        <DataTable
          items={entry.contacts}
          caption={t('directory.contacts.title')}
          className="table-dense"
          columns={[
            t('directory.contacts.email'),
            t('directory.contacts.role'),
            t('fields.name'),
            t('directory.contacts.phone'),
            t('directory.contacts.key'),
            t('directory.contacts.status'),
            ...(showActions ? [t('common.actions')] : []),
          ]}
          row={(c) => (
            <tr key={c.id} data-testid={`contact-${c.email}`}>
              <th scope="row">{c.email}</th>
              <td>{t(`directory.contactRoles.${c.role}`, { defaultValue: c.role })}</td>
              <td>{c.name ?? '—'}</td>
              <td>{c.phone ?? '—'}</td>
              <td>
                <KeyFacts fingerprint={c.pgpFingerprint} expiresAt={c.pgpExpiresAt} />
              </td>
              <td>
                {c.status === 'pending' ? (
                  <span className="badge badge-action">{t('directory.contacts.pending')}</span>
                ) : (
                  <span className="badge badge-ok">{t('directory.contacts.approvedBadge')}</span>
                )}
              </td>
              {showActions && (
                <td>
                  <div className="row-actions">
                    {entry.abilities.manage && c.status === 'pending' && (
                      <button
                        type="button"
                        className="btn btn-small btn-primary"
                        disabled={approve.busy}
                        aria-label={t('directory.contacts.approveNamed', { email: c.email })}
                        onClick={() => void approve.run(c)}
                      >
                        {t('directory.contacts.approve')}
                      </button>
                    )}
                    {entry.abilities.edit && (
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-label={t('directory.contacts.removeNamed', { email: c.email })}
                        onClick={() => setRemoving(c)}
                      >
                        {t('directory.remove')}
                      </button>
                    )}
                  </div>
                </td>
              )}
            </tr>
          )}
        />
        <ConfirmDialog
          open={removing !== null}
          title={t('directory.contacts.removeNamed', { email: removing?.email ?? '' })}
          confirmLabel={t('directory.remove')}
          danger
          busy={remove.busy}
          onConfirm={() => removing && void remove.run(removing)}
          onCancel={() => {
            setRemoving(null);
            remove.setError(null);
          }}
        >
          <p>{t('directory.contacts.removeWarning')}</p>
          <ErrorAlert error={remove.error} />
        </ConfirmDialog>
      </section>
      {entry.abilities.edit && <AddContactForm entry={entry} reload={reload} />}
    </>
  );
}

const emptyContact = { email: '', role: 'security', name: '', phone: '', pgpPublicKey: '' };

function AddContactForm({ entry, reload }: EntryProps) {
  const { t } = useTranslation();
  const { form, setForm, bind } = useForm(emptyContact);
  const [notice, setNotice] = useState<string | null>(null);
  const staff = entry.abilities.manage;
  const add = useAction(async () => {
    setNotice(null);
    const optional = (s: string) => s.trim() || undefined;
    const created = await fieldErrors(
      directoryApi.addContact(entry.id, {
        email: form.email.trim(),
        role: form.role,
        ...(optional(form.name) ? { name: form.name.trim() } : {}),
        ...(optional(form.phone) ? { phone: form.phone.trim() } : {}),
        ...(optional(form.pgpPublicKey) ? { pgpPublicKey: form.pgpPublicKey.trim() } : {}),
      }),
    );
    setNotice(
      created.status === 'pending'
        ? t('directory.contacts.proposed', { email: form.email.trim() })
        : t('directory.contacts.added', { email: form.email.trim() }),
    );
    setForm(emptyContact);
    await reload();
  });
  return (
    <FormCard
      id="contact"
      title={staff ? t('directory.contacts.add') : t('directory.contacts.propose')}
      intro={staff ? t('directory.contacts.addIntro') : t('directory.contacts.proposeIntro')}
      notice={notice}
      action={add}
      submit={staff ? t('directory.contacts.addSubmit') : t('directory.contacts.proposeSubmit')}
    >
      <div className="grid-2">
        <PInput
          path="email"
          label={t('directory.contacts.email')}
          type="email"
          required
          maxLength={254}
          autoComplete="off"
          {...bind.text('email')}
        />
        <PSelect path="role" label={t('directory.contacts.role')} {...bind.text('role')}>
          {contactRoles.map((r) => (
            <option key={r} value={r}>
              {t(`directory.contactRoles.${r}`)}
            </option>
          ))}
        </PSelect>
        <PInput path="name" label={t('fields.name')} maxLength={200} autoComplete="off" {...bind.text('name')} />
        <PInput
          path="phone"
          label={t('directory.contacts.phone')}
          hint={t('directory.contacts.phoneHint')}
          type="tel"
          maxLength={40}
          autoComplete="off"
          {...bind.text('phone')}
        />
      </div>
      <PTextArea
        path="pgpPublicKey"
        label={t('directory.contacts.pgpKey')}
        hint={t('directory.contacts.pgpKeyHint')}
        rows={4}
        spellCheck={false}
        className="mono-input"
        {...bind.text('pgpPublicKey')}
      />
    </FormCard>
  );
}
