import { useTranslation } from 'react-i18next';
import { PCheck, PInput, PSelect, PTextArea } from '../../components/problems.tsx';
import { useReportSettings } from '../../reportSettings.ts';
import { binder } from '../../binding.ts';
import type { ReportFormState, SetField } from './reportForm.ts';
import { CvssField, CweField } from './ScoreFields.tsx';

/** The fieldsets of the report form; each gets the whole form state and one setter. */
export interface SectionProps {
  form: ReportFormState;
  set: SetField;
}

export function VulnerabilityFieldset({ form, set }: SectionProps) {
  const { t } = useTranslation();
  const bind = binder(form, set);
  return (
    <fieldset className="card form-section">
      <legend>{t('report.sections.vulnerability')}</legend>
      <PInput
        path="title"
        label={t('report.titleField')}
        hint={t('report.titleHint')}
        required
        maxLength={200}
        {...bind.text('title')}
      />
      <PTextArea
        path="description"
        label={t('report.description')}
        hint={t('report.descriptionHint')}
        required
        rows={8}
        {...bind.text('description')}
      />
      <PTextArea
        path="reproduction"
        label={t('report.reproduction')}
        hint={t('report.markdownHint')}
        rows={6}
        {...bind.text('reproduction')}
      />
      <PTextArea path="impact" label={t('report.impact')} rows={3} {...bind.text('impact')} />
      <div className="grid-2">
        <CvssField value={form.cvss} onChange={(v) => set('cvss', v)} />
        <CweField value={form.cwe} onChange={(v) => set('cwe', v)} />
      </div>
    </fieldset>
  );
}

export function PublicFieldset({ form, set }: SectionProps) {
  const { t } = useTranslation();
  const bind = binder(form, set);
  return (
    <fieldset className="card form-section">
      <legend>{t('report.sections.public')}</legend>
      <PCheck path="alreadyPublic" label={t('report.alreadyPublic')} {...bind.check('alreadyPublic')} />
      <PCheck path="exploited" label={t('report.exploited')} {...bind.check('exploited')} />
      <PTextArea
        path="publicReferences"
        nested
        label={t('report.publicReferences')}
        hint={t('report.publicReferencesHint')}
        rows={3}
        {...bind.text('publicReferences')}
        spellCheck={false}
      />
      <PTextArea
        path="othersInformed"
        label={t('report.othersInformed')}
        hint={t('report.othersInformedHint')}
        rows={2}
        {...bind.text('othersInformed')}
      />
    </fieldset>
  );
}

/** The choices the server offers (from its settings); until they arrive, the current value alone. */
export function ChoiceOptions({
  offered,
  current,
  labels,
}: {
  offered: string[] | undefined;
  current: string;
  labels: string;
}) {
  const { t } = useTranslation();
  const values = !offered ? [current] : offered.includes(current) ? offered : [current, ...offered];
  return values.map((v) => (
    <option key={v} value={v}>
      {t(`${labels}.${v}`, { defaultValue: v })}
    </option>
  ));
}

export function DisclosureFieldset({ form, set }: SectionProps) {
  const { t } = useTranslation();
  const { settings } = useReportSettings();
  const bind = binder(form, set);
  return (
    <fieldset className="card form-section">
      <legend>{t('report.sections.disclosure')}</legend>
      <div className="grid-2">
        <PTextArea path="disclosurePlan" label={t('report.disclosurePlan')} rows={3} {...bind.text('disclosurePlan')} />
        <PInput
          path="disclosureDate"
          type="date"
          label={t('report.disclosureDate')}
          hint={t('report.disclosureDateHint')}
          {...bind.text('disclosureDate')}
          className="field-short"
        />
      </div>
      <div className="grid-3">
        <PSelect
          path="credit.mode"
          label={t('report.creditMode')}
          value={form.creditMode}
          onChange={(e) => set('creditMode', e.target.value as ReportFormState['creditMode'])}
        >
          {(['anonymous', 'name', 'handle'] as const).map((m) => (
            <option key={m} value={m}>
              {t(`report.credit.${m}`)}
            </option>
          ))}
        </PSelect>
        {form.creditMode !== 'anonymous' && (
          <PInput
            path="credit.value"
            label={form.creditMode === 'name' ? t('report.creditName') : t('report.creditHandle')}
            {...bind.text('creditValue')}
            required
          />
        )}
        <PSelect
          path="credit.type"
          label={t('report.creditType')}
          hint={t('report.creditTypeHint')}
          {...bind.text('creditType')}
        >
          <ChoiceOptions offered={settings?.creditTypes} current={form.creditType} labels="report.creditTypes" />
        </PSelect>
      </div>
      <PCheck
        path="publicAcknowledgement"
        label={t('report.publicAcknowledgement')}
        {...bind.check('publicAcknowledgement')}
      />
    </fieldset>
  );
}

export function ContactFieldset({ form, set }: SectionProps) {
  const { t } = useTranslation();
  const { settings } = useReportSettings();
  const bind = binder(form, set);
  return (
    <fieldset className="card form-section">
      <legend>{t('report.sections.contact')}</legend>
      <p className="muted">{t('report.contactIntro')}</p>
      <div className="grid-2">
        <PInput
          path="contactEmail"
          type="email"
          autoComplete="email"
          label={t('report.contactEmail')}
          hint={t('report.contactEmailHint')}
          {...bind.text('contactEmail')}
        />
        <PSelect path="language" label={t('report.language')} {...bind.text('language')}>
          <ChoiceOptions offered={settings?.languages} current={form.language} labels="report.languages" />
        </PSelect>
      </div>
      <PTextArea
        path="pgpPublicKey"
        label={t('report.pgpPublicKey')}
        hint={t('report.pgpPublicKeyHint')}
        rows={4}
        {...bind.text('pgpPublicKey')}
        spellCheck={false}
        className="mono-input"
      />
      {/* The honeypot: people never see or reach it; a robot that fills it is refused. */}
      <div className="honeypot" aria-hidden="true">
        <label htmlFor="f-website">Website</label>
        <input id="f-website" name="website" type="text" tabIndex={-1} autoComplete="off" {...bind.text('website')} />
      </div>
    </fieldset>
  );
}
