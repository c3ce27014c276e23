import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldId, useFieldProblems, useFieldScope } from '../../components/problems.tsx';

/**
 * A group of checkboxes naming organizations (a community's members), with a box that narrows
 * the list by name and the server's complaint about the choice. The chosen ones stay listed.
 */
export function OrgChecklist({
  path,
  legend,
  hint,
  orgs,
  chosen,
  onChange,
}: {
  path: string;
  legend: string;
  hint?: string;
  orgs: { id: string; name: string }[];
  chosen: string[];
  onChange: (ids: string[]) => void;
}) {
  const { t } = useTranslation();
  const base = useId();
  const id = fieldId(path, useFieldScope());
  const messages = useFieldProblems(path, true);
  const [narrow, setNarrow] = useState('');
  const needle = narrow.trim().toLowerCase();
  const shown = orgs.filter((o) => chosen.includes(o.id) || !needle || o.name.toLowerCase().includes(needle));
  const toggle = (orgId: string, on: boolean) => onChange(on ? [...chosen, orgId] : chosen.filter((x) => x !== orgId));
  const describedBy = [hint ? `${id}-hint` : '', messages.length ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <fieldset className="people" id={id} tabIndex={-1} aria-describedby={describedBy || undefined}>
      <legend>{legend}</legend>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {messages.length > 0 && (
        <p className="field-error" id={`${id}-error`}>
          {messages.join(' · ')}
        </p>
      )}
      <div className="field">
        <label htmlFor={`${base}-narrow`}>{t('directory.communities.narrow')}</label>
        <input id={`${base}-narrow`} type="search" value={narrow} onChange={(e) => setNarrow(e.target.value)} />
      </div>
      <p className="muted small" role="status">
        {t('directory.communities.chosen', { count: chosen.length })}
      </p>
      <ul className="plain-list people-list">
        {shown.map((o) => (
          <li key={o.id} className="check">
            <input
              type="checkbox"
              id={`${base}-${o.id}`}
              checked={chosen.includes(o.id)}
              onChange={(e) => toggle(o.id, e.target.checked)}
            />
            <label htmlFor={`${base}-${o.id}`}>{o.name}</label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
