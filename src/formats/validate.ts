/**
 * One entry point for validating the machine-readable advisory formats Accord reads and writes: CSAF 2.0, CVE JSON
 * 5.1 (full record or CNA container), OSV and OpenVEX 0.2. `detectKind` tells them apart by content;
 * `validateDocument` runs the format's validator and returns findings with JSON-Pointer paths. A document is valid
 * when it has no finding of severity `error` (CSAF recommended tests give warnings).
 */
import { validation } from '../core/errors.ts';
import { validateCsaf } from './csaf.ts';
import type { Finding } from './findings.ts';
import { lintOsv } from './osv-lint.ts';
import { validateCveSchema, validateOpenVexSchema, validateOsvSchema } from './schemas.ts';

export type { Finding } from './findings.ts';

export type DocumentKind = 'csaf' | 'cve' | 'osv' | 'openvex';

export const documentKinds: readonly DocumentKind[] = ['csaf', 'cve', 'osv', 'openvex'];

export const documentKindNames: Record<DocumentKind, string> = {
  csaf: 'CSAF 2.0',
  cve: 'CVE JSON 5.1',
  osv: 'OSV',
  openvex: 'OpenVEX 0.2',
};

export interface ValidationResult {
  kind: DocumentKind;
  valid: boolean;
  findings: Finding[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The format a parsed JSON document claims to be, from the fields each format requires:
 * CSAF has `document.csaf_version`; a CVE record has `dataType: "CVE_RECORD"` and a CNA container has
 * `providerMetadata` (with `affected`, `descriptions` or `rejectedReasons`); OpenVEX has an `@context` under
 * `https://openvex.dev/ns`; OSV has string `id` and `modified`. Undefined when it is none of them.
 */
export function detectKind(doc: unknown): DocumentKind | undefined {
  if (!isObject(doc)) return undefined;
  if (isObject(doc.document) && 'csaf_version' in doc.document) return 'csaf';
  if (doc.dataType === 'CVE_RECORD' || isObject(doc.cveMetadata)) return 'cve';
  if (isObject(doc.providerMetadata) && ('affected' in doc || 'descriptions' in doc || 'rejectedReasons' in doc)) {
    return 'cve';
  }
  if (typeof doc['@context'] === 'string' && doc['@context'].startsWith('https://openvex.dev/ns')) return 'openvex';
  if (typeof doc.id === 'string' && typeof doc.modified === 'string') return 'osv';
  return undefined;
}

/**
 * Validates `doc` as `kind` (detected from content when not given). Throws ERR_VALIDATION when no kind is given and
 * none can be detected; a document that is not what `kind` says simply gets findings.
 */
export async function validateDocument(doc: unknown, kind?: DocumentKind): Promise<ValidationResult> {
  const k = kind ?? detectKind(doc);
  if (k === undefined) {
    throw validation(
      'the document is not CSAF 2.0, CVE JSON 5, OSV or OpenVEX: none of the fields that identify them ' +
        '(document.csaf_version, dataType/cveMetadata or providerMetadata, @context, id and modified) is present',
      { kinds: documentKinds },
    );
  }
  const findings = await findingsFor(doc, k);
  return { kind: k, valid: !findings.some((f) => f.severity === 'error'), findings };
}

async function findingsFor(doc: unknown, kind: DocumentKind): Promise<Finding[]> {
  switch (kind) {
    case 'csaf':
      return validateCsaf(doc);
    case 'cve':
      return validateCveSchema(doc);
    case 'osv':
      return [...validateOsvSchema(doc), ...lintOsv(doc)];
    case 'openvex':
      return validateOpenVexSchema(doc);
  }
}
