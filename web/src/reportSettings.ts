import { useEffect, useState } from 'react';
import { type ReportSettings, reportsApi } from './reportsApi.ts';

/**
 * The instance's report settings (attachment limits, languages, credit types, response time),
 * fetched once per page load and shared by every form that needs them. A failed fetch is not
 * kept, so the next form to mount asks again; meanwhile the server still checks everything.
 */
let pending: Promise<ReportSettings> | null = null;
let loaded: ReportSettings | null = null;

function loadReportSettings(): Promise<ReportSettings> {
  pending ??= reportsApi.settings().then(
    (s) => (loaded = s),
    (err: unknown) => {
      pending = null;
      throw err;
    },
  );
  return pending;
}

export function useReportSettings(): { settings: ReportSettings | null; error: unknown } {
  const [state, setState] = useState<{ settings: ReportSettings | null; error: unknown }>(() => ({
    settings: loaded,
    error: null,
  }));
  useEffect(() => {
    if (state.settings) return;
    let live = true;
    loadReportSettings().then(
      (settings) => live && setState({ settings, error: null }),
      (error: unknown) => live && setState({ settings: null, error }),
    );
    return () => {
      live = false;
    };
  }, [state.settings]);
  return state;
}

/** An example tracking id in this instance's form (e.g. "ACC-2026-0001"), for placeholders and hints. */
export function exampleTrackingId(settings: ReportSettings | null): string {
  return `${settings?.trackingIdPrefix ?? 'ACC'}-${new Date().getFullYear()}-0001`;
}
