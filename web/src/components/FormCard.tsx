import { type ReactNode, useState } from 'react';
import { submitting } from '../hooks.ts';
import { Notice, Submit } from './forms.tsx';
import { FormErrors, ProblemsProvider } from './problems.tsx';

/** A collapsible card holding one form; the server's problems are shown field by field. */
export function FormCard({
  id,
  title,
  intro,
  open = false,
  notice = null,
  action,
  submit,
  children,
}: {
  /** The card's id, also the prefix of its field ids. */
  id: string;
  title: string;
  intro?: string;
  /** Shown unfolded at first (a form the page is mostly about). */
  open?: boolean;
  /** What the last submission did ("Vulnerability added."). */
  notice?: string | null;
  /** The submission (from `useAction`): its run, busy state and last error. */
  action: { run: () => Promise<void>; busy: boolean; error: unknown };
  submit: string;
  children: ReactNode;
}) {
  // Unfolded or not when first shown; afterwards it is the reader's to fold.
  const [unfolded] = useState(open);
  return (
    <details className="card form-card" id={id} open={unfolded}>
      <summary className="h3">{title}</summary>
      {intro && <p className="hint">{intro}</p>}
      <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
      <ProblemsProvider error={action.error} scope={id}>
        <form onSubmit={submitting(action.run)} noValidate>
          <FormErrors error={action.error} />
          {children}
          <div className="actions">
            <Submit busy={action.busy}>{submit}</Submit>
          </div>
        </form>
      </ProblemsProvider>
    </details>
  );
}
