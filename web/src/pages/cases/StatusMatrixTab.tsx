import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { casesApi, type StatusCell, type StatusMatrix } from '../../casesApi.ts';
import { HeadRow, Pending } from '../../components/lists.tsx';
import { useFormatDate, useResource } from '../../hooks.ts';
import { StatusBadge } from './CaseBadges.tsx';
import type { CaseTabProps } from './CasePage.tsx';
import { emptyStatus, type StatusDraft, StatusForm } from './StatusForm.tsx';

type Vendor = StatusMatrix['vendors'][number];

/**
 * Vendors × vulnerabilities, each cell the vendor's answer per product. Silent vendors (never
 * answered) stand out from those who answered "not affected". A vendor sees its own answers and
 * the others' it was allowed to see; staff see all.
 */
export function StatusMatrixTab({ c }: CaseTabProps) {
  const { t } = useTranslation();
  const [version, setVersion] = useState(0);
  const matrix = useResource(() => casesApi.statuses(c.caseId), `${c.caseId}:${version}`);
  const [draft, setDraft] = useState<{ key: number; value: StatusDraft } | null>(null);
  const manage = c.abilities['case:manage'];
  const speakFor = c.participants.filter(
    (p) => p.role === 'vendor' && (manage || (p.mine && p.termsAccepted && c.abilities['case:statement'])),
  );
  const m = matrix.data;

  const edit = (participantId: string, cell: StatusCell) => {
    setDraft({
      key: Date.now(),
      value: {
        ...emptyStatus,
        participantId,
        vulnerabilityId: cell.vulnerabilityId,
        product: cell.product,
        status: cell.status === 'unknown' ? 'under_investigation' : cell.status,
        justification: cell.justification ?? '',
        statement: cell.statement,
        fixedVersions: cell.fixedVersions,
        affectedRange: cell.affectedRange ?? '',
        references: cell.references.join('\n'),
        vendorTrackingId: cell.vendorTrackingId ?? '',
        mayShare: cell.mayShare,
      },
    });
    document.getElementById('status')?.scrollIntoView({ block: 'start' });
  };
  const editable = new Set(speakFor.map((p) => p.id));

  return (
    <>
      <section className="card" aria-labelledby="matrix-heading">
        <h2 id="matrix-heading">{t('cases.tabs.matrix')}</h2>
        <p className="hint">{t('cases.matrix.hint')}</p>
        {!m ? (
          <Pending error={matrix.error} />
        ) : (
          <MatrixTable m={m} staff={c.access === 'staff'} editable={editable} onEdit={edit} />
        )}
      </section>
      {speakFor.length > 0 && m && m.vulnerabilities.length > 0 && (
        <StatusForm
          key={draft?.key ?? 0}
          caseId={c.caseId}
          vendors={speakFor}
          vulnerabilities={m.vulnerabilities}
          initial={draft?.value}
          onSaved={() => setVersion((v) => v + 1)}
        />
      )}
    </>
  );
}

function MatrixTable({
  m,
  staff,
  editable,
  onEdit,
}: {
  m: StatusMatrix;
  staff: boolean;
  editable: Set<string>;
  onEdit: (participantId: string, cell: StatusCell) => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  if (m.vendors.length === 0) return <p className="muted">{t('cases.matrix.noVendors')}</p>;
  if (m.vulnerabilities.length === 0) return <p className="muted">{t('cases.matrix.noVulns')}</p>;
  // Who answered is shown only to those who may know it for every vendor (staff): a vendor is not
  // told whether the others answered (silent: null), so it gets no counts.
  const allKnown = m.vendors.every((v) => v.silent !== null);
  const known = m.vendors.filter((v) => v.silent !== null);
  const silent = known.filter((v) => v.silent).length;
  const cellsOf = (v: Vendor, vulnId: string) => v.cells.filter((x) => x.vulnerabilityId === vulnId);

  return (
    <>
      {allKnown && (
        <p data-testid="matrix-counts">
          {t('cases.matrix.counts', { answered: known.length - silent, total: known.length, silent })}
        </p>
      )}
      <div className="table-wrap">
        <table className="matrix">
          <caption className="visually-hidden">{t('cases.tabs.matrix')}</caption>
          <HeadRow
            columns={[
              t('cases.matrix.vendor'),
              ...m.vulnerabilities.map((u) => (
                <Fragment key={u.id}>
                  {u.title}
                  {u.cveId && <span className="muted small mono"> {u.cveId}</span>}
                </Fragment>
              )),
            ]}
          />
          <tbody>
            {m.vendors.map((v) => (
              <tr key={v.participantId} className={v.silent ? 'matrix-silent' : undefined} data-testid="matrix-row">
                <th scope="row">
                  {v.name}
                  {v.silent && <span className="badge badge-silent">{t('cases.matrix.silent')}</span>}
                </th>
                {m.vulnerabilities.map((u) => {
                  const cells = cellsOf(v, u.id);
                  return (
                    <td key={u.id}>
                      {cells.length === 0 ? (
                        <span className="muted small">
                          {v.silent ? t('cases.matrix.noAnswer') : staff ? '—' : t('cases.matrix.notShared')}
                        </span>
                      ) : (
                        <ul className="plain-list cells">
                          {cells.map((x) => (
                            <li key={x.product}>
                              <span className="product">{x.product}</span> <StatusBadge status={x.status} />
                              {x.justification && (
                                <span className="small"> {t(`cases.justification.${x.justification}`)}</span>
                              )}
                              {x.statement && <p className="small pre-text">{x.statement}</p>}
                              {x.fixedVersions && (
                                <p className="small">{t('cases.status.fixedIn', { versions: x.fixedVersions })}</p>
                              )}
                              {x.affectedRange && (
                                <p className="small">
                                  {t('cases.status.affectedVersions')} <code>{x.affectedRange}</code>
                                </p>
                              )}
                              <p className="muted small">
                                {fmt(x.updatedAt)}
                                {x.mayShare && ` · ${t('cases.status.shared')}`}
                                {x.approved && ` · ${t('cases.status.approved')}`}
                              </p>
                              {editable.has(v.participantId) && (
                                <button
                                  type="button"
                                  className="btn btn-small"
                                  aria-label={t('cases.status.editNamed', { product: x.product, vendor: v.name })}
                                  onClick={() => onEdit(v.participantId, x)}
                                >
                                  {t('cases.status.edit')}
                                </button>
                              )}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
