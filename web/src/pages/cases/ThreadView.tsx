import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CaseFull, casesApi, type Post, type Thread } from '../../casesApi.ts';
import { Pending } from '../../components/lists.tsx';
import { useResource } from '../../hooks.ts';
import { PostComposer } from './PostComposer.tsx';
import { PostItem } from './PostItem.tsx';
import { useAudience } from './audience.ts';

/** One thread: its posts (each with its TLP label), replies, edits, and the composer. */
export function ThreadView({ c, thread, onPosted }: { c: CaseFull; thread: Thread; onPosted: () => void }) {
  const { t } = useTranslation();
  const posts = useResource(() => casesApi.posts(c.caseId, thread.id), thread.id);
  const [replyTo, setReplyTo] = useState<Post | null>(null);
  const audience = useAudience(c);
  const items = posts.data?.items ?? [];
  const byId = new Map(items.map((p) => [p.id, p]));
  const mayWrite = thread.kind !== 'official' || c.abilities['case:manage'];

  const replaced = (updated: Post) =>
    posts.setData((d) => d && { ...d, items: d.items.map((p) => (p.id === updated.id ? updated : p)) });

  return (
    <section className="card thread" aria-labelledby="thread-heading">
      <h2 id="thread-heading">
        {thread.title} <span className={`badge thread-${thread.kind}`}>{t(`cases.threads.kind.${thread.kind}`)}</span>
      </h2>
      <p className="hint">{t(`cases.threads.hint.${thread.kind}`)}</p>
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
