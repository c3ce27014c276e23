import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { FormCard } from '../../components/FormCard.tsx';
import { ErrorAlert, Notice, Submit } from '../../components/forms.tsx';
import { DataTable } from '../../components/lists.tsx';
import { FormErrors, PCheck, PInput, PSelect, PTextArea, ProblemsProvider } from '../../components/problems.tsx';
import { submitting, useAction, useForm } from '../../hooks.ts';
import { type Contact, type ContactValues, contactRoles, directoryApi, fieldErrors } from './directoryApi.ts';
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
  const [editing, setEditing] = useState<Contact | null>(null);
  const approve = useAction(async (c: Contact) => {
    setNotice(null);
    await directoryApi.approveContact(entry.id, c.id);
    setNotice(
      c.pendingChange
        ? t('directory.contacts.changeApproved', { email: c.pendingChange.email })
        : t('directory.contacts.approved', { email: c.email }),
    );
    await reload();
  });
  const discard = useAction(async (c: Contact) => {
    setNotice(null);
    await directoryApi.discardContactChange(entry.id, c.id);
    setNotice(
      entry.abilities.manage
        ? t('directory.contacts.changeRejected', { email: c.email })
        : t('directory.contacts.changeWithdrawn', { email: c.email }),
    );
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
        <ErrorAlert error={approve.error ?? discard.error} />
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
                {c.pendingChange && (
                  <div className="small" data-testid={`contact-change-${c.email}`}>
                    <span className="badge badge-action">{t('directory.contacts.changePending')}</span>
                    <ChangeList current={c} proposed={c.pendingChange} />
                  </div>
                )}
              </td>
              {showActions && (
                <td>
                  <div className="row-actions">
                    {entry.abilities.manage && (c.status === 'pending' || c.pendingChange) && (
                      <button
                        type="button"
                        className="btn btn-small btn-primary"
                        disabled={approve.busy}
                        aria-label={
                          c.pendingChange
                            ? t('directory.contacts.approveChangeNamed', { email: c.email })
                            : t('directory.contacts.approveNamed', { email: c.email })
                        }
                        onClick={() => void approve.run(c)}
                      >
                        {c.pendingChange ? t('directory.contacts.approveChange') : t('directory.contacts.approve')}
                      </button>
                    )}
                    {entry.abilities.edit && c.pendingChange && (
                      <button
                        type="button"
                        className="btn btn-small"
                        disabled={discard.busy}
                        aria-label={
                          entry.abilities.manage
                            ? t('directory.contacts.rejectChangeNamed', { email: c.email })
                            : t('directory.contacts.withdrawChangeNamed', { email: c.email })
                        }
                        onClick={() => void discard.run(c)}
                      >
                        {entry.abilities.manage
                          ? t('directory.contacts.rejectChange')
                          : t('directory.contacts.withdrawChange')}
                      </button>
                    )}
                    {entry.abilities.edit && (
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-label={t('directory.contacts.editNamed', { email: c.email })}
                        onClick={() => {
                          setNotice(null);
                          setEditing(c);
                        }}
                      >
                        {t('directory.contacts.edit')}
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
        {editing && (
          <EditContactForm
            key={editing.id}
            entry={entry}
            contact={editing}
            onDone={async (message) => {
              setEditing(null);
              if (message) {
                setNotice(message);
                await reload();
              }
            }}
          />
        )}
      </section>
      {entry.abilities.edit && <AddContactForm entry={entry} reload={reload} />}
    </>
  );
}

/** What a proposed change alters, field by field ("old → new"); unchanged fields are left out. */
export function ChangeList({ current, proposed }: { current: ContactValues; proposed: ContactValues }) {
  const { t } = useTranslation();
  const role = (r: string) => t(`directory.contactRoles.${r}`, { defaultValue: r });
  const rows: [string, string, string][] = [];
  const add = (label: string, before: string | null, after: string | null) => {
    if ((before ?? '') !== (after ?? '')) rows.push([label, before ?? '—', after ?? '—']);
  };
  add(t('directory.contacts.email'), current.email, proposed.email);
  add(t('directory.contacts.role'), role(current.role), role(proposed.role));
  add(t('fields.name'), current.name, proposed.name);
  add(t('directory.contacts.phone'), current.phone, proposed.phone);
  add(t('directory.contacts.key'), current.pgpFingerprint, proposed.pgpFingerprint);
  if (rows.length === 0) return null;
  return (
    <ul className="plain-list">
      {rows.map(([label, before, after]) => (
        <li key={label}>
          {label}: <del>{before}</del> → <ins>{after}</ins>
        </li>
      ))}
    </ul>
  );
}

/**
 * Edits a contact in place. From the vendor, a change to an approved contact waits for staff
 * approval and the contact stays in use as it is until then. The key is kept unless a new one
 * is pasted or "remove the key" is ticked.
 */
function EditContactForm({
  entry,
  contact,
  onDone,
}: Pick<EntryProps, 'entry'> & { contact: Contact; onDone: (message: string | null) => Promise<void> }) {
  const { t } = useTranslation();
  const start = contact.pendingChange ?? contact;
  const { form, bind } = useForm({
    email: start.email,
    role: start.role,
    name: start.name ?? '',
    phone: start.phone ?? '',
    pgpPublicKey: '',
    removeKey: false,
  });
  const scope = `contact-edit-${contact.id}`;
  const save = useAction(async () => {
    const result = await fieldErrors(
      directoryApi.updateContact(entry.id, contact.id, {
        email: form.email.trim(),
        role: form.role,
        name: form.name.trim(),
        phone: form.phone.trim(),
        ...(form.removeKey
          ? { pgpPublicKey: null }
          : form.pgpPublicKey.trim()
            ? { pgpPublicKey: form.pgpPublicKey.trim() }
            : {}),
      }),
    );
    await onDone(
      result.pendingChange
        ? t('directory.contacts.changeProposed', { email: contact.email })
        : t('directory.contacts.changed', { email: form.email.trim() }),
    );
  });
  return (
    <div className="card form-card" id={scope}>
      <h3>{t('directory.contacts.editNamed', { email: contact.email })}</h3>
      <p className="hint">
        {entry.abilities.manage || contact.status === 'pending'
          ? t('directory.contacts.editIntroStaff')
          : t('directory.contacts.editIntro')}
      </p>
      <ProblemsProvider error={save.error} scope={scope}>
        <form onSubmit={submitting(save.run)} noValidate>
          <FormErrors error={save.error} />
          <ContactFields
            text={bind.text}
            keyLabel={t('directory.contacts.newPgpKey')}
            keyHint={t('directory.contacts.newPgpKeyHint')}
            keyDisabled={form.removeKey}
          />
          {start.pgpFingerprint && (
            <PCheck path="removeKey" label={t('directory.contacts.removeKey')} {...bind.check('removeKey')} />
          )}
          <div className="actions">
            <Submit busy={save.busy}>
              {entry.abilities.manage || contact.status === 'pending'
                ? t('directory.contacts.saveChange')
                : t('directory.contacts.proposeChange')}
            </Submit>
            <button type="button" className="btn btn-ghost" onClick={() => void onDone(null)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      </ProblemsProvider>
    </div>
  );
}

type ContactField = 'email' | 'role' | 'name' | 'phone' | 'pgpPublicKey';

/**
 * The fields of a contact, shared by the add and the edit form: address, role, name, phone and
 * the OpenPGP key (whose label and hint differ: a key to add, or a new key to replace the one kept).
 */
function ContactFields({
  text,
  keyLabel,
  keyHint,
  keyDisabled = false,
}: {
  text: (k: ContactField) => { value: string; onChange: (e: { target: { value: string } }) => void };
  keyLabel: string;
  keyHint: string;
  keyDisabled?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <>
      <div className="grid-2">
        <PInput
          path="email"
          label={t('directory.contacts.email')}
          type="email"
          required
          maxLength={254}
          autoComplete="off"
          {...text('email')}
        />
        <PSelect path="role" label={t('directory.contacts.role')} {...text('role')}>
          {contactRoles.map((r) => (
            <option key={r} value={r}>
              {t(`directory.contactRoles.${r}`)}
            </option>
          ))}
        </PSelect>
        <PInput path="name" label={t('fields.name')} maxLength={200} autoComplete="off" {...text('name')} />
        <PInput
          path="phone"
          label={t('directory.contacts.phone')}
          hint={t('directory.contacts.phoneHint')}
          type="tel"
          maxLength={40}
          autoComplete="off"
          {...text('phone')}
        />
      </div>
      <PTextArea
        path="pgpPublicKey"
        label={keyLabel}
        hint={keyHint}
        rows={4}
        spellCheck={false}
        className="mono-input"
        disabled={keyDisabled}
        {...text('pgpPublicKey')}
      />
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
      <ContactFields
        text={bind.text}
        keyLabel={t('directory.contacts.pgpKey')}
        keyHint={t('directory.contacts.pgpKeyHint')}
      />
    </FormCard>
  );
}
