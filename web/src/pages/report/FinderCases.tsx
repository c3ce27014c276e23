import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import '../../participants.css';
import type { Tlp } from '../../casesApi.ts';
import { ErrorAlert, Labelled, Notice } from '../../components/forms.tsx';
import { StateBadge } from '../../components/ReportBadges.tsx';
import { useFormatDate, useResource } from '../../hooks.ts';
import { type FinderCase, participantsApi } from '../../participantsApi.ts';
import type { RmState } from '../../reportsApi.ts';
import { TlpBadge } from '../cases/CaseBadges.tsx';

/**
 * The cases opened from the finder's report, as the finder may see them: what the coordinators
 * share with reporters (official notices and posts labelled for them, the summary written for the
 * finder, vendors' statements the vendor allowed to share) and the finder's own state. Nothing
 * is shown when the report has not become a case.
 */
export function FinderCases({ trackingId, secret }: { trackingId: string; secret?: string }) {
  const { t } = useTranslation();
  const cases = useResource(() => participantsApi.finderCases(trackingId, secret), `${trackingId}|${secret ?? ''}`);
  if (cases.error) return <ErrorAlert error={cases.error} />;
  if (!cases.data || cases.data.items.length === 0) return null;
  return (
    <section className="card" aria-labelledby="finder-cases-heading">
      <h2 id="finder-cases-heading">{t('finderView.title', { count: cases.data.items.length })}</h2>
      <p className="hint">{t('finderView.intro')}</p>
      {cases.data.items.map((c) => (
        <FinderCaseView
          key={c.caseId}
          c={c}
          trackingId={trackingId}
          secret={secret}
          reload={() => void cases.reload()}
        />
      ))}
    </section>
  );
}

