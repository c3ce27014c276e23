/** Scores and taxonomies: CVSS vectors (3.0, 3.1, 4.0) and CWE identifiers. Pure: no I/O. */
export {
  type Cvss3Result,
  type Cvss4Nomenclature,
  type Cvss4Result,
  type CvssError,
  type CvssMetricDefinition,
  type CvssMetricGroup,
  type CvssResult,
  type CvssSeverity,
  type CvssVersion,
  cvssMetricDefinitions,
  cvssSeverity,
  parseCvss,
} from './cvss.ts';
export {
  type CweAbstraction,
  type CweEntry,
  type CweId,
  type CweKind,
  type CweSearchOptions,
  type CweStatus,
  type CweUsage,
  type CweValidation,
  CWE_CATALOGUE,
  lookupCwe,
  searchCwe,
  validateCwe,
} from './cwe.ts';
