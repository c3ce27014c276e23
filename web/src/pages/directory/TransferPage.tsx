import { type ChangeEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert, Submit } from '../../components/forms.tsx';
import { Crumb, DataTable } from '../../components/lists.tsx';
import { FormErrors, PInput, PSelect, PTextArea, ProblemsProvider } from '../../components/problems.tsx';
import { formatSize } from '../../files.ts';
import { submitting, useAction, useTitle } from '../../hooks.ts';
import { saveBlob } from '../../reportsApi.ts';
import { type DataFormat, directoryApi, fieldErrors, type ImportReport } from './directoryApi.ts';

/** The columns the server reads from a CSV file (one contact and/or product per row). */
const csvColumns = [
  'organization',
  'kind',
  'website',
  'country',
  'time_zone',
  'languages',
  'contact_email',
  'contact_role',
  'contact_name',
  'contact_phone',
  'product',
  'product_identifier',
  'product_versions',
];

/** What the server accepts in one import. */
const MAX_BYTES = 10_000_000;

/** Staff import organizations with contacts and products (CSV or JSON) and export the directory. */
export function TransferPage() {
  const { t } = useTranslation();
  useTitle(t('directory.transfer.title'));
  return (
    <>
      <Crumb to="/directory" label={t('directory.title')} />
      <h1>{t('directory.transfer.title')}</h1>
      <ImportSection />
      <ExportSection />
    </>
  );
}

