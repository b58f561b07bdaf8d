import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createSqsClient } from '../../src/adapters/sqs/sqs-client';
import { SqsSubmissionQueue } from '../../src/adapters/sqs/sqs-submission-queue';
import { waitFor } from '../../workbench/wait';
import type { ApiResponse } from '../helpers/api-events';
import type { RawResponse } from '../helpers/e2e-raw-http';
import {
  apiGatewayEvent,
  apiHandlerOnStack,
  type GatewayOptions,
  sendToStack,
  stackQueueUrl,
  type WireRequest,
} from '../helpers/gateway-events';
import { captureOutput } from '../helpers/output-capture';

/**
 * The api handler sees what API Gateway sends (issue 17 §2).
 *
 * Each request here is built once, as a client writes it, and delivered two ways:
 *
 * - directly to the api handler, as the HTTP API (payload format 2.0) event API Gateway
 *   documents ("Create AWS Lambda proxy integrations for HTTP APIs"): lower-case header
 *   names, repeated headers and query names joined with commas, cookies in `cookies` only,
 *   `body` a string (base64 with `isBase64Encoded` for binary) and absent when there is
 *   none, a JWT authorizer's claims as strings (test/helpers/gateway-events.ts);
 * - over real HTTP to the e2e stack, where serverless-offline builds its own event.
 *
 * The directly-driven handler runs with the stack's settings on the stack's own table and
 * queue, so both deliveries read and write the same data. Each test asserts the answer API
 * Gateway's event gets (status, content type, the problem's `detail` and `errors`, the shape
 * of a 2xx body, ETag, Retry-After, 304) and that the stack answers the same.
 *
 * serverless-offline builds its event differently (docs/local-development.md lists how);
 * the handler (src/http/request.ts) and the local plugin's hooks on serverless-offline's
 * server (workbench/local/as-api-gateway.ts) make up for it, and these tests show where.
 * What neither can, because API Gateway answers before the function, is named
 * `KNOWN DIFFERENCE` and asserts both answers, so a change on either side shows.
 */

const NOT_JSON = /^The request body is not valid JSON in UTF-8\.$/;
const NOT_AN_OBJECT = /^The request body must be a JSON object/;
const BODY_REQUIRED = /^A JSON body .* is required\.$/;
const BAD_QUERY = /^The query is not valid\.$/;
const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

interface Problem {
  detail: string;
  errors?: { field: string; message: string }[];
}

interface Expected {
  status: number;
  /** What the problem's `detail` says (4xx). */
  detail?: RegExp;
  /** The `errors[].field` of the problem, in order; none means the problem has no `errors`. */
  fields?: readonly string[];
}

/** The headers a client acts on. The stack adds CORS and Date headers of its own; those are not compared. */
const COMPARED_HEADERS = [
  'content-type',
  'cache-control',
  'etag',
  'retry-after',
  'location',
  'allow',
  'idempotent-replayed',
] as const;

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function answerOf(response: ApiResponse | RawResponse): Answer {
  const headers: Record<string, string> = {};
  for (const name of COMPARED_HEADERS) {
    const value = response.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  return { status: response.status, headers, body: response.body };
}

/** Fields that differ between two resources of the same shape (two submissions created alike). */
const PER_RESOURCE = new Set(['id', 'createdAt', 'updatedAt', 'processingStartedAt', 'completedAt']);

function shapeOf(response: ApiResponse | RawResponse): Answer {
  const mask = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(mask);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([name, inner]) => [
        name,
        PER_RESOURCE.has(name) ? `(${name})` : mask(inner),
      ]),
    );
  };
  const answer = answerOf(response);
  const { location } = answer.headers;
  return {
    ...answer,
    headers: { ...answer.headers, ...(location ? { location: location.replace(UUID, '(id)') } : {}) },
    body: mask(answer.body),
  };
}

