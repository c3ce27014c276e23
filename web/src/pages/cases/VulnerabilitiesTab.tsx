import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { casesApi } from '../../casesApi.ts';
import { FormCard } from '../../components/FormCard.tsx';
import { DataTable } from '../../components/lists.tsx';
import { PInput, PTextArea } from '../../components/problems.tsx';
import { useAction, useForm } from '../../hooks.ts';
import { CvssCalculator } from '../../components/CvssCalculator.tsx';
import { CweField } from '../report/ScoreFields.tsx';
import { CvssBadge } from './CaseBadges.tsx';
import { ImportCard } from './ImportCard.tsx';
import type { CaseTabProps } from './CasePage.tsx';

const emptyVuln = { title: '', description: '', cwe: '', cvssV3: '', cvssV4: '', cveId: '' };
const optional = (s: string) => s.trim() || undefined;

/** The case's vulnerabilities; the lead and coordinators add them (CWE, CVSS 3.1/4.0 scored live, CVE). */
export function VulnerabilitiesTab({ c, reload }: CaseTabProps) {
  const { t } = useTranslation();
  const { form, setForm, set, bind } = useForm(emptyVuln);
  const [notice, setNotice] = useState<string | null>(null);
  const add = useAction(async () => {
    setNotice(null);
    await casesApi.addVulnerability(c.caseId, {
      title: form.title.trim(),
      description: optional(form.description),
      cwe: optional(form.cwe),
      cvssV3: optional(form.cvssV3),
      cvssV4: optional(form.cvssV4),
      cveId: optional(form.cveId),
    });
    setNotice(t('cases.vulns.added', { title: form.title.trim() }));
    setForm(emptyVuln);
    await reload();
  });

  return (
    <>
      <section className="card" aria-labelledby="vulns-heading">
        <h2 id="vulns-heading">{t('cases.tabs.vulnerabilities')}</h2>
        {c.vulnerabilities.length === 0 && <p className="muted">{t('cases.vulns.none')}</p>}
        <DataTable
          items={c.vulnerabilities}
          caption={t('cases.tabs.vulnerabilities')}
          columns={[t('cases.vulns.title'), t('cases.vulns.cwe'), 'CVSS 3.1', 'CVSS 4.0', t('cases.vulns.cve')]}
          row={(v) => (
            <tr key={v.id}>
              <td>
                <strong>{v.title}</strong>
                {v.description && <p className="pre-text small">{v.description}</p>}
              </td>
              <td className="nowrap">{v.cwe ?? '—'}</td>
              <td>
                <CvssBadge cvss={v.cvssV3} />
              </td>
              <td>
                <CvssBadge cvss={v.cvssV4} />
              </td>
              <td className="nowrap mono">{v.cveId ?? '—'}</td>
            </tr>
          )}
        />
      </section>
      {c.abilities['case:manage'] && (
        <FormCard
          id="vuln"
          title={t('cases.vulns.add')}
          open={c.vulnerabilities.length === 0}
          notice={notice}
          action={add}
          submit={t('cases.vulns.submit')}
        >
          <PInput path="title" label={t('cases.vulns.title')} required maxLength={300} {...bind.text('title')} />
          <PTextArea path="description" label={t('cases.vulns.description')} rows={3} {...bind.text('description')} />
          <div className="grid-2">
            <CweField value={form.cwe} onChange={(v) => set('cwe', v)} label={t('cases.vulns.cwe')} />
            <PInput
              path="cveId"
              label={t('cases.vulns.cve')}
              hint={t('cases.vulns.cveHint')}
              placeholder="CVE-2026-12345"
              spellCheck={false}
              {...bind.text('cveId')}
            />
            <CvssCalculator
              version="3.1"
              path="cvssV3"
              label="CVSS 3.1"
              hint={t('cases.vulns.cvssHint')}
              value={form.cvssV3}
              onChange={(v) => set('cvssV3', v)}
            />
            <CvssCalculator
              version="4.0"
              path="cvssV4"
              label="CVSS 4.0"
              hint={t('cases.vulns.cvssHint')}
              value={form.cvssV4}
              onChange={(v) => set('cvssV4', v)}
            />
          </div>
        </FormCard>
      )}
      {c.abilities['case:manage'] && <ImportCard target={{ kind: 'case', caseId: c.caseId }} onImported={reload} />}
    </>
  );
}
