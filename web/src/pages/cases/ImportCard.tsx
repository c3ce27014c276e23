import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, request } from '../../api.ts';
import { ErrorAlert, Labelled, Notice } from '../../components/forms.tsx';
import { useAction } from '../../hooks.ts';
import { Link } from '../../router.tsx';

/**
 * What the import routes answer: POST /api/v1/cases/:ref/imports (src/advisories/import/commands.ts
 * ImportResult) and POST /api/v1/advisories/imports (StandaloneImportResult: `advisory` and
 * `products` instead of `vendors`).
 */
interface ImportReport {
  dryRun: boolean;
  format: string;
  source: { id: string; title: string; label: string };
  vulnerabilities: { key: string; cveId: string | null; title: string; action: string }[];
  vendors?: { name: string | null; orgName: string; matchedBy: string }[];
  products?: { id: string; vendor: string; name: string; version: string }[];
  advisory?: { trackingId: string | null; title: string; tlp: string };
  statuses: {
    vendor: string;
    product: string;
    vulnerability: string;
    status: string;
    justification: string | null;
    fixedVersions: string | null;
    action: string;
  }[];
  unmapped: { path: string; reason: string }[];
}

interface Finding {
  path: string;
  message: string;
  severity: string;
  test?: string;
}

/** Where the document goes: into a case (its vendors' statements) or into a new standalone draft advisory. */
export type ImportTarget = { kind: 'case'; caseId: string } | { kind: 'standalone' };

const importDocument = (target: ImportTarget, document: unknown, dryRun: boolean) =>
  request<ImportReport>(
    'POST',
    target.kind === 'case'
      ? `/api/v1/cases/${encodeURIComponent(target.caseId)}/imports`
      : '/api/v1/advisories/imports',
    { document, dryRun },
  );

/**
 * An upstream supplier's CSAF 2.0, CVE 5 or OSV document, pasted or from a file, into the case or
 * into a new standalone draft advisory: first a dry run that shows what would be applied and what
 * cannot be mapped (with the JSON path and why), then the import. An invalid document is refused
 * with the validator's findings, listed here.
 */
