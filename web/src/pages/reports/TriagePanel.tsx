import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert, Notice, Submit } from '../../components/forms.tsx';
import { FormErrors, PInput, PSelect, ProblemsProvider } from '../../components/problems.tsx';
import { submitting, useAction } from '../../hooks.ts';
import { closeReasons, type RmEvent, reportsApi, type StaffReportView } from '../../reportsApi.ts';
import { exampleTrackingId, useReportSettings } from '../../reportSettings.ts';
import { useSession } from '../../session.tsx';
import { useAssignable } from './people.ts';

/**
 * The RM decisions the server allows now (`allowedEvents`), assignment and duplicates. Closing
 * asks for a reason; a duplicate names the original. A refused move shows the server's rule.
 */
export function TriagePanel({ report, onChanged }: { report: StaffReportView; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const [notice, setNotice] = useState<string | null>(null);
  const [closing, setClosing] = useState(false);
  const canTriage = report.abilities.triage === true;

  const move = useAction(async (event: RmEvent) => {
    setNotice(null);
    await reportsApi.transition(report.trackingId, { event });
    setNotice(t('triage.done', { event: t(`triage.events.${event}`) }));
    await onChanged();
  });

  if (!canTriage) {
    return (
      <section className="card" aria-labelledby="triage-heading">
        <h2 id="triage-heading">{t('triage.title')}</h2>
        <p className="muted">{t('triage.readOnly')}</p>
        <p>
          {t('reports.assignee')}: {report.assignee?.name ?? t('reports.unassigned')}
        </p>
      </section>
    );
  }

  const events = report.allowedEvents.filter((e) => e !== 'receive');
  return (
    <section className="card triage" aria-labelledby="triage-heading">
      <h2 id="triage-heading">{t('triage.title')}</h2>
      <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
      <ErrorAlert error={move.error} />
      {events.length === 0 ? (
        <p className="muted">{t('triage.noEvents')}</p>
      ) : (
        <div className="actions" role="group" aria-label={t('triage.decisions')}>
          {events.map((e) =>
            e === 'close' ? (
              <button
                key={e}
                type="button"
                className="btn btn-danger"
                aria-expanded={closing}
                aria-controls="close-form"
                onClick={() => setClosing((c) => !c)}
              >
                {t('triage.events.close')}…
              </button>
            ) : (
              <button
                key={e}
                type="button"
                className={e === 'validate' || e === 'accept' ? 'btn btn-primary' : 'btn'}
                disabled={move.busy}
                onClick={() => void move.run(e)}
              >
                {t(`triage.events.${e}`)}
              </button>
            ),
          )}
        </div>
      )}
      {closing && (
        <CloseForm
          trackingId={report.trackingId}
          onDone={async () => {
            setClosing(false);
            setNotice(t('triage.done', { event: t('triage.events.close') }));
            await onChanged();
          }}
        />
      )}
      <AssignForm report={report} onChanged={onChanged} />
      {report.state !== 'C' && <DuplicateForm trackingId={report.trackingId} onChanged={onChanged} />}
    </section>
  );
}

function CloseForm({ trackingId, onDone }: { trackingId: string; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const [original, setOriginal] = useState('');
  const close = useAction(async () => {
    await reportsApi.transition(trackingId, {
      event: 'close',
      reason,
      ...(reason === 'duplicate' ? { duplicateOf: original.trim().toUpperCase() } : {}),
    });
    await onDone();
  });
  return (
    <ProblemsProvider error={close.error}>
      <form id="close-form" className="subform" onSubmit={submitting(close.run)} noValidate>
        <h3 className="h3">{t('triage.closeTitle')}</h3>
        <FormErrors error={close.error} />
        <PSelect
          path="reason"
          label={t('triage.reason')}
          autoFocus
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          required
        >
          <option value="">{t('triage.chooseReason')}</option>
          {closeReasons.map((r) => (
            <option key={r} value={r}>
              {t(`closeReasons.${r}`)}
            </option>
          ))}
        </PSelect>
        {reason === 'duplicate' && (
          <PInput
            path="duplicateOf"
            label={t('triage.original')}
            hint={t('triage.originalHint')}
            value={original}
            onChange={(e) => setOriginal(e.target.value)}
            required
          />
        )}
        <div className="actions">
          <Submit busy={close.busy}>{t('triage.closeSubmit')}</Submit>
        </div>
      </form>
    </ProblemsProvider>
  );
}

function AssignForm({ report, onChanged }: { report: StaffReportView; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const people = useAssignable();
  const [choice, setChoice] = useState(report.assignee?.id ?? '');
  const assign = useAction(async (userId: string | null) => {
    await reportsApi.assign(report.trackingId, userId);
    await onChanged();
  });
  const options = [...people];
  if (report.assignee && !options.some((u) => u.id === report.assignee?.id)) {
    options.unshift({ id: report.assignee.id, name: report.assignee.name, email: '' } as (typeof people)[number]);
  }
  const mine = me && report.assignee?.id === me.user.id;
  return (
    <form className="subform" onSubmit={submitting(() => assign.run(choice || null))} noValidate>
      <h3 className="h3">{t('reports.assignee')}</h3>
      <p>
        {t('triage.assignedTo')}{' '}
        <strong data-testid="assignee">{report.assignee?.name ?? t('reports.unassigned')}</strong>
      </p>
      <ErrorAlert error={assign.error} />
      <div className="field">
        <label htmlFor="assign-select">{t('triage.assignTo')}</label>
        <select id="assign-select" value={choice} onChange={(e) => setChoice(e.target.value)}>
          <option value="">{t('reports.unassigned')}</option>
          {options.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
              {u.email ? ` (${u.email})` : ''}
            </option>
          ))}
        </select>
      </div>
      <div className="actions">
        <Submit busy={assign.busy}>{t('triage.assign')}</Submit>
        {me && !mine && (
          <button type="button" className="btn" disabled={assign.busy} onClick={() => void assign.run(me.user.id)}>
            {t('triage.assignMe')}
          </button>
        )}
      </div>
    </form>
  );
}

function DuplicateForm({ trackingId, onChanged }: { trackingId: string; onChanged: () => Promise<void> }) {
  const { t } = useTranslation();
  const example = exampleTrackingId(useReportSettings().settings);
  const [of, setOf] = useState('');
  const mark = useAction(async () => {
    await reportsApi.markDuplicate(trackingId, of.trim().toUpperCase());
    setOf('');
    await onChanged();
  });
  return (
    <ProblemsProvider error={mark.error}>
      <form className="subform" onSubmit={submitting(mark.run)} noValidate>
        <h3 className="h3">{t('triage.duplicateTitle')}</h3>
        <FormErrors error={mark.error} />
        <PInput
          path="of"
          label={t('triage.original')}
          hint={t('triage.duplicateHint')}
          value={of}
          onChange={(e) => setOf(e.target.value)}
          placeholder={example}
        />
        <div className="actions">
          <Submit busy={mark.busy}>{t('triage.markDuplicate')}</Submit>
        </div>
      </form>
    </ProblemsProvider>
  );
}
