/**
 * JSON-schema validation of CVE JSON 5.1.1, OSV and OpenVEX 0.2.0 documents with Ajv, against the official schemas
 * vendored in `schemas/` (see `schemas/SOURCES.md` for where each comes from and its licence). Each validator is
 * compiled on first use: compiling the CVE schema takes tens of milliseconds and most processes never need it.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import cveSchema from './schemas/cve-5.1.1.schema.json' with { type: 'json' };
import openvexSchema from './schemas/openvex-0.2.0.schema.json' with { type: 'json' };
import osvSchema from './schemas/osv.schema.json' with { type: 'json' };
import { type Finding, schemaFindings } from './findings.ts';

/**
 * `iri` (RFC 3987), used by OpenVEX for `@id`, is not among Ajv's formats. An absolute IRI is a scheme, a colon and
 * characters other than white space and those RFC 3987 excludes (`<>"{}|\^` and backtick).
 */
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/u;

function makeAjv(kind: 'draft-07' | '2020-12'): Ajv {
  // strict: false — the official schemas use annotations (e.g. `markdownDescription`) that strict mode refuses.
  const options = { allErrors: true, strict: false, validateFormats: true } as const;
  const ajv = kind === 'draft-07' ? new Ajv(options) : new Ajv2020(options);
  addFormats.default(ajv);
  ajv.addFormat('iri', IRI);
  return ajv;
}

const CVE_ID = 'https://cveproject.github.io/cve-schema/schema/CVE_Record_Format.json';

let draft07: Ajv | undefined;
let draft2020: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function cveValidator(ref: string): ValidateFunction {
  let v = compiled.get(ref);
  if (v === undefined) {
    draft07 ??= makeAjv('draft-07');
    if (draft07.getSchema(CVE_ID) === undefined) draft07.addSchema(cveSchema);
    v = draft07.getSchema(`${CVE_ID}${ref}`);
    if (v === undefined) throw new Error(`CVE schema has no ${ref}`);
    compiled.set(ref, v);
  }
  return v;
}

function validator2020(name: 'osv' | 'openvex'): ValidateFunction {
  let v = compiled.get(name);
  if (v === undefined) {
    draft2020 ??= makeAjv('2020-12');
    v = draft2020.compile(name === 'osv' ? osvSchema : openvexSchema);
    compiled.set(name, v);
  }
  return v;
}

function run(v: ValidateFunction, doc: unknown): Finding[] {
  return v(doc) ? [] : schemaFindings(v.errors);
}

/** The shapes of CVE JSON 5.1 that Accord reads and writes. */
export type CveShape = 'record-published' | 'record-rejected' | 'cna-published' | 'cna-rejected';

/**
 * Which CVE JSON shape a document claims to be: a full record (by `cveMetadata.state`) or a CNA container (by
 * `rejectedReasons`). A record whose state is neither PUBLISHED nor REJECTED is checked as published, which reports
 * the bad state.
 */
export function cveShape(doc: unknown): CveShape {
  const d = (doc ?? {}) as Record<string, unknown>;
  if ('dataType' in d || 'cveMetadata' in d || 'containers' in d) {
    const meta = (d.cveMetadata ?? {}) as Record<string, unknown>;
    return meta.state === 'REJECTED' ? 'record-rejected' : 'record-published';
  }
  return 'rejectedReasons' in d ? 'cna-rejected' : 'cna-published';
}

const cveRefs: Record<CveShape, string> = {
  // The record schema is `oneOf` these two; checking the intended branch alone gives findings about that branch only.
  'record-published': '#/oneOf/0',
  'record-rejected': '#/oneOf/1',
  'cna-published': '#/definitions/cnaPublishedContainer',
  'cna-rejected': '#/definitions/cnaRejectedContainer',
};

/** CVE JSON 5.1.1: a full record or a CNA container (see `cveShape`). */
export function validateCveSchema(doc: unknown, shape: CveShape = cveShape(doc)): Finding[] {
  return run(cveValidator(cveRefs[shape]), doc);
}

/** OSV schema (ossf/osv-schema `validation/schema.json`). */
export function validateOsvSchema(doc: unknown): Finding[] {
  return run(validator2020('osv'), doc);
}

/** OpenVEX 0.2.0 JSON schema. */
export function validateOpenVexSchema(doc: unknown): Finding[] {
  return run(validator2020('openvex'), doc);
}
