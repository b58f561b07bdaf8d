import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compose } from '../../src/composition';
import { loadConfig } from '../../src/config/env';
import { type ApiResponse, loadApiHandler, type RequestOptions } from '../helpers/api-events';
import { createTestBackend, type TestBackend } from '../helpers/backend';
import { ManualClock } from '../helpers/clock';

const MAX_CONTENT_BYTES = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const silentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: { field: string; message: string }[];
}

/** The problem's detail and each field error as `field: message`, for matching what it names. */
function explanation(response: ApiResponse): string {
  const problem = response.body as Problem;
  return [problem.detail, ...(problem.errors ?? []).map(({ field, message }) => `${field}: ${message}`)].join(
    '\n',
  );
}

function expectProblem(response: ApiResponse, status: number, names: RegExp) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json\b/);
  expect(response.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(explanation(response)).toMatch(names);
}

const json = (value: unknown) => JSON.stringify(value);

describe('handlers/api.ts in-process against the emulators', () => {
  let backend: TestBackend;
  let api: Awaited<ReturnType<typeof loadApiHandler>>;

  beforeEach(async () => {
    backend = await createTestBackend();
    // The handler logs one JSON line per request; errors (5xx) still reach stderr.
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    api = await loadApiHandler({
      TABLE_NAME: backend.tableName,
      QUEUE_URL: backend.queueUrl,
      MAX_CONTENT_BYTES: String(MAX_CONTENT_BYTES),
    });
  });
  afterEach(async () => {
    api.restore();
    vi.restoreAllMocks();
    await backend.destroy();
  });

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
      const warnings = vi
        .mocked(console.log)
        .mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
        .filter((entry) => entry.level === 'warn');
      expect(warnings).toEqual([
        expect.objectContaining({ submissionId: id, error: expect.stringMatching(/QueueDoesNotExist/) }),
      ]);
      // The orphan sweep, once ORPHAN_AFTER has passed, puts it on the real queue.
      const orphanAfterMs = service().config.ORPHAN_AFTER_MS;
      const later = service(new ManualClock(new Date(Date.now() + orphanAfterMs + 1).toISOString()));
      expect(await later.reaper.resetStuckSubmissions()).toMatchObject({ requeued: 1 });
      expect((await backend.receiveAll()).map((message) => message.Body)).toEqual([json({ id })]);
    });
  });

  describe('GET /submissions/{id}', () => {
    it('returns the PENDING submission with Retry-After and an ETag; that ETag gets 304 until the status changes', async () => {
      const id = await submitted({ content: 'hello world 42' });

      const first = await api.call('GET', `/submissions/${id}`);
      const etag = first.headers.etag ?? '';
      const unchanged = await api.call('GET', `/submissions/${id}`, { headers: { 'if-none-match': etag } });
      expect(await service().processor.process(id)).toMatchObject({ outcome: 'decided', status: 'PASSED' });
      const changed = await api.call('GET', `/submissions/${id}`, { headers: { 'if-none-match': etag } });

      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ id, status: 'PENDING', content: 'hello world 42' });
      expect(first.headers['retry-after']).toBe('1');
      expect(etag).not.toBe('');
      expect(unchanged.status).toBe(304);
      expect(unchanged.rawBody).toBeUndefined();
      expect(unchanged.headers.etag).toBe(etag);
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ id, status: 'PASSED', result: { verdict: 'PASSED' } });
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
    ])('answers %s with a problem', async (_, path, status, names) => {
      await submitted();

      const response = await api.call('GET', path);

      expectProblem(response, status, names);
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
      return ids;
    }

    it('lists only the caller’s submissions, newest first, page by page', async () => {
      const ids = await staged();

      const pages: { items: { id: string }[]; nextCursor?: string }[] = [];
      let cursor: string | undefined;
      do {
        const response = await api.call('GET', '/submissions', {
          owner: 'alice',
          query: { limit: '2', ...(cursor ? { cursor } : {}) },
        });
        expect(response.status).toBe(200);
        const page = response.body as { items: { id: string }[]; nextCursor?: string };
        pages.push(page);
        cursor = page.nextCursor;
      } while (cursor && pages.length < 10);

      expect(pages.map((page) => page.items.length)).toEqual([2, 2, 1]);
      expect(pages.flatMap((page) => page.items.map((item) => item.id))).toEqual([...ids].reverse());
      expect(pages.flatMap((page) => page.items)).not.toContainEqual(
        expect.objectContaining({ content: expect.anything() }),
      );
    });

    it.each([
      ['garbled', (cursor: string) => `x${cursor.slice(1)}`],
      [
        'rewritten for another owner',
        (cursor: string) =>
          Buffer.from(
            json({ ...JSON.parse(Buffer.from(cursor, 'base64url').toString()), owner: 'bob' }),
          ).toString('base64url'),
      ],
    ])('refuses a %s cursor with 400 naming the cursor', async (_, tamper) => {
      await staged();
      const first = await api.call('GET', '/submissions', { owner: 'alice', query: { limit: '2' } });
      const cursor = (first.body as { nextCursor?: string }).nextCursor;
      expect(cursor).toEqual(expect.any(String));

      const response = await api.call('GET', '/submissions', {
        owner: 'alice',
        query: { limit: '2', cursor: tamper(cursor ?? '') },
      });

      expectProblem(response, 400, /cursor: /);
    });

    it.each([
      ['0', /limit: limit must be at least 1/],
      ['101', /limit: limit must be at most 100/],
      ['2.5', /limit: limit must be a whole number/],
      ['ten', /limit: /],
    ])('refuses limit=%s with 400 naming limit', async (limit, names) => {
      const response = await api.call('GET', '/submissions', { query: { limit } });

      expectProblem(response, 400, names);
    });
  });

  it.each([
    ['GET', '/nope'],
    ['DELETE', '/submissions'],
    ['PUT', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23'],
    ['GET', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/result'],
  ])('answers an unknown route (%s %s) with a 404 problem, never a 5xx', async (method, path) => {
    const response = await api.call(method, path);

    expectProblem(response, 404, /Route does not exist/);
    expect(response.body).toMatchObject({ instance: path });
  });
});
