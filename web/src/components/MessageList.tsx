import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatSize } from '../files.ts';
import { useFormatDate } from '../hooks.ts';
import { type AttachmentMeta, type ReportMessage, saveBlob } from '../reportsApi.ts';
import { ErrorAlert } from './forms.tsx';

/**
 * A report's conversation. Internal staff notes are set apart (own colour, a label that says the
 * finder does not see them) from what is shared with the finder.
 */
export function MessageList({
  messages,
  download,
  empty,
  staffView = false,
}: {
  messages: ReportMessage[];
  download: (a: AttachmentMeta) => Promise<Blob>;
  empty: string;
  /** Staff see whether each message is shared with the finder or internal. */
  staffView?: boolean;
}) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  if (messages.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ol className="messages">
      {messages.map((m) => {
        const internal = m.visibility === 'internal';
        const cls = ['message', internal ? 'message-internal' : '', m.fromFinder ? 'message-finder' : ''];
        return (
          <li key={m.id} className={cls.filter(Boolean).join(' ')} data-testid="message">
            <article aria-label={t('messages.from', { author: m.authorLabel })}>
              <header className="message-head">
                <span className="message-author">{m.authorLabel}</span>
                {m.kind !== 'message' && <span className={`badge kind-${m.kind}`}>{t(`messages.kind.${m.kind}`)}</span>}
                {staffView && m.visibility && (
                  <span className={`badge ${internal ? 'badge-internal' : 'badge-shared'}`}>
                    {internal ? t('messages.internal') : t('messages.shared')}
                  </span>
                )}
                <time className="muted small" dateTime={m.createdAt}>
                  {fmt(m.createdAt)}
                </time>
              </header>
              {/* bodyHtml is rendered from Markdown and sanitized by the server; nothing else is set as HTML. */}
              <div className="message-body prose" dangerouslySetInnerHTML={{ __html: m.bodyHtml }} />
              <AttachmentList attachments={m.attachments} download={download} />
            </article>
          </li>
        );
      })}
    </ol>
  );
}

/** File names with size and SHA-256; the download goes through fetch (bearer or session), never a URL with a secret. */
export function AttachmentList({
  attachments,
  download,
}: {
  attachments: AttachmentMeta[];
  download: (a: AttachmentMeta) => Promise<Blob>;
}) {
  const { t, i18n } = useTranslation();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  if (attachments.length === 0) return null;
  const get = async (a: AttachmentMeta) => {
    setError(null);
    setBusy(a.id);
    try {
      saveBlob(await download(a), a.filename);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="attachments">
      <ErrorAlert error={error} />
      <ul className="file-list" aria-label={t('files.attachments')}>
        {attachments.map((a) => (
          <li key={a.id}>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => void get(a)}
              disabled={busy === a.id}
              aria-label={t('files.downloadNamed', { name: a.filename })}
            >
              {t('files.download')}
            </button>
            <span className="file-name">{a.filename}</span>
            <span className="muted small">
              {formatSize(a.size, i18n.language)} · {a.contentType}
            </span>
            <code className="muted small sha" title="SHA-256">
              {a.sha256.slice(0, 16)}…
            </code>
          </li>
        ))}
      </ul>
    </div>
  );
}
