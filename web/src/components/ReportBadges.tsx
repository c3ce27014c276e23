import { useTranslation } from 'react-i18next';
import { useFormatDate } from '../hooks.ts';
import type { RmState, Sla, SlaClock } from '../reportsApi.ts';
import { Link } from '../router.tsx';

/** The Vultron RM state of a report, in words (the letter is kept for staff who think in R/V/A). */
export function StateBadge({ state }: { state: RmState }) {
  const { t } = useTranslation();
  return (
    <span className={`badge state-${state}`} data-state={state}>
      {t(`rm.${state}`)}
    </span>
  );
}

/** A report's tracking id as a link to its page, in a table cell. */
export function TrackingCell({ trackingId }: { trackingId: string }) {
  return (
    <td className="nowrap">
      <Link to={`/reports/${encodeURIComponent(trackingId)}`} className="mono">
        {trackingId}
      </Link>
    </td>
  );
}

/** The severity in words (with the score when there is one), coloured by its level. */
export function SeverityBadge({ severity, score = null }: { severity: string | null; score?: number | null }) {
  const { t } = useTranslation();
  if (!severity && score === null) return <span className="muted">—</span>;
  const words = severity ? t(`severity.${severity.toLowerCase()}`, { defaultValue: severity }) : '';
  return (
    <span className={`badge sev-${(severity ?? 'none').toLowerCase()}`}>
      {score !== null ? `${score.toFixed(1)} ${words}` : words}
    </span>
  );
}

/** One SLA clock: shown as a warning when at risk, an error when breached, quiet otherwise. */
export function SlaBadge({
  stage,
  clock,
  compact = false,
}: {
  stage: 'acknowledge' | 'triage';
  clock: SlaClock;
  compact?: boolean;
}) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  if (compact && clock.state === 'met') return null;
  if (compact && clock.state === 'running') {
    // Quiet while on time: only the due date, so the eye goes to the badges that need action.
    return clock.dueAt ? (
      <span className="muted small sla-quiet">
        {t(`sla.stage.${stage}`)} {t('sla.due', { date: fmt(clock.dueAt) })}
      </span>
    ) : null;
  }
  const label = t('sla.badge', { stage: t(`sla.stage.${stage}`), state: t(`sla.state.${clock.state}`) });
  return (
    <span className={`badge sla-${clock.state}`}>
      {label}
      {!compact && clock.dueAt && clock.state !== 'met' && (
        <span className="sla-due"> · {t('sla.due', { date: fmt(clock.dueAt) })}</span>
      )}
    </span>
  );
}

/** Both clocks of a report; in the queue only the ones that need attention. */
export function SlaBadges({ sla, compact = false }: { sla: Sla; compact?: boolean }) {
  return (
    <span className="sla-badges">
      <SlaBadge stage="acknowledge" clock={sla.acknowledge} compact={compact} />
      <SlaBadge stage="triage" clock={sla.triage} compact={compact} />
    </span>
  );
}
