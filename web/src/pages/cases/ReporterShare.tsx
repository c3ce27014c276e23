import { useTranslation } from 'react-i18next';
import type { CaseFull, Post, ThreadKind } from '../../casesApi.ts';
import { ErrorAlert } from '../../components/forms.tsx';
import { useAction } from '../../hooks.ts';
import { participantsApi } from '../../participantsApi.ts';

/** A post as the API gives it, with the label the coordinators put on it for the finder. */
type SharedPost = Post & { forReporters?: boolean };

const shareable = ['CLEAR', 'GREEN', 'AMBER'];

/**
 * "Shared with the finder": the badge on a post the coordinators labelled for reporters, and for
 * them the button that labels it (official and discussion threads, TLP up to AMBER) or takes the
 * label back.
 */
export function ReporterShare({
  c,
  post,
  threadKind,
  onChanged,
}: {
  c: CaseFull;
  post: SharedPost;
  threadKind: ThreadKind;
  onChanged: (post: Post) => void;
}) {
  const { t } = useTranslation();
  const shared = post.forReporters === true;
  const toggle = useAction(async () => {
    const res = await participantsApi.shareWithReporters(c.caseId, post.id, !shared);
    onChanged({ ...post, forReporters: res.forReporters } as SharedPost);
  });
  const may = c.abilities['case:manage'] && threadKind !== 'private' && (shared || shareable.includes(post.tlp));
  if (!shared && !may) return null;
  return (
    <>
      {shared && <span className="badge badge-reporters">{t('finderView.sharedBadge')}</span>}
      {may && (
        <button
          type="button"
          className="btn btn-small"
          disabled={toggle.busy}
          aria-pressed={shared}
          onClick={() => void toggle.run()}
        >
          {shared ? t('finderView.unshare') : t('finderView.share')}
        </button>
      )}
      <ErrorAlert error={toggle.error} />
    </>
  );
}
