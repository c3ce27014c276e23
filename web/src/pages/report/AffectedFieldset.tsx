import { useTranslation } from 'react-i18next';
import { PInput, useFieldProblems } from '../../components/problems.tsx';
import { type AffectedRow, emptyRow } from './reportForm.ts';
import type { SectionProps } from './ReportSections.tsx';

/** Vendor / product / versions / identifier rows; at least one, more on demand. */
export function AffectedFieldset({ form, set }: SectionProps) {
  const { t } = useTranslation();
  const listProblems = useFieldProblems('affected');
  const update = (key: number, patch: Partial<AffectedRow>) =>
    set(
      'affected',
      form.affected.map((r) => (r.key === key ? { ...r, ...patch } : r)),
    );
  return (
    <fieldset className="card form-section">
      <legend>{t('report.sections.affected')}</legend>
      <p className="muted">{t('report.affectedIntro')}</p>
      {listProblems.length > 0 && (
        <p className="field-error" id="f-affected">
          {listProblems.join(' · ')}
        </p>
      )}
      {form.affected.map((row, i) => (
        <AffectedRowFields
          key={row.key}
          row={row}
          index={i}
          removable={form.affected.length > 1}
          onChange={(patch) => update(row.key, patch)}
          onRemove={() =>
            set(
              'affected',
              form.affected.filter((r) => r.key !== row.key),
            )
          }
        />
      ))}
      <button
        type="button"
        className="btn"
        onClick={() => set('affected', [...form.affected, emptyRow()])}
        disabled={form.affected.length >= 50}
      >
        {t('report.addAffected')}
      </button>
    </fieldset>
  );
}

function AffectedRowFields({
  row,
  index,
  removable,
  onChange,
  onRemove,
}: {
  row: AffectedRow;
  index: number;
  removable: boolean;
  onChange: (patch: Partial<AffectedRow>) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const p = `affected[${index}]`;
  const rowProblems = useFieldProblems(p);
  const n = index + 1;
  return (
    <div className="affected-row" role="group" aria-label={t('report.affectedRow', { n })}>
      <div className="row-between">
        <h3 className="h3">{t('report.affectedRow', { n })}</h3>
        {removable && (
          <button type="button" className="btn btn-small btn-ghost" onClick={onRemove}>
            {t('report.removeAffected', { n })}
          </button>
        )}
      </div>
      {rowProblems.length > 0 && (
        <p className="field-error" id={`f-affected-${index}`} tabIndex={-1}>
          {rowProblems.join(' · ')}
        </p>
      )}
      <div className="grid-3">
        <PInput
          path={`${p}.vendor`}
          label={t('report.vendor')}
          value={row.vendor}
          onChange={(e) => onChange({ vendor: e.target.value })}
        />
        <PInput
          path={`${p}.product`}
          label={t('report.product')}
          value={row.product}
          onChange={(e) => onChange({ product: e.target.value })}
        />
        <PInput
          path={`${p}.versions`}
          label={t('report.versions')}
          hint={t('report.versionsHint')}
          value={row.versions}
          onChange={(e) => onChange({ versions: e.target.value })}
        />
      </div>
      <PInput
        path={`${p}.identifier`}
        label={t('report.identifier')}
        hint={t('report.identifierHint')}
        value={row.identifier}
        onChange={(e) => onChange({ identifier: e.target.value })}
        spellCheck={false}
        autoComplete="off"
        className="mono-input"
      />
    </div>
  );
}
