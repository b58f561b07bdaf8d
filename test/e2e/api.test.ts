import { describe, expect, inject, it } from 'vitest';
import { unverifiedJwt } from '../helpers/gateway-events';
import { api, pollUntilDecided, submit } from '../helpers/http';
import { mixedContentOfBytes } from '../helpers/mixed-content';

describe('the API over HTTP, on the stack `npm start` runs', () => {
  it('accepts a submission with 202, a Location and PENDING, then decides it PASSED', async () => {
    const created = await submit('This contains number 42');

    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(created.body).not.toHaveProperty('content');
    expect(created.headers.get('location')).toBe(`/submissions/${created.body.id}`);

    const decided = await pollUntilDecided(created.body.id);
    expect(decided.body).toMatchObject({
      id: created.body.id,
      status: 'PASSED',
      result: { verdict: 'PASSED' },
    });
    expect(decided.body).not.toHaveProperty('content');
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

describe('GET /submissions/{id}/content over HTTP, on the stack `npm start` runs', () => {
  const endpoint = () => inject('stack').httpEndpoint;
  const as = (sub: string) => ({ authorization: `Bearer ${unverifiedJwt({ sub })}` });

  it.each([
    ['a short content', 23],
    ['64 KiB (MAX_CONTENT_BYTES) of multi-byte UTF-8', 65_536],
  ])('serves %s byte for byte, which no status answer carries', async (_, bytes) => {
    const content = mixedContentOfBytes(bytes);
    const created = await submit(content);
    const { id } = created.body as { id: string };

    const decided = await pollUntilDecided(id);
    const read = await fetch(`${endpoint()}/submissions/${id}/content`);
    const wire = Buffer.from(await read.arrayBuffer());

    expect(created.status).toBe(202);
    expect(decided.body).not.toHaveProperty('content');
    expect(JSON.stringify(decided.body).length).toBeLessThan(2_048);
    expect(read.status).toBe(200);
    expect(read.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(wire.equals(Buffer.from(JSON.stringify({ id, content })))).toBe(true);
    const served = (JSON.parse(wire.toString('utf8')) as { content: string }).content;
    expect(Buffer.from(served).equals(Buffer.from(content))).toBe(true);
  });

  it('lets the caller cache it for a day (private, immutable, Vary: Authorization) and answers its ETag with a bare 304', async () => {
    const { id } = (await submit('cache this content 42')).body as { id: string };

    const first = await api(`/submissions/${id}/content`);
    const etag = first.headers.get('etag') ?? '';
    const unchanged = await api(`/submissions/${id}/content`, { headers: { 'if-none-match': etag } });

    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('private, max-age=86400, immutable');
    expect(first.headers.get('vary')).toMatch(/\bAuthorization\b/i);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(unchanged.status).toBe(304);
    expect(unchanged.body).toBeUndefined();
    expect(unchanged.headers.get('content-type')).toBeNull();
    expect(unchanged.headers.get('etag')).toBe(etag);
    expect(unchanged.headers.get('cache-control')).toBe('private, max-age=86400, immutable');
  });

  it('answers 404 to anyone but the owner, as the status route does, and 400 for a malformed id', async () => {
    const alice = `content-alice-${Date.now()}`;
    const created = await api('/submissions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...as(alice) },
      body: JSON.stringify({ content: 'alice’s content 12345' }),
    });
    const { id } = created.body as { id: string };

    const own = await api(`/submissions/${id}/content`, { headers: as(alice) });
    const bobs = await api(`/submissions/${id}/content`, { headers: as(`content-bob-${Date.now()}`) });
    const bobsStatus = await api(`/submissions/${id}`, { headers: as(`content-bob-${Date.now()}`) });
    const malformed = await api('/submissions/not-a-uuid/content');

    expect(own.body).toEqual({ id, content: 'alice’s content 12345' });
    expect(bobs.status).toBe(404);
    expect(bobs.headers.get('content-type')).toContain('application/problem+json');
    expect(bobs.headers.get('cache-control')).toBe('no-store');
    expect(bobs.body.detail).toBe(bobsStatus.body.detail);
    expect(JSON.stringify(bobs.body)).not.toContain('12345');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([{ field: 'id', message: expect.stringContaining('UUID') }]);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])(
    'answers %s with 405 and Allow: GET from the function (serverless.yml routes it)',
    async (method) => {
      const response = await api('/submissions/6f1c1c3e-5a3e-4c1e-9f1e-1e2d3c4b5a69/content', { method });

      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET');
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    },
  );
});
