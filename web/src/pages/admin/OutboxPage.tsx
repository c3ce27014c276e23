import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { ErrorAlert, MoreButton } from '../../components/forms.tsx';
import { SearchBar } from '../../components/lists.tsx';
import { useFormatDate, usePaged, useTitle } from '../../hooks.ts';

/** Outgoing mail; without SMTP this is where reset and invitation links are read. */
export function OutboxPage() {
  const { t } = useTranslation();
  useTitle(t('outbox.title'));
  const fmt = useFormatDate();
  const [to, setTo] = useState('');
  const [filter, setFilter] = useState('');
  const list = usePaged((cursor) => api.outbox({ to: filter, cursor }), filter);

  return (
    <>
      <h1>{t('outbox.title')}</h1>
      <p className="muted">{t('outbox.intro')}</p>
      <section className="card" aria-label={t('outbox.title')}>
        <SearchBar
          id="outbox-to"
          label={t('outbox.to')}
          value={to}
          onChange={setTo}
          onSearch={() => setFilter(to.trim())}
        />
        <ErrorAlert error={list.error} />
        {!list.loading && list.items.length === 0 && !list.error && <p className="muted">{t('outbox.empty')}</p>}
        <ul className="mail-list">
          {list.items.map((m) => (
            <li key={m.id} className="mail">
              <details>
                <summary>
                  <span className="mail-subject">{m.subject}</span>
                  <span className="mail-meta">
                    {m.to} · {fmt(m.createdAt)} ·{' '}
                    <span className={`badge status-${m.status}`}>
                      {t(`outbox.status.${m.status}`, { defaultValue: m.status })}
                    </span>
                  </span>
                </summary>
                <dl className="facts facts-inline">
                  <dt>{t('outbox.attempts')}</dt>
                  <dd>{m.attempts}</dd>
                  <dt>{t('outbox.sentAt')}</dt>
                  <dd>{fmt(m.sentAt)}</dd>
                  {m.lastError && (
                    <>
                      <dt>{t('outbox.lastError')}</dt>
                      <dd lang="en">{m.lastError}</dd>
                    </>
                  )}
                </dl>
                <pre className="mail-body">{m.text}</pre>
              </details>
            </li>
          ))}
        </ul>
        <MoreButton cursor={list.cursor} busy={list.loading} onMore={() => void list.more()} />
      </section>
    </>
  );
}
