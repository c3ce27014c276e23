import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type Advisory,
  type AdvisoryAction,
  type ExportFormat,
  advisoriesApi,
  exportFormats,
} from '../../advisoriesApi.ts';
import { ApiError } from '../../api.ts';
import { ErrorAlert, Notice } from '../../components/forms.tsx';
import { Loaded } from '../../components/lists.tsx';
import { type TabDef, Tabs } from '../../components/Tabs.tsx';
import { useAction, useFormatDate, useResource, useTitle } from '../../hooks.ts';
import { saveBlob } from '../../reportsApi.ts';
import { Link } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { AdvisoryEditor, type Draft, draftOf, isDirty } from './AdvisoryEditor.tsx';
import { AdvisoryHistory } from './AdvisoryHistory.tsx';
import { StateBadge } from './parts.tsx';
import './advisories.css';

/** One advisory: its workflow, the editor, the preview as the public page will show it, history and diff, exports. */
export function AdvisoryPage({ trackingId }: { trackingId: string }) {
  const { t } = useTranslation();
  const { data, setData, error, reload } = useResource(() => advisoriesApi.get(trackingId), trackingId);
  useTitle(data ? `${data.trackingId}: ${data.title}` : t('advisories.title'));
  return (
    <Loaded back={{ to: '/staff/advisories', label: t('advisories.title') }} data={data} error={error}>
      {(a) => <AdvisoryView key={a.id} a={a} setData={setData} reload={reload} />}
    </Loaded>
  );
}

