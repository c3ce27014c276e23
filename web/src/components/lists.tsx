import type { FormEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Paged } from '../hooks.ts';
import { Link } from '../router.tsx';
import { ErrorAlert, Field, MoreButton } from './forms.tsx';

/** A column heading: its text, or its text with a class (e.g. `num`, or `visually-hidden` content). */
export type Column = ReactNode | { label: ReactNode; className: string };

function isClassed(c: Column): c is { label: ReactNode; className: string } {
  return typeof c === 'object' && c !== null && 'className' in c && 'label' in c;
}

/** The heading row of a table. */
export function HeadRow({ columns }: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) =>
          isClassed(c) ? (
            <th key={i} scope="col" className={c.className}>
              {c.label}
            </th>
          ) : (
            <th key={i} scope="col">
              {c}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}

/** A table of rows with a caption for screen readers; nothing when there are no rows. */
export function DataTable<T>({
  items,
  caption,
  columns,
  row,
  className,
}: {
  items: T[];
  caption: string;
  columns: Column[];
  /** One `<tr key=…>` per item. */
  row: (item: T) => ReactNode;
  className?: string;
}) {
  if (items.length === 0) return null;
  return (
    <div className="table-wrap">
      <table className={className}>
        <caption className="visually-hidden">{caption}</caption>
        <HeadRow columns={columns} />
        <tbody>{items.map(row)}</tbody>
      </table>
    </div>
  );
}

/**
 * A cursor-paginated list as a table: its error, a quiet count for screen readers, "nothing found",
 * the rows and "load more". Every list page draws its list with this.
 */
export function PagedTable<T>({
  list,
  error,
  shown,
  empty,
  ...table
}: {
  list: Paged<T>;
  /** An error to show instead of the list's own (e.g. from an action on a row). */
  error?: unknown;
  /** The live count announced after each load ("12 reports shown"). */
  shown?: (count: number) => string;
  /** What to say when the list is empty (default: "Nothing found."). */
  empty?: string;
  caption: string;
  columns: Column[];
  row: (item: T) => ReactNode;
  className?: string;
}) {
  const { t } = useTranslation();
  return (
    <>
      <ErrorAlert error={error ?? list.error} />
      {shown && (
        <p className="visually-hidden" role="status">
          {list.loading ? t('common.loading') : shown(list.items.length)}
        </p>
      )}
      {!list.loading && list.items.length === 0 && !list.error && (
        <p className="muted">{empty ?? t('common.noResults')}</p>
      )}
      <DataTable items={list.items} {...table} />
      <MoreButton cursor={list.cursor} busy={list.loading} onMore={() => void list.more()} />
    </>
  );
}

/** A one-line search form (role=search): the search box, any further fields, the search button. */
export function SearchBar({
  id,
  label,
  value,
  onChange,
  onSearch,
  children,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  onSearch: () => void;
  /** Further fields after the search box (e.g. a kind filter). */
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch();
  };
  return (
    <form role="search" className="filters" onSubmit={submit}>
      <Field id={id} label={label} type="search" value={value} onChange={(e) => onChange(e.target.value)} />
      {children}
      <button type="submit" className="btn">
        {t('common.search')}
      </button>
    </form>
  );
}

/** A card of filters in a grid with "apply" and "clear" (the queue, the audit log). */
export function FilterCard({
  id,
  onApply,
  onReset,
  before,
  children,
}: {
  /** Prefix of the heading's id. */
  id: string;
  onApply: () => void;
  onReset: () => void;
  /** Content above the grid (e.g. a group of checkboxes). */
  before?: ReactNode;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply();
  };
  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('audit.filters')}</h2>
      <form role="search" onSubmit={submit} noValidate>
        {before}
        <div className="grid-3">{children}</div>
        <div className="actions">
          <button type="submit" className="btn btn-primary">
            {t('common.apply')}
          </button>
          <button type="button" className="btn btn-ghost" onClick={onReset}>
            {t('common.reset')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** The way back to the list a page belongs to, above its heading. */
export function Crumb({ to, label }: { to: string; label: string }) {
  return (
    <p className="crumbs">
      <Link to={to}>{label}</Link>
    </p>
  );
}

/**
 * A page about one object of a list: the way back to the list, then the page once the object
 * has arrived (until then the loading line, or the error).
 */
export function Loaded<T>({
  back,
  data,
  error,
  children,
}: {
  back: { to: string; label: string };
  data: T | null;
  error: unknown;
  children: (data: T) => ReactNode;
}) {
  return (
    <>
      <Crumb to={back.to} label={back.label} />
      {data ? children(data) : <Pending error={error} />}
    </>
  );
}

/** The loading line or the error of something that has not arrived yet. */
export function Pending({ error }: { error: unknown }) {
  const { t } = useTranslation();
  return error ? (
    <ErrorAlert error={error} />
  ) : (
    <p className="muted" role="status">
      {t('common.loading')}
    </p>
  );
}
