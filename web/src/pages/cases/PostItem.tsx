import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CaseFull, casesApi, type Post, type ThreadKind } from '../../casesApi.ts';
import { Submit } from '../../components/forms.tsx';
import { FormErrors, ProblemsProvider, PTextArea } from '../../components/problems.tsx';
import { submitting, useAction, useFormatDate } from '../../hooks.ts';
import { useSession } from '../../session.tsx';
import { TlpBadge, tlpClass } from './CaseBadges.tsx';
import { ReporterShare } from './ReporterShare.tsx';

/**
 * One post: its author, time and TLP label (in FIRST's colours, always visible), whom it is
 * limited to, what it answers; its author can edit it, and then sees the earlier versions.
 */
export function PostItem({
  c,
  post,
  parent,
  orgName,
  onReply,
  onEdited,
  threadKind,
}: {
  c: CaseFull;
  post: Post;
  /** The thread's kind: a post of the official or discussion thread can be shared with the finder. */
  threadKind?: ThreadKind;
  parent: Post | null;
  orgName: (id: string | null) => string | null;
  onReply: (() => void) | null;
  onEdited: (post: Post) => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const { me } = useSession();
  const [editing, setEditing] = useState(false);
  // The API names the author by sign-in address only; that is how "mine" is told.
  const mine = me?.user.email === post.author;

  return (
    <li id={`post-${post.id}`} className={`message post ${tlpClass(post.tlp)}-post`} data-testid="post">
      <article aria-label={t('cases.posts.from', { author: post.author })}>
        <header className="message-head">
          <span className="message-author">{post.author}</span>
          <TlpBadge tlp={post.tlp} />
          {post.recipientOrgId && (
            <span className="small">
              {t('cases.posts.forOrg', { org: orgName(post.recipientOrgId) ?? t('cases.posts.oneOrg') })}
            </span>
          )}
          {post.recipientUserIds.length > 0 && (
            <span className="small">{t('cases.posts.forPeople', { count: post.recipientUserIds.length })}</span>
          )}
          <time className="muted small" dateTime={post.createdAt}>
            {fmt(post.createdAt)}
          </time>
          {post.editedAt && (
            <span className="muted small">{t('cases.posts.edited', { date: fmt(post.editedAt) })}</span>
          )}
        </header>
        {parent && (
          <p className="small muted">
            {t('cases.posts.inReplyTo')} <a href={`#post-${parent.id}`}>{parent.author}</a>
          </p>
        )}
        {editing ? (
          <EditForm
            caseId={c.caseId}
            post={post}
            onDone={(updated) => {
              setEditing(false);
              if (updated) onEdited(updated);
            }}
          />
        ) : (
          // Rendered from Markdown and sanitized by the server.
          <div className="message-body prose" dangerouslySetInnerHTML={{ __html: post.bodyHtml }} />
        )}
        {post.revisions && post.revisions.length > 0 && (
          <details className="revisions">
            <summary>{t('cases.posts.history', { count: post.revisions.length })}</summary>
            <ol className="plain-list">
              {post.revisions.map((r) => (
                <li key={r.editedAt}>
                  <span className="muted small">{t('cases.posts.replacedOn', { date: fmt(r.editedAt) })}</span>
                  <p className="pre-text small">{r.body}</p>
                </li>
              ))}
            </ol>
          </details>
        )}
        {!editing && (
          <div className="actions">
            {onReply && (
              <button
                type="button"
                className="btn btn-small"
                aria-label={t('cases.posts.replyTo', { author: post.author })}
                onClick={onReply}
              >
                {t('cases.posts.reply')}
              </button>
            )}
            {mine && (
              <button type="button" className="btn btn-small" onClick={() => setEditing(true)}>
                {t('cases.posts.edit')}
              </button>
            )}
            {threadKind && <ReporterShare c={c} post={post} threadKind={threadKind} onChanged={onEdited} />}
          </div>
        )}
      </article>
    </li>
  );
}

function EditForm({ caseId, post, onDone }: { caseId: string; post: Post; onDone: (p: Post | null) => void }) {
  const { t } = useTranslation();
  const [body, setBody] = useState(post.body);
  const save = useAction(async () => onDone(await casesApi.editPost(caseId, post.id, body.trim())));
  return (
    <ProblemsProvider error={save.error} scope={`edit-${post.id}`}>
      <form onSubmit={submitting(save.run)} noValidate>
        <FormErrors error={save.error} />
        <PTextArea
          path="body"
          label={t('cases.posts.editBody')}
          rows={4}
          value={body}
          onChange={(e) => setBody(e.target.value)}
        />
        <div className="actions">
          <Submit busy={save.busy}>{t('common.save')}</Submit>
          <button type="button" className="btn btn-ghost" onClick={() => onDone(null)}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </ProblemsProvider>
  );
}
