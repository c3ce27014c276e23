import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert, SelectField } from '../../components/forms.tsx';
import { Crumb, Pending } from '../../components/lists.tsx';
import { useFormatDate, useResource, useTitle } from '../../hooks.ts';
import { metricsApi, type SlaPolicy } from '../../metricsApi.ts';
import { Link } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import './metrics.css';

/**
 * SLA clocks that need attention now (at risk or breached), for everyone or the caller's own
 * reports and cases, and the policies per ISO/IEC 30111 stage and severity (admins edit them).
 */
export function SlaPage() {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const { can } = useSession();
  useTitle(t('sla.title'));
  const [state, setState] = useState<'attention' | 'at_risk' | 'breached'>('attention');
  const [mine, setMine] = useState(false);
  const clocks = useResource(() => metricsApi.clocks(state, mine), `${state}|${mine}`);
  const settings = useResource(() => metricsApi.policies(), 'policies');
  const [draft, setDraft] = useState<SlaPolicy[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const admin = can('settings:update');
  const policies = draft ?? settings.data?.policies ?? [];

  const save = async () => {
    setError(null);
    try {
      settings.setData(await metricsApi.setPolicies(policies));
      setDraft(null);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <>
      <Crumb to="/metrics" label={t('metrics.title')} />
      <h1>{t('sla.title')}</h1>
      <p className="lead">{t('sla.intro')}</p>
      <section className="card" aria-labelledby="sla-list-heading">
        <h2 id="sla-list-heading">{t('sla.attention')}</h2>
        <div className="filters">
          <SelectField
            id="sla-state"
            label={t('sla.state')}
            value={state}
            onChange={(e) => setState(e.target.value as typeof state)}
          >
            <option value="attention">{t('sla.states.attention')}</option>
            <option value="at_risk">{t('sla.states.at_risk')}</option>
            <option value="breached">{t('sla.states.breached')}</option>
          </SelectField>
          <label className="check">
            <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> {t('sla.mine')}
          </label>
        </div>
        {!clocks.data ? (
          <Pending error={clocks.error} />
        ) : clocks.data.items.length === 0 ? (
          <p className="muted" role="status">
            {t('sla.none')}
          </p>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th scope="col">{t('sla.subject')}</th>
                <th scope="col">{t('sla.stage')}</th>
                <th scope="col">{t('sla.severity')}</th>
                <th scope="col">{t('sla.owner')}</th>
                <th scope="col">{t('sla.due')}</th>
                <th scope="col">{t('sla.state')}</th>
              </tr>
            </thead>
            <tbody>
              {clocks.data.items.map((c) => (
                <tr key={`${c.subjectId}-${c.stage}`}>
                  <td>
                    <Link to={`/${c.subjectType}s/${encodeURIComponent(c.label)}`} className="mono">
                      {c.label}
                    </Link>
                  </td>
                  <td>{t(`metrics.stages.${c.stage}`)}</td>
                  <td>{t(`metrics.severities.${c.severity}`, { defaultValue: c.severity })}</td>
                  <td>{c.ownerName ?? '—'}</td>
                  <td>{fmt(c.dueAt)}</td>
                  <td>
                    <span className={`badge sla-${c.state}`}>{t(`sla.states.${c.state}`)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" aria-labelledby="sla-policies-heading">
        <h2 id="sla-policies-heading">{t('sla.policies')}</h2>
        {settings.data?.usingDefaults && <p className="muted">{t('sla.usingDefaults')}</p>}
        <p className="muted small">
          {t('sla.calendar', {
            zone: settings.data?.calendar.timeZone ?? '—',
            holidays: (settings.data?.calendar.holidays ?? []).length,
          })}
        </p>
        <ErrorAlert error={error} />
        <table className="data">
          <thead>
            <tr>
              <th scope="col">{t('sla.stage')}</th>
              <th scope="col">{t('sla.severity')}</th>
              <th scope="col">{t('sla.target')}</th>
              <th scope="col">{t('sla.atRisk')}</th>
              <th scope="col">{t('sla.pauses')}</th>
            </tr>
          </thead>
          <tbody>
            {policies.map((p, i) => (
              <tr key={`${p.stage}-${p.severity}`}>
                <td>{t(`metrics.stages.${p.stage}`)}</td>
                <td>{p.severity === 'any' ? t('sla.anySeverity') : t(`metrics.severities.${p.severity}`)}</td>
                <td>
                  {admin ? (
                    <input
                      type="number"
                      min={0}
                      max={3650}
                      aria-label={t('sla.target')}
                      value={p.targetBusinessDays}
                      onChange={(e) =>
                        setDraft(
                          policies.map((x, j) => (j === i ? { ...x, targetBusinessDays: Number(e.target.value) } : x)),
                        )
                      }
                    />
                  ) : (
                    p.targetBusinessDays
                  )}
                </td>
                <td>{Math.round(p.atRiskFraction * 100)} %</td>
                <td>{p.pauseAwaitingFinder ? t('sla.yes') : t('sla.no')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {admin && draft && (
          <p className="actions">
            <button type="button" className="btn btn-primary" onClick={() => void save()}>
              {t('common.save')}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setDraft(null)}>
              {t('common.cancel')}
            </button>
          </p>
        )}
      </section>
    </>
  );
}
