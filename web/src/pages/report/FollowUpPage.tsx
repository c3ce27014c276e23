import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FilePicker, toAttachments } from '../../components/FilePicker.tsx';
import { ErrorAlert, Notice, Submit } from '../../components/forms.tsx';
import { AttachmentList, MessageList } from '../../components/MessageList.tsx';
import { FormErrors, PCheck, PInput, ProblemsProvider, PSelect, PTextArea } from '../../components/problems.tsx';
import type { PickedFile } from '../../files.ts';
import { submitting, useAction, useFormatDate, useTitle } from '../../hooks.ts';
import { encryptText } from '../../pgp.ts';
import { type CreditChoice, type FinderReportView, reportsApi } from '../../reportsApi.ts';
import { exampleTrackingId, useReportSettings } from '../../reportSettings.ts';
import { EncryptionBox, useInstanceKey } from './Encryption.tsx';
import { FinderCases } from './FinderCases.tsx';
import { ChoiceOptions } from './ReportSections.tsx';
import { StateBadge } from '../../components/ReportBadges.tsx';

export interface FollowUpLink {
  secret: string | null;
  trackingId: string | null;
}

const TRACKING = /^[A-Za-z][A-Za-z0-9]{0,15}-\d{4}-\d{4,}$/;
const SECRET = /^[a-z]{2,10}_[A-Za-z0-9_-]{16,}$/;

/**
 * The secret lives in the fragment (`#accf_…`, or `#ACC-2026-0001/accf_…`), which browsers never
 * send to a server or in Referer; it is sent only as a bearer header.
 */