function AdvisoryView({
  a,
  setData,
  reload,
}: {
  a: Advisory;
  setData: (a: Advisory) => void;
  reload: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const [tab, setTab] = useState('edit');
  const [draft, setDraftState] = useState<Draft>(() => draftOf(a));
  const [savedLock, setSavedLock] = useState(a.lockVersion);
  // A save (or someone else's, on reload) replaces the draft with the saved content.
  useEffect(() => {
    if (a.lockVersion !== savedLock) {
      setSavedLock(a.lockVersion);
      setDraftState(draftOf(a));
    }
  }, [a, savedLock]);
  const dirty = isDirty(a, draft);

  return (
    <>
      <h1>
        <span className="mono">{a.trackingId}</span>: {a.title}
      </h1>
      <p className="adv-facts">
        <StateBadge state={a.state} /> <span className="badge">TLP:{a.tlp}</span>{' '}
        {a.caseRef ? (
          <>
            {t('advisories.forCaseLink')}{' '}
            <Link to={`/cases/${encodeURIComponent(a.caseRef)}`} className="mono">
              {a.caseRef}
            </Link>
          </>
        ) : (
          <span className="muted">{t('advisories.standalone')}</span>
        )}{' '}
        · {t('advisories.revisionN', { n: a.publishedRevision })}
        {a.currentReleaseAt && <> · {t('advisories.releasedAt', { date: fmt(a.currentReleaseAt) })}</>}
      </p>
      <Workflow a={a} dirty={dirty} onDone={setData} />
      <Tabs
        id="adv"
        label={t('advisories.tabs.label')}
        current={tab}
        onChange={setTab}
        tabs={
          [
            {
              id: 'edit',
              label: t('advisories.tabs.edit'),
              render: () => (
                <AdvisoryEditor advisory={a} draft={draft} setDraft={setDraftState} onSaved={(s) => setData(s)} />
              ),
            },
            { id: 'preview', label: t('advisories.tabs.preview'), render: () => <Preview a={a} dirty={dirty} /> },
            { id: 'history', label: t('advisories.tabs.history'), render: () => <AdvisoryHistory a={a} /> },
            { id: 'export', label: t('advisories.tabs.export'), render: () => <Exports a={a} dirty={dirty} /> },
          ] satisfies TabDef[]
        }
      />
      <p className="muted small">
        <button type="button" className="btn btn-ghost btn-small" onClick={() => void reload()}>
          {t('advisories.reload')}
        </button>
      </p>
    </>
  );
}

/** The workflow buttons this state allows and the caller's abilities permit; approval is someone else's. */
function Workflow({ a, dirty, onDone }: { a: Advisory; dirty: boolean; onDone: (a: Advisory) => void }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const [notice, setNotice] = useState<string | null>(null);
  const act = useAction(async (action: AdvisoryAction) => {
    setNotice(null);
    const next = await advisoriesApi.act(a.trackingId, action);
    onDone(next);
    setNotice(t(`advisories.done.${action}`, { state: t(`advisories.states.${next.state}`) }));
  });
  const needs: Record<AdvisoryAction, string> = {
    submit: 'advisory:edit',
    return: 'advisory:edit',
    approve: 'advisory:approve',
    publish: 'advisory:publish',
  };
  const mine = me?.user.id === a.authorId || me?.user.id === a.submittedBy;
  const actions = a.allowedActions.filter((x) => a.abilities[needs[x]] === true);
  return (
    <section className="card adv-workflow" aria-labelledby="adv-workflow-heading">
      <h2 id="adv-workflow-heading" className="h3">
        {t('advisories.workflow')}
      </h2>
      <ol className="adv-steps">
        {(['draft', 'review', 'approved', 'published'] as const).map((s) => (
          <li key={s} aria-current={s === a.state ? 'step' : undefined} className={s === a.state ? 'current' : ''}>
            {t(`advisories.states.${s}`)}
          </li>
        ))}
      </ol>
      <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
      <ErrorAlert error={act.error} />
      {dirty && actions.length > 0 && <p className="hint">{t('advisories.saveFirst')}</p>}
      {actions.includes('approve') && mine && <p className="hint">{t('advisories.notYourApproval')}</p>}
      <div className="actions">
        {actions.map((x) => (
          <button
            key={x}
            type="button"
            className={x === 'return' ? 'btn' : 'btn btn-primary'}
            disabled={act.busy || dirty}
            onClick={() => void act.run(x)}
          >
            {t(`advisories.actions.${x}`)}
          </button>
        ))}
        {actions.length === 0 && <span className="muted">{t('advisories.noActions')}</span>}
      </div>
    </section>
  );
}

/** The saved advisory as its public page will show it (server-rendered, sanitized Markdown). */
function Preview({ a, dirty }: { a: Advisory; dirty: boolean }) {
  const { t } = useTranslation();
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    advisoriesApi.preview(a.trackingId).then(
      (p) => live && setHtml(p.html),
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [a.trackingId, a.lockVersion, a.state]);
  return (
    <section aria-labelledby="adv-preview-heading">
      <h2 id="adv-preview-heading">{t('advisories.previewTitle')}</h2>
      {dirty && <p className="hint">{t('advisories.previewSaved')}</p>}
      <ErrorAlert error={error} />
      {html === null && !error && (
        <p className="muted" role="status">
          {t('common.loading')}
        </p>
      )}
      {html !== null && (
        <article
          className="card adv-preview"
          data-testid="advisory-preview"
          dangerouslySetInnerHTML={{ __html: html }}
        />
      )}
    </section>
  );
}

const extension: Record<ExportFormat, string> = {
  csaf: 'json',
  'csaf-vex': 'vex.json',
  cve: 'cve.json',
  'cve-cna': 'cna.json',
  osv: 'osv.json',
  openvex: 'openvex.json',
  md: 'md',
  html: 'html',
};

/** Each export is validated by the server first; a refusal lists the validator's findings. */
function Exports({ a, dirty }: { a: Advisory; dirty: boolean }) {
  const { t } = useTranslation();
  const [done, setDone] = useState<string | null>(null);
  const download = useAction(async (format: ExportFormat) => {
    setDone(null);
    const blob = await advisoriesApi.exportBlob(a.trackingId, format);
    const name = `${a.trackingId.toLowerCase()}.${extension[format]}`;
    saveBlob(blob, name);
    setDone(t('advisories.downloaded', { name }));
  });
  const findings =
    download.error instanceof ApiError && Array.isArray(download.error.details.findings)
      ? (download.error.details.findings as { path: string; message: string; test?: string; severity: string }[])
      : [];
  return (
    <section aria-labelledby="adv-export-heading">
      <h2 id="adv-export-heading">{t('advisories.exportTitle')}</h2>
      <p className="hint">{t('advisories.exportIntro')}</p>
      {dirty && <p className="hint">{t('advisories.previewSaved')}</p>}
      <div aria-live="polite">{done && <Notice>{done}</Notice>}</div>
      <ErrorAlert error={download.error} />
      {findings.length > 0 && (
        <ul className="adv-findings" lang="en">
          {findings.map((f, i) => (
            <li key={i}>
              <code>{f.path || '/'}</code> {f.message} {f.test && <span className="muted">({f.test})</span>}
            </li>
          ))}
        </ul>
      )}
      <div className="actions adv-exports">
        {exportFormats.map((f) => (
          <button key={f} type="button" className="btn" disabled={download.busy} onClick={() => void download.run(f)}>
            {t(`advisories.formats.${f}`)}
          </button>
        ))}
      </div>
    </section>
  );
}
