import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api.ts';
import { ErrorAlert, Field, Labelled, SelectField, Submit } from '../../components/forms.tsx';
import {
  type Consent,
  type Cord,
  type CordTrigger,
  type Embargo,
  type EmbargoTime,
  embargoApi,
  type Proposal,
  type ProposalWarning,
} from '../../embargoApi.ts';
import { submitting, useAction, useFormatDate, useResource } from '../../hooks.ts';
import type { CaseTabProps } from './CasePage.tsx';
import './embargo.css';

/**
 * The case's embargo: its Vultron EM state, the end in the embargo's zone and in yours, consent per
 * participant, proposing (with the warnings to acknowledge), accepting or declining, terminating,
 * and the parachute cords with their evidence. The server decides every button (`allowed`).
 */
export function EmbargoTab({ c, reload }: CaseTabProps) {
  const { t } = useTranslation();
  const res = useResource(() => embargoApi.get(c.caseId), c.caseId);
  const e = res.data;
  if (!e) return <ErrorAlert error={res.error} />;
  const update = async (next: Embargo) => {
    res.setData(next);
    await reload();
  };
  return (
    <div className="embargo">
      <EmbargoBanner alert={e.alert} />
      <section className="card" aria-labelledby="embargo-state">
        <h2 id="embargo-state">{t('embargo.title')}</h2>
        <dl className="facts">
          <dt>{t('embargo.state')}</dt>
          <dd>
            <span className={`badge embargo-${e.state}`}>{t(`embargo.states.${e.state}`)}</span>
          </dd>
          {e.end && <EndFacts end={e.end} />}
          {e.graceUntil && e.state !== 'X' && (
            <>
              <dt>{t('embargo.graceUntil')}</dt>
              <dd>{e.end?.viewerLocal ?? e.graceUntil}</dd>
            </>
          )}
          {e.exitReason && (
            <>
              <dt>{t('embargo.exitReason')}</dt>
              <dd>{t(`embargo.exitReasons.${e.exitReason}`)}</dd>
            </>
          )}
        </dl>
        {e.allowed.terminate && <TerminateForm caseId={c.caseId} onDone={update} />}
      </section>
      {e.pending && <PendingCard e={e} p={e.pending} caseId={c.caseId} onDone={update} />}
      {e.allowed.propose && e.defaults && <ProposeForm e={e} caseId={c.caseId} onDone={update} />}
      <CordsCard e={e} caseId={c.caseId} onDone={update} />
      {e.history.length > 0 && <HistoryCard history={e.history} />}
    </div>
  );
}

/** The banner every reader of the case sees once a parachute cord was pulled. */
export function EmbargoBanner({ alert }: { alert: Cord | null }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  if (!alert) return null;
  return (
    <div className="alert alert-error embargo-banner" role="alert">
      <p className="alert-title">{t('embargo.banner.title', { trigger: t(`embargo.triggers.${alert.trigger}`) })}</p>
      <p>
        {t('embargo.banner.body', { who: alert.pulledBy ?? '—', when: fmt(alert.pulledAt) })}{' '}
        {alert.evidenceUrl && (
          <a href={alert.evidenceUrl} rel="noopener noreferrer nofollow" target="_blank">
            {t('embargo.banner.evidence')}
          </a>
        )}
      </p>
      {alert.evidenceNote && <p className="pre-text small">{alert.evidenceNote}</p>}
    </div>
  );
}

/** The banner on the case page itself, whatever tab is open. */
export function EmbargoAlert({ caseId }: { caseId: string }) {
  const res = useResource(() => embargoApi.get(caseId), caseId);
  return <EmbargoBanner alert={res.data?.alert ?? null} />;
}

function EndFacts({ end }: { end: EmbargoTime }) {
  const { t } = useTranslation();
  return (
    <>
      <dt>{t('embargo.endCase')}</dt>
      <dd>
        {end.local} <span className="muted">{end.timeZone}</span>
      </dd>
      {end.viewerTimeZone !== end.timeZone && (
        <>
          <dt>{t('embargo.endYours')}</dt>
          <dd>
            {end.viewerLocal} <span className="muted">{end.viewerTimeZone}</span>
          </dd>
        </>
      )}
    </>
  );
}

