import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api.ts';
import { PInput } from '../../components/problems.tsx';
import { type CvssAnswer, reportsApi } from '../../reportsApi.ts';

/** Waits until the value has stopped changing for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** The CVSS vector field with the server's score of it, announced politely as it changes. */
export function CvssField({
  value,
  onChange,
  path = 'cvss',
  label,
  hint,
  placeholder = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
}: {
  value: string;
  onChange: (v: string) => void;
  /** The field's path in the server's problems (and its id). */
  path?: string;
  label?: string;
  hint?: string;
  placeholder?: string;
}) {
  const { t } = useTranslation();
  const vector = useDebounced(value.trim(), 400);
  const [answer, setAnswer] = useState<CvssAnswer | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setAnswer(null);
    setProblem(null);
    if (!vector) return;
    reportsApi.cvss(vector).then(
      (a) => live && setAnswer(a),
      (err: unknown) => live && setProblem(err instanceof ApiError ? err.message : t('errors.generic')),
    );
    return () => {
      live = false;
    };
  }, [vector, t]);

  return (
    <div className="score-field">
      <PInput
        path={path}
        label={label ?? t('report.cvss')}
        hint={hint ?? t('report.cvssHint')}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        spellCheck={false}
        autoComplete="off"
        placeholder={placeholder}
        className="mono-input"
      />
      <p className="score-preview" aria-live="polite" data-testid={`${path}-preview`}>
        {answer && (
          <>
            <span className={`badge sev-${answer.severity.toLowerCase()}`}>
              {answer.score.toFixed(1)}{' '}
              {t(`severity.${answer.severity.toLowerCase()}`, { defaultValue: answer.severity })}
            </span>{' '}
            <span className="muted small">CVSS {answer.version}</span>
          </>
        )}
        {problem && (
          <span className="warn-text small" lang="en">
            {problem}
          </span>
        )}
      </p>
    </div>
  );
}

/** The CWE id with suggestions from the catalogue (a datalist: type a number or words). */
export function CweField({
  value,
  onChange,
  label,
  hint,
}: {
  value: string;
  onChange: (v: string) => void;
  label?: string;
  hint?: string;
}) {
  const { t } = useTranslation();
  const listId = useId();
  const q = useDebounced(value.trim(), 300);
  const [items, setItems] = useState<{ id: string; name: string }[]>([]);

  useEffect(() => {
    let live = true;
    if (q.length < 2) {
      setItems([]);
      return;
    }
    reportsApi.cwe(q).then(
      (a) => live && setItems(a.items.slice(0, 20)),
      () => live && setItems([]),
    );
    return () => {
      live = false;
    };
  }, [q]);

  const chosen = items.find((i) => i.id.toUpperCase() === value.trim().toUpperCase());
  return (
    <div className="score-field">
      <PInput
        path="cwe"
        label={label ?? t('report.cwe')}
        hint={hint ?? t('report.cweHint')}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        list={listId}
        autoComplete="off"
        placeholder="CWE-79"
      />
      <datalist id={listId}>
        {items.map((i) => (
          <option key={i.id} value={i.id}>
            {i.name}
          </option>
        ))}
      </datalist>
      <p className="score-preview" aria-live="polite">
        {chosen && (
          <span className="small" lang="en">
            {chosen.id}: {chosen.name}
          </span>
        )}
      </p>
    </div>
  );
}
