import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CaseFull } from '../../casesApi.ts';
import { Notice, Submit } from '../../components/forms.tsx';
import { FormErrors, ProblemsProvider, PTextArea } from '../../components/problems.tsx';
import { submitting, useAction } from '../../hooks.ts';
import { participantsApi } from '../../participantsApi.ts';

/**
 * The summary the finder sees on their follow-up page, instead of the case's own: written by the
 * lead or a coordinator, free of embargoed detail. Staff only (others do not get the field).
 */
export function PublicSummaryCard({ c, reload }: { c: CaseFull; reload: () => Promise<void> }) {
  const { t } = useTranslation();
  const current = (c as CaseFull & { publicSummary?: string }).publicSummary;
  const [text, setText] = useState(current ?? '');
  const [notice, setNotice] = useState<string | null>(null);
  const save = useAction(async () => {
    setNotice(null);
    await participantsApi.setPublicSummary(c.caseId, text);
    setNotice(t('finderView.summarySaved'));
    await reload();
  });
  if (current === undefined) return null;
  const manage = c.abilities['case:manage'];
  return (
    <section className="card" aria-labelledby="public-summary-heading">
      <h2 id="public-summary-heading">{t('finderView.summaryTitle')}</h2>
      <p className="hint">{t('finderView.summaryHint')}</p>
      {manage ? (
        <ProblemsProvider error={save.error} scope="public-summary">
          <form onSubmit={submitting(save.run)} noValidate>
            <FormErrors error={save.error} />
            <PTextArea
              path="publicSummary"
              label={t('finderView.summaryLabel')}
              hint={t('report.markdownHint')}
              rows={4}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
            <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
            <div className="actions">
              <Submit busy={save.busy}>{t('common.save')}</Submit>
            </div>
          </form>
        </ProblemsProvider>
      ) : current ? (
        <p className="pre-text">{current}</p>
      ) : (
        <p className="muted">{t('finderView.noSummary')}</p>
      )}
    </section>
  );
}
