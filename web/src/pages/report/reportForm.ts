import type { PickedFile } from '../../files.ts';
import type { AffectedInput, ReportInput } from '../../reportsApi.ts';

/** The report form's state, and how it becomes the API's ReportInput. */

export interface AffectedRow {
  key: number;
  vendor: string;
  product: string;
  versions: string;
  identifier: string;
}

export interface ReportFormState {
  title: string;
  affected: AffectedRow[];
  description: string;
  reproduction: string;
  impact: string;
  cvss: string;
  cwe: string;
  alreadyPublic: boolean;
  exploited: boolean;
  /** One http(s) address per line. */
  publicReferences: string;
  othersInformed: string;
  disclosurePlan: string;
  disclosureDate: string;
  creditMode: 'name' | 'handle' | 'anonymous';
  creditValue: string;
  creditType: string;
  publicAcknowledgement: boolean;
  contactEmail: string;
  pgpPublicKey: string;
  language: string;
  /** The honeypot: hidden from people, so it stays empty unless a robot fills it. */
  website: string;
  files: PickedFile[];
}

export type SetField = <K extends keyof ReportFormState>(key: K, value: ReportFormState[K]) => void;

let rowKey = 0;
export function emptyRow(): AffectedRow {
  rowKey += 1;
  return { key: rowKey, vendor: '', product: '', versions: '', identifier: '' };
}

export function emptyForm(language: string): ReportFormState {
  return {
    title: '',
    affected: [emptyRow()],
    description: '',
    reproduction: '',
    impact: '',
    cvss: '',
    cwe: '',
    alreadyPublic: false,
    exploited: false,
    publicReferences: '',
    othersInformed: '',
    disclosurePlan: '',
    disclosureDate: '',
    creditMode: 'anonymous',
    creditValue: '',
    creditType: 'FINDER',
    publicAcknowledgement: false,
    contactEmail: '',
    pgpPublicKey: '',
    language,
    website: '',
    files: [],
  };
}

/** Optional text: left out when empty, so the server sees only what the finder wrote. */
function opt(value: string): string | undefined {
  const v = value.trim();
  return v === '' ? undefined : v;
}

export function toReportInput(s: ReportFormState): ReportInput {
  const affected: AffectedInput[] = s.affected.map((a) => ({
    vendor: opt(a.vendor),
    product: opt(a.product),
    versions: opt(a.versions),
    identifier: opt(a.identifier),
  }));
  const references = s.publicReferences
    .split('\n')
    .map((r) => r.trim())
    .filter(Boolean);
  return {
    title: s.title.trim(),
    affected,
    description: s.description.trim(),
    reproduction: opt(s.reproduction),
    impact: opt(s.impact),
    cvss: opt(s.cvss),
    cwe: opt(s.cwe),
    alreadyPublic: s.alreadyPublic,
    exploited: s.exploited,
    publicReferences: references.length ? references : undefined,
    othersInformed: opt(s.othersInformed),
    disclosurePlan: opt(s.disclosurePlan),
    disclosureDate: opt(s.disclosureDate),
    credit: {
      mode: s.creditMode,
      value: s.creditMode === 'anonymous' ? undefined : opt(s.creditValue),
      type: s.creditType,
    },
    publicAcknowledgement: s.publicAcknowledgement,
    contactEmail: opt(s.contactEmail),
    pgpPublicKey: opt(s.pgpPublicKey),
    language: s.language,
    attachments: s.files.length
      ? s.files.map(({ filename, contentType, contentBase64 }) => ({ filename, contentType, contentBase64 }))
      : undefined,
    website: s.website,
  };
}