export function ImportCard({
  target,
  onImported,
  open = false,
}: {
  target: ImportTarget;
  onImported: (report: ImportReport) => Promise<void> | void;
  open?: boolean;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [unfolded] = useState(open);
  const standalone = target.kind === 'standalone';

  /** The document as JSON, or null (with the reason shown on the field) when it is not JSON. */
  const parsed = (): unknown => {
    try {
      const value: unknown = JSON.parse(text);
      setParseError(null);
      return value;
    } catch (err) {
      setParseError(t('cases.import.notJson', { error: (err as Error).message }));
      return undefined;
    }
  };
  const check = useAction(async () => {
    setDone(null);
    setReport(null);
    const document = parsed();
    if (document === undefined) return;
    setReport(await importDocument(target, document, true));
  });
  const apply = useAction(async () => {
    const document = parsed();
    if (document === undefined) return;
    const r = await importDocument(target, document, false);
    setReport(r);
    setDone(
      standalone
        ? t('advisories.import.done', { label: r.source.label, trackingId: r.advisory?.trackingId ?? '' })
        : t('cases.import.done', { label: r.source.label }),
    );
    await onImported(r);
  });
  const change = (value: string) => {
    setText(value);
    setReport(null);
    setDone(null);
    setParseError(null);
    check.setError(null);
    apply.setError(null);
  };
  const read = async (file: File | undefined) => {
    change('');
    setFileName(file?.name ?? null);
    if (file) change(await file.text());
  };
  const error = check.error ?? apply.error;
  const findings =
    error instanceof ApiError && Array.isArray(error.details.findings) ? (error.details.findings as Finding[]) : [];
  const idPrefix = standalone ? 'advisory-import' : 'case-import';
  return (
    <details className="card form-card" id={idPrefix} open={unfolded}>
      <summary className="h3">{standalone ? t('advisories.import.title') : t('cases.import.title')}</summary>
      <p className="hint">{standalone ? t('advisories.import.hint') : t('cases.import.hint')}</p>
      <Labelled label={t('cases.import.file')} hint={fileName ?? undefined}>
        {(aria) => (
          <input
            {...aria}
            type="file"
            accept=".json,application/json"
            onChange={(e) => void read(e.target.files?.[0])}
          />
        )}
      </Labelled>
      <Labelled label={t('cases.import.paste')} error={parseError}>
        {(aria) => (
          <textarea
            {...aria}
            className="mono"
            rows={8}
            spellCheck={false}
            value={text}
            onChange={(e) => change(e.target.value)}
          />
        )}
      </Labelled>
      <ErrorAlert error={error} />
      {findings.length > 0 && (
        <ul className="small" aria-label={t('cases.import.findings')}>
          {findings
            .filter((f) => f.severity === 'error')
            .map((f, i) => (
              <li key={i}>
                <code>{f.path || '/'}</code> {f.message}
                {f.test && f.test !== 'schema' ? ` (${f.test})` : ''}
              </li>
            ))}
        </ul>
      )}
      <div aria-live="polite">
        {done && (
          <Notice>
            {done}
            {report?.advisory?.trackingId && (
              <>
                {' '}
                <Link to={`/staff/advisories/${encodeURIComponent(report.advisory.trackingId)}`}>
                  {t('advisories.import.open', { trackingId: report.advisory.trackingId })}
                </Link>
              </>
            )}
          </Notice>
        )}
      </div>
      <div className="actions">
        <button
          type="button"
          className="btn"
          disabled={text.trim() === '' || check.busy}
          onClick={() => void check.run()}
        >
          {t('cases.import.check')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={!report?.dryRun || apply.busy}
          onClick={() => void apply.run()}
        >
          {t('cases.import.apply')}
        </button>
      </div>
      {report && <ImportReportView report={report} />}
    </details>
  );
}

function ImportReportView({ report }: { report: ImportReport }) {
  const { t } = useTranslation();
  const statusLabel = (s: string) =>
    report.products
      ? t(`advisories.productStatuses.${s}`, { defaultValue: s })
      : t(`cases.vendorStatus.${s}`, { defaultValue: s });
  return (
    <section aria-label={t('cases.import.report')} data-testid="import-report">
      <p>
        <strong>{report.source.label}</strong> — {report.dryRun ? t('cases.import.dryRun') : t('cases.import.applied')}
      </p>
      <h3>{t('cases.import.vulnerabilities')}</h3>
      <ul>
        {report.vulnerabilities.map((v) => (
          <li key={v.key}>
            <span className="mono">{v.cveId ?? v.key}</span> {v.title}:{' '}
            {t(`cases.import.actions.${v.action}`, { defaultValue: v.action })}
          </li>
        ))}
      </ul>
      {report.products ? (
        <>
          <h3>{t('advisories.import.products', { count: report.products.length })}</h3>
          <ul>
            {report.products.map((p) => (
              <li key={p.id}>
                {[p.vendor, p.name, p.version].filter(Boolean).join(' ')} <span className="mono muted">({p.id})</span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <>
          <h3>{t('cases.import.vendors')}</h3>
          {(report.vendors ?? []).length === 0 ? (
            <p className="muted">{t('cases.import.noVendor')}</p>
          ) : (
            <ul>
              {(report.vendors ?? []).map((v, i) => (
                <li key={i}>
                  {v.name ?? '—'} → {v.orgName}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <h3>{t('cases.import.statuses', { count: report.statuses.length })}</h3>
      {report.statuses.length > 0 && (
        <table className="table-dense">
          <caption className="visually-hidden">{t('cases.import.statuses', { count: report.statuses.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('cases.import.vendor')}</th>
              <th scope="col">{t('cases.import.product')}</th>
              <th scope="col">{t('cases.import.vulnerability')}</th>
              <th scope="col">{t('cases.import.status')}</th>
              <th scope="col">{t('cases.import.change')}</th>
            </tr>
          </thead>
          <tbody>
            {report.statuses.map((s, i) => (
              <tr key={i}>
                <td>{s.vendor}</td>
                <td>{s.product}</td>
                <td className="mono">{s.vulnerability}</td>
                <td>
                  {statusLabel(s.status)}
                  {s.fixedVersions ? ` (${t('cases.import.fixedIn', { versions: s.fixedVersions })})` : ''}
                </td>
                <td>{t(`cases.import.actions.${s.action}`, { defaultValue: s.action })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t('cases.import.unmapped', { count: report.unmapped.length })}</h3>
      {report.unmapped.length > 0 && (
        <ul className="small" data-testid="import-unmapped">
          {report.unmapped.map((u, i) => (
            <li key={i}>
              <code>{u.path || '/'}</code> {u.reason}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
