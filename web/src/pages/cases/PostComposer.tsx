import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CaseFull, casesApi, type Post, type Thread, type Tlp, tlpLabels } from '../../casesApi.ts';
import { FormCard } from '../../components/FormCard.tsx';
import { PSelect, PTextArea } from '../../components/problems.tsx';
import { useAction } from '../../hooks.ts';
import type { Audience } from './audience.ts';
import { TlpBadge } from './CaseBadges.tsx';
import { PeoplePicker } from './PeoplePicker.tsx';

/**
 * Writes in a thread with a TLP 2.0 label. AMBER+STRICT asks for the one organization it is for;
 * RED for the people it is for. The label the post will carry is shown before it is sent.
 */
export function PostComposer({
  c,
  thread,
  audience,
  replyTo,
  onCancelReply,
  onPosted,
}: {
  c: CaseFull;
  thread: Thread;
  audience: Audience;
  replyTo: Post | null;
  onCancelReply: () => void;
  onPosted: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const [body, setBody] = useState('');
  const [tlp, setTlp] = useState<Tlp>('AMBER');
  const [recipientOrgId, setRecipientOrgId] = useState('');
  const [people, setPeople] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const send = useAction(async () => {
    setNotice(null);
    await casesApi.post(c.caseId, thread.id, {
      body: body.trim(),
      tlp,
      ...(tlp === 'AMBER+STRICT' ? { recipientOrgId } : {}),
      ...(tlp === 'RED' ? { recipientUserIds: people } : {}),
      ...(replyTo ? { replyTo: replyTo.id } : {}),
    });
    setBody('');
    setNotice(t('cases.posts.sent', { tlp: `TLP:${tlp}` }));
    await onPosted();
  });
  const chooseTlp = (next: Tlp) => {
    setTlp(next);
    if (next === 'RED') audience.loadPeople();
  };

  return (
    <FormCard
      id="composer"
      title={replyTo ? t('cases.posts.replyTitle', { author: replyTo.author }) : t('cases.posts.write')}
      open
      notice={notice}
      action={send}
      submit={t('cases.posts.send', { tlp: `TLP:${tlp}` })}
    >
      {replyTo && (
        <p className="replying">
          {t('cases.posts.replyingTo', { author: replyTo.author })}{' '}
          <button type="button" className="btn btn-small btn-ghost" onClick={onCancelReply}>
            {t('cases.posts.cancelReply')}
          </button>
        </p>
      )}
      <PTextArea
        path="body"
        label={t('cases.posts.body')}
        hint={t('report.markdownHint')}
        rows={4}
        required
        value={body}
        onChange={(e) => setBody(e.target.value)}
      />
      <div className="grid-2">
        <PSelect
          path="tlp"
          label={t('cases.posts.tlp')}
          hint={t(`cases.tlp.${tlp}`)}
          value={tlp}
          onChange={(e) => chooseTlp(e.target.value as Tlp)}
        >
          {tlpLabels.map((l) => (
            <option key={l} value={l}>
              TLP:{l}
            </option>
          ))}
        </PSelect>
        {tlp === 'AMBER+STRICT' && (
          <PSelect
            path="recipientOrgId"
            label={t('cases.posts.recipientOrg')}
            required
            value={recipientOrgId}
            onChange={(e) => setRecipientOrgId(e.target.value)}
          >
            <option value="">{t('cases.participants.chooseOrg')}</option>
            {audience.orgs.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </PSelect>
        )}
      </div>
      {tlp === 'RED' && (
        <PeoplePicker
          path="recipientUserIds"
          legend={t('cases.posts.recipients')}
          hint={t('cases.posts.recipientsHint')}
          people={audience.people ?? []}
          chosen={people}
          onChange={setPeople}
        />
      )}
      <p className="tlp-preview">
        {t('cases.posts.willCarry')} <TlpBadge tlp={tlp} />
      </p>
    </FormCard>
  );
}
