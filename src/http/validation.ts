import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

/**
 * Two validators: bodies are checked exactly as sent (no type coercion, unknown fields refused by
 * the schemas), while query strings and path parameters, which are always text, are coerced.
 */
export function installValidators(app: FastifyInstance): void {
  const common: Options = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false };
  const strictAjv = addFormats.default(new Ajv({ ...common, coerceTypes: false }));
  const coercingAjv = addFormats.default(new Ajv({ ...common, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strictAjv : coercingAjv;
    return ajv.compile(schema);
  });
}
