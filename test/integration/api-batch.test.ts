import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ApiHandlerUnderTest,
  apiOnFreshBackend,
  closeApi,
  type RequestOptions,
} from '../helpers/api-events';

import type { TestBackend } from '../helpers/backend';
import { enqueuedIds, expectProblem, fieldsNamed, storedSubmissions } from '../helpers/problems';

const MAX_CONTENT_BYTES = 100;
const json = (value: unknown) => JSON.stringify(value);
const items = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ content: `item number ${index}` }));

describe('POST /submissions/batch through handlers/api.ts', () => {
  let backend: TestBackend;
  let api: ApiHandlerUnderTest;

  beforeEach(async () => {
    ({ backend, api } = await apiOnFreshBackend({ MAX_CONTENT_BYTES: String(MAX_CONTENT_BYTES) }));
  });
  afterEach(() => closeApi(backend, api));

  it('accepts 25 items: 202 with 25 results in order, 25 PENDING items stored and 25 id-only messages', async () => {
    const batch = items(25);

    const response = await api.call('POST', '/submissions/batch', {
      owner: 'alice',
      body: json({ items: batch }),
    });

    expect(response.status).toBe(202);
    expect(response.headers['cache-control']).toBe('no-store');
    const results = (response.body as { items: { id: string; status: string; content?: string }[] }).items;
    expect(results).toHaveLength(25);
    expect(results.every((result) => result.status === 'PENDING' && !('content' in result))).toBe(true);
    const stored = new Map((await storedSubmissions(backend)).map((item) => [item.id?.S, item]));
    expect(stored.size).toBe(25);
    expect(results.map((result) => stored.get(result.id)?.content?.S)).toEqual(
      batch.map((item) => item.content),
    );
    expect(results.every((result) => stored.get(result.id)?.status?.S === 'PENDING')).toBe(true);
    expect(results.every((result) => stored.get(result.id)?.owner?.S === 'alice')).toBe(true);
    const messages = await backend.receiveAll();
    expect(messages).toHaveLength(25);
    expect(messages.map((message) => message.Body).sort()).toEqual(
      results.map((result) => json({ id: result.id })).sort(),
    );
  });

  it('accepts a single item, and the owner can read its state and its content', async () => {
    const response = await api.call('POST', '/submissions/batch', {
      owner: 'alice',
      body: json({ items: [{ content: 'hello world 42' }] }),
    });

    expect(response.status).toBe(202);
    const [result] = (response.body as { items: { id: string }[] }).items;
    const read = await api.call('GET', `/submissions/${result?.id}`, { owner: 'alice' });
    const content = await api.call('GET', `/submissions/${result?.id}/content`, { owner: 'alice' });
    expect(read.body).toMatchObject({ id: result?.id, status: 'PENDING' });
    expect(read.body).not.toHaveProperty('content');
    expect(content.body).toEqual({ id: result?.id, content: 'hello world 42' });
    expect(await enqueuedIds(backend)).toEqual([result?.id]);
  });

  const withItem = (index: number, item: unknown) => {
    const batch: unknown[] = items(6);
    batch[index] = item;
    return json({ items: batch });
  };

  const badBatches: [string, RequestOptions, number, RegExp][] = [
    ['26 items', { body: json({ items: items(26) }) }, 400, /^items: items must hold at most 25/m],
    ['0 items', { body: json({ items: [] }) }, 400, /^items: items must hold at least one/m],
    ['items a string', { body: json({ items: 'hello world 42' }) }, 400, /^items: items must be an array/m],
    ['items an object', { body: json({ items: { content: 'x' } }) }, 400, /^items: items must be an array/m],
    ['items null', { body: json({ items: null }) }, 400, /^items: /m],
    ['no items', { body: json({}) }, 400, /^items: /m],
    ['a bare array of items', { body: json(items(2)) }, 400, /must be a JSON object/],
    [
      'one empty content',
      { body: withItem(3, { content: '' }) },
      400,
      /^items\.3\.content: content must not be empty/m,
    ],
    [
      'one content a number',
      { body: withItem(2, { content: 42 }) },
      400,
      /^items\.2\.content: content must be a string/m,
    ],
    ['one item without content', { body: withItem(4, {}) }, 400, /^items\.4\.content: /m],
    ['one item a string', { body: withItem(1, 'hello world 42') }, 400, /^items\.1: /m],
    ['one item null', { body: withItem(0, null) }, 400, /^items\.0: /m],
    [
      'a NUL byte in one content',
      { body: withItem(5, { content: 'hello \u0000 42' }) },
      400,
      /^items\.5\.content: .*control/m,
    ],
    [
      'an unknown field in one item',
      { body: withItem(3, { content: 'hello world 42', priority: 'high' }) },
      400,
      /^items\.3\.priority: unknown field/m,
    ],
    [
      'an unknown top-level field',
      { body: json({ items: items(2), dryRun: true }) },
      400,
      /^dryRun: unknown field/m,
    ],
    ['malformed JSON', { body: '{"items": [' }, 400, /not valid JSON/],
    ['no body', {}, 400, /^items: items is required/m],
    [
      'one content over MAX_CONTENT_BYTES',
      { body: withItem(4, { content: 'a'.repeat(MAX_CONTENT_BYTES + 1) }) },
      413,
      /^items\.4\.content: items\.4\.content must be at most 100 bytes/m,
    ],
    [
      'a text/plain body',
      { body: json({ items: items(2) }), headers: { 'content-type': 'text/plain' } },
      415,
      /application\/json, not text\/plain/,
    ],
    [
      'an Idempotency-Key header (batches are not idempotent, so it is refused, not ignored)',
      { body: json({ items: items(2) }), headers: { 'Idempotency-Key': 'batch-key-1' } },
      400,
      /^Idempotency-Key: batches are not idempotent/m,
    ],
  ];

  it.each(badBatches)(
    'refuses %s with a problem naming the field, storing and enqueuing nothing',
    async (_, request, status, names) => {
      const response = await api.call('POST', '/submissions/batch', request);

      expectProblem(response, status, names);
      expect(response.body).toMatchObject({ instance: '/submissions/batch' });
      expect(await backend.scanAll()).toEqual([]);
      expect(await backend.approximateDepth()).toBe(0);
    },
  );

  it('names every bad item at once, not only the first', async () => {
    const batch: unknown[] = items(5);
    batch[1] = { content: '' };
    batch[3] = { content: 7 };

    const response = await api.call('POST', '/submissions/batch', { body: json({ items: batch }) });

    expect(response.status).toBe(400);
    expect(fieldsNamed(response)).toEqual(['items.1.content', 'items.3.content']);
  });

  it('names every oversized item with 413', async () => {
    const batch: unknown[] = items(5);
    batch[0] = { content: 'a'.repeat(MAX_CONTENT_BYTES + 1) };
    batch[4] = { content: 'é'.repeat(MAX_CONTENT_BYTES / 2 + 1) };

    const response = await api.call('POST', '/submissions/batch', { body: json({ items: batch }) });

    expect(response.status).toBe(413);
    expect(fieldsNamed(response)).toEqual(['items.0.content', 'items.4.content']);
    expect(await backend.scanAll()).toEqual([]);
  });

  it('accepts items of exactly MAX_CONTENT_BYTES each', async () => {
    const batch = Array.from({ length: 25 }, () => ({ content: 'é'.repeat(MAX_CONTENT_BYTES / 2) }));

    const response = await api.call('POST', '/submissions/batch', { body: json({ items: batch }) });

    expect(response.status).toBe(202);
    expect(await storedSubmissions(backend)).toHaveLength(25);
  });
});
