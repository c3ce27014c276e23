import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert, SelectField } from '../../components/forms.tsx';
import { fieldId, useFieldProblems, useFieldScope } from '../../components/problems.tsx';
import { useResource } from '../../hooks.ts';
import {
  readSsvcSelection,
  ssvcApi,
  ssvcOutcome,
  ssvcSelectionList,
  type SsvcChoices,
  type SsvcTableView,
} from '../../ssvc.ts';

type Stored = Record<string, unknown> | null;

/**
 * SSVC decision support on a vulnerability: pick the role's decision table (Supplier, Deployer,
 * Coordinator triage or publish), one value per decision point, and see the table's outcome at
 * once; the choices are kept as an SSVC SelectionList. A stored list that fits no table is shown
 * as such and can be cleared.
 */
export function SsvcField({ path, value, onChange }: { path: string; value: Stored; onChange: (v: Stored) => void }) {
  const { t } = useTranslation();
  const scope = useFieldScope();
  const problems = useFieldProblems(path, true);
  const tables = useResource(() => ssvcApi.tables(), 'ssvc-tables');
  const [role, setRole] = useState('');
  const [choices, setChoices] = useState<SsvcChoices>({});
  const items = tables.data?.items ?? [];
  const stored = value && items.length > 0 ? readSsvcSelection(items, value) : null;
  // Once the tables are known, a stored decision fills the form (also after a reload of the advisory).
  useEffect(() => {
    if (stored) {
      setRole(stored.table.role);
      setChoices(stored.choices);
    }
  }, [items.length, JSON.stringify(value)]);
  const table: SsvcTableView | undefined = items.find((x) => x.role === role);
  const outcome = table ? ssvcOutcome(table, choices) : null;

  const update = (nextRole: string, next: SsvcChoices) => {
    setRole(nextRole);
    setChoices(next);
    const tb = items.find((x) => x.role === nextRole);
    const list = tb ? ssvcSelectionList(tb, next, new Date()) : null;
    // An incomplete decision is not stored: the advisory keeps no SSVC decision until every point is chosen.
    onChange(list as Stored);
  };
  const id = fieldId(path, scope);
  const errId = `${id}-error`;
  return (
    <fieldset className="ssvc-field" id={id} aria-describedby={problems.length > 0 ? errId : undefined}>
      <legend>{t('advisories.fields.ssvc')}</legend>
      <ErrorAlert error={tables.error} />
      {value && items.length > 0 && !stored && (
        <p className="field-error">
          {t('ssvc.unreadable')}{' '}
          <button type="button" className="btn btn-small" onClick={() => update('', {})}>
            {t('ssvc.clear')}
          </button>
        </p>
      )}
      <SelectField label={t('ssvc.table')} value={role} onChange={(e) => update(e.target.value, {})}>
        <option value="">{t('ssvc.none')}</option>
        {items.map((tb) => (
          <option key={tb.role} value={tb.role}>
            {t(`ssvc.roles.${tb.role}`)} ({tb.name})
          </option>
        ))}
      </SelectField>
      {table && (
        <>
          <p className="hint" lang="en">
            {table.definition}
          </p>
          <div className="grid-2">
            {table.inputs.map((dp) => {
              const chosen = dp.values.find((v) => v.key === choices[dp.id]);
              return (
                <SelectField
                  key={dp.id}
                  label={dp.name}
                  hint={chosen?.definition ?? dp.definition}
                  value={choices[dp.id] ?? ''}
                  onChange={(e) => update(role, { ...choices, [dp.id]: e.target.value })}
                >
                  <option value="">{t('ssvc.choose')}</option>
                  {dp.values.map((v) => (
                    <option key={v.key} value={v.key}>
                      {v.name}
                    </option>
                  ))}
                </SelectField>
              );
            })}
          </div>
          <p role="status" className="ssvc-outcome" data-testid="ssvc-outcome">
            {outcome ? t('ssvc.outcome', { value: outcome.name }) : t('ssvc.incomplete')}
          </p>
        </>
      )}
      {problems.length > 0 && (
        <p className="field-error" id={errId}>
          {problems.join(' · ')}
        </p>
      )}
    </fieldset>
  );
}
