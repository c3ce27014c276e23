import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useResource } from '../../hooks.ts';
import { notificationsApi } from '../../notificationsApi.ts';

/** Follow or unfollow a discussion or private thread: mail for each new message, by your preferences. */
export function FollowButton({ caseId, threadId }: { caseId: string; threadId: string }) {
  const { t } = useTranslation();
  const state = useResource(() => notificationsApi.threadFollow(caseId, threadId), `${caseId}/${threadId}`);
  const [busy, setBusy] = useState(false);
  if (!state.data || state.data.mandatory) return null;
  const following = state.data.following;
  const toggle = async () => {
    setBusy(true);
    try {
      state.setData(await notificationsApi.setThreadFollow(caseId, threadId, !following));
    } catch (err) {
      state.setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <p className="thread-follow">
      <span role="status">{t(following ? 'notifications.follow.following' : 'notifications.follow.notFollowing')}</span>{' '}
      <button
        type="button"
        className="btn btn-small"
        aria-pressed={following}
        disabled={busy}
        onClick={() => void toggle()}
      >
        {t(following ? 'notifications.follow.unfollow' : 'notifications.follow.follow')}
      </button>
    </p>
  );
}
