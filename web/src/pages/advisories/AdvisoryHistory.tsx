import { type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { type Advisory, type ContentChange, type DiffAnswer, advisoriesApi } from '../../advisoriesApi.ts';
import { ErrorAlert, SelectField } from '../../components/forms.tsx';
import { DataTable } from '../../components/lists.tsx';
import { useFormatDate } from '../../hooks.ts';

/** Field keys of the content → their label keys (the same labels as the editor's). */
const fieldLabels: Record<string, string> = {
  title: 'advisories.fields.title',
  lang: 'advisories.fields.lang',
  summary: 'advisories.fields.summary',
  publisher: 'advisories.publisher',
  name: 'advisories.fields.productName',
  namespace: 'advisories.fields.namespace',
  category: 'advisories.fields.category',
  contactDetails: 'advisories.fields.contactDetails',
  vendor: 'advisories.fields.vendor',
  version: 'advisories.fields.version',
  purl: 'advisories.fields.purl',
  cpe: 'advisories.fields.cpe',
  id: 'advisories.fields.productId',
  cve: 'advisories.fields.cve',
  description: 'advisories.fields.description',
  cwe: 'advisories.fields.cwe',
  cvssV3: 'advisories.fields.cvssV3',
  cvssV4: 'advisories.fields.cvssV4',
  ssvc: 'advisories.fields.ssvc',
  text: 'advisories.fields.text',
  url: 'advisories.fields.url',
  details: 'advisories.fields.details',
  productIds: 'advisories.fields.products',
  productId: 'advisories.product',
  status: 'advisories.status',
  justification: 'advisories.fields.justification',
  statement: 'advisories.fields.statement',
  names: 'advisories.fields.names',
  organization: 'advisories.fields.organization',
};

/** List names → the label of one item. */
const itemLabels: Record<string, string> = {
  notes: 'advisories.note',
  references: 'advisories.reference',
  products: 'advisories.product',
  vulnerabilities: 'advisories.vulnerability',
  remediations: 'advisories.remediation',
  threats: 'advisories.threat',
  statuses: 'advisories.status',
  acknowledgements: 'advisories.acknowledgement',
};

/** `vulnerabilities[0].cvssV3` → "Vulnerability 1 › CVSS 3.1 vector". */
export function pathLabel(path: string, t: TFunction): string {
  const out: string[] = [];
  for (const seg of path.split('.')) {
    const m = /^([A-Za-z][A-Za-z0-9]*)((?:\[\d+\])*)$/.exec(seg);
    if (!m) {
      out.push(seg);
      continue;
    }
    const key = m[1] ?? '';
    const indexes = [...(m[2] ?? '').matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]) + 1);
    if (indexes.length > 0 && itemLabels[key]) out.push(`${t(itemLabels[key])} ${indexes.join('.')}`);
    else if (indexes.length > 0) out.push(`${fieldLabels[key] ? t(fieldLabels[key]) : key} ${indexes.join('.')}`);
    else out.push(fieldLabels[key] ? t(fieldLabels[key]) : key);
  }
  return out.join(' › ');
}

type Kind = 'added' | 'removed' | 'changed';
const kindOf = (c: ContentChange): Kind =>
  c.before === undefined ? 'added' : c.after === undefined ? 'removed' : 'changed';

const show = (v: ContentChange['before']): ReactNode =>
  v === undefined ? null : v === null ? <span className="muted">—</span> : String(v);

/** The revision history and the field-level diff between two revisions (or a revision and the draft). */
export function AdvisoryHistory({ a }: { a: Advisory }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const last = a.publishedRevision;
  const [from, setFrom] = useState(String(last > 0 ? last : 0));
  const [to, setTo] = useState('current');
  const [diff, setDiff] = useState<DiffAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    advisoriesApi.diff(a.trackingId, Number(from), to === 'current' ? 'current' : Number(to)).then(
      (d) => live && setDiff(d),
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [a.trackingId, a.lockVersion, a.publishedRevision, from, to]);

  const options = [
    <option key="0" value="0">
      {t('advisories.history.empty')}
    </option>,
    ...a.revisions.map((r) => (
      <option key={r.number} value={String(r.number)}>
        {t('advisories.history.revision', { n: r.number })}
      </option>
    )),
  ];
  const changes = diff?.changes ?? [];

  return (
    <section aria-labelledby="adv-history-heading">
      <h2 id="adv-history-heading">{t('advisories.history.title')}</h2>
      {a.revisions.length === 0 && <p className="muted">{t('advisories.history.none')}</p>}
      <DataTable
        items={[...a.revisions].reverse()}
        caption={t('advisories.history.title')}
        columns={[t('advisories.history.number'), t('advisories.history.date'), t('advisories.history.summary')]}
        row={(r) => (
          <tr key={r.number}>
            <td className="num">{r.number}</td>
            <td className="nowrap">{fmt(r.date)}</td>
            <td>{r.summary}</td>
          </tr>
        )}
      />
      {a.state !== 'published' && (
        <p className="hint">
          {t('advisories.history.pending', { n: a.publishedRevision + 1, summary: a.pendingSummary || '—' })}
        </p>
      )}
      <h3 id="adv-diff-heading">{t('advisories.history.diff')}</h3>
      <div className="grid-3">
        <SelectField
          id="adv-diff-from"
          label={t('advisories.history.from')}
          value={from}
          onChange={(e) => setFrom(e.target.value)}
        >
          {options}
        </SelectField>
        <SelectField
          id="adv-diff-to"
          label={t('advisories.history.to')}
          value={to}
          onChange={(e) => setTo(e.target.value)}
        >
          <option value="current">{t('advisories.history.current')}</option>
          {options.slice(1)}
        </SelectField>
      </div>
      <ErrorAlert error={error} />
      <p role="status" className="small">
        {diff && t('advisories.history.changes', { count: changes.length })}
      </p>
      <DataTable
        items={changes}
        caption={t('advisories.history.diff')}
        className="table-dense adv-diff"
        columns={[
          t('advisories.history.field'),
          t('advisories.history.change'),
          t('advisories.history.before'),
          t('advisories.history.after'),
        ]}
        row={(c) => {
          const kind = kindOf(c);
          return (
            <tr key={c.path} className={`diff-${kind}`} data-testid="diff-row">
              <th scope="row">
                {pathLabel(c.path, t)}
                <br />
                <code className="muted small">{c.path}</code>
              </th>
              <td>
                <span className={`badge diff-badge-${kind}`}>{t(`advisories.history.kinds.${kind}`)}</span>
              </td>
              <td className="pre-text">{c.before !== undefined && <del>{show(c.before)}</del>}</td>
              <td className="pre-text">{c.after !== undefined && <ins>{show(c.after)}</ins>}</td>
            </tr>
          );
        }}
      />
    </section>
  );
}
