import { useTranslation } from 'react-i18next';
import type { CaseEvent, Tlp, VendorStatus } from '../../casesApi.ts';
import { SeverityBadge } from '../../components/ReportBadges.tsx';

/** A vendor's answer for one product, in words. */
export function StatusBadge({ status }: { status: VendorStatus }) {
  const { t } = useTranslation();
  return <span className={`badge vs-${status}`}>{t(`cases.vendorStatus.${status}`)}</span>;
}

/** The class of a TLP label: `AMBER+STRICT` → `tlp-amber-strict` (colours in cases.css, after FIRST). */
export function tlpClass(tlp: Tlp): string {
  return `tlp-${tlp.toLowerCase().replace('+', '-')}`;
}

/** The TLP 2.0 label as FIRST writes it: "TLP:AMBER+STRICT", in its colours on black. */
export function TlpBadge({ tlp }: { tlp: Tlp }) {
  return (
    <span className={`tlp ${tlpClass(tlp)}`} data-testid="tlp">
      TLP:{tlp}
    </span>
  );
}

/** The vendor's fix path and the case-wide events, in the order of the six letters vfdpxa. */
export const vfdEvents = ['V', 'F', 'D'] as const;
export const pxaEvents = ['P', 'X', 'A'] as const;
const order: readonly CaseEvent[] = [...vfdEvents, ...pxaEvents];

/**
 * Whether `event` has happened in a state written as six letters vfdpxa (or the pxa part alone):
 * reading the state the server sent, not deciding moves (the server lists those).
 */
export function happened(state: string, event: CaseEvent): boolean {
  const letters = state.length === 3 ? `vfd${state}` : state;
  return letters[order.indexOf(event)] === event;
}

/**
 * Vultron case-state flags in words ("Vendor aware", "Fix not ready"), never only the letters;
 * the letters stay in a tooltip for those who think in vfdpxa.
 */
export function CaseFlags({ state, events }: { state: string; events: readonly CaseEvent[] }) {
  const { t } = useTranslation();
  return (
    <ul className="flags" title={state}>
      {events.map((e) => {
        const on = happened(state, e);
        return (
          <li key={e} className={on ? 'flag flag-on' : 'flag'}>
            {t(`cases.cs.${e}.${on ? 'on' : 'off'}`)}
          </li>
        );
      })}
    </ul>
  );
}

/** CVSS qualitative rating of a base score (FIRST's table). */
function severityOf(score: number): string {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

export function CvssBadge({ cvss }: { cvss: { vector: string; score: number | null } | null }) {
  if (!cvss) return <span className="muted">—</span>;
  return (
    <span className="cvss">
      {cvss.score !== null && <SeverityBadge severity={severityOf(cvss.score)} score={cvss.score} />}{' '}
      <code className="small">{cvss.vector}</code>
    </span>
  );
}
