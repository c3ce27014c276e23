import { useTranslation } from 'react-i18next';
import type { Membership } from '../../api.ts';
import { casesApi, type CaseView } from '../../casesApi.ts';
import { FormCard } from '../../components/FormCard.tsx';
import { PInput, PSelect, PTextArea } from '../../components/problems.tsx';
import { useAction, useForm } from '../../hooks.ts';
import { navigate } from '../../router.tsx';
import { useSession } from '../../session.tsx';

/** Splits "ACC-2026-0001, ACC-2026-0002" (commas, spaces or lines) into ids. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const optional = (s: string) => (s.trim() ? s.trim() : undefined);

function opened(c: CaseView) {
  navigate(`/cases/${encodeURIComponent(c.caseId)}`);
}

/** Staff open a case from scratch or from accepted reports; they lead it. */
export function OpenCaseForm() {
  const { t } = useTranslation();
  const { form, bind } = useForm({ title: '', summary: '', reports: '', terms: '' });
  const open = useAction(async () => {
    const reportIds = splitList(form.reports);
    opened(
      await casesApi.open({
        title: form.title.trim(),
        summary: optional(form.summary),
        termsText: optional(form.terms),
        ...(reportIds.length ? { reportIds } : {}),
      }),
    );
  });
  return (
    <FormCard
      id="open-case"
      title={t('cases.open.title')}
      intro={t('cases.open.intro')}
      action={open}
      submit={t('cases.open.submit')}
    >
      <PInput path="title" label={t('cases.fields.title')} required maxLength={200} {...bind.text('title')} />
      <PTextArea
        path="summary"
        label={t('cases.fields.summary')}
        hint={t('report.markdownHint')}
        {...bind.text('summary')}
      />
      <PInput
        path="reportIds"
        nested
        label={t('cases.open.reports')}
        hint={t('cases.open.reportsHint')}
        spellCheck={false}
        {...bind.text('reports')}
      />
      <PTextArea
        path="termsText"
        label={t('cases.open.terms')}
        hint={t('cases.open.termsHint')}
        rows={4}
        {...bind.text('terms')}
      />
    </FormCard>
  );
}

/** A vendor org member asks the home organization to coordinate; their org takes part at once. */
export function AskCoordinationForm({ orgs }: { orgs: Membership[] }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const { form, bind } = useForm({ orgId: orgs[0]?.orgId ?? '', title: '', summary: '' });
  const ask = useAction(async () => {
    opened(await casesApi.ask({ orgId: form.orgId, title: form.title.trim(), summary: optional(form.summary) }));
  });
  return (
    <FormCard
      id="ask-coordination"
      title={t('cases.ask.title')}
      intro={t('cases.ask.intro', { instance: me?.instanceName ?? t('app.name') })}
      action={ask}
      submit={t('cases.ask.submit')}
    >
      <PSelect path="orgId" label={t('cases.ask.org')} {...bind.text('orgId')}>
        {orgs.map((o) => (
          <option key={o.orgId} value={o.orgId}>
            {o.orgName}
          </option>
        ))}
      </PSelect>
      <PInput path="title" label={t('cases.fields.title')} required maxLength={200} {...bind.text('title')} />
      <PTextArea
        path="summary"
        label={t('cases.fields.summary')}
        hint={t('report.markdownHint')}
        {...bind.text('summary')}
      />
    </FormCard>
  );
}
