import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type ApiToken } from '../../api.ts';
import { ErrorAlert, errorFor, Field, Submit } from '../../components/forms.tsx';
import { submitting, useAction, useFormatDate } from '../../hooks.ts';

/** Personal API tokens: list, create (the secret is shown this once), revoke. */
export function ApiTokensSection() {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const revealRef = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    try {
      setTokens((await api.tokens()).items);
      setLoadError(null);
    } catch (err) {
      setLoadError(err);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const create = useAction(async () => {
    const expires = days === '' ? undefined : Number(days);
    const answer = await api.createToken({ name: name.trim(), ...(expires ? { expiresInDays: expires } : {}) });
    setCreated({ token: answer.token, name: answer.apiToken.name });
    setCopied(false);
    setName('');
    await load();
    setTimeout(() => revealRef.current?.focus(), 0);
  });
  const revoke = useAction(async (id: string) => {
    await api.revokeToken(id);
    await load();
  });

  const copy = (token: string) => {
    navigator.clipboard.writeText(token).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  const active = tokens?.filter((tk) => !tk.revokedAt) ?? [];
  return (
    <section className="card" aria-labelledby="tokens-heading" id="api-tokens">
      <h2 id="tokens-heading">{t('tokens.title')}</h2>
      <p className="muted">{t('tokens.intro')}</p>
      {created && (
        <div className="reveal" tabIndex={-1} ref={revealRef} role="region" aria-labelledby="new-token-heading">
          <h3 id="new-token-heading">{t('tokens.createdTitle', { name: created.name })}</h3>
          <p className="warn-text">{t('tokens.createdIntro')}</p>
          <div className="token-row">
            <code className="secret" id="new-token" data-testid="new-token">
              {created.token}
            </code>
            <button type="button" className="btn" onClick={() => copy(created.token)}>
              {copied ? t('common.copied') : t('common.copy')}
            </button>
          </div>
          <p className="hint">{t('tokens.usage')}</p>
          <div className="actions">
            <button type="button" className="btn btn-primary" onClick={() => setCreated(null)}>
              {t('tokens.done')}
            </button>
          </div>
        </div>
      )}
      <form onSubmit={submitting(create.run)} noValidate className="inline-form">
        <ErrorAlert error={create.error} />
        <div className="grid-2">
          <Field
            id="token-name"
            label={t('tokens.name')}
            required
            maxLength={100}
            hint={t('tokens.nameHint')}
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={errorFor(create.error, 'name')}
          />
          <Field
            id="token-days"
            label={t('tokens.expiresInDays')}
            type="number"
            min={1}
            max={366}
            value={days}
            onChange={(e) => setDays(e.target.value)}
            error={errorFor(create.error, 'expiresInDays')}
          />
        </div>
        <div className="actions">
          <Submit busy={create.busy}>{t('tokens.create')}</Submit>
        </div>
      </form>
      <ErrorAlert error={loadError ?? revoke.error} />
      {tokens && active.length === 0 && <p className="muted">{t('tokens.none')}</p>}
      {active.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('tokens.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('tokens.name')}</th>
                <th scope="col">{t('tokens.prefix')}</th>
                <th scope="col">{t('common.created')}</th>
                <th scope="col">{t('tokens.expires')}</th>
                <th scope="col">{t('tokens.lastUsed')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {active.map((tk) => (
                <tr key={tk.id}>
                  <td>{tk.name}</td>
                  <td>
                    <code>{tk.prefix}…</code>
                  </td>
                  <td>{fmt(tk.createdAt)}</td>
                  <td>{tk.expiresAt ? fmt(tk.expiresAt) : t('tokens.never')}</td>
                  <td>{tk.lastUsedAt ? fmt(tk.lastUsedAt) : t('tokens.unused')}</td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      disabled={revoke.busy}
                      onClick={() => {
                        if (window.confirm(t('tokens.revokeConfirm', { name: tk.name }))) void revoke.run(tk.id);
                      }}
                      aria-label={t('tokens.revokeNamed', { name: tk.name })}
                    >
                      {t('tokens.revoke')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