function ConsentTable({ consents }: { consents: Consent[] }) {
  const { t } = useTranslation();
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th scope="col">{t('embargo.participant')}</th>
          <th scope="col">{t('embargo.consent')}</th>
          <th scope="col">{t('embargo.decidedBy')}</th>
        </tr>
      </thead>
      <tbody>
        {consents.map((x) => (
          <tr key={x.participantId} className={x.mine ? 'embargo-mine' : undefined}>
            <td>
              {x.name}
              {x.exceedsMaximum && (
                <span className="badge embargo-over">{t('embargo.overMaximum', { days: x.maxDays ?? '?' })}</span>
              )}
            </td>
            <td>
              <span className={`badge consent-${x.state}`}>{t(`embargo.consents.${x.state}`)}</span>
              {x.acceptedLonger && <span className="muted small"> {t('embargo.acceptedLonger')}</span>}
            </td>
            <td className="small">
              {x.decidedBy ?? '—'}
              {x.note && <div className="muted">{x.note}</div>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PendingCard({
  e,
  p,
  caseId,
  onDone,
}: {
  e: Embargo;
  p: Proposal;
  caseId: string;
  onDone: (e: Embargo) => Promise<void>;
}) {
  const { t } = useTranslation();
  const mine = e.allowed.consentFor;
  const [participantId, setParticipantId] = useState(mine[0]?.participantId ?? '');
  const [note, setNote] = useState('');
  const [longer, setLonger] = useState(false);
  const chosen = p.consents.find((x) => x.participantId === participantId);
  const decide = useAction(async (decision: 'accept' | 'decline') => {
    await onDone(
      await embargoApi.consent(caseId, {
        decision,
        participantId,
        ...(chosen?.exceedsMaximum ? { acceptLongerThanMaximum: longer } : {}),
        ...(note.trim() ? { note } : {}),
      }),
    );
  });
  return (
    <section className="card" aria-labelledby="embargo-pending">
      <h2 id="embargo-pending">{p.revision ? t('embargo.pendingRevision') : t('embargo.pending')}</h2>
      <dl className="facts">
        <EndFacts end={p.end} />
        <dt>{t('embargo.proposedBy')}</dt>
        <dd>{p.proposedBy}</dd>
        {p.rationale && (
          <>
            <dt>{t('embargo.rationale')}</dt>
            <dd className="pre-text">{p.rationale}</dd>
          </>
        )}
      </dl>
      {p.consentCounts && (
        <p className="small muted" data-testid="consent-counts">
          {t('embargo.consentCounts', p.consentCounts)}
        </p>
      )}
      <ConsentTable consents={p.consents} />
      {mine.length > 0 && (
        <div className="embargo-answer">
          <ErrorAlert error={decide.error} />
          {mine.length > 1 && (
            <SelectField
              label={t('embargo.answerFor')}
              value={participantId}
              onChange={(ev) => setParticipantId(ev.target.value)}
            >
              {mine.map((m) => (
                <option key={m.participantId} value={m.participantId}>
                  {m.name}
                </option>
              ))}
            </SelectField>
          )}
          {chosen?.exceedsMaximum && (
            <Labelled label={t('embargo.acceptLonger', { days: chosen.maxDays ?? '?' })} inline>
              {(aria) => (
                <input type="checkbox" {...aria} checked={longer} onChange={(ev) => setLonger(ev.target.checked)} />
              )}
            </Labelled>
          )}
          <Field label={t('embargo.note')} value={note} maxLength={5000} onChange={(ev) => setNote(ev.target.value)} />
          <div className="actions">
            <button
              type="button"
              className="btn btn-primary"
              disabled={decide.busy}
              onClick={() => void decide.run('accept')}
            >
              {t('embargo.accept')}
            </button>
            <button type="button" className="btn" disabled={decide.busy} onClick={() => void decide.run('decline')}>
              {t('embargo.decline')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

function ProposeForm({ e, caseId, onDone }: { e: Embargo; caseId: string; onDone: (e: Embargo) => Promise<void> }) {
  const { t } = useTranslation();
  const [end, setEnd] = useState(e.defaults?.end ?? '');
  const [timeZone, setTimeZone] = useState(e.defaults?.timeZone ?? 'UTC');
  const [rationale, setRationale] = useState('');
  const [warnings, setWarnings] = useState<ProposalWarning[]>([]);
  const [acknowledged, setAcknowledged] = useState<string[]>([]);
  const propose = useAction(async () => {
    try {
      await onDone(await embargoApi.propose(caseId, { end, timeZone, rationale, acknowledgeWarnings: acknowledged }));
      setWarnings([]);
      setAcknowledged([]);
    } catch (err) {
      // The server lists what the proposer must confirm; the request is repeated with the codes.
      if (err instanceof ApiError && err.code === 'ERR_CONFLICT' && Array.isArray(err.details.warnings)) {
        setWarnings(err.details.warnings as ProposalWarning[]);
        return;
      }
      throw err;
    }
  });
  const toggle = (code: string, on: boolean) =>
    setAcknowledged((list) => (on ? [...new Set([...list, code])] : list.filter((c) => c !== code)));
  return (
    <section className="card" aria-labelledby="embargo-propose">
      <h2 id="embargo-propose">{e.state === 'A' || e.state === 'R' ? t('embargo.revise') : t('embargo.propose')}</h2>
      <p className="muted small">{t('embargo.proposeHint', { days: e.defaults?.defaultDays ?? 90 })}</p>
      <ErrorAlert error={propose.error} />
      <form onSubmit={submitting(propose.run)}>
        <div className="grid-2">
          <Field
            label={t('embargo.end')}
            type="datetime-local"
            required
            value={end}
            onChange={(ev) => {
              setEnd(ev.target.value);
              setWarnings([]);
            }}
          />
          <Field
            label={t('embargo.timeZone')}
            hint={t('embargo.timeZoneHint')}
            required
            value={timeZone}
            maxLength={64}
            onChange={(ev) => setTimeZone(ev.target.value)}
          />
        </div>
        <Labelled label={t('embargo.rationale')}>
          {(aria) => (
            <textarea
              {...aria}
              rows={3}
              maxLength={10000}
              value={rationale}
              onChange={(ev) => setRationale(ev.target.value)}
            />
          )}
        </Labelled>
        {warnings.length > 0 && (
          <fieldset className="embargo-warnings">
            <legend>{t('embargo.warningsTitle')}</legend>
            {warnings.map((w) => (
              <Labelled key={w.code} label={`${t(`embargo.warnings.${w.code}`)} — ${w.message}`} inline>
                {(aria) => (
                  <input
                    type="checkbox"
                    {...aria}
                    checked={acknowledged.includes(w.code)}
                    onChange={(ev) => toggle(w.code, ev.target.checked)}
                  />
                )}
              </Labelled>
            ))}
          </fieldset>
        )}
        <Submit busy={propose.busy}>{t('embargo.send')}</Submit>
      </form>
    </section>
  );
}

function TerminateForm({ caseId, onDone }: { caseId: string; onDone: (e: Embargo) => Promise<void> }) {
  const { t } = useTranslation();
  const [note, setNote] = useState('');
  const end = useAction(async () => {
    if (!window.confirm(t('embargo.terminateConfirm'))) return;
    await onDone(await embargoApi.terminate(caseId, note));
  });
  return (
    <form className="embargo-terminate" onSubmit={submitting(end.run)}>
      <ErrorAlert error={end.error} />
      <Field
        label={t('embargo.terminateNote')}
        value={note}
        maxLength={5000}
        onChange={(ev) => setNote(ev.target.value)}
      />
      <button type="submit" className="btn" disabled={end.busy}>
        {t('embargo.terminate')}
      </button>
    </form>
  );
}

function CordsCard({ e, caseId, onDone }: { e: Embargo; caseId: string; onDone: (e: Embargo) => Promise<void> }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const free = e.triggers.filter((tr) => !e.cords.some((c) => c.trigger === tr));
  const [trigger, setTrigger] = useState<CordTrigger | ''>(free[0] ?? '');
  const [description, setDescription] = useState('');
  const define = useAction(async () => {
    if (!trigger) return;
    await embargoApi.defineCord(caseId, trigger, description);
    setDescription('');
    await onDone(await embargoApi.get(caseId));
  });
  if (e.cords.length === 0 && !e.allowed.defineCords) return null;
  return (
    <section className="card" aria-labelledby="embargo-cords">
      <h2 id="embargo-cords">{t('embargo.cords.title')}</h2>
      <p className="muted small">{t('embargo.cords.intro')}</p>
      {e.cords.length === 0 ? (
        <p className="muted">{t('embargo.cords.none')}</p>
      ) : (
        <ul className="plain-list embargo-cords">
          {e.cords.map((cord) => (
            <li key={cord.id}>
              <strong>{t(`embargo.triggers.${cord.trigger}`)}</strong>
              {cord.description && <div className="small">{cord.description}</div>}
              {cord.pulledAt ? (
                <div className="small">
                  {t('embargo.cords.pulled', { who: cord.pulledBy ?? '—', when: fmt(cord.pulledAt) })}
                </div>
              ) : (
                e.allowed.pullCords && <PullForm caseId={caseId} cord={cord} onDone={onDone} />
              )}
            </li>
          ))}
        </ul>
      )}
      {e.allowed.defineCords && free.length > 0 && (
        <form onSubmit={submitting(define.run)}>
          <ErrorAlert error={define.error} />
          <div className="grid-2">
            <SelectField
              label={t('embargo.cords.trigger')}
              value={trigger}
              onChange={(ev) => setTrigger(ev.target.value as CordTrigger)}
            >
              {free.map((tr) => (
                <option key={tr} value={tr}>
                  {t(`embargo.triggers.${tr}`)}
                </option>
              ))}
            </SelectField>
            <Field
              label={t('embargo.cords.description')}
              value={description}
              maxLength={5000}
              onChange={(ev) => setDescription(ev.target.value)}
            />
          </div>
          <Submit busy={define.busy}>{t('embargo.cords.define')}</Submit>
        </form>
      )}
    </section>
  );
}

function PullForm({ caseId, cord, onDone }: { caseId: string; cord: Cord; onDone: (e: Embargo) => Promise<void> }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [url, setUrl] = useState('');
  const [note, setNote] = useState('');
  const pull = useAction(async () => {
    if (!window.confirm(t('embargo.cords.confirm'))) return;
    await onDone(await embargoApi.pullCord(caseId, cord.id, { ...(url.trim() ? { url } : {}), note }));
  });
  if (!open) {
    return (
      <button type="button" className="btn btn-small" onClick={() => setOpen(true)}>
        {t('embargo.cords.pull')}
      </button>
    );
  }
  return (
    <form onSubmit={submitting(pull.run)}>
      <ErrorAlert error={pull.error} />
      <Field
        label={t('embargo.cords.url')}
        type="url"
        value={url}
        maxLength={2000}
        onChange={(ev) => setUrl(ev.target.value)}
      />
      <Labelled label={t('embargo.cords.note')}>
        {(aria) => (
          <textarea
            {...aria}
            required
            rows={3}
            maxLength={10000}
            value={note}
            onChange={(ev) => setNote(ev.target.value)}
          />
        )}
      </Labelled>
      <Submit busy={pull.busy}>{t('embargo.cords.pullNow')}</Submit>
    </form>
  );
}

function HistoryCard({ history }: { history: Proposal[] }) {
  const { t } = useTranslation();
  return (
    <section className="card" aria-labelledby="embargo-history">
      <h2 id="embargo-history">{t('embargo.history')}</h2>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('embargo.end')}</th>
            <th scope="col">{t('embargo.proposedBy')}</th>
            <th scope="col">{t('embargo.status')}</th>
          </tr>
        </thead>
        <tbody>
          {history.map((p) => (
            <tr key={p.id}>
              <td>{p.seq}</td>
              <td>
                {p.end.local} <span className="muted small">{p.end.timeZone}</span>
              </td>
              <td>{p.proposedBy}</td>
              <td>
                {t(`embargo.statuses.${p.status}`)}{' '}
                <span className="muted small">
                  {p.consents.map((x) => `${x.name}: ${t(`embargo.consents.${x.state}`)}`).join(', ')}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