/** Asserts the answer API Gateway's event got: status, media type, and a problem's detail and fields. */
function expectAnswer(response: ApiResponse | RawResponse, { status, detail, fields }: Expected): void {
  expect(response.status).toBe(status);
  if (status === 304) {
    expect(response.body).toBeUndefined();
    return;
  }
  expect(response.headers['content-type']).toBe(status >= 400 ? PROBLEM_TYPE : JSON_TYPE);
  if (status < 400) return;
  const problem = response.body as Problem;
  expect(problem.detail).toMatch(detail ?? /./);
  expect(problem.errors?.map((error) => error.field)).toEqual(fields);
}

let api: Awaited<ReturnType<typeof apiHandlerOnStack>>;

/** The request as API Gateway would deliver it, straight to the handler. */
const direct = (request: WireRequest, options?: GatewayOptions) =>
  api.invoke(apiGatewayEvent(request, options));

type Lines = WireRequest['headers'];
type Claims = WireRequest['claims'];
const json = ['Content-Type', 'application/json'] as const;
const chunked = ['Transfer-Encoding', 'chunked'] as const;
/** A POST of `body` as application/json, with `more` header lines after the Content-Type. */
const post = (target: string, body?: string | Buffer, more: Lines = [], claims?: Claims): WireRequest => ({
  method: 'POST',
  target,
  headers: [json, ...(more ?? [])],
  ...(body !== undefined ? { body } : {}),
  ...(claims ? { claims } : {}),
});
const get = (target: string, headers: Lines = [], claims?: Claims): WireRequest => ({
  method: 'GET',
  target,
  headers,
  ...(claims ? { claims } : {}),
});
const submission = (content: string) => JSON.stringify({ content });

/** A caller of its own for this file, so its listings hold only what the file put there. */
const caller = (role: string) => ({ sub: `gateway-events-${role}-${randomUUID()}` });