export function parseFollowUpFragment(hash: string): FollowUpLink {
  let raw = hash.replace(/^#/, '').trim();
  try {
    raw = decodeURIComponent(raw);
  } catch {
    /* keep it as it is */
  }
  const parts = raw.split('/');
  const secret = parts.at(-1) ?? '';
  const head = parts.length > 1 ? (parts[0] ?? '') : '';
  return {
    secret: SECRET.test(secret) ? secret : null,
    trackingId: TRACKING.test(head) ? head.toUpperCase() : null,
  };
}

export function FollowUpPage() {
  const { t } = useTranslation();
  useTitle(t('followUp.title'));
  const [link, setLink] = useState<FollowUpLink>(() => parseFollowUpFragment(window.location.hash));
  useEffect(() => {
    const onHash = () => setLink(parseFollowUpFragment(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  if (!link.secret) {
    return (
      <>
        <h1>{t('followUp.title')}</h1>
        <div className="alert alert-warn" role="alert">
          <p>{t('followUp.noSecret')}</p>
        </div>
      </>
    );
  }
  if (!link.trackingId) {
    const secret = link.secret;
    return (
      <AskTrackingId
        onDone={(trackingId) => {
          // Kept in the fragment (never sent anywhere), so a reload or bookmark opens the report directly.
          window.history.replaceState(null, '', `#${trackingId}/${secret}`);
          setLink({ secret, trackingId });
        }}
      />
    );
  }
  return <FollowUp key={link.trackingId} trackingId={link.trackingId} secret={link.secret} />;
}

/** When the link carries only the secret, the finder types the tracking id shown when they reported. */
function AskTrackingId({ onDone }: { onDone: (trackingId: string) => void }) {
  const { t } = useTranslation();
  const example = exampleTrackingId(useReportSettings().settings);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <h1>{t('followUp.title')}</h1>
      <form
        className="card"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const v = value.trim().toUpperCase();
          if (TRACKING.test(v)) onDone(v);
          else setError(t('followUp.trackingInvalid', { example }));
        }}
      >
        <div className="field field-short">
          <label htmlFor="follow-tracking">{t('followUp.trackingId')}</label>
          <input
            id="follow-tracking"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder={example}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'follow-tracking-hint follow-tracking-error' : 'follow-tracking-hint'}
          />
          <p className="hint" id="follow-tracking-hint">
            {t('followUp.trackingHint', { example })}
          </p>
          {error && (
            <p className="field-error" id="follow-tracking-error" role="alert">
              {error}
            </p>
          )}
        </div>
        <div className="actions">
          <button type="submit" className="btn btn-primary">
            {t('followUp.open')}
          </button>
        </div>
      </form>
    </>
  );
}

function FollowUp({ trackingId, secret }: { trackingId: string; secret: string }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const [report, setReport] = useState<FinderReportView | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);

  const load = useCallback(async () => {
    try {
      setReport(await reportsApi.followUp(trackingId, secret));
      setLoadError(null);
    } catch (err) {
      setLoadError(err);
    }
  }, [trackingId, secret]);
  useEffect(() => {
    void load();
  }, [load]);

  const download = useCallback(
    (a: { id: string }) => reportsApi.attachment(trackingId, a.id, secret),
    [trackingId, secret],
  );

  if (!report) {
    return (
      <>
        <h1>{t('followUp.title')}</h1>
        {loadError ? (
          <>
            <ErrorAlert error={loadError} />
            <p>{t('followUp.linkProblem')}</p>
          </>
        ) : (
          <p className="muted" role="status">
            {t('common.loading')}
          </p>
        )}
      </>
    );
  }

  const last = report.messages.filter((m) => !m.fromFinder || m.kind === 'answer').at(-1);
  const questionOpen = last?.kind === 'question';
  return (
    <>
      <p className="crumbs muted">{t('followUp.title')}</p>
      <h1>
        <span className="mono">{report.trackingId}</span> {report.title}
      </h1>
      <dl className="facts facts-inline card">
        <dt>{t('reports.state')}</dt>
        <dd>
          <StateBadge state={report.state} />
          {report.closeReason && (
            <span> · {t(`closeReasons.${report.closeReason}`, { defaultValue: report.closeReason })}</span>
          )}
          {report.duplicateOf && <span> · {t('reports.duplicateOfId', { id: report.duplicateOf })}</span>}
        </dd>
        <dt>{t('reports.received')}</dt>
        <dd>{fmt(report.createdAt)}</dd>
      </dl>
      {questionOpen && (
        <div className="alert alert-warn" role="status">
          <p>{t('followUp.questionOpen')}</p>
        </div>
      )}
      {report.attachments.length > 0 && (
        <section className="card" aria-labelledby="follow-files-heading">
          <h2 id="follow-files-heading">{t('files.attachments')}</h2>
          <AttachmentList attachments={report.attachments} download={download} />
        </section>
      )}
      <FinderCases trackingId={trackingId} secret={secret} />
      <section className="card" aria-labelledby="follow-messages-heading">
        <h2 id="follow-messages-heading">{t('followUp.messages')}</h2>
        <MessageList messages={report.messages} download={download} empty={t('followUp.noMessages')} />
      </section>
      <AnswerForm trackingId={trackingId} secret={secret} onSent={load} />
      {report.credit && (
        <CreditForm
          trackingId={trackingId}
          secret={secret}
          credit={report.credit}
          listed={report.publicAcknowledgement === true}
          onSaved={load}
        />
      )}
    </>
  );
}

