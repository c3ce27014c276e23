import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { invalidFields } from '../../src/reports/rules.ts';
import { ApiError } from '../../web/src/api.ts';
import { errorFor } from '../../web/src/components/forms.tsx';

/** The error the browser builds from the server's answer to a refused request (over JSON). */
function received(err: AppError, status = 400): ApiError {
  const body = JSON.parse(
    JSON.stringify({ error: { code: err.code, message: err.message, details: err.details } }),
  ) as {
    error: { code: string; message: string; details: Record<string, unknown> };
  };
  return new ApiError(status, body.error.code, body.error.message, body.error.details);
}

describe('errorFor: the server complaint shown on a form field', () => {
  it('shows every field named in details.problems on that field, with its own message', () => {
    const err = received(
      invalidFields([
        { field: 'email', message: '"x" is not an e-mail address' },
        { field: 'phone', message: 'use digits, spaces and + ( ) . / - only' },
      ]),
    );
    expect(errorFor(err, 'email')).toBe('"x" is not an e-mail address');
    // Not only the first problem (details.field): the second field gets its complaint too.
    expect(errorFor(err, 'phone')).toBe('use digits, spaces and + ( ) . / - only');
    expect(errorFor(err, 'name')).toBeNull();
  });

  it('joins several problems of one field, and leaves the fields under it to their own controls', () => {
    const err = received(
      invalidFields([
        { field: 'title', message: 'at most 200 characters' },
        { field: 'links[1]', message: 'use an http(s) address' },
        { field: 'title', message: 'must not be blank' },
      ]),
    );
    expect(errorFor(err, 'title')).toBe('at most 200 characters · must not be blank');
    expect(errorFor(err, 'links[1]')).toBe('use an http(s) address');
    expect(errorFor(err, 'links')).toBeNull();
  });

  it('still reads details.field, and the body schema issues, where there are no field problems', () => {
    const single = received(new AppError('ERR_CONFLICT', 'that e-mail address is in use already', { field: 'email' }));
    expect(errorFor(single, 'email')).toBe('that e-mail address is in use already');
    expect(errorFor(single, 'role')).toBeNull();

    // The CVSS route lists its problems as plain strings, under one field: the message stands for them.
    const vector = received(
      new AppError('ERR_VALIDATION', 'A is not a metric; AV is missing', {
        field: 'vector',
        problems: ['A is not a metric', 'AV is missing'],
      }),
    );
    expect(errorFor(vector, 'vector')).toBe('A is not a metric; AV is missing');

    const schema = new ApiError(400, 'ERR_VALIDATION', 'body/title must NOT have more than 200 characters', {
      issues: [{ path: 'body/title', message: 'body/title must NOT have more than 200 characters' }],
    });
    expect(errorFor(schema, 'title')).toBe('body/title must NOT have more than 200 characters');
    expect(errorFor(new Error('network down'), 'title')).toBeNull();
  });
});
