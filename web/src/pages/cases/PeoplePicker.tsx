import { useId } from 'react';
import { fieldId, useFieldProblems, useFieldScope } from '../../components/problems.tsx';

export interface Person {
  id: string;
  name: string;
  email: string;
}

/**
 * A group of checkboxes naming people (the members a vendor's access is limited to, the
 * recipients of a TLP:RED post), with the server's complaint about the choice.
 */
export function PeoplePicker({
  path,
  legend,
  hint,
  people,
  chosen,
  onChange,
}: {
  path: string;
  legend: string;
  hint?: string;
  people: Person[];
  chosen: string[];
  onChange: (ids: string[]) => void;
}) {
  const base = useId();
  const id = fieldId(path, useFieldScope());
  const messages = useFieldProblems(path, true);
  const toggle = (personId: string, on: boolean) =>
    onChange(on ? [...chosen, personId] : chosen.filter((x) => x !== personId));
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
      <ul className="plain-list people-list">
        {people.map((p) => (
          <li key={p.id} className="check">
            <input
              type="checkbox"
              id={`${base}-${p.id}`}
              checked={chosen.includes(p.id)}
              onChange={(e) => toggle(p.id, e.target.checked)}
            />
            <label htmlFor={`${base}-${p.id}`}>
              {p.name} <span className="muted small">{p.email}</span>
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
