import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CaseworkTemplate, caseworkApi } from '../../caseworkApi.ts';
import { ErrorAlert, errorFor, Field, Labelled, Submit } from '../../components/forms.tsx';
import { Pending } from '../../components/lists.tsx';
import { useAction, useResource, useTitle } from '../../hooks.ts';
import { useSession } from '../../session.tsx';

/** Lines "key | text" ⇄ the template's steps or questions. */
const toLines = (items: { key: string; text: string }[]) => items.map((i) => `${i.key} | ${i.text}`).join('\n');
function fromLines(v: string): { key: string; text: string }[] {
  return v
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const at = l.indexOf('|');
      return at < 0 ? { key: '', text: l } : { key: l.slice(0, at).trim(), text: l.slice(at + 1).trim() };
    });
}

/**
 * The home organization's case execution template: checklist steps, post-mortem questions and
 * the days after release when the post-mortem is due. Cases already started keep their copy.
 */
export function CaseworkTemplatePage() {
  const { t } = useTranslation();
  useTitle(t('casework.template.title'));
  const { me } = useSession();
  const editor = me?.staffRole === 'admin' || me?.staffRole === 'coordinator';
  const template = useResource(() => caseworkApi.template(), 'template');
  const [steps, setSteps] = useState('');
  const [questions, setQuestions] = useState('');
  const [days, setDays] = useState('7');
  const [saved, setSaved] = useState(false);
  const fill = (tpl: CaseworkTemplate) => {
    setSteps(toLines(tpl.steps.map((s) => ({ key: s.key, text: s.title }))));
    setQuestions(toLines(tpl.questions));
    setDays(String(tpl.postmortemDays));
  };
  useEffect(() => {
    if (template.data) fill(template.data);
  }, [template.data]);
  const save = useAction(async () => {
    setSaved(false);
    const next = await caseworkApi.saveTemplate({
      steps: fromLines(steps).map((s) => ({ key: s.key, title: s.text })),
      questions: fromLines(questions),
      postmortemDays: Number(days),
    });
    template.setData(next);
    setSaved(true);
  });
  const reset = useAction(async () => {
    setSaved(false);
    template.setData(await caseworkApi.resetTemplate());
  });
  if (!template.data) return <Pending error={template.error} />;
  const problem = (prefix: string) =>
    save.error && typeof save.error === 'object' && 'problems' in save.error
      ? (save.error as { problems: { field: string; message: string }[] }).problems
          .filter((p) => p.field.startsWith(prefix))
          .map((p) => `${p.field}: ${p.message}`)
          .join('; ') || null
      : null;
  return (
    <>
      <h1>{t('casework.template.title')}</h1>
      <p className="muted">
        {template.data.custom ? t('casework.template.custom') : t('casework.template.default')}{' '}
        {t('casework.template.snapshot')}
      </p>
      <section className="card">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <ErrorAlert error={save.error ?? reset.error} />
          <Labelled
            label={t('casework.template.steps')}
            hint={t('casework.template.linesHint')}
            error={problem('steps')}
          >
            {(aria) => (
              <textarea
                {...aria}
                rows={14}
                className="mono"
                value={steps}
                readOnly={!editor}
                onChange={(e) => setSteps(e.target.value)}
              />
            )}
          </Labelled>
          <Labelled
            label={t('casework.template.questions')}
            hint={t('casework.template.linesHint')}
            error={problem('questions')}
          >
            {(aria) => (
              <textarea
                {...aria}
                rows={10}
                className="mono"
                value={questions}
                readOnly={!editor}
                onChange={(e) => setQuestions(e.target.value)}
              />
            )}
          </Labelled>
          <Field
            label={t('casework.template.days')}
            type="number"
            min={0}
            max={365}
            value={days}
            readOnly={!editor}
            onChange={(e) => setDays(e.target.value)}
            error={errorFor(save.error, 'postmortemDays')}
          />
          {editor && (
            <div className="actions">
              <Submit busy={save.busy}>{t('common.save')}</Submit>
              <button type="button" className="btn btn-ghost" disabled={reset.busy} onClick={() => void reset.run()}>
                {t('casework.template.reset')}
              </button>
              {saved && <span role="status">{t('casework.saved')}</span>}
            </div>
          )}
        </form>
      </section>
    </>
  );
}
