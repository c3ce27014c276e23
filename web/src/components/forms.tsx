import { type InputHTMLAttributes, type ReactNode, type Ref, useId } from 'react';
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

/** Whether the server's error concerns this field (details.field or a validation issue path). */
export function errorFor(error: unknown, field: string): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.field === field) return error.message;
  const issue = error.issues.find((i) => i.path === `body/${field}` || i.message.includes(`"${field}"`));
  return issue ? issue.message : null;
}

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  hint?: string;
  error?: string | null;
  ref?: Ref<HTMLInputElement>;
};

/** A labelled input with an optional hint and the server's complaint about it. */
export function Field({ label, hint, error, id, className, ref, ...input }: FieldProps) {
  const auto = useId();
  const inputId = id ?? auto;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errId = error ? `${inputId}-error` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={inputId}>{label}</label>
      <input id={inputId} ref={ref} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
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
