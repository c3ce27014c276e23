import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Page } from './api.ts';
import { binder, type Setter } from './binding.ts';
import { useSession } from './session.tsx';

/** Runs an async action for a form: tracks busy state and the last error. */
export function useAction<A extends unknown[]>(fn: (...args: A) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(
    async (...args: A) => {
      setBusy(true);
      setError(null);
      try {
        await fn(...args);
      } catch (err) {
        setError(err);
      } finally {
        setBusy(false);
      }
    },
    [fn],
  );
  return { busy, error, setError, run };
}

/** onSubmit handler that prevents the page load and runs the action. */
export function submitting(run: () => Promise<void>) {
  return (e: FormEvent) => {
    e.preventDefault();
    void run();
  };
}

/** A cursor-paginated list: first page on mount / when `key` changes, then "load more". */
export function usePaged<T>(fetchPage: (cursor: string | null) => Promise<Page<T>>, key: string) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;

  const load = useCallback(async (from: string | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await fetchRef.current(from);
      setItems((prev) => (from ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(null);
  }, [load, key]);

  return {
    items,
    setItems,
    cursor,
    loading,
    error,
    reload: () => load(null),
    more: () => load(cursor),
  };
}

export type Paged<T> = ReturnType<typeof usePaged<T>>;

/**
 * The draft of a filter or small form: `bind(k)` gives an input its value and onChange, so each
 * field is one spread instead of a hand-written handler.
 */
export function useDraft<F extends Record<string, string>>(initial: F) {
  const { form: draft, setForm: setDraft, bind } = useForm<F>(initial);
  return { draft, setDraft, bind: bind.text };
}

/** A form's state with a setter per field and `bind.text(k)` / `bind.check(k)` for its controls. */
export function useForm<S extends object>(initial: S | (() => S)) {
  const [form, setForm] = useState<S>(initial);
  const set = useCallback<Setter<S>>((k, v) => setForm((f) => ({ ...f, [k]: v })), []);
  return { form, setForm, set, bind: binder<S>(form, set) };
}

/** One object loaded from the API (again when `key` changes), with its error and a reload. */
export function useResource<T>(fetchOne: () => Promise<T>, key: string) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const fetchRef = useRef(fetchOne);
  fetchRef.current = fetchOne;

  const latest = useRef(0);

  const reload = useCallback(async () => {
    // Only the newest request's answer counts (an older one may arrive last).
    const mine = ++latest.current;
    try {
      const next = await fetchRef.current();
      if (mine !== latest.current) return;
      setData(next);
      setError(null);
    } catch (err) {
      if (mine === latest.current) setError(err);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload, key]);

  return { data, setData, error, setError, reload };
}

/** Formats an ISO timestamp in the user's time zone and the UI language. */
export function useFormatDate(): (iso: string | null | undefined) => string {
  const { i18n } = useTranslation();
  const { me } = useSession();
  const timeZone = me?.user.timeZone;
  return useCallback(
    (iso) => {
      if (!iso) return '—';
      try {
        return new Intl.DateTimeFormat(i18n.language, {
          dateStyle: 'medium',
          timeStyle: 'short',
          ...(timeZone ? { timeZone } : {}),
        }).format(new Date(iso));
      } catch {
        return iso;
      }
    },
    [i18n.language, timeZone],
  );
}

/** Sets the document title for the page. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Accord`;
  }, [title]);
}
