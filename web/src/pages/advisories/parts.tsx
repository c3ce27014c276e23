import { type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdvisoryState } from '../../advisoriesApi.ts';
import { Labelled } from '../../components/forms.tsx';
import { fieldId, useFieldProblems, useFieldScope } from '../../components/problems.tsx';

export function StateBadge({ state }: { state: AdvisoryState }) {
  const { t } = useTranslation();
  return <span className={`badge adv-state adv-${state}`}>{t(`advisories.states.${state}`)}</span>;
}

/**
 * A list inside the document (notes, products, remediations…): each item in a fieldset with its
 * remove button, and an add button. Problems of the list itself (`vulnerabilities[0].remediations`)
 * show under its heading.
 */
export function ListEditor<T>({
  path,
  legend,
  items,
  itemLegend,
  add,
  addLabel,
  onChange,
  render,
}: {
  path: string;
  legend: string;
  items: T[];
  itemLegend: (item: T, i: number) => string;
  add: () => T;
  addLabel: string;
  onChange: (items: T[]) => void;
  render: (item: T, i: number, path: string, set: (item: T) => void) => ReactNode;
}) {
  const { t } = useTranslation();
  const scope = useFieldScope();
  const own = useFieldProblems(path);
  const id = fieldId(path, scope);
  return (
    <fieldset className="adv-list" aria-describedby={own.length > 0 ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {own.length > 0 && (
        <p className="field-error" id={`${id}-error`}>
          {own.join(' · ')}
        </p>
      )}
      {items.map((item, i) => (
        <fieldset key={i} className="adv-item">
          <legend>{itemLegend(item, i)}</legend>
          {render(item, i, `${path}[${i}]`, (next) => onChange(items.map((x, j) => (j === i ? next : x))))}
          <div className="actions">
            <button
              type="button"
              className="btn btn-ghost btn-small"
              onClick={() => onChange(items.filter((_, j) => j !== i))}
            >
              {t('advisories.remove', { item: itemLegend(item, i) })}
            </button>
          </div>
        </fieldset>
      ))}
      <button type="button" id={id} className="btn btn-small" onClick={() => onChange([...items, add()])}>
        {addLabel}
      </button>
    </fieldset>
  );
}

/** A text control whose value is parsed (JSON, a comma list): kept as typed until it parses. */
export function ParsedArea<T>({
  path,
  label,
  hint,
  value,
  format,
  parse,
  onChange,
  rows = 3,
  input = false,
}: {
  path: string;
  label: string;
  hint?: string;
  value: T;
  format: (v: T) => string;
  /** The value, or a message saying what is wrong with the text. */
  parse: (text: string) => { ok: true; value: T } | { ok: false; message: string };
  onChange: (v: T) => void;
  rows?: number;
  input?: boolean;
}) {
  const scope = useFieldScope();
  const problems = useFieldProblems(path, true);
  const [text, setText] = useState(() => format(value));
  const [own, setOwn] = useState<string | null>(null);
  // A value changed from outside (a reload) replaces what is typed when it differs from it.
  useEffect(() => {
    setText((current) => {
      const parsed = parse(current);
      return parsed.ok && format(parsed.value) === format(value) ? current : format(value);
    });
  }, [value]);
  const errors = [...(own ? [own] : []), ...problems];
  const change = (next: string) => {
    setText(next);
    const parsed = parse(next);
    if (parsed.ok) {
      setOwn(null);
      onChange(parsed.value);
    } else setOwn(parsed.message);
  };
  return (
    <Labelled id={fieldId(path, scope)} label={label} hint={hint} error={errors.join(' · ') || null}>
      {(aria) =>
        input ? (
          <input {...aria} value={text} onChange={(e) => change(e.target.value)} />
        ) : (
          <textarea
            {...aria}
            rows={rows}
            className="mono-input"
            value={text}
            onChange={(e) => change(e.target.value)}
          />
        )
      }
    </Labelled>
  );
}