function FinderCaseView({
  c,
  trackingId,
  secret,
  reload,
}: {
  c: FinderCase;
  trackingId: string;
  secret?: string | undefined;
  reload: () => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const headingId = `finder-case-${c.caseId}`;
  return (
    <article className="finder-case" aria-labelledby={headingId}>
      <h3 id={headingId}>
        <span className="mono">{c.caseId}</span>{' '}
        <span className={`badge case-${c.status}`}>{t(`cases.statuses.${c.status}`, { defaultValue: c.status })}</span>
      </h3>
      <dl className="facts facts-inline">
        <dt>{t('cases.lead')}</dt>
        <dd>{c.lead ?? '—'}</dd>
        <dt>{t('finderView.yourState')}</dt>
        <dd>
          <StateBadge state={c.you.rmState as RmState} />
        </dd>
        <dt>{t('cases.opened')}</dt>
        <dd>{fmt(c.createdAt)}</dd>
      </dl>
      <FinderEmbargo c={c} trackingId={trackingId} secret={secret} reload={reload} />
      {c.publicSummary ? (
        // Rendered from Markdown and sanitized by the server.
        <div className="prose" dangerouslySetInnerHTML={{ __html: c.publicSummaryHtml }} />
      ) : (
        <p className="muted">{t('finderView.noSummaryYet')}</p>
      )}
      <h4>{t('finderView.posts')}</h4>
      {c.posts.length === 0 ? (
        <p className="muted">{t('finderView.noPosts')}</p>
      ) : (
        <ol className="messages">
          {c.posts.map((p) => (
            <li key={p.id} className="message">
              <article aria-label={t('finderView.postFrom', { date: fmt(p.createdAt) })}>
                <header className="message-head">
                  <span className="message-author">
                    {p.byCoordinators ? t('finderView.coordinators') : t('finderView.participant')}
                  </span>
                  <TlpBadge tlp={p.tlp as Tlp} />
                  <span className="small muted">{t(`finderView.thread.${p.thread}`)}</span>
                  <time className="muted small" dateTime={p.createdAt}>
                    {fmt(p.createdAt)}
                  </time>
                  {p.editedAt && (
                    <span className="muted small">{t('cases.posts.edited', { date: fmt(p.editedAt) })}</span>
                  )}
                </header>
                {/* Rendered from Markdown and sanitized by the server. */}
                <div className="message-body prose" dangerouslySetInnerHTML={{ __html: p.bodyHtml }} />
              </article>
            </li>
          ))}
        </ol>
      )}
      {c.statuses.length > 0 && (
        <>
          <h4>{t('finderView.statuses')}</h4>
          <table className="table-dense">
            <caption className="visually-hidden">{t('finderView.statuses')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('finderView.vendor')}</th>
                <th scope="col">{t('finderView.product')}</th>
                <th scope="col">{t('finderView.status')}</th>
                <th scope="col">{t('finderView.details')}</th>
              </tr>
            </thead>
            <tbody>
              {c.statuses.map((s, i) => (
                <tr key={`${s.vendor}-${s.product}-${i}`}>
                  <th scope="row">{s.vendor}</th>
                  <td>{s.product}</td>
                  <td>{t(`cases.vendorStatus.${s.status}`, { defaultValue: s.status })}</td>
                  <td className="small">
                    {[
                      s.fixedVersions && t('finderView.fixedIn', { versions: s.fixedVersions }),
                      s.justification && t(`cases.justification.${s.justification}`, { defaultValue: s.justification }),
                      s.statement,
                    ]
                      .filter(Boolean)
                      .join(' · ') || '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </article>
  );
}

/** "2030-01-15T10:00" as the proposer wrote it, in the embargo's own zone. */
const wallClock = (local: string) => local.replace('T', ' ');

/**
 * The embargo as the finder needs it: its state and end (in the embargo's zone and in theirs), and
 * a pending proposal to accept or decline — the finder is a required participant by default.
 */
function FinderEmbargo({
  c,
  trackingId,
  secret,
  reload,
}: {
  c: FinderCase;
  trackingId: string;
  secret?: string | undefined;
  reload: () => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [answered, setAnswered] = useState<'accept' | 'decline' | null>(null);
  const e = c.embargo;
  if (e.state === 'N' && !e.pending) return null;
  const headingId = `finder-embargo-${c.caseId}`;
  const answer = async (decision: 'accept' | 'decline') => {
    setBusy(true);
    setError(null);
    try {
      await participantsApi.finderConsent(trackingId, c.caseId, decision, note.trim(), secret);
      setAnswered(decision);
      setNote('');
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="finder-embargo" aria-labelledby={headingId}>
      <h4 id={headingId}>
        {t('embargo.title')}: {t(`embargo.states.${e.state}`)}
      </h4>
      {e.endsAt && (
        <dl className="facts facts-inline">
          <dt>{t('embargo.endCase')}</dt>
          <dd>
            {e.localEnd ? wallClock(e.localEnd) : '—'} <span className="muted">{e.timeZone}</span>
          </dd>
          <dt>{t('embargo.endYours')}</dt>
          <dd>{fmt(e.endsAt)}</dd>
        </dl>
      )}
      {answered && <Notice>{t(`finderView.embargo.answered.${answered}`)}</Notice>}
      {e.pending && (
        <div className="finder-embargo-pending">
          <p>
            {t(e.pending.revision ? 'finderView.embargo.revisionProposed' : 'finderView.embargo.proposed', {
              local: wallClock(e.pending.localEnd),
              zone: e.pending.timeZone,
              yours: fmt(e.pending.endsAt),
            })}
          </p>
          <p>
            <strong>{t('finderView.embargo.yourAnswer')}</strong>{' '}
            {t(`finderView.embargo.consent.${e.pending.yourConsent ?? 'notAsked'}`)}
          </p>
          {e.pending.yourConsent === 'invited' && (
            <>
              <ErrorAlert error={error} />
              <Labelled label={t('finderView.embargo.note')} hint={t('finderView.embargo.noteHint')}>
                {(aria) => (
                  <textarea
                    {...aria}
                    rows={2}
                    maxLength={5000}
                    value={note}
                    onChange={(ev) => setNote(ev.target.value)}
                  />
                )}
              </Labelled>
              <div className="actions">
                <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void answer('accept')}>
                  {t('finderView.embargo.accept')}
                </button>
                <button type="button" className="btn" disabled={busy} onClick={() => void answer('decline')}>
                  {t('finderView.embargo.decline')}
                </button>
              </div>
            </>
          )}
        </div>
      )}
    </section>
  );
}