function ImportSection() {
  const { t, i18n } = useTranslation();
  const [format, setFormat] = useState<DataFormat>('csv');
  const [file, setFile] = useState<{ name: string; size: number; text: string } | null>(null);
  const [pasted, setPasted] = useState('');
  const [local, setLocal] = useState<string | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  // A new key gives a fresh (empty) file input after each import.
  const [fileKey, setFileKey] = useState(0);
  const reportHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    // Screen-reader and keyboard users land on the report when it arrives.
    if (report) reportHeading.current?.focus();
  }, [report]);

  const choose = async (e: ChangeEvent<HTMLInputElement>) => {
    setLocal(null);
    const f = e.target.files?.[0];
    if (!f) {
      setFile(null);
      return;
    }
    if (f.size > MAX_BYTES) {
      setFile(null);
      setLocal(t('directory.transfer.tooBig', { limit: formatSize(MAX_BYTES, i18n.language) }));
      e.target.value = '';
      return;
    }
    setFile({ name: f.name, size: f.size, text: await f.text() });
    if (/\.json$/i.test(f.name) || f.type === 'application/json') setFormat('json');
    else if (/\.csv$/i.test(f.name) || f.type === 'text/csv') setFormat('csv');
  };

  const run = useAction(async () => {
    setReport(null);
    setLocal(null);
    const content = file?.text ?? pasted;
    if (!content.trim()) {
      setLocal(t('directory.transfer.nothing'));
      return;
    }
    setReport(await fieldErrors(directoryApi.importData(format, content)));
    setFile(null);
    setPasted('');
    setFileKey((k) => k + 1);
  });

  return (
    <>
      <section className="card" aria-labelledby="import-heading">
        <h2 id="import-heading">{t('directory.transfer.import')}</h2>
        <p className="hint">{t('directory.transfer.importIntro')}</p>
        <details>
          <summary>{t('directory.transfer.columns')}</summary>
          <p>
            <code className="small">{csvColumns.join(',')}</code>
          </p>
          <p className="hint">{t('directory.transfer.columnsHint')}</p>
        </details>
        <ProblemsProvider error={run.error} scope="import">
          <form onSubmit={submitting(run.run)} noValidate>
            <FormErrors error={run.error} />
            {local && (
              <div className="alert alert-error" role="alert">
                {local}
              </div>
            )}
            <div className="grid-2">
              <PInput
                key={fileKey}
                path={file ? 'content' : 'file'}
                label={t('directory.transfer.file')}
                hint={
                  file
                    ? t('directory.transfer.chosen', { name: file.name, size: formatSize(file.size, i18n.language) })
                    : t('directory.transfer.fileHint')
                }
                type="file"
                accept=".csv,.json,text/csv,application/json"
                onChange={(e) => void choose(e)}
              />
              <PSelect
                path="format"
                label={t('directory.transfer.format')}
                value={format}
                onChange={(e) => setFormat(e.target.value as DataFormat)}
              >
                <option value="csv">CSV</option>
                <option value="json">JSON</option>
              </PSelect>
            </div>
            <PTextArea
              path={file ? 'pasted' : 'content'}
              label={t('directory.transfer.paste')}
              hint={t('directory.transfer.pasteHint')}
              rows={6}
              spellCheck={false}
              className="mono-input"
              disabled={file !== null}
              value={pasted}
              onChange={(e) => setPasted(e.target.value)}
            />
            <div className="actions">
              <Submit busy={run.busy}>{t('directory.transfer.importSubmit')}</Submit>
            </div>
          </form>
        </ProblemsProvider>
      </section>
      {report && (
        <section className="card" aria-labelledby="import-report-heading" data-testid="import-report">
          <h2 id="import-report-heading" ref={reportHeading} tabIndex={-1}>
            {t('directory.transfer.report')}
          </h2>
          <dl className="figures">
            <div>
              <dt>{t('directory.transfer.created')}</dt>
              <dd>{report.created}</dd>
            </div>
            <div>
              <dt>{t('directory.transfer.updated')}</dt>
              <dd>{report.updated}</dd>
            </div>
            <div>
              <dt>{t('directory.transfer.contacts')}</dt>
              <dd>{report.contacts}</dd>
            </div>
            <div>
              <dt>{t('directory.transfer.products')}</dt>
              <dd>{report.products}</dd>
            </div>
            <div>
              <dt>{t('directory.transfer.rejected')}</dt>
              <dd>{report.rejected.length}</dd>
            </div>
          </dl>
          {report.rejected.length === 0 ? (
            <p className="alert alert-ok" role="status">
              {t('directory.transfer.allImported')}
            </p>
          ) : (
            <>
              <p className="alert alert-warn" role="status">
                {t('directory.transfer.rejectedIntro', { count: report.rejected.length })}
              </p>
              <DataTable
                items={report.rejected}
                caption={t('directory.transfer.rejectedCaption')}
                className="table-dense"
                columns={[t('directory.transfer.where'), t('orgs.name'), t('directory.transfer.problems')]}
                row={(r) => (
                  <tr key={r.at} data-testid="rejected-row">
                    <td className="nowrap">{r.at}</td>
                    <th scope="row">{r.name || <span className="muted">{t('directory.transfer.noName')}</span>}</th>
                    <td>
                      <ul className="plain-list">
                        {r.problems.map((p) => (
                          <li key={`${p.field}:${p.message}`}>
                            <code>{p.field}</code>: <span lang="en">{p.message}</span>
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                )}
              />
            </>
          )}
        </section>
      )}
    </>
  );
}

function ExportSection() {
  const { t } = useTranslation();
  const download = useAction(async (format: DataFormat) => {
    saveBlob(await directoryApi.exportData(format), `accord-directory.${format}`);
  });
  return (
    <section className="card" aria-labelledby="export-heading">
      <h2 id="export-heading">{t('directory.transfer.export')}</h2>
      <p className="hint">{t('directory.transfer.exportIntro')}</p>
      <ErrorAlert error={download.error} />
      <div className="actions">
        {(['csv', 'json'] as const).map((f) => (
          <button key={f} type="button" className="btn" disabled={download.busy} onClick={() => void download.run(f)}>
            {t('directory.transfer.download', { format: f.toUpperCase() })}
          </button>
        ))}
      </div>
    </section>
  );
}
