import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ErrorAlert, Notice } from '../../components/forms.tsx';
import { useAction, useFormatDate } from '../../hooks.ts';
import { groupFingerprint } from '../../pgp.ts';
import { type InstanceKey, reportsApi } from '../../reportsApi.ts';
import { useSession } from '../../session.tsx';

/**
 * The instance OpenPGP key finders encrypt to. Admins rotate it; the earlier keys are kept (and
 * listed) so mail and reports encrypted to them can still be read.
 */
export function InstanceKeySection() {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const { can } = useSession();
  const canRotate = can('instance_key:rotate');
  const [key, setKey] = useState<InstanceKey | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [confirming, setConfirming] = useState(false);
  const [rotated, setRotated] = useState(false);

  const load = useCallback(async () => {
    try {
      setKey(await reportsApi.instanceKey());
      setLoadError(null);
    } catch (err) {
      setLoadError(err);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const rotate = useAction(async () => {
    setRotated(false);
    try {
      await reportsApi.rotateInstanceKey();
    } finally {
      setConfirming(false);
    }
    setRotated(true);
    await load();
  });

  const retired = key?.retired ?? [];
  return (
    <section className="card" aria-labelledby="instance-key-heading">
      <h2 id="instance-key-heading">{t('instanceKey.title')}</h2>
      <p className="muted">{t('instanceKey.intro')}</p>
      <ErrorAlert error={loadError ?? rotate.error} />
      <div aria-live="polite">{rotated && <Notice>{t('instanceKey.rotated')}</Notice>}</div>
      {key && (
        <dl className="facts">
          <dt>{t('instanceKey.fingerprint')}</dt>
          <dd>
            <code className="fingerprint" data-testid="instance-key-fingerprint">
              {groupFingerprint(key.fingerprint)}
            </code>
          </dd>
          <dt>{t('instanceKey.algorithm')}</dt>
          <dd>{key.algorithm}</dd>
          <dt>{t('instanceKey.created')}</dt>
          <dd>{fmt(key.createdAt)}</dd>
        </dl>
      )}
      {canRotate && key && (
        <>
          <div className="actions">
            <button type="button" className="btn btn-danger" onClick={() => setConfirming(true)}>
              {t('instanceKey.rotate')}
            </button>
          </div>
          <ConfirmDialog
            open={confirming}
            title={t('instanceKey.confirmTitle')}
            confirmLabel={t('instanceKey.confirmRotate')}
            danger
            busy={rotate.busy}
            onConfirm={() => void rotate.run()}
            onCancel={() => setConfirming(false)}
          >
            <p>{t('instanceKey.confirmText')}</p>
            <p>{t('instanceKey.confirmKept')}</p>
          </ConfirmDialog>
          <h3 className="h3">{t('instanceKey.retired')}</h3>
          {retired.length === 0 ? (
            <p className="muted">{t('instanceKey.noRetired')}</p>
          ) : (
            <div className="table-wrap">
              <table className="table-dense">
                <caption className="visually-hidden">{t('instanceKey.retired')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('instanceKey.fingerprint')}</th>
                    <th scope="col">{t('instanceKey.created')}</th>
                    <th scope="col">{t('instanceKey.retiredAt')}</th>
                  </tr>
                </thead>
                <tbody>
                  {retired.map((k) => (
                    <tr key={k.fingerprint}>
                      <td className="mono small">{groupFingerprint(k.fingerprint)}</td>
                      <td className="nowrap">{fmt(k.createdAt)}</td>
                      <td className="nowrap">{fmt(k.retiredAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
