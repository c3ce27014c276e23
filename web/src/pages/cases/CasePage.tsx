import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CaseFull, type CaseMinimal, casesApi, isFull } from '../../casesApi.ts';
import { ErrorAlert } from '../../components/forms.tsx';
import { Loaded } from '../../components/lists.tsx';
import { type TabDef, Tabs } from '../../components/Tabs.tsx';
import { useAction, useFormatDate, useResource, useTitle } from '../../hooks.ts';
import { notificationsApi } from '../../notificationsApi.ts';
import { ChangesPanel } from './ChangesPanel.tsx';
import { EmbargoAlert, EmbargoTab } from './EmbargoTab.tsx';
import { NotificationPolicyCard } from './NotificationPolicyCard.tsx';
import { ParticipantsTab } from './ParticipantsTab.tsx';
import { ReleaseTab } from './ReleaseTab.tsx';
import { StatusMatrixTab } from './StatusMatrixTab.tsx';
import { SummaryTab } from './SummaryTab.tsx';
import { ThreadsTab } from './ThreadsTab.tsx';
import { TimelineTab } from './TimelineTab.tsx';
import { VulnerabilitiesTab } from './VulnerabilitiesTab.tsx';
import { CaseworkTab } from '../casework/CaseworkTab.tsx';

/** Props of every tab of the case page: the case as loaded, and a reload after a change. */
export interface CaseTabProps {
  c: CaseFull;
  reload: () => Promise<void>;
}

/**
 * One case. Before the terms are accepted: the terms and the accept button, nothing else. After:
 * tabs for the summary, vulnerabilities, participants and their states, the status matrix, the
 * threads and, for staff, the timeline. The open tab is kept in the address's fragment.
 */
export function CasePage({ caseId }: { caseId: string }) {
  const { t } = useTranslation();
  const { data, setData, error, reload } = useResource(() => casesApi.get(caseId), caseId);
  useTitle(data && isFull(data) ? `${data.caseId} ${data.title}` : caseId);

  return (
    <Loaded back={{ to: '/cases', label: t('cases.title') }} data={data} error={error}>
      {(c) => (isFull(c) ? <CaseTabs c={c} reload={reload} error={error} /> : <TermsGate c={c} onAccepted={setData} />)}
    </Loaded>
  );
}

/** The minimal view: who leads the case and its terms; accepting them opens the case. */
function TermsGate({ c, onAccepted }: { c: CaseMinimal; onAccepted: (c: CaseFull | CaseMinimal) => void }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const accept = useAction(async () => onAccepted(await casesApi.acceptTerms(c.caseId, c.terms.version)));
  // Opening the case is the participant's first sight of it (the timeline's "first seen").
  useEffect(() => {
    notificationsApi.seen(c.caseId).catch(() => undefined);
  }, [c.caseId]);
  return (
    <>
      <h1>
        <span className="mono">{c.caseId}</span>
      </h1>
      <p className="lead">{t('cases.terms.intro')}</p>
      <dl className="facts">
        <dt>{t('cases.lead')}</dt>
        <dd>{c.lead ?? '—'}</dd>
        {c.embargoEnd && (
          <>
            <dt>{t('cases.embargoEnd')}</dt>
            <dd>{fmt(c.embargoEnd)}</dd>
          </>
        )}
      </dl>
      <section className="card terms" aria-labelledby="terms-heading">
        <h2 id="terms-heading">{t('cases.terms.title', { version: c.terms.version })}</h2>
        {/* The terms are Markdown rendered and sanitized by the server. */}
        <div className="prose" dangerouslySetInnerHTML={{ __html: c.terms.html }} />
        <ErrorAlert error={accept.error} />
        {c.abilities['case:accept_terms'] && (
          <div className="actions">
            <button
              type="button"
              className="btn btn-primary"
              disabled={accept.busy}
              aria-busy={accept.busy}
              onClick={() => void accept.run()}
            >
              {accept.busy ? t('common.working') : t('cases.terms.accept', { version: c.terms.version })}
            </button>
          </div>
        )}
      </section>
    </>
  );
}

const tabIds = [
  'summary',
  'vulnerabilities',
  'participants',
  'matrix',
  'threads',
  'embargo',
  'release',
  'timeline',
  'casework',
] as const;

function initialTab(): string {
  const hash = window.location.hash.slice(1);
  return (tabIds as readonly string[]).includes(hash) ? hash : 'summary';
}

function CaseTabs({ c, reload, error }: CaseTabProps & { error: unknown }) {
  const { t } = useTranslation();
  const [tab, setTab] = useState(initialTab);
  const props: CaseTabProps = { c, reload };
  const tabs: TabDef[] = [
    {
      id: 'summary',
      label: t('cases.tabs.summary'),
      render: () => (
        <>
          <SummaryTab {...props} />
          <NotificationPolicyCard c={c} />
        </>
      ),
    },
    { id: 'vulnerabilities', label: t('cases.tabs.vulnerabilities'), render: () => <VulnerabilitiesTab {...props} /> },
    { id: 'participants', label: t('cases.tabs.participants'), render: () => <ParticipantsTab {...props} /> },
    { id: 'matrix', label: t('cases.tabs.matrix'), render: () => <StatusMatrixTab {...props} /> },
    { id: 'threads', label: t('cases.tabs.threads'), render: () => <ThreadsTab {...props} /> },
    { id: 'embargo', label: t('cases.tabs.embargo'), render: () => <EmbargoTab {...props} /> },
    { id: 'release', label: t('cases.tabs.release'), render: () => <ReleaseTab {...props} /> },
  ];
  if (c.access === 'staff') {
    tabs.push({ id: 'timeline', label: t('cases.tabs.timeline'), render: () => <TimelineTab {...props} /> });
    tabs.push({ id: 'casework', label: t('cases.tabs.casework'), render: () => <CaseworkTab caseId={c.caseId} /> });
  }
  const choose = (id: string) => {
    setTab(id);
    window.history.replaceState(null, '', `#${id}`);
  };
  return (
    <>
      <h1>
        <span className="mono">{c.caseId}</span> {c.title}
      </h1>
      <div className="report-status">
        <span className={`badge case-${c.status}`}>{t(`cases.statuses.${c.status}`)}</span>
        <span>
          {t('cases.lead')}: {c.lead ?? '—'}
        </span>
        {c.participants.some((p) => p.mine) && (
          <span className="badge badge-mine">
            {t('cases.youTakePart', {
              orgs: c.participants
                .filter((p) => p.mine)
                .map((p) => p.name)
                .join(', '),
            })}
          </span>
        )}
      </div>
      <ErrorAlert error={error} />
      <EmbargoAlert caseId={c.caseId} />
      <ChangesPanel c={c} onOpenThreads={() => choose('threads')} />
      <Tabs id="case" label={t('cases.tabs.label')} tabs={tabs} current={tab} onChange={choose} />
    </>
  );
}
