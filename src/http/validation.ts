import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

/**
 * Route schemas are compiled on first use by default. Compiling every route's validators (Ajv)
 * and response serializers (fast-json-stringify) when the server starts cost about half a
 * second of the cold start; compiled lazily, each route pays a few milliseconds once, on its
 * first request. `eager` compiles everything at registration instead, so a test can prove that
 * every schema compiles (src/http/schemas.test.ts).
 */
export interface SchemaCompileOptions {
  eager?: boolean;
}

type Validator = ((data: unknown) => boolean) & { errors?: ValidateFunction['errors'] };

/** A validator that compiles its schema the first time it runs; errors are passed on as Fastify expects. */
function lazyValidator(compile: () => ValidateFunction): Validator {
  let compiled: ValidateFunction | null = null;
  const validate: Validator = (data) => {
    compiled ??= compile();
    const ok = compiled(data);
    validate.errors = compiled.errors;
    return ok;
  };
  return validate;
}

/**
 * Two validators: bodies are checked exactly as sent (no type coercion, unknown fields refused by
 * the schemas), while query strings and path parameters, which are always text, are coerced.
 */
export function installValidators(app: FastifyInstance, opts: SchemaCompileOptions = {}): void {
  const common: Options = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false };
  const strictAjv = addFormats.default(new Ajv({ ...common, coerceTypes: false }));
  const coercingAjv = addFormats.default(new Ajv({ ...common, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strictAjv : coercingAjv;
    return opts.eager ? ajv.compile(schema) : lazyValidator(() => ajv.compile(schema));
  });
}

/** Fastify's own response serializers (fast-json-stringify: undeclared properties are dropped), built on first use. */
export function serializerCompilers(opts: SchemaCompileOptions = {}): FastifyServerOptions['schemaController'] {
  const selector = SerializerSelector();
  return {
    compilersFactory: {
      buildSerializer: (externalSchemas, serializerOpts) => {
        const build = selector(externalSchemas, serializerOpts);
        if (opts.eager) return build;
        return (route) => {
          let serialize: ((doc: unknown) => string) | null = null;
          return (doc: unknown) => (serialize ??= build(route))(doc);
        };
      },
    },
  };
}
