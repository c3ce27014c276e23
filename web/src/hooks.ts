import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Page } from './api.ts';
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
