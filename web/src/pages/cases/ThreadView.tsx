import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CaseFull, casesApi, type Post, type Thread } from '../../casesApi.ts';
import { Pending } from '../../components/lists.tsx';
import { useResource } from '../../hooks.ts';
import { notificationsApi } from '../../notificationsApi.ts';
import { FollowButton } from './FollowButton.tsx';
import { PostComposer } from './PostComposer.tsx';
import { PostItem } from './PostItem.tsx';
import { useAudience } from './audience.ts';

/** One thread: its posts (each with its TLP label), replies, edits, and the composer. */
export function ThreadView({
  c,
  thread,
  onPosted,
  onSeen,
}: {
  c: CaseFull;
  thread: Thread;
  onPosted: () => void;
  /** After the thread's posts were marked read (the thread list's unread counts change). */
  onSeen?: () => void;
}) {
  const { t } = useTranslation();
  const posts = useResource(() => casesApi.posts(c.caseId, thread.id), thread.id);
  const [replyTo, setReplyTo] = useState<Post | null>(null);
  const audience = useAudience(c);
  const items = posts.data?.items ?? [];
  const byId = new Map(items.map((p) => [p.id, p]));
  const mayWrite = thread.kind !== 'official' || c.abilities['case:manage'];

  // Posts that were new when the thread was opened; reading the thread marks them read.
  const [fresh, setFresh] = useState<string[]>([]);
  const markedFor = useRef<string | null>(null);
  useEffect(() => {
    if (!posts.data || markedFor.current === thread.id) return;
    markedFor.current = thread.id;
    const unread = posts.data.items.filter((p) => p.read === false).map((p) => p.id);
    setFresh(unread);
    if (unread.length === 0) return;
    notificationsApi
      .seen(c.caseId, { threadId: thread.id })
      .then(() => onSeen?.())
      .catch(() => undefined);
  }, [posts.data, thread.id, c.caseId, onSeen]);

  const replaced = (updated: Post) =>
    posts.setData((d) => d && { ...d, items: d.items.map((p) => (p.id === updated.id ? updated : p)) });

  return (
    <section className="card thread" aria-labelledby="thread-heading">
      <h2 id="thread-heading">
        {thread.title} <span className={`badge thread-${thread.kind}`}>{t(`cases.threads.kind.${thread.kind}`)}</span>
      </h2>
      <p className="hint">{t(`cases.threads.hint.${thread.kind}`)}</p>
      {thread.kind !== 'official' && <FollowButton caseId={c.caseId} threadId={thread.id} />}
      {fresh.length > 0 && (
        <p className="new-posts" role="status">
          <span className="badge badge-unread">{t('notifications.newPosts', { count: fresh.length })}</span>{' '}
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              const first = document.getElementById(`post-${fresh[0]}`);
              if (!first) return;
              // Keyboard and screen-reader users continue reading from the post, not the button.
              first.setAttribute('tabindex', '-1');
              first.scrollIntoView({ block: 'start' });
              first.focus();
            }}
          >
            {t('notifications.firstNew')}
          </button>
        </p>
      )}
      {!posts.data ? (
        <Pending error={posts.error} />
      ) : items.length === 0 ? (
        <p className="muted">{t('cases.posts.none')}</p>
      ) : (
        <ol className="messages">
          {items.map((p) => (
            <PostItem
              key={p.id}
              c={c}
              post={p}
              parent={p.replyTo ? (byId.get(p.replyTo) ?? null) : null}
              orgName={audience.orgName}
              onReply={mayWrite ? () => setReplyTo(p) : null}
              onEdited={replaced}
              threadKind={thread.kind}
            />
          ))}
        </ol>
      )}
      {mayWrite ? (
        <PostComposer
          c={c}
          thread={thread}
          audience={audience}
          replyTo={replyTo}
          onCancelReply={() => setReplyTo(null)}
          onPosted={async () => {
            setReplyTo(null);
            await posts.reload();
            onPosted();
          }}
        />
      ) : (
        <p className="muted">{t('cases.posts.officialOnly')}</p>
      )}
    </section>
  );
}
