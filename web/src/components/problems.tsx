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
import { type ControlAria, ErrorAlert, Labelled } from './forms.tsx';

/**
 * Field-by-field validation errors for long forms: the server names every problem
 * (`affected[0].identifier`), each is shown on its field (aria-invalid + aria-describedby) and
 * listed, with a link to the field, in a summary at the top.
 */

/**
 * The DOM id of the control for a field path: `affected[0].identifier` → `f-affected-0-identifier`.
 * A form that shares its page with others gives a `scope` (`f-vuln-title`), so ids stay unique.
 */
export function fieldId(path: string, scope = ''): string {
  return `f-${scope ? `${scope}-` : ''}${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '')}`;
}

/** Every field problem of an error (a single `details.field` counts as one). */
export function problemsOf(error: unknown): FieldProblem[] {
  if (!(error instanceof ApiError)) return [];
  if (error.problems.length > 0) return error.problems;
  return error.field ? [{ field: error.field, message: error.message }] : [];
}

const ProblemsContext = createContext<{ problems: FieldProblem[]; scope: string }>({ problems: [], scope: '' });

export function ProblemsProvider({
  error,
  scope = '',
  children,
}: {
  error: unknown;
  /** Prefix of the field ids, for a form that shares its page with others. */
  scope?: string;
  children: ReactNode;
}) {
  return <ProblemsContext.Provider value={{ problems: problemsOf(error), scope }}>{children}</ProblemsContext.Provider>;
}

/** The id prefix of the form around (see `fieldId`). */
export function useFieldScope(): string {
  return useContext(ProblemsContext).scope;
}

/** Messages for `path` itself, or also for the paths under it (`publicReferences[2]`) with `nested`. */
export function useFieldProblems(path: string, nested = false): string[] {
  const { problems } = useContext(ProblemsContext);
  return problems
    .filter((p) => p.field === path || (nested && (p.field.startsWith(`${path}[`) || p.field.startsWith(`${path}.`))))
    .map((p) => p.message);
}

interface Common {
  path: string;
  label: ReactNode;
  hint?: string;
  /** Also show the problems of sub-paths (list items) here. */
  nested?: boolean;
  className?: string;
}

/** A control whose id comes from its field path and whose errors come from the server's problems. */
function ProblemField({
  path,
  label,
  hint,
  nested = false,
  className,
  inline,
  children,
}: Common & { inline?: boolean; children: (aria: ControlAria) => ReactNode }) {
  const messages = useFieldProblems(path, nested);
  const scope = useFieldScope();
  return (
    <Labelled
      id={fieldId(path, scope)}
      label={label}
      hint={hint}
      error={messages.join(' · ') || null}
      className={className}
      inline={inline}
    >
      {children}
    </Labelled>
  );
}

export function PInput({
  path,
  label,
  hint,
  nested,
  className,
  ...input
}: Common & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <ProblemField path={path} label={label} hint={hint} nested={nested} className={className}>
      {(aria) => <input {...input} {...aria} />}
    </ProblemField>
  );
}

export function PTextArea({
  path,
  label,
  hint,
  nested,
  className,
  ...area
}: Common & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <ProblemField path={path} label={label} hint={hint} nested={nested} className={className}>
      {(aria) => <textarea rows={5} {...area} {...aria} />}
    </ProblemField>
  );
}

export function PSelect({
  path,
  label,
  hint,
  nested,
  className,
  children,
  ...select
}: Common & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <ProblemField path={path} label={label} hint={hint} nested={nested} className={className}>
      {(aria) => (
        <select {...select} {...aria}>
          {children}
        </select>
      )}
    </ProblemField>
  );
}

export function PCheck({ path, label, hint, className, ...input }: Common & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <ProblemField path={path} label={label} hint={hint} className={className} inline>
      {(aria) => <input type="checkbox" {...input} {...aria} />}
    </ProblemField>
  );
}

/** Moves focus to the control of `path`, or of the nearest enclosing path that has one. */
export function focusField(path: string, scope = ''): void {
  let p = path;
  for (;;) {
    const el = document.getElementById(fieldId(p, scope));
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

interface SummaryProps {
  error: unknown;
  id?: string;
  /** The field's label as the form shows it; the field path is shown when there is none. */
  labelOf?: (field: string) => string | null;
}

/** The list of every problem at the top of a form, each a link to its field. */
export function ProblemSummary({ error, id, labelOf }: SummaryProps) {
  const { t } = useTranslation();
  const scope = useFieldScope();
  const problems = problemsOf(error);
  if (problems.length === 0) return null;
  return (
    <div className="alert alert-error" role="alert" id={id} tabIndex={-1}>
      <p className="alert-title">{t('problems.title', { count: problems.length })}</p>
      <ul>
        {problems.map((p) => (
          <li key={`${p.field}:${p.message}`}>
            <a
              href={`#${fieldId(p.field, scope)}`}
              onClick={(e) => {
                e.preventDefault();
                focusField(p.field, scope);
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
export function FormErrors({ error, id, labelOf }: SummaryProps) {
  return problemsOf(error).length > 0 ? (
    <ProblemSummary error={error} id={id} labelOf={labelOf} />
  ) : (
    <ErrorAlert error={error} />
  );
}
