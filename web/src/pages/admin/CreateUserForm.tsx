import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type User } from '../../api.ts';
import { ErrorAlert, errorFor, Field, Submit } from '../../components/forms.tsx';
import { submitting, useAction } from '../../hooks.ts';
import { languages } from '../../i18n.ts';

const staffRoles = ['admin', 'coordinator', 'analyst', 'viewer'] as const;

export function CreateUserForm({ onCreated }: { onCreated: (user: User) => void }) {
  const { t, i18n } = useTranslation();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState('');
  const [locale, setLocale] = useState(i18n.language);
  const [password, setPassword] = useState('');

  const create = useAction(async () => {
    const user = await api.createUser({
      email: email.trim(),
      name: name.trim(),
      role: role === '' ? null : role,
      locale,
      ...(password ? { password } : {}),
    });
    setEmail('');
    setName('');
    setRole('');
    setPassword('');
    onCreated(user);
  });

  return (
    <section className="card" aria-labelledby="create-user-heading">
      <h2 id="create-user-heading">{t('users.create')}</h2>
      <form onSubmit={submitting(create.run)} noValidate>
        <ErrorAlert error={create.error} />
        <div className="grid-2">
          <Field
            label={t('fields.email')}
            type="email"
            required
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={errorFor(create.error, 'email')}
          />
          <Field
            label={t('fields.name')}
            required
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={errorFor(create.error, 'name')}
          />
          <div className="field">
            <label htmlFor="new-user-role">{t('users.staffRole')}</label>
            <select id="new-user-role" value={role} onChange={(e) => setRole(e.target.value)}>
              <option value="">{t('users.noRole')}</option>
              {staffRoles.map((r) => (
                <option key={r} value={r}>
                  {t(`roles.${r}`)}
                </option>
              ))}
            </select>
            {errorFor(create.error, 'role') && <p className="field-error">{errorFor(create.error, 'role')}</p>}
          </div>
          <div className="field">
            <label htmlFor="new-user-locale">{t('fields.language')}</label>
            <select id="new-user-locale" value={locale} onChange={(e) => setLocale(e.target.value)}>
              {languages.map((l) => (
                <option key={l} value={l} lang={l}>
                  {t(`language.${l}`)}
                </option>
              ))}
            </select>
          </div>
          <Field
            label={t('users.initialPassword')}
            type="password"
            autoComplete="new-password"
            hint={t('users.initialPasswordHint')}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={errorFor(create.error, 'password')}
          />
        </div>
        <div className="actions">
          <Submit busy={create.busy}>{t('users.createSubmit')}</Submit>
        </div>
      </form>
    </section>
  );
}
