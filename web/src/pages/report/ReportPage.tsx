import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FilePicker } from '../../components/FilePicker.tsx';
import { Submit } from '../../components/forms.tsx';
import { FormErrors, ProblemsProvider, problemsOf } from '../../components/problems.tsx';
import { submitting, useAction, useTitle } from '../../hooks.ts';
import { isLanguage } from '../../i18n.ts';
import { encryptText } from '../../pgp.ts';
import { reportsApi, type SubmitAnswer } from '../../reportsApi.ts';
import { useReportSettings } from '../../reportSettings.ts';
import { useSession } from '../../session.tsx';
import { EncryptionBox, useInstanceKey } from './Encryption.tsx';
import { emptyForm, type ReportFormState, type SetField, toReportInput } from './reportForm.ts';
import { AffectedFieldset } from './AffectedFieldset.tsx';
import { useReportFieldLabel } from './fieldLabels.ts';
import { ContactFieldset, DisclosureFieldset, PublicFieldset, VulnerabilityFieldset } from './ReportSections.tsx';
import { SubmittedReport } from './SubmittedReport.tsx';

/** The public report form: no account needed; encrypted in the browser unless the finder opts out. */
export function ReportPage() {
  const { t, i18n } = useTranslation();
  useTitle(t('report.title'));
  const { me } = useSession();
  const [form, setForm] = useState<ReportFormState>(() => emptyForm(isLanguage(i18n.language) ? i18n.language : 'en'));
  const [encrypt, setEncrypt] = useState(true);
  const keyState = useInstanceKey(encrypt);
  const [done, setDone] = useState<SubmitAnswer | null>(null);
  const { settings } = useReportSettings();
  const days = settings?.acknowledgeBusinessDays ?? 0;

  const labelOf = useReportFieldLabel();
  const set: SetField = useCallback((key, value) => setForm((f) => ({ ...f, [key]: value })), []);

  const action = useAction(async () => {
    const input = toReportInput(form);
    let answer: SubmitAnswer;
    if (encrypt) {
      if (!keyState.key) throw new Error(t('encrypt.noKey'));
      answer = await reportsApi.submit({ encrypted: await encryptText(keyState.key.publicKey, JSON.stringify(input)) });
    } else {
      answer = await reportsApi.submit(input);
    }
    setDone(answer);
    setForm(emptyForm(form.language));
  });

  const problems = problemsOf(action.error);
  useEffect(() => {
    if (problems.length > 0) document.getElementById('report-problems')?.focus();
  }, [problems.length, action.error]);

  if (done) {
    return (
      <SubmittedReport
        answer={done}
        acknowledgeDays={days}
        onAnother={() => {
          setDone(null);
          action.setError(null);
        }}
      />
    );
  }

  return (
    <>
      <h1>{t('report.title')}</h1>
      <p className="lead">{t('report.intro')}</p>
      {days > 0 && <p data-testid="response-time">{t('report.responseTime', { count: days })}</p>}
      {me && <p className="muted">{t('report.signedIn', { name: me.user.name })}</p>}
      <ProblemsProvider error={action.error}>
        <form id="report-form" onSubmit={submitting(action.run)} noValidate aria-describedby="report-required-note">
          <p className="hint" id="report-required-note">
            {t('report.requiredNote')}
          </p>
          <FormErrors error={action.error} id="report-problems" labelOf={labelOf} />
          <AffectedFieldset form={form} set={set} />
          <VulnerabilityFieldset form={form} set={set} />
          <PublicFieldset form={form} set={set} />
          <DisclosureFieldset form={form} set={set} />
          <ContactFieldset form={form} set={set} />
          <fieldset className="card form-section">
            <legend>{t('report.sections.files')}</legend>
            <FilePicker path="attachments" files={form.files} onChange={(files) => set('files', files)} />
          </fieldset>
          <section className="card form-section" aria-labelledby="report-send-heading">
            <h2 id="report-send-heading">{t('report.sections.send')}</h2>
            <EncryptionBox
              id="report-encrypt"
              encrypt={encrypt}
              onChange={setEncrypt}
              keyState={keyState}
              hint={t('encrypt.reportHint')}
            />
            <div className="actions">
              <Submit busy={action.busy}>{t('report.submit')}</Submit>
            </div>
          </section>
        </form>
      </ProblemsProvider>
    </>
  );
}
