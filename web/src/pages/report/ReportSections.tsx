import { useTranslation } from 'react-i18next';
import { PCheck, PInput, PSelect, PTextArea } from '../../components/problems.tsx';
import { useReportSettings } from '../../reportSettings.ts';
import type { ReportFormState, SetField } from './reportForm.ts';
import { CvssField, CweField } from './ScoreFields.tsx';

/** The fieldsets of the report form; each gets the whole form state and one setter. */
export interface SectionProps {
  form: ReportFormState;
  set: SetField;
}

export function VulnerabilityFieldset({ form, set }: SectionProps) {
  const { t } = useTranslation();
  return (
    <fieldset className="card form-section">
      <legend>{t('report.sections.vulnerability')}</legend>
      <PInput
        path="title"
        label={t('report.titleField')}
        hint={t('report.titleHint')}
        required
        maxLength={200}
        value={form.title}
        onChange={(e) => set('title', e.target.value)}
      />
      <PTextArea
        path="description"
        label={t('report.description')}
        hint={t('report.descriptionHint')}
        required
        rows={8}
        value={form.description}
        onChange={(e) => set('description', e.target.value)}
      />
      <PTextArea
        path="reproduction"
        label={t('report.reproduction')}
        hint={t('report.markdownHint')}
        rows={6}
        value={form.reproduction}
        onChange={(e) => set('reproduction', e.target.value)}
      />
      <PTextArea
        path="impact"
        label={t('report.impact')}
        rows={3}
        value={form.impact}
        onChange={(e) => set('impact', e.target.value)}
      />
      <div className="grid-2">
        <CvssField value={form.cvss} onChange={(v) => set('cvss', v)} />
        <CweField value={form.cwe} onChange={(v) => set('cwe', v)} />
      </div>
    </fieldset>
  );
}

export function PublicFieldset({ form, set }: SectionProps) {
  const { t } = useTranslation();
  return (
    <fieldset className="card form-section">
      <legend>{t('report.sections.public')}</legend>
      <PCheck
        path="alreadyPublic"
        label={t('report.alreadyPublic')}
        checked={form.alreadyPublic}
        onChange={(e) => set('alreadyPublic', e.target.checked)}
      />
      <PCheck
        path="exploited"
        label={t('report.exploited')}
        checked={form.exploited}
        onChange={(e) => set('exploited', e.target.checked)}
      />
      <PTextArea
        path="publicReferences"
        nested
        label={t('report.publicReferences')}
        hint={t('report.publicReferencesHint')}
        rows={3}
        value={form.publicReferences}
        onChange={(e) => set('publicReferences', e.target.value)}
        spellCheck={false}
      />
      <PTextArea
        path="othersInformed"
        label={t('report.othersInformed')}
        hint={t('report.othersInformedHint')}
        rows={2}
        value={form.othersInformed}
        onChange={(e) => set('othersInformed', e.target.value)}
      />
    </fieldset>
  );
}

/** The choices the server offers (from its settings); until they arrive, the current value alone. */
function choices(offered: string[] | undefined, current: string): string[] {
  if (!offered) return [current];
  return offered.includes(current) ? offered : [current, ...offered];
}

export function DisclosureFieldset({ form, set }: SectionProps) {
  const { t } = useTranslation();
  const { settings } = useReportSettings();
  return (
    <fieldset className="card form-section">
      <legend>{t('report.sections.disclosure')}</legend>
      <div className="grid-2">
        <PTextArea
          path="disclosurePlan"
          label={t('report.disclosurePlan')}
          rows={3}
          value={form.disclosurePlan}
          onChange={(e) => set('disclosurePlan', e.target.value)}
        />
        <PInput
          path="disclosureDate"
          type="date"
          label={t('report.disclosureDate')}
          hint={t('report.disclosureDateHint')}
          value={form.disclosureDate}
          onChange={(e) => set('disclosureDate', e.target.value)}
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
            value={form.creditValue}
            onChange={(e) => set('creditValue', e.target.value)}
            required
          />
        )}
        <PSelect
          path="credit.type"
          label={t('report.creditType')}
          hint={t('report.creditTypeHint')}
          value={form.creditType}
          onChange={(e) => set('creditType', e.target.value)}
        >
          {choices(settings?.creditTypes, form.creditType).map((c) => (
            <option key={c} value={c}>
              {t(`report.creditTypes.${c}`, { defaultValue: c })}
            </option>
          ))}
        </PSelect>
      </div>
      <PCheck
        path="publicAcknowledgement"
        label={t('report.publicAcknowledgement')}
        checked={form.publicAcknowledgement}
        onChange={(e) => set('publicAcknowledgement', e.target.checked)}
      />
    </fieldset>
  );
}

export function ContactFieldset({ form, set }: SectionProps) {
  const { t } = useTranslation();
  const { settings } = useReportSettings();
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
          value={form.contactEmail}
          onChange={(e) => set('contactEmail', e.target.value)}
        />
        <PSelect
          path="language"
          label={t('report.language')}
          value={form.language}
          onChange={(e) => set('language', e.target.value)}
        >
          {choices(settings?.languages, form.language).map((l) => (
            <option key={l} value={l}>
              {t(`report.languages.${l}`, { defaultValue: l })}
            </option>
          ))}
        </PSelect>
      </div>
      <PTextArea
        path="pgpPublicKey"
        label={t('report.pgpPublicKey')}
        hint={t('report.pgpPublicKeyHint')}
        rows={4}
        value={form.pgpPublicKey}
        onChange={(e) => set('pgpPublicKey', e.target.value)}
        spellCheck={false}
        className="mono-input"
      />
      {/* The honeypot: people never see or reach it; a robot that fills it is refused. */}
      <div className="honeypot" aria-hidden="true">
        <label htmlFor="f-website">Website</label>
        <input
          id="f-website"
          name="website"
          type="text"
          tabIndex={-1}
          autoComplete="off"
          value={form.website}
          onChange={(e) => set('website', e.target.value)}
        />
      </div>
    </fieldset>
  );
}
