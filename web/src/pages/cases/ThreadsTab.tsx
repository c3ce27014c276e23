import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { casesApi, type Thread } from '../../casesApi.ts';
import { FormCard } from '../../components/FormCard.tsx';
import { Pending } from '../../components/lists.tsx';
import { PInput } from '../../components/problems.tsx';
import { useAction, useResource } from '../../hooks.ts';
import type { CaseTabProps } from './CasePage.tsx';
import { PeoplePicker } from './PeoplePicker.tsx';
import { ThreadView } from './ThreadView.tsx';

/**
 * The threads the viewer may read: the official one (written by the coordinators), the
 * discussion of everyone who accepted the terms, and private threads for chosen participants.
 */
export function ThreadsTab({ c }: CaseTabProps) {
  const { t } = useTranslation();
  const [version, setVersion] = useState(0);
  const threads = useResource(() => casesApi.threads(c.caseId), `${c.caseId}:${version}`);
  const [chosen, setChosen] = useState<string | null>(null);
  const items = threads.data?.items ?? [];
  const current = items.find((x) => x.id === chosen) ?? items[0] ?? null;
  const changed = () => setVersion((v) => v + 1);

  return (
    <div className="threads-layout">
      <div>
        <section className="card" aria-labelledby="threads-heading">
          <h2 id="threads-heading">{t('cases.tabs.threads')}</h2>
          {!threads.data ? (
            <Pending error={threads.error} />
          ) : (
            <ul className="plain-list thread-list">
              {items.map((x) => (
                <li key={x.id}>
                  <button
                    type="button"
                    className="thread-button"
                    aria-current={x.id === current?.id ? 'true' : undefined}
                    onClick={() => setChosen(x.id)}
                  >
                    <span className="thread-title">{x.title}</span>
                    <span className={`badge thread-${x.kind}`}>{t(`cases.threads.kind.${x.kind}`)}</span>
                    <span className="muted small">{t('cases.threads.posts', { count: x.posts })}</span>
                    {(x.unread ?? 0) > 0 && (
                      <span className="badge badge-unread">{t('notifications.unread', { count: x.unread })}</span>
                    )}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
        <NewThreadForm
          c={c}
          onCreated={(id) => {
            setChosen(id);
            changed();
          }}
        />
      </div>
      {current && <ThreadView key={current.id} c={c} thread={current} onPosted={changed} onSeen={changed} />}
    </div>
  );
}

/** A private thread: the lead chooses its participants; a participant opens one with the coordinators. */
function NewThreadForm({ c, onCreated }: { c: CaseTabProps['c']; onCreated: (id: string) => void }) {
  const { t } = useTranslation();
  const manage = c.abilities['case:manage'];
  const own = c.participants.find((p) => p.mine && p.termsAccepted);
  const [title, setTitle] = useState('');
  const [members, setMembers] = useState<string[]>([]);
  const create = useAction(async () => {
    const participantIds = manage ? members : own ? [own.id] : [];
    const thread: Pick<Thread, 'id'> = await casesApi.openThread(c.caseId, { title: title.trim(), participantIds });
    setTitle('');
    setMembers([]);
    onCreated(thread.id);
  });
  if (!manage && !own) return null;
  return (
    <FormCard
      id="thread"
      title={t('cases.threads.new')}
      intro={manage ? t('cases.threads.newIntroLead') : t('cases.threads.newIntro', { org: own?.name ?? '' })}
      action={create}
      submit={t('cases.threads.create')}
    >
      <PInput
        path="title"
        label={t('cases.threads.title')}
        required
        maxLength={200}
        value={title}
        onChange={(e) => setTitle(e.target.value)}
      />
      {manage && (
        <PeoplePicker
          path="participantIds"
          legend={t('cases.threads.members')}
          people={c.participants.map((p) => ({ id: p.id, name: p.name, email: t(`cases.roles.${p.role}`) }))}
          chosen={members}
          onChange={setMembers}
        />
      )}
    </FormCard>
  );
}
