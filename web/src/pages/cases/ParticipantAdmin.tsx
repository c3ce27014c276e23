import { useEffect, useRef, useState } from 'react';
import '../../participants.css';
import { useTranslation } from 'react-i18next';
import { api, type Member } from '../../api.ts';
import type { CaseFull } from '../../casesApi.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ErrorAlert, Submit } from '../../components/forms.tsx';
import { FormErrors, ProblemsProvider } from '../../components/problems.tsx';
import { submitting, useAction, useFormatDate } from '../../hooks.ts';
import { participantsApi, type StaffParticipant } from '../../participantsApi.ts';
import { PeoplePicker } from './PeoplePicker.tsx';

/**
 * What the case lead manages on a participant: the invitations sent to an organization not yet
 * on the platform (with re-sending), the named users its access is limited to, and removal
 * (history kept, access ended at once).
 */

/** The invitations of a participant (staff see the addresses), newest first. */
export function InvitationList({ p }: { p: StaffParticipant }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const list = p.invitations ?? [];
  if (list.length === 0) return null;
  return (
    <ul className="plain-list small invitations" aria-label={t('caseParticipants.invitationsOf', { name: p.name })}>
      {list.map((i) => (
        <li key={i.id}>
          <span className={`badge invitation-${i.state}`}>{t(`caseParticipants.invitationStates.${i.state}`)}</span>{' '}
          {i.email}{' '}
          <span className="muted">
            {i.state === 'accepted'
              ? t('caseParticipants.acceptedOn', { date: fmt(i.acceptedAt) })
              : t('caseParticipants.validUntil', { date: fmt(i.expiresAt) })}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The lead's buttons on one participant; `onEditUsers` opens the named-users form. */
export function ParticipantAdminActions({
  c,
  p,
  reload,
  onNotice,
  onEditUsers,
}: {
  c: CaseFull;
  p: StaffParticipant;
  reload: () => Promise<void>;
  onNotice: (text: string) => void;
  onEditUsers: (p: StaffParticipant) => void;
}) {
  const { t } = useTranslation();
  const [asked, setAsked] = useState(false);
  const remove = useAction(async () => {
    await participantsApi.remove(c.caseId, p.id);
    setAsked(false);
    onNotice(t('caseParticipants.removed', { name: p.name }));
    await reload();
  });
  const resend = useAction(async () => {
    const sent = await participantsApi.resendInvitations(c.caseId, p.id);
    onNotice(t('caseParticipants.resent', { name: p.name, count: sent.items.length }));
    await reload();
  });
  const invitations = p.invitations ?? [];
  // Re-sending makes sense while nobody of the organization has joined.
  const canResend = p.orgId !== null && invitations.length > 0 && !invitations.some((i) => i.state === 'accepted');
  return (
    <>
      {p.orgId && (
        <button
          type="button"
          className="btn btn-small"
          aria-label={t('caseParticipants.editUsersFor', { name: p.name })}
          onClick={() => onEditUsers(p)}
        >
          {t('caseParticipants.editUsers')}
        </button>
      )}
      {canResend && (
        <button
          type="button"
          className="btn btn-small"
          disabled={resend.busy}
          aria-label={t('caseParticipants.resendFor', { name: p.name })}
          onClick={() => void resend.run()}
        >
          {resend.busy ? t('common.working') : t('caseParticipants.resend')}
        </button>
      )}
      <button
        type="button"
        className="btn btn-small btn-danger"
        aria-label={t('caseParticipants.removeFor', { name: p.name })}
        onClick={() => setAsked(true)}
      >
        {t('caseParticipants.remove')}
      </button>
      <ErrorAlert error={resend.error} />
      <ConfirmDialog
        open={asked}
        title={t('caseParticipants.removeTitle', { name: p.name })}
        confirmLabel={t('caseParticipants.remove')}
        danger
        busy={remove.busy}
        onConfirm={() => void remove.run()}
        onCancel={() => {
          setAsked(false);
          remove.setError(null);
        }}
      >
        <p>{t('caseParticipants.removeWarning', { name: p.name })}</p>
        <ErrorAlert error={remove.error} />
      </ConfirmDialog>
    </>
  );
}

/**
 * The named users an organization's access is limited to (none chosen: every member). The
 * heading takes the focus when the form opens, so keyboard and screen-reader users land on it.
 */
export function NamedUsersForm({
  c,
  p,
  reload,
  onDone,
}: {
  c: CaseFull;
  p: StaffParticipant;
  reload: () => Promise<void>;
  onDone: (notice: string | null) => void;
}) {
  const { t } = useTranslation();
  const [members, setMembers] = useState<Member[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [chosen, setChosen] = useState<string[]>(p.allowedUserIds ?? []);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
    if (!p.orgId) return;
    let live = true;
    api.members(p.orgId).then(
      (m) => live && setMembers(m.items),
      (err: unknown) => live && setLoadError(err),
    );
    return () => {
      live = false;
    };
  }, [p.orgId]);

  const save = useAction(async () => {
    await participantsApi.setUsers(c.caseId, p.id, chosen);
    await reload();
    onDone(
      chosen.length === 0
        ? t('caseParticipants.usersAll', { name: p.name })
        : t('caseParticipants.usersSaved', { name: p.name, count: chosen.length }),
    );
  });

  return (
    <section className="card" aria-labelledby="named-users-heading">
      <h2 id="named-users-heading" ref={heading} tabIndex={-1}>
        {t('caseParticipants.usersTitle', { name: p.name })}
      </h2>
      <p className="hint">{t('caseParticipants.usersHint')}</p>
      <ErrorAlert error={loadError} />
      {members === null && !loadError && (
        <p className="muted" role="status">
          {t('common.loading')}
        </p>
      )}
      {members && (
        <ProblemsProvider error={save.error} scope="named-users">
          <form onSubmit={submitting(save.run)} noValidate>
            <FormErrors error={save.error} />
            {members.length === 0 ? (
              <p className="muted">{t('caseParticipants.noMembers', { name: p.name })}</p>
            ) : (
              <PeoplePicker
                path="userIds"
                legend={t('caseParticipants.usersLegend')}
                people={members.map((m) => ({ id: m.userId, name: m.name, email: m.email }))}
                chosen={chosen}
                onChange={setChosen}
              />
            )}
            <div className="actions">
              <Submit busy={save.busy}>{t('common.save')}</Submit>
              <button type="button" className="btn btn-ghost" onClick={() => onDone(null)}>
                {t('common.cancel')}
              </button>
            </div>
          </form>
        </ProblemsProvider>
      )}
    </section>
  );
}
