import { useTranslation } from 'react-i18next';
import { casesApi, type TimelineEvent } from '../../casesApi.ts';
import { Pending } from '../../components/lists.tsx';
import { ErrorAlert } from '../../components/forms.tsx';
import { useAction, useFormatDate, useResource } from '../../hooks.ts';
import { saveBlob } from '../../reportsApi.ts';
import type { CaseTabProps } from './CasePage.tsx';

const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/** Every event of the case in order (staff): who did what, when; posts are named, never quoted. */
export function TimelineTab({ c }: CaseTabProps) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const timeline = useResource(() => casesApi.timeline(c.caseId), c.caseId);
  const exportAction = useAction(async (format: 'csv' | 'json') => {
    saveBlob(await casesApi.timelineExport(c.caseId, format), `${c.caseId}-timeline.${format}`);
  });
  const nameOf = (id: string | null) => c.participants.find((p) => p.id === id)?.name ?? '';

  /** The event's particulars in words, from its data. */
  const detail = (e: TimelineEvent): string => {
    const d = e.data;
    const who = nameOf(e.participantId);
    switch (e.kind) {
      case 'participant_added':
        return t('cases.timeline.detail.participant', {
          name: text(d.orgName),
          role: t(`cases.roles.${text(d.role)}`, { defaultValue: text(d.role) }),
        });
      case 'terms_accepted':
        return t('cases.timeline.detail.terms', { name: who, version: text(d.version) });
      case 'rm_transition':
        return t('cases.timeline.detail.rm', {
          name: who,
          from: t(`rm.${text(d.from)}`, { defaultValue: text(d.from) }),
          to: t(`rm.${text(d.to)}`, { defaultValue: text(d.to) }),
        });
      case 'cs_event':
        return t('cases.timeline.detail.cs', {
          name: who || t('cases.timeline.wholeCase'),
          event: t(`cases.csEvent.${text(d.event)}`, { defaultValue: text(d.event) }),
        });
      case 'status_changed':
        return t('cases.timeline.detail.status', {
          name: who,
          product: text(d.product),
          status: t(`cases.vendorStatus.${text(d.status)}`, { defaultValue: text(d.status) }),
        });
      case 'vulnerability_added':
        return [text(d.title), text(d.cve)].filter(Boolean).join(' · ');
      case 'advisory_imported':
        return t('cases.timeline.detail.imported', {
          source: text(d.source),
          format: text(d.format).toUpperCase(),
          created: text(d.vulnerabilitiesCreated),
          matched: text(d.vulnerabilitiesMatched),
          statuses: text(d.statusesChanged),
          unmapped: text(d.unmapped),
        });
      case 'post_added':
        return `TLP:${text(d.tlp)}`;
      case 'casework_signoff':
      case 'casework_signoff_cleared':
        return [text(d.title) || text(d.step), text(d.name), text(d.date)].filter(Boolean).join(' · ');
      case 'casework_entry_added':
      case 'casework_entry_updated':
      case 'casework_entry_removed':
        return text(d.label);
      default:
        return who;
    }
  };

  return (
    <section className="card" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">{t('cases.tabs.timeline')}</h2>
      <ErrorAlert error={exportAction.error} />
      <div className="actions">
        {(['csv', 'json'] as const).map((f) => (
          <button
            key={f}
            type="button"
            className="btn"
            disabled={exportAction.busy}
            onClick={() => void exportAction.run(f)}
          >
            {t('cases.timeline.export', { format: f.toUpperCase() })}
          </button>
        ))}
      </div>
      {!timeline.data ? (
        <Pending error={timeline.error} />
      ) : (
        <ol className="timeline" data-testid="case-timeline">
          {timeline.data.items.map((e, i) => (
            <li key={i}>
              <strong>{t(`cases.timeline.kind.${e.kind}`, { defaultValue: e.kind })}</strong> <span>{detail(e)}</span>
              <div className="muted small">
                {e.actorLabel} · <time dateTime={e.createdAt}>{fmt(e.createdAt)}</time>
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