/** The finder may change how they are credited, and opt in to the public acknowledgements page, at any time. */
function CreditForm({
  trackingId,
  secret,
  credit,
  listed,
  onSaved,
}: {
  trackingId: string;
  secret: string;
  credit: CreditChoice;
  listed: boolean;
  onSaved: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const { settings } = useReportSettings();
  const [mode, setMode] = useState(credit.mode);
  const [value, setValue] = useState(credit.value ?? '');
  const [type, setType] = useState(credit.type);
  const [publicAck, setPublicAck] = useState(listed);
  const [saved, setSaved] = useState(false);
  const action = useAction(async () => {
    setSaved(false);
    await reportsApi.setCredit(trackingId, secret, {
      credit: { mode, value: mode === 'anonymous' ? null : value.trim(), type },
      publicAcknowledgement: mode !== 'anonymous' && publicAck,
    });
    setSaved(true);
    await onSaved();
  });
  return (
    <section className="card" aria-labelledby="follow-credit-heading">
      <h2 id="follow-credit-heading">{t('followUp.credit')}</h2>
      <p className="hint">{t('followUp.creditHint')}</p>
      {saved && <Notice>{t('followUp.creditSaved')}</Notice>}
      <ProblemsProvider error={action.error}>
        <form onSubmit={submitting(action.run)} noValidate>
          <FormErrors error={action.error} />
          <div className="grid-3">
            <PSelect
              path="credit.mode"
              label={t('report.creditMode')}
              value={mode}
              onChange={(e) => setMode(e.target.value as CreditChoice['mode'])}
            >
              {(['anonymous', 'name', 'handle'] as const).map((m) => (
                <option key={m} value={m}>
                  {t(`report.credit.${m}`)}
                </option>
              ))}
            </PSelect>
            {mode !== 'anonymous' && (
              <PInput
                path="credit.value"
                label={mode === 'name' ? t('report.creditName') : t('report.creditHandle')}
                value={value}
                onChange={(e) => setValue(e.target.value)}
                required
              />
            )}
            <PSelect
              path="credit.type"
              label={t('report.creditType')}
              hint={t('report.creditTypeHint')}
              value={type}
              onChange={(e) => setType(e.target.value)}
            >
              <ChoiceOptions offered={settings?.creditTypes} current={type} labels="report.creditTypes" />
            </PSelect>
          </div>
          {mode !== 'anonymous' && (
            <PCheck
              path="publicAcknowledgement"
              label={t('report.publicAcknowledgement')}
              checked={publicAck}
              onChange={(e) => setPublicAck(e.target.checked)}
            />
          )}
          <div className="actions">
            <Submit busy={action.busy}>{t('followUp.saveCredit')}</Submit>
          </div>
        </form>
      </ProblemsProvider>
    </section>
  );
}

function AnswerForm({
  trackingId,
  secret,
  onSent,
}: {
  trackingId: string;
  secret: string;
  onSent: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [encrypt, setEncrypt] = useState(true);
  const keyState = useInstanceKey(encrypt);
  const [sent, setSent] = useState(false);

  const action = useAction(async () => {
    setSent(false);
    const message = { body: body.trim(), ...(files.length ? { attachments: toAttachments(files) } : {}) };
    if (encrypt) {
      if (!keyState.key) throw new Error(t('encrypt.noKey'));
      await reportsApi.finderMessage(trackingId, secret, {
        encrypted: await encryptText(keyState.key.publicKey, JSON.stringify(message)),
      });
    } else {
      await reportsApi.finderMessage(trackingId, secret, message);
    }
    setBody('');
    setFiles([]);
    setSent(true);
    await onSent();
  });

  return (
    <section className="card" aria-labelledby="follow-answer-heading">
      <h2 id="follow-answer-heading">{t('followUp.answer')}</h2>
      {sent && <Notice>{t('followUp.sent')}</Notice>}
      <ProblemsProvider error={action.error}>
        <form onSubmit={submitting(action.run)} noValidate>
          <FormErrors error={action.error} />
          <PTextArea
            path="body"
            label={t('followUp.yourMessage')}
            hint={t('report.markdownHint')}
            rows={6}
            required
            value={body}
            onChange={(e) => setBody(e.target.value)}
          />
          <FilePicker path="attachments" files={files} onChange={setFiles} />
          <EncryptionBox
            id="answer-encrypt"
            encrypt={encrypt}
            onChange={setEncrypt}
            keyState={keyState}
            hint={t('encrypt.answerHint')}
          />
          <div className="actions">
            <Submit busy={action.busy}>{t('followUp.send')}</Submit>
          </div>
        </form>
      </ProblemsProvider>
    </section>
  );
}
