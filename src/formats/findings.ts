/** Turning JSON-schema (Ajv) errors into Accord's validation findings. */
import type { ErrorObject } from 'ajv';

export interface Finding {
  /** JSON Pointer (RFC 6901) to the offending value; `''` is the whole document. */
  path: string;
  message: string;
  /** The check that found it, e.g. `schema` or a CSAF test id such as `6.1.27.3`. */
  test?: string;
  severity: 'error' | 'warning' | 'info';
}

/** A readable message for one Ajv error, naming the property or the allowed values where Ajv keeps them apart. */
export function schemaFinding(error: ErrorObject, test = 'schema'): Finding {
  const params = error.params as Record<string, unknown>;
  let path = error.instancePath;
  let message = error.message ?? `fails ${error.keyword}`;
  switch (error.keyword) {
    case 'required':
      path = `${path}/${escapePointer(String(params.missingProperty))}`;
      message = 'is required but missing';
      break;
    case 'additionalProperties':
      path = `${path}/${escapePointer(String(params.additionalProperty))}`;
      message = 'is not allowed here (unknown property)';
      break;
    case 'enum':
      message = `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'const':
      message = `must be ${JSON.stringify(params.allowedValue)}`;
      break;
    default:
      break;
  }
  return { path, message, test, severity: 'error' };
}

/** Ajv reports each failing branch of a `oneOf`/`anyOf` and then the combinator itself; keep the useful ones once. */
export function schemaFindings(errors: readonly ErrorObject[] | null | undefined, test = 'schema'): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const error of errors ?? []) {
    const finding = schemaFinding(error, test);
    const key = `${finding.path}\u0000${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(finding);
  }
  return out;
}

export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
