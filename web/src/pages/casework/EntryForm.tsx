import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert, Submit } from '../../components/forms.tsx';

/**
 * The "add an entry" form that the execution template's lists (stakeholders, meetings,
 * reproductions, remediations) and the self-assessment's gap actions share: a heading, the
 * server's complaint, the fields, and a submit button that repeats the heading.
 */
export function EntryForm({
  title,
  error,
  busy,
  onSubmit,
  children,
}: {
  title: string;
  error: unknown;
  busy: boolean;
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <form
      className="cw-add"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <h3>{title}</h3>
      <ErrorAlert error={error} />
      {children}
      <Submit busy={busy}>{title}</Submit>
    </form>
  );
}

/** Removes one entry of a list (a stakeholder, a meeting, a gap action…). */
export function RemoveButton({ busy, onClick }: { busy: boolean; onClick: () => void }) {
  const { t } = useTranslation();
  return (
    <button type="button" className="btn btn-small btn-ghost" disabled={busy} onClick={onClick}>
      {t('casework.remove')}
    </button>
  );
}
