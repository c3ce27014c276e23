import { useTranslation } from 'react-i18next';

/** Form labels for the field paths the server names in its problems, for the summary at the top. */

const topLabels: Record<string, string> = {
  title: 'report.titleField',
  description: 'report.description',
  reproduction: 'report.reproduction',
  impact: 'report.impact',
  cvss: 'report.cvss',
  cwe: 'report.cwe',
  alreadyPublic: 'report.alreadyPublic',
  exploited: 'report.exploited',
  publicReferences: 'report.publicReferences',
  othersInformed: 'report.othersInformed',
  disclosurePlan: 'report.disclosurePlan',
  disclosureDate: 'report.disclosureDate',
  'credit.mode': 'report.creditMode',
  'credit.value': 'report.creditMode',
  'credit.type': 'report.creditType',
  publicAcknowledgement: 'report.publicAcknowledgement',
  contactEmail: 'report.contactEmail',
  pgpPublicKey: 'report.pgpPublicKey',
  language: 'report.language',
  attachments: 'files.label',
  affected: 'report.sections.affected',
};

/** The label a finder sees for a field the server names (`affected[1].identifier` → "Affected product 2: …"). */
export function useReportFieldLabel(): (field: string) => string | null {
  const { t } = useTranslation();
  return (field) => {
    const row = /^affected\[(\d+)\](?:\.(\w+))?$/.exec(field);
    if (row) {
      const product = t('report.affectedRow', { n: Number(row[1]) + 1 });
      const part = row[2] === 'identifier' ? t('report.identifier') : row[2] ? t(`report.${row[2]}`) : null;
      return part ? `${product}: ${part}` : product;
    }
    const top = field.replace(/\[\d+\].*$/, '');
    const key = topLabels[field] ?? topLabels[top];
    return key ? t(key) : null;
  };
}
