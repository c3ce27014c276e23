import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CaseEvent, casesApi, type Participant } from '../../casesApi.ts';
import { ErrorAlert, Notice } from '../../components/forms.tsx';
import { DataTable } from '../../components/lists.tsx';
import { StateBadge } from '../../components/ReportBadges.tsx';
import { useAction, useFormatDate } from '../../hooks.ts';
import type { StaffParticipant } from '../../participantsApi.ts';
import type { RmEvent } from '../../reportsApi.ts';
import { AddParticipantForm } from './AddParticipantForm.tsx';
import { CaseFlags, vfdEvents } from './CaseBadges.tsx';
import type { CaseTabProps } from './CasePage.tsx';
import { InvitationList, NamedUsersForm, ParticipantAdminActions } from './ParticipantAdmin.tsx';

type Move = { kind: 'rm'; event: RmEvent } | { kind: 'cs'; event: CaseEvent };

/**
 * Every participant with its Vultron states in words: its report-management state (RM) and, for
 * vendors, the fix path (V/F/D). Buttons only for the moves the viewer may make now: RM for the
 * lead or the participant itself, V/F/D for the vendor itself (or the lead recording it).
 */
export function ParticipantsTab({ c, reload }: CaseTabProps) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<StaffParticipant | null>(null);
  const manage = c.abilities['case:manage'];
  const label = (m: Move) =>
    m.kind === 'rm' ? t(`triage.events.${m.event}`) : t('cases.record', { event: t(`cases.csEvent.${m.event}`) });
  const move = useAction(async (p: Participant, m: Move) => {
    setNotice(null);
    if (m.kind === 'rm') await casesApi.rm(c.caseId, p.id, m.event);
    else await casesApi.caseState(c.caseId, { event: m.event, participantId: p.id });
    setNotice(t('cases.moved', { name: p.name, event: label(m) }));
    await reload();
  });

  // The server lists the moves it would accept now from this viewer (the Vultron machines decide).
  const movesOf = (p: Participant): Move[] => [
    ...p.allowedRmEvents.map((event): Move => ({ kind: 'rm', event })),
    ...p.allowedCaseEvents.map((event): Move => ({ kind: 'cs', event })),
  ];

  return (
    <>
      <section className="card" aria-labelledby="participants-heading">
        <h2 id="participants-heading" tabIndex={-1}>
          {t('cases.tabs.participants')}
        </h2>
        <p className="hint">{t('cases.participants.hint')}</p>
        <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
        <ErrorAlert error={move.error} />
        {c.participants.length === 0 && <p className="muted">{t('cases.participants.none')}</p>}
        <DataTable
          items={c.participants}
          caption={t('cases.tabs.participants')}
          className="table-dense participants"
          columns={[
            t('cases.participants.name'),
            t('cases.participants.role'),
            t('cases.participants.rm'),
            t('cases.participants.fixPath'),
            t('cases.participants.terms'),
            t('common.actions'),
          ]}
          row={(p: StaffParticipant) => (
            <tr
              key={p.id}
              data-testid={`participant-${p.name}`}
              className={p.removedAt ? 'participant-removed' : undefined}
            >
              <th scope="row">
                {p.name}
                {p.mine && <span className="badge badge-mine">{t('cases.you')}</span>}
                {p.removedAt && (
                  <span className="badge badge-removed">
                    {t('caseParticipants.removedOn', { date: fmt(p.removedAt) })}
                  </span>
                )}
                {(p.allowedUserIds?.length ?? 0) > 0 && (
                  <span className="small muted block">
                    {t('caseParticipants.limitedTo', { count: p.allowedUserIds?.length ?? 0 })}
                  </span>
                )}
                <InvitationList p={p} />
              </th>
              <td>{t(`cases.roles.${p.role}`)}</td>
              <td>{p.rmState ? <StateBadge state={p.rmState} /> : '—'}</td>
              <td>{p.caseState ? <CaseFlags state={p.caseState} events={vfdEvents} /> : '—'}</td>
              <td className="small">
                {p.termsAccepted === null
                  ? '—'
                  : p.termsAccepted
                    ? t('cases.acceptedOn', { date: fmt(p.termsAcceptedAt) })
                    : t('cases.notAccepted')}
              </td>
              <td>
                <div className="row-actions">
                  {movesOf(p).map((m) => (
                    <button
                      key={`${m.kind}-${m.event}`}
                      type="button"
                      className="btn btn-small"
                      disabled={move.busy}
                      aria-label={t('cases.moveFor', { event: label(m), name: p.name })}
                      onClick={() => void move.run(p, m)}
                    >
                      {label(m)}
                    </button>
                  ))}
                  {!manage && p.canNameUsers && (
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={t('caseParticipants.editUsersFor', { name: p.name })}
                      onClick={() => {
                        setNotice(null);
                        setEditing(p);
                      }}
                    >
                      {t('caseParticipants.editUsers')}
                    </button>
                  )}
                  {manage && !p.removedAt && (
                    <ParticipantAdminActions
                      c={c}
                      p={p}
                      reload={reload}
                      onNotice={setNotice}
                      onEditUsers={(x) => {
                        setNotice(null);
                        setEditing(x);
                      }}
                    />
                  )}
                </div>
              </td>
            </tr>
          )}
        />
      </section>
      {editing && (manage || editing.canNameUsers) && (
        <NamedUsersForm
          key={editing.id}
          c={c}
          p={editing}
          reload={reload}
          onDone={(text) => {
            setEditing(null);
            if (text) setNotice(text);
            document.getElementById('participants-heading')?.focus();
          }}
        />
      )}
      {manage && <AddParticipantForm c={c} reload={reload} />}
    </>
  );
}