/** Polls GET /submissions/{id} over HTTP as `claims`' caller until it is decided. */
function decided(id: string, claims?: Claims): Promise<RawResponse> {
  return waitFor(
    `submission ${id} to be decided`,
    async () => {
      const response = await sendToStack(get(`/submissions/${id}`, [], claims));
      return ['PASSED', 'FAILED'].includes(response.body?.status) ? response : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

/** A submission of the default owner, decided before the tests that read it, and its ETag. */
const existing = { id: '', etag: '' };

beforeAll(async () => {
  // The directly-driven handler's log lines stay off the terminal (an error line still shows).
  captureOutput({ passErrors: true });
  api = await apiHandlerOnStack();
  const created = await direct(post('/submissions', submission('an existing submission 12345')));
  expect(created.status).toBe(202);
  existing.id = (created.body as { id: string }).id;
  existing.etag = (await decided(existing.id)).headers.etag ?? '';
});

afterAll(() => {
  api?.restore();
  vi.restoreAllMocks();
});

describe('base64-encoded bodies (isBase64Encoded: true)', () => {
  const ROWS: { scenario: string; request: WireRequest; expected: Expected }[] = [
    {
      scenario: 'a valid submission',
      request: post('/submissions', submission('base64 submission 12345')),
      expected: { status: 202 },
    },
    {
      scenario: 'a valid batch',
      request: post('/submissions/batch', JSON.stringify({ items: [{ content: 'base64 batch 1234567' }] })),
      expected: { status: 202 },
    },
    {
      scenario: 'a UTF-8 byte order mark before the JSON',
      request: post(
        '/submissions',
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(submission('base64 with a BOM 12345'))]),
      ),
      expected: { status: 202 },
    },
    {
      scenario: 'invalid JSON',
      request: post('/submissions', '{"content": "base64 invalid JSON 12345",'),
      expected: { status: 400, detail: NOT_JSON },
    },
    {
      scenario: 'invalid UTF-8 bytes (C3 28 FF) inside the content',
      request: post(
        '/submissions',
        Buffer.concat([
          Buffer.from('{"content":"invalid UTF-8 '),
          Buffer.from([0xc3, 0x28, 0xff]),
          Buffer.from(' 12345"}'),
        ]),
      ),
      expected: { status: 400, detail: NOT_JSON },
    },
    {
      // Decoded as text, the three bytes would become one U+FFFD of the same length.
      scenario: 'a truncated 4-byte sequence (F0 9F 98) inside the content',
      request: post(
        '/submissions',
        Buffer.concat([
          Buffer.from('{"content":"truncated '),
          Buffer.from([0xf0, 0x9f, 0x98]),
          Buffer.from(' 12345"}'),
        ]),
      ),
      expected: { status: 400, detail: NOT_JSON },
    },
    {
      scenario: 'invalid UTF-8 bytes sent chunked (no Content-Length)',
      request: post(
        '/submissions',
        Buffer.concat([
          Buffer.from('{"content":"chunked invalid UTF-8 '),
          Buffer.from([0xc3, 0x28, 0xff]),
          Buffer.from(' 12345"}'),
        ]),
        [chunked],
      ),
      expected: { status: 400, detail: NOT_JSON },
    },
  ];

  it.each(ROWS.map((row) => [row.scenario, row] as const))('%s', async (_scenario, { request, expected }) => {
    const viaGateway = await direct(request, { base64: true });
    const viaStack = await sendToStack(request);

    expectAnswer(viaGateway, expected);
    expect(shapeOf(viaStack)).toEqual(shapeOf(viaGateway));
  });

  it('the event carries the body as base64 and no text', () => {
    const event = apiGatewayEvent(post('/submissions', '{"content":"x"}'), { base64: true });

    expect(event.isBase64Encoded).toBe(true);
    expect(event.body).toBe(Buffer.from('{"content":"x"}').toString('base64'));
  });
});

describe('a body without a Content-Type', () => {
  it('is read as JSON (serverless-offline adds application/json; API Gateway adds nothing)', async () => {
    const request: WireRequest = {
      method: 'POST',
      target: '/submissions',
      body: submission('untyped 12345'),
    };

    const viaGateway = await direct(request);
    const viaStack = await sendToStack(request);

    expect(apiGatewayEvent(request).headers).not.toHaveProperty('content-type');
    expectAnswer(viaGateway, { status: 202 });
    expect(shapeOf(viaStack)).toEqual(shapeOf(viaGateway));
  });
});

describe('JSON scalars as the whole body', () => {
  const SCALARS: [string, string][] = [
    ['false', 'false'],
    ['true', 'true'],
    ['0', '0'],
    ['null', 'null'],
    ['"x"', '"x"'],
    ['"" (the empty string)', '""'],
    ['a JSON string holding a valid submission', JSON.stringify(submission('a string, not an object 12345'))],
    ['the JSON string "\\ufffd"', '"\\ufffd"'],
  ];

  describe.each([
    ['as text', false],
    ['base64-encoded', true],
  ])('delivered %s', (_delivery, base64) => {
    it.each(SCALARS)('%s is "must be a JSON object", over HTTP too', async (_scalar, body) => {
      const request = post('/submissions', body);

      const viaGateway = await direct(request, { base64 });
      const viaStack = await sendToStack(request);

      expectAnswer(viaGateway, { status: 400, detail: NOT_AN_OBJECT });
      expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
    });
  });

  it('false to the batch route is "must be a JSON object" too', async () => {
    const request = post('/submissions/batch', 'false');

    const viaGateway = await direct(request);
    const viaStack = await sendToStack(request);

    expectAnswer(viaGateway, { status: 400, detail: NOT_AN_OBJECT });
    expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
  });

  it.each([...SCALARS.map(([, body]) => body), JSON.stringify(submission('chunked JSON string 12345'))])(
    '%s sent chunked (no Content-Length) gets the same answer both ways',
    async (body) => {
      const request = post('/submissions', body, [chunked]);

      const viaGateway = await direct(request);
      const viaStack = await sendToStack(request);

      expectAnswer(viaGateway, { status: 400, detail: NOT_AN_OBJECT });
      expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
    },
  );
});

describe('a missing body (no `body` in the event)', () => {
  it.each([
    ['POST /submissions without a Content-Type', { method: 'POST', target: '/submissions' }, 'content'],
    ['POST /submissions as application/json', post('/submissions', undefined), 'content'],
    ['POST /submissions/batch as application/json', post('/submissions/batch', undefined), 'items'],
  ] as const)('%s is "a JSON body is required", over HTTP too', async (_scenario, request, field) => {
    const event = apiGatewayEvent(request);

    const viaGateway = await direct(request);
    const viaStack = await sendToStack(request);

    expect('body' in event).toBe(false);
    expectAnswer(viaGateway, { status: 400, detail: BODY_REQUIRED, fields: [field] });
    expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
  });
});

describe('reading an existing submission', () => {
  it('answers with the same body, ETag and no Retry-After once decided', async () => {
    const request = get(`/submissions/${existing.id}`);

    const viaGateway = await direct(request);
    const viaStack = await sendToStack(request);

    expectAnswer(viaGateway, { status: 200 });
    expect(viaGateway.headers.etag).toBe(existing.etag);
    expect(viaGateway.headers['retry-after']).toBeUndefined();
    expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
  });

  describe('cookies: in `cookies`, never in `headers`; the API ignores them', () => {
    it('GET /submissions/{id} with two cookies answers as without them', async () => {
      const request = get(`/submissions/${existing.id}`, [['Cookie', 'session=abc123; theme=dark']]);
      const event = apiGatewayEvent(request);

      const viaGateway = await direct(request);
      const viaStack = await sendToStack(request);
      const without = await direct(get(`/submissions/${existing.id}`));

      expect(event.cookies).toEqual(['session=abc123', 'theme=dark']);
      expect(event.headers.cookie).toBeUndefined();
      expect(answerOf(viaGateway)).toEqual(answerOf(without));
      expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
    });

    it('POST /submissions with cookies in two Cookie lines is accepted', async () => {
      const request = post('/submissions', submission('with cookies 12345'), [
        ['Cookie', 'session=abc123'],
        ['Cookie', 'theme=dark; lang=en'],
      ]);

      const viaGateway = await direct(request);
      const viaStack = await sendToStack(request);

      expect(apiGatewayEvent(request).cookies).toEqual(['session=abc123', 'theme=dark', 'lang=en']);
      expectAnswer(viaGateway, { status: 202 });
      expect(shapeOf(viaStack)).toEqual(shapeOf(viaGateway));
    });

    it('GET /openapi.json with a cookie answers the same document', async () => {
      const request = get('/openapi.json', [['Cookie', 'session=abc123']]);

      const viaGateway = await direct(request);
      const viaStack = await sendToStack(request);

      expectAnswer(viaGateway, { status: 200 });
      expect(viaGateway.body).toMatchObject({ openapi: expect.any(String) });
      expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
    });

    it('a cookie value with a space is passed on, and ignored', async () => {
      const request = get(`/submissions/${existing.id}`, [['Cookie', 'session=a b']]);

      const viaGateway = await direct(request);
      const viaStack = await sendToStack(request);

      expectAnswer(viaGateway, { status: 200 });
      expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
    });
  });

  describe('repeated headers: API Gateway joins them with commas', () => {
    const stale = 'W/"an-older-etag"';

    it.each([
      [
        'one If-None-Match line with two ETags, the current one second',
        (): Lines => [['IF-NONE-MATCH', `${stale}, ${existing.etag}`]],
      ],
      [
        'two If-None-Match lines, the current ETag in the second',
        (): Lines => [
          ['If-None-Match', stale],
          ['If-None-Match', existing.etag],
        ],
      ],
      [
        'two If-None-Match lines, the current ETag in the first',
        (): Lines => [
          ['If-None-Match', existing.etag],
          ['If-None-Match', stale],
        ],
      ],
    ] as const)('%s → 304 with the ETag and no Content-Type', async (_scenario, lines) => {
      const request = get(`/submissions/${existing.id}`, lines());

      const viaGateway = await direct(request);
      const viaStack = await sendToStack(request);

      expectAnswer(viaGateway, { status: 304 });
      expect(viaGateway.headers.etag).toBe(existing.etag);
      expect(viaGateway.headers).not.toHaveProperty('content-type');
      expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
    });

    it('two If-None-Match lines, neither current → 200 with the submission', async () => {
      const request = get(`/submissions/${existing.id}`, [
        ['If-None-Match', stale],
        ['If-None-Match', 'W/"another-older-etag"'],
      ]);

      const viaGateway = await direct(request);
      const viaStack = await sendToStack(request);

      expect(apiGatewayEvent(request).headers['if-none-match']).toBe(`${stale},W/"another-older-etag"`);
      expectAnswer(viaGateway, { status: 200 });
      expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
    });
  });
});

describe('repeated request headers the API reads once, joined with commas', () => {
  it.each([
    ['application/json', 'application/json'],
    ['text/plain', 'application/json'],
    ['application/json', 'text/plain'],
  ])('Content-Type: %s and Content-Type: %s → 415 naming both, over HTTP too', async (first, second) => {
    const request: WireRequest = {
      method: 'POST',
      target: '/submissions',
      headers: [
        ['Content-Type', first],
        ['Content-Type', second],
      ],
      body: submission('two content types 12345'),
    };

    const viaGateway = await direct(request);
    const viaStack = await sendToStack(request);

    expectAnswer(viaGateway, {
      status: 415,
      detail: new RegExp(`^Send the body as application/json, not ${first},${second}\\.$`),
    });
    expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
  });

  it.each([
    ['directly', direct],
    ['over HTTP', sendToStack],
  ] as const)('two Idempotency-Key lines make one key of both (%s)', async (_delivery, send) => {
    const tag = randomUUID();
    const withKeys = (...keys: string[]): WireRequest => ({
      method: 'POST',
      target: '/submissions',
      headers: [json, ...keys.map((key) => ['Idempotency-Key', key] as const)],
      body: submission('two idempotency keys 12345'),
    });

    const first = (await send(withKeys(`first-${tag}`, `second-${tag}`))) as ApiResponse;
    const secondAlone = (await send(withKeys(`second-${tag}`))) as ApiResponse;
    const joined = (await send(withKeys(`first-${tag},second-${tag}`))) as ApiResponse;

    expectAnswer(first, { status: 202 });
    expect(secondAlone.headers['idempotent-replayed']).toBeUndefined();
    expect(secondAlone.body).not.toMatchObject({ id: (first.body as { id: string }).id });
    expect(joined.headers['idempotent-replayed']).toBe('true');
    expect(joined.body).toMatchObject({ id: (first.body as { id: string }).id });
  });
});

describe('the query of GET /submissions: repeated and percent-encoded names', () => {
  const lister = caller('lister');
  const ids: string[] = [];

  beforeAll(async () => {
    for (const content of ['listed and passed 12345', 'listed and passed too 67890', 'short']) {
      const created = await direct(post('/submissions', submission(content), [], lister));
      expect(created.status).toBe(202);
      ids.push((created.body as { id: string }).id);
    }
    await Promise.all(ids.map((id) => decided(id, lister)));
  });

  it.each([
    ['limit=5&limit=10', { status: 400, detail: BAD_QUERY, fields: ['limit'] }, undefined],
    ['%6Cimit=2', { status: 200 }, 2],
    ['limit=%32', { status: 200 }, 2],
    ['status=PASSED&status=FAILED', { status: 400, detail: BAD_QUERY, fields: ['status'] }, undefined],
    ['st%61tus=FAILED', { status: 200 }, 1],
    ['constructor=x', { status: 400, detail: BAD_QUERY, fields: ['constructor'] }, undefined],
    ['__proto__=x', { status: 400, detail: BAD_QUERY, fields: ['__proto__'] }, undefined],
  ] as const)('?%s', async (query, expected, items) => {
    const request = get(`/submissions?${query}`, [], lister);
    const event = apiGatewayEvent(request);

    const viaGateway = await direct(request);
    const viaStack = await sendToStack(request);

    expect(event.rawQueryString).toBe(query);
    expectAnswer(viaGateway, expected);
    if (items !== undefined) expect((viaGateway.body as { items: unknown[] }).items).toHaveLength(items);
    expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
  });

  it('joins repeated names with commas in queryStringParameters and keeps rawQueryString as sent', () => {
    const event = apiGatewayEvent(get('/submissions?%6Cimit=5&limit=10&status=PASSED'));

    expect(event.rawQueryString).toBe('%6Cimit=5&limit=10&status=PASSED');
    expect(event.queryStringParameters).toEqual({ limit: '5,10', status: 'PASSED' });
  });

  it('lists the same page, and a cursor from either delivery pages on through the other', async () => {
    const firstViaGateway = await direct(get('/submissions?limit=2', [], lister));
    const firstViaStack = await sendToStack(get('/submissions?limit=2', [], lister));
    const cursor = encodeURIComponent(firstViaStack.body.nextCursor);
    const nextViaGateway = await direct(get(`/submissions?limit=2&cursor=${cursor}`, [], lister));
    const nextViaStack = await sendToStack(get(`/submissions?limit=2&cursor=${cursor}`, [], lister));

    expectAnswer(firstViaGateway, { status: 200 });
    expect(answerOf(firstViaStack)).toEqual(answerOf(firstViaGateway));
    expect(answerOf(nextViaStack)).toEqual(answerOf(nextViaGateway));
    const listed = [firstViaGateway.body, nextViaGateway.body].flatMap(
      (page) => (page as { items: { id: string }[] }).items,
    );
    expect(listed.map((item) => item.id).sort()).toEqual([...ids].sort());
  });

  it.each([
    ['status=&status=PASSED', 'status'],
    ['limit=&limit=1', 'limit'],
  ])('?%s is refused, over HTTP too: the empty first value counts', async (query, field) => {
    const request = get(`/submissions?${query}`, [], lister);

    const viaGateway = await direct(request);
    const viaStack = await sendToStack(request);

    expect(apiGatewayEvent(request).queryStringParameters?.[field]).toMatch(/^,/);
    expectAnswer(viaGateway, { status: 400, detail: BAD_QUERY, fields: [field] });
    expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
  });
});

describe('a JWT authorizer’s claims: `sub` is the owner', () => {
  const alice = {
    ...caller('alice'),
    iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example',
    token_use: 'access',
    scope: 'submissions/read submissions/write',
    iat: 1_700_000_000,
    exp: 4_102_444_800,
  };
  const bob = caller('bob');

  it('puts the claims, as strings, and the scopes in requestContext.authorizer.jwt', () => {
    const event = apiGatewayEvent(get('/submissions', [], alice));

    expect(event.requestContext).toMatchObject({
      authorizer: {
        jwt: {
          claims: { sub: alice.sub, iat: '1700000000', exp: '4102444800' },
          scopes: ['submissions/read', 'submissions/write'],
        },
      },
    });
  });

  it('a submission created by one sub is visible to it and to no other caller, whichever way each request comes', async () => {
    const created = await direct(post('/submissions', submission('alice’s own 12345'), [], alice));
    const id = (created.body as { id: string }).id;
    await decided(id, alice);
    const read = get(`/submissions/${id}`);

    const aliceViaGateway = await direct({ ...read, claims: alice });
    const aliceViaStack = await sendToStack({ ...read, claims: alice });
    const bobViaGateway = await direct({ ...read, claims: bob });
    const bobViaStack = await sendToStack({ ...read, claims: bob });
    const anonymousViaGateway = await direct(read);
    const anonymousViaStack = await sendToStack(read);

    expectAnswer(created, { status: 202 });
    expectAnswer(aliceViaGateway, { status: 200 });
    expect(aliceViaGateway.body).toMatchObject({ id, status: expect.any(String) });
    expect(aliceViaGateway.body).not.toHaveProperty('content');
    expect(answerOf(aliceViaStack)).toEqual(answerOf(aliceViaGateway));
    expectAnswer(bobViaGateway, { status: 404, detail: new RegExp(`^No submission ${id}\\.$`) });
    expect(answerOf(bobViaStack)).toEqual(answerOf(bobViaGateway));
    expect(answerOf(anonymousViaGateway)).toEqual(answerOf(bobViaGateway));
    expect(answerOf(anonymousViaStack)).toEqual(answerOf(bobViaGateway));
  });

  it('a submission’s content is its creator’s only, the same both ways, and no other caller learns more from it than from its status', async () => {
    const created = await direct(post('/submissions', submission('alice’s content 12345'), [], alice));
    const id = (created.body as { id: string }).id;
    const read = get(`/submissions/${id}/content`);
    const status = get(`/submissions/${id}`);

    const aliceViaGateway = await direct({ ...read, claims: alice });
    const aliceViaStack = await sendToStack({ ...read, claims: alice });
    const revalidated = get(`/submissions/${id}/content`, [
      ['If-None-Match', aliceViaGateway.headers.etag ?? ''],
    ]);
    const notModifiedViaGateway = await direct({ ...revalidated, claims: alice });
    const notModifiedViaStack = await sendToStack({ ...revalidated, claims: alice });
    const bobViaGateway = await direct({ ...read, claims: bob });
    const bobViaStack = await sendToStack({ ...read, claims: bob });
    const bobsStatus = await direct({ ...status, claims: bob });
    const anonymousViaStack = await sendToStack(read);

    expectAnswer(aliceViaGateway, { status: 200 });
    expect(aliceViaGateway.body).toEqual({ id, content: 'alice’s content 12345' });
    expect(answerOf(aliceViaStack)).toEqual(answerOf(aliceViaGateway));
    expectAnswer(notModifiedViaGateway, { status: 304 });
    expect(answerOf(notModifiedViaStack)).toEqual(answerOf(notModifiedViaGateway));
    expectAnswer(bobViaGateway, { status: 404, detail: new RegExp(`^No submission ${id}\\.$`) });
    expect(answerOf(bobViaStack)).toEqual(answerOf(bobViaGateway));
    expect((bobViaGateway.body as Problem).detail).toBe((bobsStatus.body as Problem).detail);
    expect(answerOf(anonymousViaStack)).toEqual(answerOf(bobViaGateway));
  });

  it('a submission created over HTTP with a bearer token is the same sub’s in API Gateway’s event', async () => {
    const created = await sendToStack(post('/submissions', submission('alice over HTTP 12345'), [], alice));
    const id = created.body.id as string;
    await decided(id, alice);

    const viaGateway = await direct(get(`/submissions/${id}`, [], alice));
    const viaStack = await sendToStack(get(`/submissions/${id}`, [], alice));
    const asBob = await direct(get(`/submissions/${id}`, [], bob));

    expectAnswer(created, { status: 202 });
    expectAnswer(viaGateway, { status: 200 });
    expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
    expectAnswer(asBob, { status: 404, detail: new RegExp(`^No submission ${id}\\.$`) });
  });

  it('lists the sub’s submissions only, the same both ways', async () => {
    const carol = caller('carol');
    const created = await direct(post('/submissions', submission('carol’s only one 12345'), [], carol));
    const id = (created.body as { id: string }).id;
    await decided(id, carol);

    const viaGateway = await direct(get('/submissions', [], carol));
    const viaStack = await sendToStack(get('/submissions', [], carol));

    expectAnswer(viaGateway, { status: 200 });
    expect((viaGateway.body as { items: { id: string }[] }).items.map((item) => item.id)).toEqual([id]);
    expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
  });

  it('KNOWN DIFFERENCE: a bearer token that is no JWT reaches the function locally, whose caller is then the default owner; API Gateway answers 401 before the function', async () => {
    const viaStack = await sendToStack(
      get(`/submissions/${existing.id}`, [['Authorization', 'Bearer not-a-jwt']]),
    );
    const noAuthorizer = await direct(get(`/submissions/${existing.id}`));

    // serverless-offline runs with noAuth and decodes bearer tokens without verifying them
    // (every token above was unsigned); one it cannot decode leaves no claims at all, and
    // AUTH_MODE=dev serves the request as DEFAULT_OWNER, who owns `existing`.
    expectAnswer(noAuthorizer, { status: 200 });
    expect(answerOf(viaStack)).toEqual(answerOf(noAuthorizer));
  });

  it('a numeric sub (a string in API Gateway’s claims, a number in serverless-offline’s) is the same owner', async () => {
    const sub = Number(`9${Date.now()}`);
    const created = await direct(post('/submissions', submission('a numeric sub 12345'), [], { sub }));
    const id = (created.body as { id: string }).id;
    await decided(id, { sub });

    const viaGateway = await direct(get(`/submissions/${id}`, [], { sub }));
    const viaStack = await sendToStack(get(`/submissions/${id}`, [], { sub }));

    expectAnswer(viaGateway, { status: 200 });
    expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
  });
});

describe('a submission not decided yet: ETag, Retry-After and 304', () => {
  it('answers PENDING with Retry-After and the same ETag both ways, then 304 to that ETag', async () => {
    // Created through a handler whose queue no worker reads, so it stays PENDING (the reaper
    // only takes it after ORPHAN_AFTER_MS); then handed to the stack's queue to be decided.
    const sqs = createSqsClient({ endpoint: inject('stack').env.AWS_ENDPOINT_URL_SQS });
    const { QueueUrl: heldQueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `gateway-events-held-${randomUUID()}` }),
    );
    if (!heldQueueUrl) throw new Error('the SQS emulator created no queue');
    const held = await apiHandlerOnStack(heldQueueUrl);
    try {
      const created = await held.invoke(apiGatewayEvent(post('/submissions', submission('held back 12345'))));
      const id = (created.body as { id: string }).id;

      const viaGateway = await direct(get(`/submissions/${id}`));
      const viaStack = await sendToStack(get(`/submissions/${id}`));
      const etag = viaGateway.headers.etag ?? '';
      const notModifiedViaGateway = await direct(get(`/submissions/${id}`, [['If-None-Match', etag]]));
      const notModifiedViaStack = await sendToStack(get(`/submissions/${id}`, [['If-None-Match', etag]]));

      expectAnswer(viaGateway, { status: 200 });
      expect(viaGateway.body).toMatchObject({ id, status: 'PENDING' });
      expect(viaGateway.headers['retry-after']).toBe('1');
      expect(answerOf(viaStack)).toEqual(answerOf(viaGateway));
      expectAnswer(notModifiedViaGateway, { status: 304 });
      expect(notModifiedViaGateway.headers).toMatchObject({ etag, 'retry-after': '1' });
      expect(notModifiedViaGateway.headers).not.toHaveProperty('content-type');
      expect(answerOf(notModifiedViaStack)).toEqual(answerOf(notModifiedViaGateway));

      await new SqsSubmissionQueue({ client: sqs, queueUrl: await stackQueueUrl() }).enqueue(id);
      const final = await decided(id);
      const afterViaGateway = await direct(get(`/submissions/${id}`, [['If-None-Match', etag]]));

      expect(final.headers['retry-after']).toBeUndefined();
      expect(final.headers.etag).not.toBe(etag);
      expectAnswer(afterViaGateway, { status: 200 });
      expect(answerOf(final)).toEqual(answerOf(await direct(get(`/submissions/${id}`))));
    } finally {
      held.restore();
      await sqs.send(new DeleteQueueCommand({ QueueUrl: heldQueueUrl }));
      sqs.destroy();
    }
  });
});
