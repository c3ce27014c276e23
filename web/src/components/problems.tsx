import {
  createContext,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useContext,
} from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, type FieldProblem } from '../api.ts';
import { ErrorAlert } from './forms.tsx';

/**
 * Field-by-field validation errors for long forms: the server names every problem
 * (`affected[0].identifier`), each is shown on its field (aria-invalid + aria-describedby) and
 * listed, with a link to the field, in a summary at the top.
 */

/** The DOM id of the control for a field path: `affected[0].identifier` → `f-affected-0-identifier`. */
export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '')}`;
}

/** Every field problem of an error (a single `details.field` counts as one). */
export function problemsOf(error: unknown): FieldProblem[] {
  if (!(error instanceof ApiError)) return [];
  if (error.problems.length > 0) return error.problems;
  return error.field ? [{ field: error.field, message: error.message }] : [];
}

const ProblemsContext = createContext<FieldProblem[]>([]);

export function ProblemsProvider({ error, children }: { error: unknown; children: ReactNode }) {
  return <ProblemsContext.Provider value={problemsOf(error)}>{children}</ProblemsContext.Provider>;
}

/** Messages for `path` itself, or also for the paths under it (`publicReferences[2]`) with `nested`. */
export function useFieldProblems(path: string, nested = false): string[] {
  const problems = useContext(ProblemsContext);
  return problems
    .filter((p) => p.field === path || (nested && (p.field.startsWith(`${path}[`) || p.field.startsWith(`${path}.`))))
    .map((p) => p.message);
}

/** The label/hint/error wiring of one control. */
function useControl(path: string, hint: string | undefined, nested: boolean) {
  const id = fieldId(path);
  const messages = useFieldProblems(path, nested);
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = messages.length ? `${id}-error` : undefined;
  return {
    id,
    messages,
    hintId,
    errId,
    aria: {
      id,
      'aria-invalid': messages.length ? true : undefined,
      'aria-describedby': [hintId, errId].filter(Boolean).join(' ') || undefined,
    },
  };
}

function Extras({
  hint,
  hintId,
  errId,
  messages,
}: {
  hint?: ReactNode;
  hintId?: string;
  errId?: string;
  messages: string[];
}) {
  return (
    <>
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {messages.length > 0 && (
        <p className="field-error" id={errId}>
          {messages.join(' · ')}
        </p>
      )}
    </>
  );
}

interface Common {
  path: string;
  label: ReactNode;
  hint?: string;
  /** Also show the problems of sub-paths (list items) here. */
  nested?: boolean;
  className?: string;
}

export function PInput({
  path,
  label,
  hint,
  nested = false,
  className,
  ...input
}: Common & InputHTMLAttributes<HTMLInputElement>) {
  const c = useControl(path, hint, nested);
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={c.id}>{label}</label>
      <input {...input} {...c.aria} />
      <Extras hint={hint} hintId={c.hintId} errId={c.errId} messages={c.messages} />
    </div>
  );
}

export function PTextArea({
  path,
  label,
  hint,
  nested = false,
  className,
  ...area
}: Common & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const c = useControl(path, hint, nested);
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={c.id}>{label}</label>
      <textarea rows={5} {...area} {...c.aria} />
      <Extras hint={hint} hintId={c.hintId} errId={c.errId} messages={c.messages} />
    </div>
  );
}

export function PSelect({
  path,
  label,
  hint,
  nested = false,
  className,
  children,
  ...select
}: Common & SelectHTMLAttributes<HTMLSelectElement>) {
  const c = useControl(path, hint, nested);
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={c.id}>{label}</label>
      <select {...select} {...c.aria}>
        {children}
      </select>
      <Extras hint={hint} hintId={c.hintId} errId={c.errId} messages={c.messages} />
    </div>
  );
}

export function PCheck({ path, label, hint, className, ...input }: Common & InputHTMLAttributes<HTMLInputElement>) {
  const c = useControl(path, hint, false);
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <div className="check">
        <input type="checkbox" {...input} {...c.aria} />
        <label htmlFor={c.id}>{label}</label>
      </div>
      <Extras hint={hint} hintId={c.hintId} errId={c.errId} messages={c.messages} />
    </div>
  );
}

/** Moves focus to the control of `path`, or of the nearest enclosing path that has one. */
export function focusField(path: string): void {
  let p = path;
  for (;;) {
    const el = document.getElementById(fieldId(p));
    if (el) {
      el.focus();
      el.scrollIntoView({ block: 'center' });
      return;
    }
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) return;
    p = p.slice(0, cut);
  }
}

/** The list of every problem at the top of a form, each a link to its field. */
export function ProblemSummary({
  error,
  id,
  labelOf,
}: {
  error: unknown;
  id?: string;
  /** The field's label as the form shows it; the field path is shown when there is none. */
  labelOf?: (field: string) => string | null;
}) {
  const { t } = useTranslation();
  const problems = problemsOf(error);
  if (problems.length === 0) return null;
  return (
    <div className="alert alert-error" role="alert" id={id} tabIndex={-1}>
      <p className="alert-title">{t('problems.title', { count: problems.length })}</p>
      <ul>
        {problems.map((p) => (
          <li key={`${p.field}:${p.message}`}>
            <a
              href={`#${fieldId(p.field)}`}
              onClick={(e) => {
                e.preventDefault();
                focusField(p.field);
              }}
            >
              {labelOf?.(p.field) ?? <code>{p.field}</code>}
            </a>
            : <span lang="en">{p.message}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The errors at the top of a form: the field-by-field summary, or the plain message when no field is named. */
export function FormErrors({
  error,
  id,
  labelOf,
}: {
  error: unknown;
  id?: string;
  labelOf?: (field: string) => string | null;
}) {
  return problemsOf(error).length > 0 ? (
    <ProblemSummary error={error} id={id} labelOf={labelOf} />
  ) : (
    <ErrorAlert error={error} />
  );
}
