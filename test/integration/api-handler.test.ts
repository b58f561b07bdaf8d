import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTENT_KEY_PREFIX, INLINE_CONTENT_MAX_BYTES } from '../../src/adapters/dynamodb/table';
import { compose } from '../../src/composition';
import { loadConfig } from '../../src/config/env';
import {
  type ApiHandlerUnderTest,
  apiOnFreshBackend,
  closeApi,
  loadApiHandler,
  type RequestOptions,
} from '../helpers/api-events';

import type { TestBackend } from '../helpers/backend';
import { ManualClock } from '../helpers/manual-clock';
import { mixedContentOfBytes } from '../helpers/mixed-content';
import type { CapturedOutput } from '../helpers/output-capture';
import { expectProblem, fieldsNamed, snapshot } from '../helpers/problems';

const MAX_CONTENT_BYTES = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const silentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const json = (value: unknown) => JSON.stringify(value);

describe('handlers/api.ts in-process against the emulators', () => {
  let backend: TestBackend;
  let api: ApiHandlerUnderTest;
  let output: CapturedOutput;

  beforeEach(async () => {
    ({ backend, api, output } = await apiOnFreshBackend({ MAX_CONTENT_BYTES: String(MAX_CONTENT_BYTES) }));
  });
  afterEach(() => closeApi(backend, api));

  /** The same composition the handler uses, over this test's backend, for staging and processing. */
  const service = (clock?: ManualClock) =>
    compose({
      config: loadConfig({ TABLE_NAME: backend.tableName, QUEUE_URL: backend.queueUrl }),
      dynamodb: backend.dynamodb,
      sqs: backend.sqs,
      logger: silentLogger,
      ...(clock ? { clock } : {}),
    });

  async function submitted(options: Omit<RequestOptions, 'body'> & { content?: string } = {}) {
    const { content = 'hello world 42', ...rest } = options;
    const response = await api.call('POST', '/submissions', { ...rest, body: json({ content }) });
    expect(response.status).toBe(202);
    return (response.body as { id: string }).id;
  }

  describe('POST /submissions', () => {
    it('answers 202 with a Location, stores one PENDING item and enqueues its id only', async () => {
      const content = 'hello world 42 — with some secret words';

      const response = await api.call('POST', '/submissions', { body: json({ content }) });

      expect(response.status).toBe(202);
      const body = response.body as { id: string; status: string };
      expect(body.id).toMatch(UUID);
      expect(body).toMatchObject({ status: 'PENDING', attempts: 0 });
      expect(response.headers.location).toBe(`/submissions/${body.id}`);
      expect(await backend.scanAll()).toEqual([
        expect.objectContaining({ id: { S: body.id }, status: { S: 'PENDING' }, content: { S: content } }),
      ]);
      const messages = await backend.receiveAll();
      expect(messages.map((message) => message.Body)).toEqual([json({ id: body.id })]);
      expect(messages[0]?.Body).not.toContain('secret');
    });

    it('accepts content of exactly MAX_CONTENT_BYTES of multi-byte UTF-8', async () => {
      const content = 'é'.repeat(MAX_CONTENT_BYTES / 2); // 2 bytes each

      const response = await api.call('POST', '/submissions', { body: json({ content }) });

      expect(response.status).toBe(202);
      expect(await backend.scanAll()).toEqual([expect.objectContaining({ content: { S: content } })]);
    });

    const overLimitMultiByte = `${'é'.repeat(MAX_CONTENT_BYTES / 2)}1`; // 51 characters, 101 bytes
    const badRequests: [string, RequestOptions, number, RegExp][] = [
      ['no body', {}, 400, /content: content is required/],
      ['an empty body', { body: '' }, 400, /content: content is required/],
      ['empty content', { body: json({ content: '' }) }, 400, /content: content must not be empty/],
      ['an empty object', { body: '{}' }, 400, /content: content must be a string/],
      ['content a number', { body: json({ content: 42 }) }, 400, /content: content must be a string/],
      ['content null', { body: json({ content: null }) }, 400, /content: content must be a string/],
      [
        'an unknown extra field',
        { body: json({ content: 'hello 12345', priority: 'high' }) },
        400,
        /priority: unknown field\(s\): priority/,
      ],
      ['malformed JSON', { body: '{"content": "hello 1234' }, 400, /not valid JSON/],
      ['a JSON array', { body: json(['hello 12345']) }, 400, /must be a JSON object/],
      ['a bare JSON string', { body: json('hello 12345') }, 400, /must be a JSON object/],
      ['JSON null', { body: 'null' }, 400, /must be a JSON object/],
      [
        'content over MAX_CONTENT_BYTES',
        { body: json({ content: 'a'.repeat(MAX_CONTENT_BYTES + 1) }) },
        413,
        /content: content must be at most 100 bytes of UTF-8/,
      ],
      [
        'multi-byte content one byte over the limit',
        { body: json({ content: overLimitMultiByte }) },
        413,
        /content is 101 bytes of UTF-8; the limit is 100/,
      ],
      [
        'a body far larger than any valid submission',
        { body: json({ content: 'hello 12345' }) + ' '.repeat(2_000) },
        413,
        /request body is larger/,
      ],
      [
        'a text/plain content-type',
        { body: json({ content: 'hello 12345' }), headers: { 'content-type': 'text/plain' } },
        415,
        /application\/json, not text\/plain/,
      ],
      ['a lone surrogate', { body: '{"content":"hello \\ud800 12345"}' }, 400, /content: .*lone surrogates/],
      ['a NUL byte', { body: '{"content":"hello \\u0000 12345"}' }, 400, /content: .*control characters/],
      [
        'bytes that are not UTF-8',
        { body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString('base64'), isBase64Encoded: true },
        400,
        /not valid JSON in UTF-8/,
      ],
    ];

    it.each(badRequests)(
      'refuses %s with a problem naming it, storing and enqueuing nothing',
      async (_, request, status, names) => {
        const response = await api.call('POST', '/submissions', request);

        expectProblem(response, status, names);
        expect(response.body).toMatchObject({ instance: '/submissions' });
        expect(await backend.scanAll()).toEqual([]);
        expect(await backend.approximateDepth()).toBe(0);
      },
    );

    it('still answers 202 when the enqueue fails, because the submission is stored for the orphan sweep', async () => {
      // Fault injection: a queue URL that does not exist on the emulator (it answers QueueDoesNotExist).
      api.restore();
      api = await loadApiHandler({
        TABLE_NAME: backend.tableName,
        QUEUE_URL: `${backend.queueUrl}-missing`,
        MAX_CONTENT_BYTES: String(MAX_CONTENT_BYTES),
      });

      const response = await api.call('POST', '/submissions', { body: json({ content: 'hello world 42' }) });

      expect(response.status).toBe(202);
      const { id } = response.body as { id: string };
      expect(await backend.scanAll()).toEqual([
        expect.objectContaining({ id: { S: id }, status: { S: 'PENDING' } }),
      ]);
      expect(await backend.approximateDepth()).toBe(0);
      const warnings = output.logs().filter((entry) => entry.level === 'WARN');
      expect(warnings).toEqual([
        expect.objectContaining({ correlationId: id, error: expect.stringMatching(/QueueDoesNotExist/) }),
      ]);
      // The orphan sweep, once ORPHAN_AFTER has passed, puts it on the real queue.
      const orphanAfterMs = service().config.ORPHAN_AFTER_MS;
      const later = service(new ManualClock(new Date(Date.now() + orphanAfterMs + 1).toISOString()));
      expect(await later.reaper.resetStuckAndRequeueOrphans()).toMatchObject({ requeued: 1 });
      expect((await backend.receiveAll()).map((message) => message.Body)).toEqual([json({ id })]);
    });
  });

  describe('GET /submissions/{id}', () => {
    it('returns the PENDING submission, without its content, with Retry-After and an ETag; that ETag gets 304 until the status changes', async () => {
      const id = await submitted({ content: 'hello world 42' });

      const first = await api.call('GET', `/submissions/${id}`);
      const etag = first.headers.etag ?? '';
      const unchanged = await api.call('GET', `/submissions/${id}`, { headers: { 'if-none-match': etag } });
      expect(await service().processor.process(id)).toMatchObject({ outcome: 'decided', status: 'PASSED' });
      const changed = await api.call('GET', `/submissions/${id}`, { headers: { 'if-none-match': etag } });

      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ id, status: 'PENDING', attempts: 0 });
      expect(first.body).not.toHaveProperty('content');
      expect(first.headers['retry-after']).toBe('1');
      expect(first.headers['cache-control']).toBe('private, no-cache');
      expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
      expect(unchanged.status).toBe(304);
      expect(unchanged.rawBody).toBeUndefined();
      expect(unchanged.headers.etag).toBe(etag);
      expect(unchanged.headers['cache-control']).toBe('private, no-cache');
      expect(unchanged.headers['retry-after']).toBe('1');
      expect(changed.status).toBe(200);
      expect(changed.headers['cache-control']).toBe('private, no-cache');
      expect(changed.body).toMatchObject({ id, status: 'PASSED', result: { verdict: 'PASSED' } });
      expect(changed.body).not.toHaveProperty('content');
      expect(changed.headers.etag).not.toBe(etag);
      expect(changed.headers).not.toHaveProperty('retry-after');
    });

    it.each([
      [
        'an unknown id',
        '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23',
        404,
        /No submission 0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/,
      ],
      ['a malformed id', '/submissions/not-a-uuid', 400, /id: id must be a UUID/],
    ])('answers %s with a problem, storing and enqueuing nothing', async (_, path, status, names) => {
      await submitted();
      const before = await snapshot(backend);

      const response = await api.call('GET', path);

      expectProblem(response, status, names);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers).not.toHaveProperty('etag');
      expect(await snapshot(backend)).toEqual(before);
    });

    it('hides a submission from everyone but its owner, exactly as if it did not exist', async () => {
      const alices = await submitted({ owner: 'alice' });
      const anonymous = await submitted();

      const byAlice = await api.call('GET', `/submissions/${alices}`, { owner: 'alice' });
      const byBob = await api.call('GET', `/submissions/${alices}`, { owner: 'bob' });
      const withoutIdentity = await api.call('GET', `/submissions/${alices}`);
      const anonymousOwn = await api.call('GET', `/submissions/${anonymous}`);
      const anonymousByAlice = await api.call('GET', `/submissions/${anonymous}`, { owner: 'alice' });

      expect(byAlice.status).toBe(200);
      expectProblem(byBob, 404, new RegExp(`No submission ${alices}`));
      expectProblem(withoutIdentity, 404, new RegExp(`No submission ${alices}`));
      expect(anonymousOwn.status).toBe(200);
      expectProblem(anonymousByAlice, 404, new RegExp(`No submission ${anonymous}`));
    });
  });

  describe('GET /submissions/{id}/content', () => {
    it.each([
      ['a short content', 14],
      ['a content of 1 KiB', 1_024],
      ['a content of exactly MAX_CONTENT_BYTES (64 KiB)', 65_536],
    ])('returns %s byte for byte, which the status answer never carries', async (_, bytes) => {
      // The stack's own limit (64 KiB), not this file's 100 bytes.
      api.restore();
      api = await loadApiHandler({ TABLE_NAME: backend.tableName, QUEUE_URL: backend.queueUrl });
      const content = mixedContentOfBytes(bytes);
      expect(Buffer.byteLength(content)).toBe(bytes);
      const id = await submitted({ content });

      const read = await api.call('GET', `/submissions/${id}/content`);
      const status = await api.call('GET', `/submissions/${id}`);
      expect(await service().processor.process(id)).toMatchObject({ outcome: 'decided' });
      const decided = await api.call('GET', `/submissions/${id}`);
      const readAgain = await api.call('GET', `/submissions/${id}/content`);

      expect(read.status).toBe(200);
      expect(read.headers['content-type']).toMatch(/^application\/json\b/);
      expect(read.body).toEqual({ id, content });
      expect(Buffer.from((read.body as { content: string }).content).equals(Buffer.from(content))).toBe(true);
      expect(readAgain.rawBody).toBe(read.rawBody);
      for (const answer of [status, decided]) {
        expect(answer.status).toBe(200);
        expect(answer.body).not.toHaveProperty('content');
        expect(answer.rawBody?.length).toBeLessThan(1_024);
      }
    });

    it('is the caller’s to cache for a day, unchanged by the decision: a strong ETag, Vary: Authorization, 304 to that ETag', async () => {
      const id = await submitted({ content: 'hello world 42' });

      const first = await api.call('GET', `/submissions/${id}/content`);
      const etag = first.headers.etag ?? '';
      const unchanged = await api.call('GET', `/submissions/${id}/content`, {
        headers: { 'if-none-match': etag },
      });
      const statusBefore = await api.call('GET', `/submissions/${id}`);
      expect(await service().processor.process(id)).toMatchObject({ outcome: 'decided', status: 'PASSED' });
      const statusAfter = await api.call('GET', `/submissions/${id}`);
      const afterDecision = await api.call('GET', `/submissions/${id}/content`, {
        headers: { 'if-none-match': `W/"other", ${etag}` },
      });
      const otherEtag = await api.call('GET', `/submissions/${id}/content`, {
        headers: { 'if-none-match': statusAfter.headers.etag ?? '' },
      });

      expect(first.status).toBe(200);
      expect(first.headers['cache-control']).toBe('private, max-age=86400, immutable');
      expect(first.headers.vary).toBe('Authorization');
      expect(first.headers).not.toHaveProperty('retry-after');
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
      expect(etag).not.toBe(statusBefore.headers.etag);
      for (const notModified of [unchanged, afterDecision]) {
        expect(notModified.status).toBe(304);
        expect(notModified.rawBody).toBeUndefined();
        expect(notModified.headers).not.toHaveProperty('content-type');
        expect(notModified.headers).toMatchObject({
          etag,
          'cache-control': 'private, max-age=86400, immutable',
          vary: 'Authorization',
        });
      }
      expect(statusAfter.headers.etag).not.toBe(statusBefore.headers.etag);
      expect(otherEtag.status).toBe(200);
      expect(otherEtag.headers.etag).toBe(etag);
    });

    it('hides a submission’s content from everyone but its owner, exactly as the status', async () => {
      const alices = await submitted({ owner: 'alice', content: 'alice’s own 12345' });
      const anonymous = await submitted({ content: 'nobody’s 12345' });

      const byAlice = await api.call('GET', `/submissions/${alices}/content`, { owner: 'alice' });
      const refusals = await Promise.all([
        api.call('GET', `/submissions/${alices}/content`, { owner: 'bob' }),
        api.call('GET', `/submissions/${alices}/content`),
        api.call('GET', `/submissions/${anonymous}/content`, { owner: 'alice' }),
      ]);
      const statusRefusals = await Promise.all([
        api.call('GET', `/submissions/${alices}`, { owner: 'bob' }),
        api.call('GET', `/submissions/${alices}`),
        api.call('GET', `/submissions/${anonymous}`, { owner: 'alice' }),
      ]);

      expect(byAlice.body).toEqual({ id: alices, content: 'alice’s own 12345' });
      const ids = [alices, alices, anonymous];
      refusals.forEach((refusal, index) => {
        expectProblem(refusal, 404, new RegExp(`^No submission ${ids[index]}\\.$`));
        expect(refusal.rawBody).not.toMatch(/12345/);
        expect(refusal.headers['cache-control']).toBe('no-store');
        expect(refusal.headers).not.toHaveProperty('etag');
        expect(refusal.body).toEqual({
          ...(statusRefusals[index]?.body as object),
          instance: `/submissions/${ids[index]}/content`,
        });
      });
    });

    it('answers 410 once a content kept apart has expired (TTL), while the submission’s state stays readable', async () => {
      const content = `${'x'.repeat(INLINE_CONTENT_MAX_BYTES)} 42`; // too long to keep inline
      const id = await submitted({ content: content.slice(0, MAX_CONTENT_BYTES) });
      api.restore();
      api = await loadApiHandler({ TABLE_NAME: backend.tableName, QUEUE_URL: backend.queueUrl });
      const long = await submitted({ content });
      // What DynamoDB's TTL does to the content item twice RETENTION_DAYS after the submission.
      await backend.documents.send(
        new DeleteCommand({ TableName: backend.tableName, Key: { id: `${CONTENT_KEY_PREFIX}${long}` } }),
      );

      const expired = await api.call('GET', `/submissions/${long}/content`);
      const state = await api.call('GET', `/submissions/${long}`);
      const inline = await api.call('GET', `/submissions/${id}/content`);

      expectProblem(expired, 410, new RegExp(`^The content of submission ${long} has expired\\.$`));
      expect(expired.headers['cache-control']).toBe('no-store');
      expect(expired.headers).not.toHaveProperty('etag');
      expect(state.status).toBe(200);
      expect(state.body).toMatchObject({ id: long, status: 'PENDING' });
      expect(inline.body).toEqual({ id, content: content.slice(0, MAX_CONTENT_BYTES) });
    });

    it.each([
      [
        'an unknown id',
        '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/content',
        404,
        /^No submission 0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23\.$/,
      ],
      ['a malformed id', '/submissions/not-a-uuid/content', 400, /id: id must be a UUID/],
      ['the batch path’s name as an id', '/submissions/batch/content', 400, /id: id must be a UUID/],
    ])('answers %s with a problem, storing and enqueuing nothing', async (_, path, status, names) => {
      await submitted();
      const before = await snapshot(backend);

      const response = await api.call('GET', path);

      expectProblem(response, status, names);
      expect(response.body).toMatchObject({ instance: path });
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers).not.toHaveProperty('etag');
      expect(await snapshot(backend)).toEqual(before);
    });
  });

  describe('GET /submissions', () => {
    /** Five of alice's submissions a second apart (oldest first) and one of bob's, staged through the use case. */
    async function staged() {
      const clock = new ManualClock();
      const { submissions } = service(clock);
      const ids: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        ids.push((await submissions.acceptSubmission('alice', `alice number ${index}`)).id);
        clock.advance(1_000);
      }
      await submissions.acceptSubmission('bob', 'bob number 1');
      await submissions.acceptSubmission('bob', 'bob number 2');
      return ids;
    }

    interface Page {
      items: { id: string; status: string }[];
      nextCursor?: string;
    }

    /** Every page of `owner`'s listing with `query`, following nextCursor. */
    async function allPages(owner: string, query: Record<string, string>): Promise<Page[]> {
      const pages: Page[] = [];
      let cursor: string | undefined;
      do {
        const response = await api.call('GET', '/submissions', {
          owner,
          query: { ...query, ...(cursor ? { cursor } : {}) },
        });
        expect(response.status).toBe(200);
        const page = response.body as Page;
        pages.push(page);
        cursor = page.nextCursor;
      } while (cursor && pages.length < 20);
      expect(cursor).toBeUndefined();
      return pages;
    }

    /** alice's first page of two, and its signed cursor. */
    async function firstCursor(owner = 'alice'): Promise<string> {
      const first = await api.call('GET', '/submissions', { owner, query: { limit: '2' } });
      const cursor = (first.body as Page).nextCursor;
      expect(cursor).toEqual(expect.any(String));
      return cursor ?? '';
    }

    it('lists only the caller’s submissions, newest first, page by page', async () => {
      const ids = await staged();

      const pages = await allPages('alice', { limit: '2' });
      const first = await api.call('GET', '/submissions', { owner: 'alice', query: { limit: '2' } });

      expect(first.headers['cache-control']).toBe('private, no-cache');
      // No validator on the listing: every poll of it is a full 200.
      expect(first.headers).not.toHaveProperty('etag');
      expect(pages.map((page) => page.items.length)).toEqual([2, 2, 1]);
      expect(pages.flatMap((page) => page.items.map((item) => item.id))).toEqual([...ids].reverse());
      expect(pages.flatMap((page) => page.items)).not.toContainEqual(
        expect.objectContaining({ content: expect.anything() }),
      );
    });

    it('hands out cursors as <store cursor>.<HMAC>', async () => {
      await staged();

      const cursor = await firstCursor();

      expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    });

    it('filters by status: pages may be short, but following nextCursor reaches every match and no other', async () => {
      const ids = await staged();
      const { processor } = service();
      const decided = [ids[0], ids[2], ids[3]] as string[];
      for (const id of decided) {
        expect(await processor.process(id)).toMatchObject({ outcome: 'decided', status: 'PASSED' });
      }

      const passed = await allPages('alice', { limit: '2', status: 'PASSED' });
      const pending = await allPages('alice', { limit: '2', status: 'PENDING' });
      const failed = await allPages('alice', { limit: '2', status: 'FAILED' });

      expect(passed.flatMap((page) => page.items.map((item) => item.id))).toEqual([...decided].reverse());
      expect(passed.flatMap((page) => page.items).every((item) => item.status === 'PASSED')).toBe(true);
      expect(passed.every((page) => page.items.length <= 2)).toBe(true);
      expect(pending.flatMap((page) => page.items.map((item) => item.id))).toEqual([ids[4], ids[1]]);
      expect(pending.flatMap((page) => page.items).every((item) => item.status === 'PENDING')).toBe(true);
      expect(failed.flatMap((page) => page.items)).toEqual([]);
    });

    it.each([
      ['1', 1],
      ['100', 5],
    ])('accepts limit=%s', async (limit, count) => {
      await staged();

      const response = await api.call('GET', '/submissions', { owner: 'alice', query: { limit } });

      expect(response.status).toBe(200);
      expect((response.body as Page).items).toHaveLength(count);
    });

    it('pages by 20 when no limit is given', async () => {
      const { submissions } = service();
      await submissions.acceptBatch(
        'alice',
        Array.from({ length: 21 }, (_, index) => `item ${index}`),
      );

      const response = await api.call('GET', '/submissions', { owner: 'alice' });

      expect(response.status).toBe(200);
      expect((response.body as Page).items).toHaveLength(20);
      expect((response.body as Page).nextCursor).toEqual(expect.any(String));
    });

    it('refuses a cursor with any single character changed, each with 400 naming cursor', async () => {
      await staged();
      const cursor = await firstCursor();
      const tampered = [...cursor].map((character, index) => {
        const replacement = character === 'A' ? 'B' : 'A';
        return `${cursor.slice(0, index)}${replacement}${cursor.slice(index + 1)}`;
      });

      const before = await snapshot(backend);

      const responses = await Promise.all(
        tampered.map((bad) => api.call('GET', '/submissions', { owner: 'alice', query: { cursor: bad } })),
      );

      expect(responses.map((response) => response.status)).toEqual(tampered.map(() => 400));
      expect(await snapshot(backend)).toEqual(before);
      for (const response of responses) expect(fieldsNamed(response)).toEqual(['cursor']);
    });

    it.each([
      ['without its signature', (cursor: string) => cursor.slice(0, cursor.lastIndexOf('.'))],
      ['with an empty signature', (cursor: string) => cursor.slice(0, cursor.lastIndexOf('.') + 1)],
      ['with a truncated signature', (cursor: string) => cursor.slice(0, -1)],
      ['with its signature only', (cursor: string) => cursor.slice(cursor.lastIndexOf('.') + 1)],
      [
        'rewritten for another owner, keeping the signature',
        (cursor: string) => {
          const dot = cursor.lastIndexOf('.');
          const key = JSON.parse(Buffer.from(cursor.slice(0, dot), 'base64url').toString()) as object;
          return `${Buffer.from(json({ ...key, owner: 'bob' })).toString('base64url')}${cursor.slice(dot)}`;
        },
      ],
    ])('refuses a cursor %s with 400 naming cursor', async (_, tamper) => {
      await staged();
      const cursor = await firstCursor();
      const before = await snapshot(backend);

      const response = await api.call('GET', '/submissions', {
        owner: 'alice',
        query: { limit: '2', cursor: tamper(cursor) },
      });

      expectProblem(response, 400, /cursor: /);
      expect(fieldsNamed(response)).toEqual(['cursor']);
      expect(await snapshot(backend)).toEqual(before);
    });

    it('refuses another owner’s valid cursor with 400 naming cursor, showing nothing of theirs', async () => {
      await staged();
      const bobs = await api.call('GET', '/submissions', { owner: 'bob', query: { limit: '1' } });
      const cursor = (bobs.body as Page).nextCursor;
      expect(cursor).toEqual(expect.any(String));
      const before = await snapshot(backend);

      const response = await api.call('GET', '/submissions', {
        owner: 'alice',
        query: { cursor: cursor ?? '' },
      });

      expectProblem(response, 400, /cursor: /);
      expect(fieldsNamed(response)).toEqual(['cursor']);
      expect(response.body).not.toHaveProperty('items');
      expect(await snapshot(backend)).toEqual(before);
    });

    it('refuses a cursor signed with another secret', async () => {
      await staged();
      const cursor = await firstCursor();
      api.restore();
      api = await loadApiHandler({
        TABLE_NAME: backend.tableName,
        QUEUE_URL: backend.queueUrl,
        CURSOR_SECRET: 'another-secret-of-at-least-32-characters',
      });
      const before = await snapshot(backend);

      const response = await api.call('GET', '/submissions', { owner: 'alice', query: { cursor } });

      expectProblem(response, 400, /cursor: /);
      expect(await snapshot(backend)).toEqual(before);
    });

    it.each([
      ['limit=0', { limit: '0' }, /limit: limit must be at least 1/],
      ['limit=101', { limit: '101' }, /limit: limit must be at most 100/],
      ['limit=2.5', { limit: '2.5' }, /limit: limit must be a whole number/],
      ['limit=ten', { limit: 'ten' }, /limit: /],
      ['limit=-1', { limit: '-1' }, /limit: /],
      ['an empty limit', { limit: '' }, /limit: /],
      ['an empty cursor', { cursor: '' }, /cursor: cursor must not be empty/],
      ['status=DONE', { status: 'DONE' }, /status: /],
      ['status=passed (lower case)', { status: 'passed' }, /status: /],
      ['an empty status', { status: '' }, /status: /],
      ['an unknown parameter', { sort: 'asc' }, /sort: unknown field\(s\): sort/],
      ['a misspelt parameter', { limt: '5' }, /limt/],
    ])('refuses %s with 400 naming it, the query being strict, changing nothing', async (_, query, names) => {
      await staged();
      const before = await snapshot(backend);

      const response = await api.call('GET', '/submissions', { owner: 'alice', query });

      expectProblem(response, 400, names);
      expect(response.body).toMatchObject({ instance: '/submissions' });
      expect(await snapshot(backend)).toEqual(before);
    });
  });

  describe('GET /openapi.json', () => {
    it('serves the OpenAPI 3.1 document, public and cacheable', async () => {
      const { openApiDocument } = await import('../../src/http/openapi');

      const response = await api.call('GET', '/openapi.json');

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json\b/);
      expect(response.headers['cache-control']).toBe('public, max-age=300');
      expect(response.headers).not.toHaveProperty('etag');
      expect(response.body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
      expect(response.body).toMatchObject({ openapi: '3.1.0' });
    });
  });

  describe('routing', () => {
    it.each([
      ['GET', '/nope'],
      ['POST', '/nope'],
      ['GET', '/'],
      ['GET', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/result'],
      ['GET', '/submissions/batch/extra'],
      ['GET', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/content/extra'],
      ['GET', '/openapi.yaml'],
    ])('answers an unknown path (%s %s) with a 404 "There is no …" problem', async (method, path) => {
      const before = await snapshot(backend);

      const response = await api.call(method, path);

      expectProblem(response, 404, new RegExp(`^There is no ${path.replaceAll('.', '\\.')}\\.`));
      expect(response.body).toMatchObject({ instance: path });
      expect(response.headers).not.toHaveProperty('allow');
      expect(await snapshot(backend)).toEqual(before);
    });

    it.each([
      ['DELETE', '/submissions', 'GET, POST'],
      ['PUT', '/submissions', 'GET, POST'],
      ['PATCH', '/submissions', 'GET, POST'],
      ['PUT', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23', 'GET'],
      ['POST', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23', 'GET'],
      ['DELETE', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23', 'GET'],
      ['PATCH', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23', 'GET'],
      ['POST', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/content', 'GET'],
      ['PUT', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/content', 'GET'],
      ['PATCH', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/content', 'GET'],
      ['DELETE', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/content', 'GET'],
      ['GET', '/submissions/batch', 'POST'],
      ['PUT', '/submissions/batch', 'POST'],
      ['POST', '/openapi.json', 'GET'],
    ])('answers %s %s with 405 and Allow: %s, storing and enqueuing nothing', async (method, path, allow) => {
      const before = await snapshot(backend);

      const response = await api.call(method, path, { body: json({ content: 'hello world 42' }) });

      expectProblem(response, 405, new RegExp(`${method} is not allowed`));
      expect(response.headers.allow?.split(', ').sort().join(', ')).toBe(allow);
      expect(response.body).toMatchObject({ instance: path });
      expect(await snapshot(backend)).toEqual(before);
    });
  });
});
