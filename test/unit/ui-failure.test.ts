import { describe, expect, it } from 'vitest';
import { describeResponseFailure } from '../../src/ui/failure';

const problem = (status: number, detail: string, errors?: { field: string; message: string }[]) => ({
  type: `https://httpstatuses.io/${status}`,
  title: 'Title',
  status,
  detail,
  ...(errors ? { errors } : {}),
});

describe('the page’s error messages', () => {
  it('says "too long" for 413, with the field’s message', () => {
    const failure = describeResponseFailure(
      413,
      problem(413, 'content is 70000 bytes of UTF-8; the limit is 65536.', [
        { field: 'content', message: 'content must be at most 65536 bytes of UTF-8' },
      ]),
    );

    expect(failure).toEqual({
      message: 'Too long: content must be at most 65536 bytes of UTF-8. Shorten the text and submit again.',
      retryable: false,
    });
  });

  it('says "too long" for a 413 without a problem body (API Gateway’s own)', () => {
    expect(describeResponseFailure(413, undefined).message).toMatch(/^Too long: /);
  });

  it('gives the fields’ messages for 400', () => {
    const failure = describeResponseFailure(
      400,
      problem(400, 'The request body is not a valid submission.', [
        { field: 'content', message: 'content must not be empty' },
      ]),
    );

    expect(failure).toEqual({ message: 'Invalid input: content must not be empty.', retryable: false });
  });

  it('falls back to the detail when a 400 names no field', () => {
    expect(
      describeResponseFailure(400, problem(400, 'The request body is not valid JSON in UTF-8.')),
    ).toEqual({
      message: 'Invalid input: The request body is not valid JSON in UTF-8.',
      retryable: false,
    });
  });

  it('asks for an access token on 401', () => {
    expect(describeResponseFailure(401, { message: 'Unauthorized' }).message).toContain('Access token');
  });

  it.each([500, 502, 503, 504, 429])('offers a retry for %i', (status) => {
    expect(describeResponseFailure(status, undefined).retryable).toBe(true);
  });

  it.each([400, 401, 404, 413, 415, 422])(
    'offers no retry for %i: the same request would fail again',
    (status) => {
      expect(describeResponseFailure(status, undefined).retryable).toBe(false);
    },
  );

  it('never shows raw JSON or "undefined" for a body it cannot read', () => {
    for (const body of [undefined, null, 'text', 42, { errors: 'not an array' }, { errors: [null, {}] }]) {
      const { message } = describeResponseFailure(400, body);
      expect(message).not.toMatch(/undefined|null|\{/);
    }
  });
});
