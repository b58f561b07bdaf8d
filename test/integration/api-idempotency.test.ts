import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ApiHandlerUnderTest,
  type ApiResponse,
  apiOnFreshBackend,
  closeApi,
  type RequestOptions,
} from '../helpers/api-events';

import type { TestBackend } from '../helpers/backend';
import { enqueuedIds, expectProblem, fieldsNamed, snapshot, storedSubmissions } from '../helpers/problems';

const json = (value: unknown) => JSON.stringify(value);
const idOf = (response: ApiResponse) => (response.body as { id: string }).id;

describe('POST /submissions with an Idempotency-Key, through handlers/api.ts', () => {
  let backend: TestBackend;
  let api: ApiHandlerUnderTest;

  beforeEach(async () => {
    ({ backend, api } = await apiOnFreshBackend());
  });
  afterEach(() => closeApi(backend, api));

  const post = (content: string, key: string | undefined, options: Omit<RequestOptions, 'body'> = {}) =>
    api.call('POST', '/submissions', {
      ...options,
      body: json({ content }),
      headers: { ...options.headers, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    });

  it('answers a retry with the same key and body with the same submission, marked Idempotent-Replayed', async () => {
    const first = await post('hello world 42', 'order-7f3a');

    const retry = await post('hello world 42', 'order-7f3a');

    expect(first.status).toBe(202);
    expect(first.headers).not.toHaveProperty('idempotent-replayed');
    expect(retry.status).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.location).toBe(first.headers.location);
    expect((await storedSubmissions(backend)).map((item) => item.id?.S)).toEqual([idOf(first)]);
    expect(await enqueuedIds(backend)).toEqual([idOf(first)]);
  });

  it('reads the header whatever its case', async () => {
    const first = await post('hello world 42', undefined, { headers: { 'Idempotency-Key': 'k-1' } });

    const retry = await post('hello world 42', 'k-1');

    expect(idOf(retry)).toBe(idOf(first));
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('refuses the same key with another body with 422 naming Idempotency-Key, storing and enqueuing nothing new', async () => {
    const first = await post('hello world 42', 'order-7f3a');
    const before = await snapshot(backend);

    const conflict = await post('a different body 43', 'order-7f3a');

    expectProblem(conflict, 422, /Idempotency-Key: /);
    expect(fieldsNamed(conflict)).toEqual(['Idempotency-Key']);
    expect(await snapshot(backend)).toEqual(before);
    expect(await enqueuedIds(backend)).toEqual([idOf(first)]);
  });

  it('makes one submission of two concurrent requests with one key; both answers carry its id', async () => {
    const [one, other] = await Promise.all([
      post('hello world 42', 'concurrent-key'),
      post('hello world 42', 'concurrent-key'),
    ]);

    expect([one.status, other.status]).toEqual([202, 202]);
    expect(idOf(other)).toBe(idOf(one));
    // Idempotent-Replayed marks an answer that found the submission stored: at most the later one.
    expect(
      [one, other].filter((response) => response.headers['idempotent-replayed'] === 'true').length,
    ).toBeLessThanOrEqual(1);
    expect((await storedSubmissions(backend)).map((item) => item.id?.S)).toEqual([idOf(one)]);
    // When the replay found the key reserved but the item not yet written, it wrote it
    // (identically) and enqueued it too: a duplicate message, which the worker absorbs.
    const enqueued = await enqueuedIds(backend);
    expect(enqueued.length).toBeGreaterThanOrEqual(1);
    expect(enqueued.length).toBeLessThanOrEqual(2);
    expect(new Set(enqueued)).toEqual(new Set([idOf(one)]));
  });

  it('scopes keys to the owner (the JWT sub): one key from two owners makes two submissions', async () => {
    const alices = await post('hello world 42', 'shared-key', { owner: 'alice' });

    const bobs = await post('hello world 42', 'shared-key', { owner: 'bob' });
    const bobsRetry = await post('hello world 42', 'shared-key', { owner: 'bob' });

    expect(bobs.status).toBe(202);
    expect(bobs.headers).not.toHaveProperty('idempotent-replayed');
    expect(idOf(bobs)).not.toBe(idOf(alices));
    expect(idOf(bobsRetry)).toBe(idOf(bobs));
    expect((await api.call('GET', `/submissions/${idOf(bobs)}`, { owner: 'bob' })).status).toBe(200);
    expect((await api.call('GET', `/submissions/${idOf(bobs)}`, { owner: 'alice' })).status).toBe(404);
    expect(await storedSubmissions(backend)).toHaveLength(2);
  });

  it('does not let another owner with the same key and a different body see a conflict', async () => {
    await post('hello world 42', 'shared-key', { owner: 'alice' });

    const bobs = await post('something else 7', 'shared-key', { owner: 'bob' });

    expect(bobs.status).toBe(202);
  });

  it('accepts a key of exactly 255 printable characters, and one of 1', async () => {
    const long = await post('hello world 42', '~'.repeat(255));
    const short = await post('hello world 42', ' ');

    expect(long.status).toBe(202);
    expect(short.status).toBe(202);
    expect(idOf(short)).not.toBe(idOf(long));
  });

  it('treats the same content under two keys as two submissions', async () => {
    const one = await post('hello world 42', 'key-a');

    const other = await post('hello world 42', 'key-b');

    expect(idOf(other)).not.toBe(idOf(one));
    expect(await storedSubmissions(backend)).toHaveLength(2);
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['a control character', 'key\u0007bell'],
    ['a tab', 'key\tkey'],
    ['DEL', 'key\u007f'],
    ['a non-ASCII character', 'clé-1'],
    ['an emoji', 'key-😀'],
    ['a line break', 'key\nX-Injected: 1'],
  ])(
    'refuses a key that is %s with 400 naming Idempotency-Key, storing and enqueuing nothing',
    async (_, key) => {
      const response = await post('hello world 42', key);

      expectProblem(response, 400, /Idempotency-Key: /);
      expect(fieldsNamed(response)).toEqual(['Idempotency-Key']);
      expect(await backend.scanAll()).toEqual([]);
      expect(await backend.approximateDepth()).toBe(0);
    },
  );

  it('refuses an invalid body before looking at the key: nothing reserved, the key still free', async () => {
    const refused = await api.call('POST', '/submissions', {
      body: json({ content: '' }),
      headers: { 'idempotency-key': 'key-1' },
    });

    const accepted = await post('a different body 43', 'key-1');

    expectProblem(refused, 400, /content: /);
    expect(accepted.status).toBe(202);
    expect(accepted.headers).not.toHaveProperty('idempotent-replayed');
  });
});
