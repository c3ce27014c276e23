import { type InputHTMLAttributes, type ReactNode, type Ref, type SelectHTMLAttributes, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';

/** The message for a failed call: the server's words, with the code's summary when not in English. */
export function ErrorAlert({ error }: { error: unknown }) {
  const { t, i18n } = useTranslation();
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const summaryKey = api ? `errors.${api.code}` : 'errors.unexpected';
  const summary = i18n.exists(summaryKey) ? t(summaryKey) : t('errors.generic');
  const showSummary = i18n.language !== 'en' || !api;
  const issues = api?.issues ?? [];
  return (
    <div className="alert alert-error" role="alert">
      {showSummary && <p className="alert-title">{summary}</p>}
      <p lang={api ? 'en' : undefined}>{message}</p>
      {issues.length > 1 && (
        <ul>
          {issues.map((i) => (
            <li key={`${i.path}:${i.message}`} lang="en">
              {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert-ok" role="status">
      {children}
    </div>
  );
}

/**
 * Whether the server's error concerns this field: its own entries in details.problems (every field
 * found wrong, each with its message), else details.field or a validation issue path.
 */
export function errorFor(error: unknown, field: string): string | null {
  if (!(error instanceof ApiError)) return null;
  const own = error.problems.filter((p) => p.field === field).map((p) => p.message);
  if (own.length > 0) return own.join(' · ');
  if (error.field === field) return error.message;
  const issue = error.issues.find((i) => i.path === `body/${field}` || i.message.includes(`"${field}"`));
  return issue ? issue.message : null;
}

/** The attributes that tie a control to its label, hint and error message. */
export interface ControlAria {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

interface LabelledProps {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  /** The control's id; a generated one when absent. */
  id?: string | undefined;
  className?: string | undefined;
  /** A checkbox or radio: the label goes after the control, on the same line. */
  inline?: boolean;
  children: (aria: ControlAria) => ReactNode;
}

/**
 * The markup every form control shares: its label, the control (given the id and aria wiring),
 * an optional hint and the complaint about it, both announced through aria-describedby.
 */
export function Labelled({ label, hint, error, id, className, inline = false, children }: LabelledProps) {
  const auto = useId();
  const controlId = id ?? auto;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const errId = error ? `${controlId}-error` : undefined;
  const aria: ControlAria = {
    id: controlId,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': [hintId, errId].filter(Boolean).join(' ') || undefined,
  };
  const labelEl = <label htmlFor={controlId}>{label}</label>;
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      {inline ? (
        <div className="check">
          {children(aria)}
          {labelEl}
        </div>
      ) : (
        <>
          {labelEl}
          {children(aria)}
        </>
      )}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errId}>
          {error}
        </p>
      )}
    </div>
  );
}

interface PlainField {
  label: string;
  hint?: string;
  error?: string | null;
}

type FieldProps = InputHTMLAttributes<HTMLInputElement> & PlainField & { ref?: Ref<HTMLInputElement> };

/** A labelled input with an optional hint and the server's complaint about it. */
export function Field({ label, hint, error, id, className, ref, ...input }: FieldProps) {
  return (
    <Labelled label={label} hint={hint} error={error} id={id} className={className}>
      {(aria) => <input {...aria} ref={ref} {...input} />}
    </Labelled>
  );
}

/** A labelled select (the options are its children). */
export function SelectField({
  label,
  hint,
  error,
  id,
  className,
  children,
  ...select
}: SelectHTMLAttributes<HTMLSelectElement> & PlainField) {
  return (
    <Labelled label={label} hint={hint} error={error} id={id} className={className}>
      {(aria) => (
        <select {...aria} {...select}>
          {children}
        </select>
      )}
    </Labelled>
  );
}

export function Submit({ busy, children }: { busy: boolean; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy}>
      {busy ? t('common.working') : children}
    </button>
  );
}

/** Loads the next page of a cursor-paginated list. */
export function MoreButton({ cursor, busy, onMore }: { cursor: string | null; busy: boolean; onMore: () => void }) {
  const { t } = useTranslation();
  if (!cursor) return null;
  return (
    <div className="more">
      <button type="button" className="btn" onClick={onMore} disabled={busy}>
        {busy ? t('common.loading') : t('common.loadMore')}
      </button>
    </div>
  );
}
