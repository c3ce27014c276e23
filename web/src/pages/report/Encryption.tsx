import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/forms.tsx';
import { groupFingerprint, keyFingerprint } from '../../pgp.ts';
import { type InstanceKey, reportsApi } from '../../reportsApi.ts';

export interface KeyState {
  key: InstanceKey | null;
  error: unknown;
}

/**
 * The instance's OpenPGP key, fetched while encryption is on. The fingerprint is computed from
 * the key in the browser and compared with the one the server states; a mismatch is an error.
 */
export function useInstanceKey(enabled: boolean): KeyState {
  const [state, setState] = useState<KeyState>({ key: null, error: null });
  useEffect(() => {
    if (!enabled || state.key) return;
    let live = true;
    (async () => {
      const key = await reportsApi.instanceKey();
      const actual = await keyFingerprint(key.publicKey);
      if (actual !== key.fingerprint.replace(/\s+/g, '').toUpperCase()) {
        throw new Error(`fingerprint mismatch: ${actual}`);
      }
      return key;
    })().then(
      (key) => live && setState({ key, error: null }),
      (error: unknown) => live && setState({ key: null, error }),
    );
    return () => {
      live = false;
    };
  }, [enabled, state.key]);
  return state;
}

/** The "encrypt in my browser" switch and the key it encrypts to. */
export function EncryptionBox({
  id,
  encrypt,
  onChange,
  keyState,
  hint,
}: {
  id: string;
  encrypt: boolean;
  onChange: (on: boolean) => void;
  keyState: KeyState;
  hint: string;
}) {
  const { t } = useTranslation();
  return (
    <div className="encrypt-box">
      <div className="check">
        <input
          id={id}
          type="checkbox"
          checked={encrypt}
          onChange={(e) => onChange(e.target.checked)}
          aria-describedby={`${id}-hint`}
        />
        <label htmlFor={id}>{t('encrypt.label')}</label>
      </div>
      <p className="hint" id={`${id}-hint`}>
        {hint}
      </p>
      {encrypt && (
        <div aria-live="polite">
          {keyState.key ? (
            <p className="small">
              {t('encrypt.fingerprint')}{' '}
              <code className="fingerprint" data-testid="instance-fingerprint">
                {groupFingerprint(keyState.key.fingerprint)}
              </code>{' '}
              <span className="muted">({keyState.key.algorithm})</span>
            </p>
          ) : keyState.error ? (
            <>
              <ErrorAlert error={keyState.error} />
              <p className="hint">{t('encrypt.keyFailed')}</p>
            </>
          ) : (
            <p className="muted small">{t('encrypt.loadingKey')}</p>
          )}
        </div>
      )}
    </div>
  );
}
