import { useId } from 'react';
import { useTranslation } from 'react-i18next';

export interface ChartRow {
  id: string;
  label: string;
  current: number | null;
  previous?: number | null;
}

/**
 * A horizontal bar chart of maturity per service area or per service (0–3), with the previous assessment as a
 * thin bar under each when given. Plain SVG with a text table alternative for screen readers.
 */
export function AreaChart({ rows, title, max = 3 }: { rows: ChartRow[]; title: string; max?: number }) {
  const { t } = useTranslation();
  const labelW = 250;
  const barW = 320;
  const rowH = 34;
  const width = labelW + barW + 60;
  const height = rows.length * rowH + 28;
  const x = (v: number) => labelW + (v / max) * barW;
  const hasPrevious = rows.some((r) => r.previous !== undefined);
  const titleId = useId();
  // An area is "1."; a service "1.1" reads without the trailing dot.
  const name = (r: ChartRow) => (r.id.includes('.') ? `${r.id} ${r.label}` : `${r.id}. ${r.label}`);
  return (
    <figure className="area-chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-labelledby={titleId}
        preserveAspectRatio="xMinYMin meet"
      >
        <title id={titleId}>{title}</title>
        {Array.from({ length: max + 1 }, (_, i) => (
          <g key={i}>
            <line x1={x(i)} x2={x(i)} y1={0} y2={rows.length * rowH} stroke="#e2e8f0" />
            <text x={x(i)} y={rows.length * rowH + 16} fontSize="11" textAnchor="middle" fill="#64748b">
              {i}
            </text>
          </g>
        ))}
        {rows.map((r, i) => {
          const y = i * rowH;
          return (
            <g key={r.id}>
              <text x={labelW - 8} y={y + 20} fontSize="12" textAnchor="end" fill="#0f172a">
                {name(r).length > 38 ? `${name(r).slice(0, 37)}…` : name(r)}
              </text>
              <rect
                x={labelW}
                y={y + 6}
                width={r.current === null ? 0 : x(r.current) - labelW}
                height={14}
                fill="#2563eb"
              >
                <title>{r.current === null ? t('assessment.notRated') : String(r.current)}</title>
              </rect>
              {r.previous !== undefined && r.previous !== null && (
                <rect x={labelW} y={y + 22} width={x(r.previous) - labelW} height={5} fill="#94a3b8">
                  <title>{`${t('assessment.previous')}: ${r.previous}`}</title>
                </rect>
              )}
              <text x={r.current === null ? labelW + 4 : x(r.current) + 4} y={y + 18} fontSize="11" fill="#334155">
                {r.current === null ? '—' : r.current.toFixed(2)}
              </text>
            </g>
          );
        })}
      </svg>
      {hasPrevious && (
        <figcaption className="small muted">
          <span className="legend legend-current" aria-hidden="true" /> {t('assessment.current')}{' '}
          <span className="legend legend-previous" aria-hidden="true" /> {t('assessment.previous')}
        </figcaption>
      )}
      <table className="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th>{t('assessment.area')}</th>
            <th>{t('assessment.current')}</th>
            {hasPrevious && <th>{t('assessment.previous')}</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>{name(r)}</td>
              <td>{r.current ?? '—'}</td>
              {hasPrevious && <td>{r.previous ?? '—'}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
