import '../../notifications.css';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Org } from '../../api.ts';
import { ErrorAlert, errorFor, Field, Submit } from '../../components/forms.tsx';
import { submitting, useAction, useFormatDate } from '../../hooks.ts';
import { type Delivery, notificationsApi, type Webhook } from '../../notificationsApi.ts';

/**
 * An organization's webhooks, for its admins and staff coordinators: machine notifications of
 * case events the organization may see, signed with HMAC-SHA256. The signing secret is shown once,
 * when the endpoint is registered or its secret rotated (the old secret then keeps signing for the
 * grace period chosen, unless revoked). Payloads carry ids and a link, never case content.
 */
export function WebhooksSection({ org }: { org: Org }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const [hooks, setHooks] = useState<Webhook[] | null>(null);
  const [kinds, setKinds] = useState<string[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [created, setCreated] = useState<{
    secret: string;
    url: string;
    /** Set after a rotation: until when the old secret also signs (null: it stopped at once). */
    rotated?: { until: string | null };
  } | null>(null);
  const [copied, setCopied] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const [rotating, setRotating] = useState<string | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const revealRef = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    try {
      const answer = await notificationsApi.webhooks(org.id);
      setHooks(answer.items);
      setKinds(answer.eventKinds);
      setLoadError(null);
    } catch (err) {
      setLoadError(err);
    }
  }, [org.id]);
  useEffect(() => {
    void load();
  }, [load]);

  const toggle = useAction(async (h: Webhook) => {
    await notificationsApi.updateWebhook(org.id, h.id, { active: !h.active });
    await load();
  });
  const ping = useAction(async (h: Webhook) => {
    setSent(null);
    await notificationsApi.pingWebhook(org.id, h.id);
    setSent(h.url);
  });
  const remove = useAction(async (h: Webhook) => {
    await notificationsApi.deleteWebhook(org.id, h.id);
    await load();
  });
  const revokePrevious = useAction(async (h: Webhook) => {
    setRevoked(null);
    await notificationsApi.revokePreviousSecret(org.id, h.id);
    setRevoked(h.url);
    await load();
  });
  const showSecret = async (answer: NonNullable<typeof created>) => {
    setCreated(answer);
    setCopied(false);
    await load();
    setTimeout(() => revealRef.current?.focus(), 0);
  };

  const copy = (secret: string) => {
    navigator.clipboard.writeText(secret).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  return (
    <section className="card" aria-labelledby="webhooks-heading" id="webhooks">
      <h2 id="webhooks-heading">{t('notifications.webhooks.title')}</h2>
      <p className="muted">{t('notifications.webhooks.intro')}</p>
      {created && (
        <div className="reveal" tabIndex={-1} ref={revealRef} role="region" aria-labelledby="new-webhook-heading">
          <h3 id="new-webhook-heading">
            {created.rotated
              ? t('notifications.webhooks.rotatedTitle', { url: created.url })
              : t('notifications.webhooks.createdTitle', { url: created.url })}
          </h3>
          <p className="warn-text">
            {!created.rotated
              ? t('notifications.webhooks.createdIntro')
              : created.rotated.until
                ? t('notifications.webhooks.rotatedIntro', { date: fmt(created.rotated.until) })
                : t('notifications.webhooks.rotatedIntroNow')}
          </p>
          <div className="token-row">
            <code className="secret" data-testid="webhook-secret">
              {created.secret}
            </code>
            <button type="button" className="btn" onClick={() => copy(created.secret)}>
              {copied ? t('common.copied') : t('common.copy')}
            </button>
          </div>
          <p className="hint">{t('notifications.webhooks.verify')}</p>
          <div className="actions">
            <button type="button" className="btn btn-primary" onClick={() => setCreated(null)}>
              {t('tokens.done')}
            </button>
          </div>
        </div>
      )}
      <ErrorAlert error={loadError ?? toggle.error ?? ping.error ?? remove.error ?? revokePrevious.error} />
      <div aria-live="polite">
        {sent && <p className="alert alert-ok">{t('notifications.webhooks.pingSent', { url: sent })}</p>}
        {revoked && <p className="alert alert-ok">{t('notifications.webhooks.revokedPrevious', { url: revoked })}</p>}
      </div>
      {hooks && hooks.length === 0 && <p className="muted">{t('notifications.webhooks.none')}</p>}
      {hooks && hooks.length > 0 && (
        <ul className="plain-list webhook-list">
          {hooks.map((h) => (
            <li key={h.id} className="webhook">
              <div className="row-between">
                <div>
                  <code>{h.url}</code>{' '}
                  <span className={`badge ${h.active ? 'badge-ok' : 'badge-off'}`}>
                    {h.active ? t('notifications.webhooks.active') : t('notifications.webhooks.inactive')}
                  </span>{' '}
                  {h.lastStatus && (
                    <span className="muted small">
                      {t('notifications.webhooks.last', {
                        status: t(`notifications.webhooks.status.${h.lastStatus}`),
                      })}
                    </span>
                  )}
                  <div className="muted small">
                    {h.eventKinds.map((k) => t(`notifications.webhooks.kinds.${k}`, { defaultValue: k })).join(', ')}
                    {' · '}
                    {t('notifications.webhooks.secretHint', { hint: h.secretHint })}
                    {' · '}
                    {fmt(h.createdAt)}
                  </div>
                  {h.previousSecretHint && h.previousSecretExpiresAt && (
                    <div className="small warn-text" data-testid="webhook-previous-secret">
                      {t('notifications.webhooks.previousSecret', {
                        hint: h.previousSecretHint,
                        date: fmt(h.previousSecretExpiresAt),
                      })}
                    </div>
                  )}
                </div>
                <div className="cell-actions">
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={toggle.busy}
                    aria-label={
                      h.active
                        ? t('notifications.webhooks.switchOffNamed', { url: h.url })
                        : t('notifications.webhooks.switchOnNamed', { url: h.url })
                    }
                    onClick={() => void toggle.run(h)}
                  >
                    {h.active ? t('notifications.webhooks.switchOff') : t('notifications.webhooks.switchOn')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={ping.busy || !h.active}
                    aria-label={t('notifications.webhooks.pingNamed', { url: h.url })}
                    onClick={() => void ping.run(h)}
                  >
                    {t('notifications.webhooks.ping')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={h.previousSecretExpiresAt !== null}
                    title={h.previousSecretExpiresAt !== null ? t('notifications.webhooks.rotateBlocked') : undefined}
                    aria-expanded={rotating === h.id}
                    aria-label={t('notifications.webhooks.rotateNamed', { url: h.url })}
                    onClick={() => setRotating((r) => (r === h.id ? null : h.id))}
                  >
                    {t('notifications.webhooks.rotate')}
                  </button>
                  {h.previousSecretExpiresAt && (
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      disabled={revokePrevious.busy}
                      aria-label={t('notifications.webhooks.revokePreviousNamed', { url: h.url })}
                      onClick={() => {
                        if (window.confirm(t('notifications.webhooks.revokePreviousConfirm', { url: h.url })))
                          void revokePrevious.run(h);
                      }}
                    >
                      {t('notifications.webhooks.revokePrevious')}
                    </button>
                  )}
                  <button
                    type="button"
                    className="btn btn-small btn-danger"
                    disabled={remove.busy}
                    aria-label={t('notifications.webhooks.removeNamed', { url: h.url })}
                    onClick={() => {
                      if (window.confirm(t('notifications.webhooks.removeConfirm', { url: h.url }))) void remove.run(h);
                    }}
                  >
                    {t('notifications.webhooks.remove')}
                  </button>
                </div>
              </div>
              {rotating === h.id && (
                <RotateSecretForm
                  orgId={org.id}
                  hook={h}
                  onCancel={() => setRotating(null)}
                  onRotated={async (answer) => {
                    setRotating(null);
                    await showSecret(answer);
                  }}
                />
              )}
              <DeliveryLog orgId={org.id} hook={h} />
            </li>
          ))}
        </ul>
      )}
      <NewWebhookForm orgId={org.id} kinds={kinds} onCreated={showSecret} />
    </section>
  );
}

function NewWebhookForm({
  orgId,
  kinds,
  onCreated,
}: {
  orgId: string;
  kinds: string[];
  onCreated: (answer: { secret: string; url: string }) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [url, setUrl] = useState('');
  const [chosen, setChosen] = useState<string[]>(['post.created']);
  const create = useAction(async () => {
    const answer = await notificationsApi.createWebhook(orgId, { url: url.trim(), eventKinds: chosen });
    setUrl('');
    await onCreated({ secret: answer.secret, url: answer.webhook.url });
  });
  const kindsError = errorFor(create.error, 'eventKinds');
  return (
    <form onSubmit={submitting(create.run)} noValidate className="inline-form">
      <h3>{t('notifications.webhooks.add')}</h3>
      <ErrorAlert error={create.error} />
      <Field
        id="webhook-url"
        label={t('notifications.webhooks.url')}
        type="url"
        required
        maxLength={2000}
        placeholder="https://hooks.example.com/accord"
        hint={t('notifications.webhooks.urlHint')}
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        error={errorFor(create.error, 'url')}
      />
      <fieldset className="field" aria-describedby={kindsError ? 'webhook-kinds-error' : undefined}>
        <legend>{t('notifications.webhooks.events')}</legend>
        {kinds.map((k) => (
          <div className="check" key={k}>
            <input
              type="checkbox"
              id={`webhook-kind-${k}`}
              checked={chosen.includes(k)}
              onChange={(e) => setChosen((c) => (e.target.checked ? [...c, k] : c.filter((x) => x !== k)))}
            />
            <label htmlFor={`webhook-kind-${k}`}>{t(`notifications.webhooks.kinds.${k}`, { defaultValue: k })}</label>
          </div>
        ))}
        {kindsError && (
          <p className="field-error" id="webhook-kinds-error">
            {kindsError}
          </p>
        )}
      </fieldset>
      <div className="actions">
        <Submit busy={create.busy}>{t('notifications.webhooks.create')}</Submit>
      </div>
    </form>
  );
}

/** Rotating one endpoint's secret: the grace period during which the old secret also signs. */
function RotateSecretForm({
  orgId,
  hook,
  onCancel,
  onRotated,
}: {
  orgId: string;
  hook: Webhook;
  onCancel: () => void;
  onRotated: (answer: { secret: string; url: string; rotated: { until: string | null } }) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [hours, setHours] = useState('24');
  const rotate = useAction(async () => {
    const answer = await notificationsApi.rotateWebhookSecret(orgId, hook.id, Number(hours));
    await onRotated({
      secret: answer.secret,
      url: answer.webhook.url,
      rotated: { until: answer.webhook.previousSecretExpiresAt },
    });
  });
  const id = `rotate-${hook.id}`;
  return (
    <form onSubmit={submitting(rotate.run)} noValidate className="inline-form" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{t('notifications.webhooks.rotateTitle', { url: hook.url })}</h3>
      <ErrorAlert error={rotate.error} />
      <Field
        id={`${id}-grace`}
        label={t('notifications.webhooks.graceHours')}
        type="number"
        inputMode="numeric"
        min={0}
        max={168}
        step={1}
        required
        hint={t('notifications.webhooks.graceHint')}
        value={hours}
        onChange={(e) => setHours(e.target.value)}
        error={errorFor(rotate.error, 'graceHours')}
      />
      <div className="actions">
        <Submit busy={rotate.busy}>{t('notifications.webhooks.rotateSubmit')}</Submit>
        <button type="button" className="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

/** The last deliveries of one endpoint, loaded when unfolded. */
function DeliveryLog({ orgId, hook }: { orgId: string; hook: Webhook }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const [items, setItems] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = async () => {
    try {
      setItems((await notificationsApi.deliveries(orgId, hook.id)).items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <details
      className="delivery-log"
      onToggle={(e) => {
        if ((e.target as HTMLDetailsElement).open) void load();
      }}
    >
      <summary>{t('notifications.webhooks.deliveries')}</summary>
      <ErrorAlert error={error} />
      {items && items.length === 0 && <p className="muted">{t('notifications.webhooks.noDeliveries')}</p>}
      {items && items.length > 0 && (
        <div className="table-wrap">
          <table className="table-dense">
            <caption className="visually-hidden">{t('notifications.webhooks.deliveriesOf', { url: hook.url })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('notifications.webhooks.event')}</th>
                <th scope="col">{t('notifications.webhooks.state')}</th>
                <th scope="col">{t('notifications.webhooks.attempts')}</th>
                <th scope="col">{t('notifications.webhooks.answer')}</th>
                <th scope="col">{t('common.created')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id}>
                  <td>
                    {t(`notifications.webhooks.kinds.${d.eventKind}`, { defaultValue: d.eventKind })}
                    <div className="muted small mono">{d.eventId}</div>
                  </td>
                  <td>
                    <span
                      className={`badge ${d.status === 'delivered' ? 'badge-ok' : d.status === 'failed' ? 'badge-off' : ''}`}
                    >
                      {t(`notifications.webhooks.status.${d.status}`)}
                    </span>
                  </td>
                  <td className="num">{d.attempts}</td>
                  <td>{d.responseStatus ?? d.lastError ?? '—'}</td>
                  <td className="nowrap">{fmt(d.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}
