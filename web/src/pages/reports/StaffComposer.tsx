import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FilePicker, toAttachments } from '../../components/FilePicker.tsx';
import { Notice, Submit } from '../../components/forms.tsx';
import { FormErrors, ProblemsProvider, PTextArea } from '../../components/problems.tsx';
import { submitting, useAction } from '../../hooks.ts';
import type { PickedFile } from '../../files.ts';
import { reportsApi } from '../../reportsApi.ts';

type Mode = 'message' | 'question' | 'note';

/**
 * Writes to the finder (a message, or a question that pauses the SLA clock until they answer) or
 * an internal note that the finder never sees. The choice is explicit and shown on the button.
 */
export function StaffComposer({
  trackingId,
  closed,
  onSent,
}: {
  trackingId: string;
  closed: boolean;
  onSent: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<Mode>('message');
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const send = useAction(async () => {
    setNotice(null);
    const attachments = files.length ? { attachments: toAttachments(files) } : {};
    await reportsApi.staffMessage(
      trackingId,
      mode === 'note'
        ? { body: body.trim(), visibility: 'internal', ...attachments }
        : { body: body.trim(), visibility: 'shared', kind: mode, ...attachments },
    );
    setBody('');
    setFiles([]);
    setNotice(t(`composer.sent.${mode}`));
    await onSent();
  });
  // A closed report waits for nothing: no question (it would pause a clock that has stopped).
  const modes: Mode[] = closed ? ['message', 'note'] : ['message', 'question', 'note'];
  const current = modes.includes(mode) ? mode : 'note';

  return (
    <section className={`card composer composer-${current}`} aria-labelledby="composer-heading">
      <h2 id="composer-heading">{t('composer.title')}</h2>
      <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
      <ProblemsProvider error={send.error}>
        <form onSubmit={submitting(send.run)} noValidate>
          <FormErrors error={send.error} />
          <fieldset className="mode-choice">
            <legend>{t('composer.kind')}</legend>
            {modes.map((m) => (
              <div className="check" key={m}>
                <input
                  type="radio"
                  id={`composer-${m}`}
                  name="composer-mode"
                  value={m}
                  checked={current === m}
                  onChange={() => setMode(m)}
                  aria-describedby={`composer-${m}-hint`}
                />
                <label htmlFor={`composer-${m}`}>{t(`composer.modes.${m}`)}</label>
                <span className="hint" id={`composer-${m}-hint`}>
                  {t(`composer.hints.${m}`)}
                </span>
              </div>
            ))}
          </fieldset>
          <PTextArea
            path="body"
            label={t('composer.body')}
            hint={t('report.markdownHint')}
            rows={5}
            required
            value={body}
            onChange={(e) => setBody(e.target.value)}
          />
          <FilePicker path="attachments" files={files} onChange={setFiles} />
          <div className="actions">
            <Submit busy={send.busy}>{t(`composer.submit.${current}`)}</Submit>
          </div>
        </form>
      </ProblemsProvider>
    </section>
  );
}
