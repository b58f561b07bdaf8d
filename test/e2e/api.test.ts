import { describe, expect, it } from 'vitest';
import { api, pollUntilDecided, submit } from '../helpers/http';

describe('the API over HTTP, on the stack `npm start` runs', () => {
  it('accepts a submission with 202, a Location and PENDING, then decides it PASSED', async () => {
    const created = await submit('This contains number 42');

    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(created.headers.get('location')).toBe(`/submissions/${created.body.id}`);

    const decided = await pollUntilDecided(created.body.id);
    expect(decided.body).toMatchObject({
      id: created.body.id,
      status: 'PASSED',
      content: 'This contains number 42',
      result: { verdict: 'PASSED' },
    });
    expect(decided.body.completedAt >= decided.body.createdAt).toBe(true);
    expect(decided.headers.get('retry-after')).toBeNull();
  });

  it.each([
    ['short', 'FAILED'],
    ['abcdefgh1', 'FAILED'], // 9 characters with a digit
    ['abcdefghi1', 'PASSED'], // 10 characters with a digit
    ['no digits in this one', 'FAILED'],
    ['123456789', 'FAILED'], // digits only, 9
    ['1234567890', 'PASSED'], // digits only, 10
    ['😀😀😀😀😀😀😀😀😀1', 'PASSED'], // 10 code points
  ])('decides %j as %s, explaining every rule', async (content, expected) => {
    const created = await submit(content);

    const decided = await pollUntilDecided(created.body.id);

    expect(decided.body.status).toBe(expected);
    expect(decided.body.result.rules).toHaveLength(2);
    for (const rule of decided.body.result.rules) expect(rule.message).toEqual(expect.any(String));
  });

  it('says why "short" failed in words', async () => {
    const decided = await pollUntilDecided((await submit('short')).body.id);

    expect(decided.body.result.ruleSet).toEqual({ id: 'default', version: expect.any(Number) });
    expect(decided.body.result.rules).toEqual([
      expect.objectContaining({
        rule: 'minLength',
        passed: false,
        message: expect.stringContaining('at least 10 characters'),
        measured: expect.stringContaining('5'),
      }),
      expect.objectContaining({
        rule: 'requireDigit',
        passed: false,
        message: expect.stringContaining('digit'),
      }),
    ]);
  });

  it('gives pollers Retry-After while pending, and a bare 304 for an unchanged submission', async () => {
    const { body } = await submit('This contains number 7');

    const decided = await pollUntilDecided(body.id);
    const etag = decided.headers.get('etag') ?? '';
    const unchanged = await api(`/submissions/${body.id}`, { headers: { 'if-none-match': etag } });

    expect(etag).toMatch(/^W\/".+"$/);
    expect(unchanged.status).toBe(304);
    expect(unchanged.body).toBeUndefined();
    // As from API Gateway: no Content-Type on a 304 (serverless-offline's own is removed).
    expect(unchanged.headers.get('content-type')).toBeNull();
    expect(unchanged.headers.get('etag')).toBe(etag);
  });

  it('answers 404 for an unknown id and 400 for a malformed one, as problem+json', async () => {
    const unknown = await api('/submissions/6f1c1c3e-5a3e-4c1e-9f1e-1e2d3c4b5a69');
    const malformed = await api('/submissions/not-a-uuid');

    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([{ field: 'id', message: expect.stringContaining('UUID') }]);
  });

  it.each([
    ['empty content', { content: '' }, 400, 'content'],
    ['content not a string', { content: 42 }, 400, 'content'],
    ['unknown field', { content: 'x', extra: true }, 400, 'extra'],
    ['too large', { content: 'x'.repeat(65_537) }, 413, 'content'],
  ])('refuses %s with %i naming the field', async (_label, body, status, field) => {
    const response = await api('/submissions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

    expect(response.status).toBe(status);
    expect(JSON.stringify(response.body.errors)).toContain(field);
  });

  it('lists the caller’s submissions newest first, page by page', async () => {
    const first = await submit('listing test 1');
    const second = await submit('listing test 2');

    const page = await api('/submissions?limit=2');
    const next = await api(`/submissions?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`);

    const ids = [...page.body.items, ...next.body.items].map((item: { id: string }) => item.id);
    const created = [...page.body.items, ...next.body.items].map(
      (item: { createdAt: string }) => item.createdAt,
    );
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(2);
    expect(ids.slice(0, 2).sort()).toEqual([first.body.id, second.body.id].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(created).toEqual([...created].sort().reverse());
  });
});
