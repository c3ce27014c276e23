import '../../notifications.css';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CaseFull } from '../../casesApi.ts';
import { ErrorAlert } from '../../components/forms.tsx';
import { useAction, useFormatDate } from '../../hooks.ts';
import { type Changes, notificationsApi } from '../../notificationsApi.ts';
import { TlpBadge } from './CaseBadges.tsx';

const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/**
 * "Changes since your last visit": the posts, vendor statements and timeline events the viewer
 * may see that came after their previous visit, read before the visit is recorded (once per
 * page load). The server decides what is listed, under the same scopes as the rest of the case.
 */
export function ChangesPanel({ c, onOpenThreads }: { c: CaseFull; onOpenThreads: () => void }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const [changes, setChanges] = useState<Changes | null>(null);
  const [error, setError] = useState<unknown>(null);
  const loadedFor = useRef<string | null>(null);

  useEffect(() => {
    // Once per case and page load: reading the changes, then recording the visit.
    if (loadedFor.current === c.caseId) return;
    loadedFor.current = c.caseId;
    void (async () => {
      try {
        setChanges(await notificationsApi.changes(c.caseId));
        await notificationsApi.seen(c.caseId);
      } catch (err) {
        setError(err);
      }
    })();
  }, [c.caseId]);

  const markAll = useAction(async () => {
    await notificationsApi.seen(c.caseId, { all: true });
    setChanges((ch) => ch && { ...ch, unread: 0, posts: ch.posts.map((p) => ({ ...p, read: true })) });
  });

  if (error) return <ErrorAlert error={error} />;
  if (!changes) return null;
  const nameOf = (id: string | null) => c.participants.find((p) => p.id === id)?.name ?? '';
  const total = changes.posts.length + changes.statuses.length + changes.events.length;
  const heading = changes.since
    ? t('notifications.changes.since', { date: fmt(changes.since) })
    : t('notifications.changes.firstVisit');

  return (
    <details className="card changes" open={total > 0} data-testid="case-changes">
      <summary className="h3">
        {heading}{' '}
        <span className={`badge${total > 0 ? ' badge-new' : ''}`}>
          {t('notifications.changes.count', { count: total })}
        </span>
        {changes.unread > 0 && (
          <>
            {' '}
            <span className="badge badge-unread">{t('notifications.unread', { count: changes.unread })}</span>
          </>
        )}
      </summary>
      {total === 0 && <p className="muted">{t('notifications.changes.none')}</p>}
      {changes.truncated && <p className="hint">{t('notifications.changes.truncated')}</p>}
      {changes.posts.length > 0 && (
        <section aria-labelledby="changes-posts">
          <h3 id="changes-posts">{t('notifications.changes.posts', { count: changes.posts.length })}</h3>
          <ul className="plain-list changes-list">
            {changes.posts.map((p) => (
              <li key={p.id} className={p.read ? undefined : 'unread'}>
                <div>
                  <strong>{p.threadTitle}</strong> <TlpBadge tlp={p.tlp} />{' '}
                  {!p.read && <span className="badge badge-unread">{t('notifications.new')}</span>}{' '}
                  {p.mentionsYou && <span className="badge badge-action">{t('notifications.mentionsYou')}</span>}
                </div>
                <p className="excerpt">{p.excerpt}</p>
                <div className="muted small">
                  {p.author} · <time dateTime={p.createdAt}>{fmt(p.createdAt)}</time>
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
      {changes.statuses.length > 0 && (
        <section aria-labelledby="changes-statuses">
          <h3 id="changes-statuses">{t('notifications.changes.statuses', { count: changes.statuses.length })}</h3>
          <ul className="plain-list changes-list">
            {changes.statuses.map((s) => (
              <li key={s.id}>
                {t('cases.timeline.detail.status', {
                  name: s.vendor ?? '',
                  product: s.product,
                  status: t(`cases.vendorStatus.${s.status}`, { defaultValue: s.status }),
                })}{' '}
                <span className="muted small">
                  {s.vulnerability ?? ''} · <time dateTime={s.updatedAt}>{fmt(s.updatedAt)}</time>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {changes.events.length > 0 && (
        <section aria-labelledby="changes-events">
          <h3 id="changes-events">{t('notifications.changes.events', { count: changes.events.length })}</h3>
          <ul className="plain-list changes-list">
            {changes.events.map((e, i) => (
              <li key={i}>
                <strong>
                  {t(`cases.timeline.kind.${e.kind}`, {
                    defaultValue: t(`notifications.eventKinds.${e.kind}`, { defaultValue: e.kind }),
                  })}
                </strong>{' '}
                <span>{nameOf(e.participantId) || text(e.data.orgName) || text(e.data.title)}</span>{' '}
                <span className="muted small">
                  {e.actorLabel} · <time dateTime={e.createdAt}>{fmt(e.createdAt)}</time>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <ErrorAlert error={markAll.error} />
      <div className="actions">
        {changes.posts.length > 0 && (
          <button type="button" className="btn" onClick={onOpenThreads}>
            {t('notifications.changes.openThreads')}
          </button>
        )}
        {changes.unread > 0 && (
          <button
            type="button"
            className="btn"
            disabled={markAll.busy}
            aria-busy={markAll.busy}
            onClick={() => void markAll.run()}
          >
            {t('notifications.markAllRead')}
          </button>
        )}
      </div>
    </details>
  );
}
