import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { HttpProblem } from '../../src/http/problem';
import {
  ifNoneMatch,
  ownerOf,
  parseCreateBatch,
  parseCreateSubmission,
  parseIdempotencyKey,
  parseListQuery,
  parseSubmissionId,
} from '../../src/http/request';

const LIMIT = 16;
const SUBMISSION_ID = '3f2b8c1e-9a4d-4e7b-8c2d-1a2b3c4d5e6f';

/** An API Gateway event; `rawQueryString` agrees with `queryStringParameters`, as API Gateway's do. */
function httpEvent(overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/submissions',
    rawQueryString: new URLSearchParams(overrides.queryStringParameters as Record<string, string>).toString(),
    headers: { 'content-type': 'application/json' },
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: 'POST',
        path: '/submissions',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'unit',
      },
      requestId: 'request-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2025:00:00:00 +0000',
      timeEpoch: 1_735_689_600_000,
    },
    ...overrides,
  };
}

/** A POST whose body is `value` serialised as JSON. */
const jsonPost = (value: unknown, overrides: Partial<APIGatewayProxyEventV2> = {}) =>
  httpEvent({ body: JSON.stringify(value), ...overrides });

/** Runs `act`, which must throw an HttpProblem, and returns it. */
function problemFrom(act: () => unknown): HttpProblem {
  try {
    act();
  } catch (error) {
    if (error instanceof HttpProblem) return error;
    throw error;
  }
  return expect.unreachable('expected an HttpProblem to be thrown');
}

const fieldsOf = (problem: HttpProblem) => (problem.errors ?? []).map((error) => error.field);

describe('parseCreateSubmission', () => {
  it('returns the content of a valid body', () => {
    // Prepare
    const event = jsonPost({ content: 'hello world 1' });

    // Act
    const body = parseCreateSubmission(event, LIMIT);

    // Assess
    expect(body).toEqual({ content: 'hello world 1' });
  });

  describe('body presence and shape', () => {
    it.each([
      { name: 'missing', body: undefined },
      { name: 'an empty string', body: '' },
    ])('refuses a body that is $name with 400 naming content', ({ body }) => {
      // Prepare
      const event = httpEvent({ body });

      // Act
      const problem = problemFrom(() => parseCreateSubmission(event, LIMIT));

      // Assess
      expect(problem.status).toBe(400);
      expect(fieldsOf(problem)).toEqual(['content']);
    });

    it.each(['{"content":', '{content: "x"}', "{'content': 'x'}", 'content=x', '{"content":"x"} trailing'])(
      'refuses malformed JSON %j with 400',
      (body) => {
        // Act
        const problem = problemFrom(() => parseCreateSubmission(httpEvent({ body }), LIMIT));

        // Assess
        expect(problem.status).toBe(400);
        expect(problem.detail).toMatch(/not valid JSON/);
      },
    );

    it.each(['[]', '[{"content":"hello world 1"}]', '"hello world 1"', 'null', '42', 'true'])(
      'refuses the JSON value %s with 400 "must be a JSON object"',
      (body) => {
        // Act
        const problem = problemFrom(() => parseCreateSubmission(httpEvent({ body }), LIMIT));

        // Assess
        expect(problem.status).toBe(400);
        expect(problem.detail).toMatch(/must be a JSON object/);
      },
    );

    it('refuses an unknown extra field with a field error naming it', () => {
      // Prepare
      const event = jsonPost({ content: 'hello world 1', priority: 'high' });

      // Act
      const problem = problemFrom(() => parseCreateSubmission(event, LIMIT));

      // Assess
      expect(problem.status).toBe(400);
      expect(problem.errors).toContainEqual({
        field: 'priority',
        message: expect.stringContaining('priority'),
      });
    });
  });

  describe('content field', () => {
    it.each([
      { name: 'missing', body: {}, reason: /content/ },
      { name: 'empty', body: { content: '' }, reason: /empty/ },
      { name: 'a number', body: { content: 1234567890 }, reason: /string/ },
      { name: 'null', body: { content: null }, reason: /string/ },
      { name: 'an object', body: { content: { text: 'x' } }, reason: /string/ },
      { name: 'a lone high surrogate', body: { content: 'abc\ud800def1' }, reason: /Unicode/ },
      { name: 'a lone low surrogate', body: { content: '\udc00' }, reason: /Unicode/ },
    ])('refuses content that is $name with 400 naming content', ({ body, reason }) => {
      // Act
      const problem = problemFrom(() => parseCreateSubmission(jsonPost(body), LIMIT));

      // Assess
      expect(problem.status).toBe(400);
      expect(problem.errors).toContainEqual({ field: 'content', message: expect.stringMatching(reason) });
    });

    it.each(['\u0000', '\u0001', '\u0007', '\u0008', '\u000b', '\u000c', '\u000e', '\u001b', '\u001f'])(
      'refuses the control character %j with 400',
      (control) => {
        // Prepare
        const event = jsonPost({ content: `abc${control}def1` });

        // Act
        const problem = problemFrom(() => parseCreateSubmission(event, LIMIT));

        // Assess
        expect(problem.status).toBe(400);
        expect(problem.errors).toContainEqual({
          field: 'content',
          message: expect.stringMatching(/control/),
        });
      },
    );

    it.each(['\t', '\n', '\r', '\r\n'])('accepts the whitespace control %j', (whitespace) => {
      // Prepare
      const content = `line 1${whitespace}line 2`;

      // Act
      const body = parseCreateSubmission(jsonPost({ content }), LIMIT);

      // Assess
      expect(body.content).toBe(content);
    });
  });

  describe('size limit (in bytes of UTF-8)', () => {
    it.each([
      { name: '16 ASCII characters', content: 'a'.repeat(16) },
      { name: '8 two-byte "é"', content: 'é'.repeat(8) },
      { name: '5 three-byte "€" and 1 ASCII', content: `${'€'.repeat(5)}a` },
      { name: '4 four-byte emoji', content: '😀'.repeat(4) },
    ])('accepts content exactly at the limit: $name', ({ content }) => {
      // Act
      const body = parseCreateSubmission(jsonPost({ content }), LIMIT);

      // Assess
      expect(body.content).toBe(content);
    });

    it.each([
      { name: '17 ASCII characters', content: 'a'.repeat(17), bytes: 17 },
      { name: '8 "é" and 1 ASCII (9 characters)', content: `${'é'.repeat(8)}a`, bytes: 17 },
      { name: '4 emoji and 1 ASCII (5 characters)', content: `${'😀'.repeat(4)}a`, bytes: 17 },
      { name: '9 "é" (fewer characters than the limit)', content: 'é'.repeat(9), bytes: 18 },
    ])('refuses content over the limit with 413: $name', ({ content, bytes }) => {
      // Act
      const problem = problemFrom(() => parseCreateSubmission(jsonPost({ content }), LIMIT));

      // Assess
      expect(problem.status).toBe(413);
      expect(problem.detail).toContain(`${bytes} bytes`);
      expect(problem.detail).toContain(String(LIMIT));
      expect(fieldsOf(problem)).toEqual(['content']);
    });

    it('measures the decoded content, not its JSON escapes', () => {
      // Prepare: 16 characters written as \u0061 escapes make a 110-byte body.
      const body = `{"content":"${'\\u0061'.repeat(16)}"}`;

      // Act
      const parsed = parseCreateSubmission(httpEvent({ body }), LIMIT);

      // Assess
      expect(parsed.content).toBe('a'.repeat(16));
    });

    it.each([
      { name: 'valid JSON', body: JSON.stringify({ content: 'a'.repeat(LIMIT * 7 + 1024) }) },
      { name: 'not even JSON', body: '{'.repeat(LIMIT * 7 + 1024) },
    ])('refuses a raw body far over the limit with 413 before parsing it ($name)', ({ body }) => {
      // Act
      const problem = problemFrom(() => parseCreateSubmission(httpEvent({ body }), LIMIT));

      // Assess
      expect(problem.status).toBe(413);
      expect(problem.detail).toMatch(/request body/);
      expect(problem.errors).toBeUndefined();
    });
  });

  describe('content type', () => {
    it.each([
      { 'content-type': 'application/json' },
      { 'content-type': 'application/json; charset=utf-8' },
      { 'content-type': 'application/json;charset=UTF-8' },
      { 'Content-Type': 'Application/JSON' },
      { 'content-type': 'application/vnd.api+json' },
      // RFC 6838 §4.2 allows these in a subtype's name too.
      { 'content-type': 'application/vnd_x!#$&^.y+json' },
      {},
    ])('accepts headers %j', (headers) => {
      // Act
      const body = parseCreateSubmission(jsonPost({ content: 'hello world 1' }, { headers }), LIMIT);

      // Assess
      expect(body.content).toBe('hello world 1');
    });

    it.each([
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonp',
    ])('refuses content-type %s with 415', (contentType) => {
      // Prepare
      const event = jsonPost({ content: 'hello world 1' }, { headers: { 'content-type': contentType } });

      // Act
      const problem = problemFrom(() => parseCreateSubmission(event, LIMIT));

      // Assess
      expect(problem.status).toBe(415);
      expect(problem.detail).toContain(contentType);
    });
  });

  describe('base64-encoded bodies', () => {
    it('decodes a base64 body', () => {
      // Prepare
      const body = Buffer.from(JSON.stringify({ content: 'héllo wörld 1' }), 'utf8').toString('base64');

      // Act
      const parsed = parseCreateSubmission(httpEvent({ body, isBase64Encoded: true }), LIMIT);

      // Assess
      expect(parsed.content).toBe('héllo wörld 1');
    });

    it.each([
      { name: 'a stray 0xff', bytes: [0xff] },
      { name: 'a broken two-byte sequence', bytes: [0xc3, 0x28] },
      { name: 'a truncated three-byte sequence', bytes: [0xe2, 0x82] },
      { name: 'an overlong "/"', bytes: [0xc0, 0xaf] },
      { name: 'an encoded surrogate', bytes: [0xed, 0xa0, 0x80] },
    ])('refuses invalid UTF-8 ($name) with 400', ({ bytes }) => {
      // Prepare
      const raw = Buffer.concat([Buffer.from('{"content":"abc'), Buffer.from(bytes), Buffer.from('def1"}')]);
      const event = httpEvent({ body: raw.toString('base64'), isBase64Encoded: true });

      // Act
      const problem = problemFrom(() => parseCreateSubmission(event, LIMIT));

      // Assess
      expect(problem.status).toBe(400);
      expect(problem.detail).toMatch(/UTF-8/);
    });
  });
});

/**
 * serverless-offline (`npm start`) JSON-parses a body sent as JSON before building the event, and
 * hands some values over parsed rather than as the bytes sent. The Content-Length it copies from
 * the request still tells what was sent; each row is the event it builds for one body.
 */
describe('bodies serverless-offline hands over parsed', () => {
  const offlineEvent = (body: unknown, sent: string | Buffer) =>
    httpEvent({
      body: body as string,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(sent)) },
    });

  it.each([
    { name: 'false, passed as the boolean', body: false, sent: 'false' },
    { name: '0, passed as the number', body: 0, sent: '0' },
    { name: '-0, passed as the number', body: -0, sent: '-0' },
    { name: 'null, passed as null', body: null, sent: 'null' },
    { name: 'the empty JSON string, passed as null', body: null, sent: '""' },
    { name: 'a JSON string, passed unquoted', body: 'x', sent: '"x"' },
    { name: 'a JSON string with escapes, passed decoded', body: 'a"b\nc', sent: '"a\\"b\\\\nc"' },
    { name: 'a JSON string padded with spaces, passed unquoted', body: 'x', sent: ' "x" ' },
    {
      name: 'a JSON string holding a valid submission, passed as that JSON text',
      body: '{"content":"hello world 1"}',
      sent: JSON.stringify('{"content":"hello world 1"}'),
    },
  ])('refuses $name with 400 "must be a JSON object", on both routes', ({ body, sent }) => {
    // Act
    const single = problemFrom(() => parseCreateSubmission(offlineEvent(body, sent), LIMIT));
    const batch = problemFrom(() => parseCreateBatch(offlineEvent(body, sent), LIMIT));

    // Assess
    expect([single.status, batch.status]).toEqual([400, 400]);
    expect(single.detail).toMatch(/must be a JSON object/);
    expect(batch.detail).toMatch(/must be a JSON object/);
  });

  it('refuses a body whose invalid UTF-8 was decoded to U+FFFD as not valid JSON in UTF-8', () => {
    // Prepare: the client sent 0xFF inside the JSON; serverless-offline decoded it lossily.
    const sent = Buffer.concat([Buffer.from('{"content":"hello '), Buffer.from([0xff]), Buffer.from(' 1"}')]);
    const event = offlineEvent(sent.toString('utf8'), sent);

    // Act
    const problem = problemFrom(() => parseCreateSubmission(event, LIMIT));

    // Assess
    expect(problem.status).toBe(400);
    expect(problem.detail).toBe('The request body is not valid JSON in UTF-8.');
  });

  it('reads a body sent with no Content-Length (chunked) as the string it is', () => {
    // Act
    const body = parseCreateSubmission(httpEvent({ body: '{"content":"hello world 1"}' }), LIMIT);

    // Assess
    expect(body).toEqual({ content: 'hello world 1' });
  });

  it('refuses an absent body as missing, even with a Content-Length of 0', () => {
    // Act
    const problem = problemFrom(() => parseCreateSubmission(offlineEvent(null, ''), LIMIT));

    // Assess
    expect(problem.detail).toMatch(/JSON body .* is required/);
  });
});

describe('content decoded from invalid UTF-8', () => {
  it('refuses U+FFFD, the replacement a proxy leaves for undecodable bytes', () => {
    const event = {
      headers: {},
      body: JSON.stringify({ content: 'abc\ufffd 12345' }),
      isBase64Encoded: false,
    } as never;

    expect(() => parseCreateSubmission(event, 1000)).toThrow(
      expect.objectContaining({
        status: 400,
        errors: [expect.objectContaining({ field: 'content', message: expect.stringMatching(/UTF-8/) })],
      }),
    );
  });
});

describe('parseSubmissionId', () => {
  it.each([
    { name: 'a lower-case UUID', id: SUBMISSION_ID },
    { name: 'an upper-case UUID', id: SUBMISSION_ID.toUpperCase() },
  ])('accepts $name and returns it lower-cased', ({ id }) => {
    // Act
    const parsed = parseSubmissionId(httpEvent({ pathParameters: { id } }));

    // Assess
    expect(parsed).toBe(SUBMISSION_ID);
  });

  it.each([
    { name: 'a short word', pathParameters: { id: 'abc' } },
    { name: 'a path traversal', pathParameters: { id: '../x' } },
    { name: 'an empty id', pathParameters: { id: '' } },
    { name: 'a UUID with trailing characters', pathParameters: { id: `${SUBMISSION_ID}x` } },
    { name: 'a UUID with a trailing newline', pathParameters: { id: `${SUBMISSION_ID}\n` } },
    { name: 'a UUID with leading space', pathParameters: { id: ` ${SUBMISSION_ID}` } },
    { name: 'a UUID without dashes', pathParameters: { id: SUBMISSION_ID.replaceAll('-', '') } },
    { name: 'a UUID in braces', pathParameters: { id: `{${SUBMISSION_ID}}` } },
    { name: 'a non-hex character', pathParameters: { id: SUBMISSION_ID.replace('f', 'g') } },
    { name: 'no id parameter', pathParameters: {} },
    { name: 'no path parameters', pathParameters: undefined },
  ])('refuses $name with 400 naming id', ({ pathParameters }) => {
    // Act
    const problem = problemFrom(() => parseSubmissionId(httpEvent({ pathParameters })));

    // Assess
    expect(problem.status).toBe(400);
    expect(fieldsOf(problem)).toEqual(['id']);
  });
});

describe('parseListQuery', () => {
  it('defaults the limit to 20 and leaves the cursor out', () => {
    // Act
    const query = parseListQuery(httpEvent({ queryStringParameters: undefined }));

    // Assess
    expect(query).toEqual({ limit: 20 });
  });

  it.each([
    ['1', 1],
    ['50', 50],
    ['100', 100],
  ])('accepts limit=%s', (limit, expected) => {
    // Act
    const query = parseListQuery(httpEvent({ queryStringParameters: { limit } }));

    // Assess
    expect(query.limit).toBe(expected);
  });

  it.each(['0', '-1', '101', 'abc', '1.5', ''])('refuses limit=%j with 400 naming limit', (limit) => {
    // Act
    const problem = problemFrom(() => parseListQuery(httpEvent({ queryStringParameters: { limit } })));

    // Assess
    expect(problem.status).toBe(400);
    expect(fieldsOf(problem)).toEqual(['limit']);
  });

  it('passes the cursor through untouched', () => {
    // Prepare
    const cursor = 'eyJpZCI6IngifQ_-';

    // Act
    const query = parseListQuery(httpEvent({ queryStringParameters: { cursor, limit: '5' } }));

    // Assess
    expect(query).toEqual({ cursor, limit: 5 });
  });

  it('refuses a cursor longer than 2048 characters with 400 naming cursor', () => {
    // Act
    const problem = problemFrom(() =>
      parseListQuery(httpEvent({ queryStringParameters: { cursor: 'a'.repeat(2049) } })),
    );

    // Assess
    expect(problem.status).toBe(400);
    expect(fieldsOf(problem)).toEqual(['cursor']);
  });
});

describe('parseListQuery from rawQueryString', () => {
  const withRawQuery = (rawQueryString: string, queryStringParameters?: Record<string, string>) =>
    httpEvent({ rawQueryString, queryStringParameters });

  it.each([
    { raw: 'status=&status=PASSED', field: 'status' },
    { raw: 'limit=5&limit=10', field: 'limit' },
  ])(
    'joins the values of a repeated name with commas, as API Gateway does: ?$raw is refused',
    ({ raw, field }) => {
      // Prepare: serverless-offline's queryStringParameters for the first drops the empty value.
      const event = withRawQuery(raw, { status: 'PASSED' });

      // Act
      const problem = problemFrom(() => parseListQuery(event));

      // Assess
      expect(problem.status).toBe(400);
      expect(fieldsOf(problem)).toEqual([field]);
    },
  );

  it('decodes percent-encoded names and values', () => {
    expect(parseListQuery(withRawQuery('%6Cimit=%32&st%61tus=FAILED'))).toEqual({
      limit: 2,
      status: 'FAILED',
    });
  });
});

describe('ifNoneMatch', () => {
  it.each([
    { headers: { 'if-none-match': 'W/"abc"' }, expected: 'W/"abc"' },
    { headers: { 'If-None-Match': '"a", "b"' }, expected: '"a", "b"' },
    { headers: {}, expected: undefined },
  ])('reads $headers as $expected', ({ headers, expected }) => {
    // Act
    const value = ifNoneMatch(httpEvent({ headers }));

    // Assess
    expect(value).toBe(expected);
  });
});

describe('ownerOf', () => {
  function withClaims(claims: Record<string, unknown> | undefined): APIGatewayProxyEventV2 {
    const base = httpEvent();
    const requestContext = claims
      ? { ...base.requestContext, authorizer: { jwt: { claims, scopes: null } } }
      : base.requestContext;
    return { ...base, requestContext };
  }

  it.each([
    { name: 'the JWT sub when present', claims: { sub: 'user-123' }, expected: 'user-123' },
    { name: 'the default owner when sub is empty', claims: { sub: '' }, expected: 'anonymous' },
    {
      name: 'a numeric sub as its digits (serverless-offline keeps JSON types)',
      claims: { sub: 42 },
      expected: '42',
    },
    {
      name: 'the default owner when sub is neither string nor number',
      claims: { sub: true },
      expected: 'anonymous',
    },
    { name: 'the default owner when there is no sub', claims: { email: 'a@b.c' }, expected: 'anonymous' },
    { name: 'the default owner when no authorizer ran', claims: undefined, expected: 'anonymous' },
  ])('in dev mode uses $name', ({ claims, expected }) => {
    // Act
    const owner = ownerOf(withClaims(claims), { mode: 'dev', devOwner: 'anonymous' });

    // Assess
    expect(owner).toBe(expected);
  });

  it('in jwt mode uses the verified sub', () => {
    expect(ownerOf(withClaims({ sub: 'user-123' }), { mode: 'jwt', devOwner: 'anonymous' })).toBe('user-123');
  });

  it('in jwt mode refuses with 401 claims that serverless-offline decoded without verifying them', () => {
    // Prepare: the event serverless-offline builds, its placeholder ids and the token's claims.
    const event = withClaims({ sub: 'user-123' });
    event.requestContext = { ...event.requestContext, apiId: 'offlineContext_apiId' };

    // Act
    const problem = problemFrom(() => ownerOf(event, { mode: 'jwt', devOwner: 'anonymous' }));

    // Assess
    expect(problem.status).toBe(401);
    expect(problem.detail).toMatch(/serverless-offline/);
  });

  it.each([
    { mode: 'jwt', length: 256 },
    { mode: 'dev', length: 1000 },
  ] as const)(
    'in $mode mode refuses with 401 a sub of $length characters, beyond OpenID Connect’s 255',
    ({ mode, length }) => {
      // Act
      const problem = problemFrom(() =>
        ownerOf(withClaims({ sub: 'u'.repeat(length) }), { mode, devOwner: 'anonymous' }),
      );

      // Assess
      expect(problem.status).toBe(401);
      expect(problem.detail).toMatch(/255/);
    },
  );

  it('takes a sub of 255 characters', () => {
    const sub = 'u'.repeat(255);
    expect(ownerOf(withClaims({ sub }), { mode: 'jwt', devOwner: 'anonymous' })).toBe(sub);
  });

  it.each([
    { name: 'no authorizer ran', claims: undefined },
    { name: 'the sub is empty', claims: { sub: '' } },
    { name: 'there is no sub', claims: { email: 'a@b.c' } },
  ])('in jwt mode refuses with 401 when $name, never falling back to a default owner', ({ claims }) => {
    expect(() => ownerOf(withClaims(claims), { mode: 'jwt', devOwner: 'anonymous' })).toThrow(
      expect.objectContaining({ status: 401, headers: { 'www-authenticate': 'Bearer' } }),
    );
  });
});

describe('parseCreateBatch', () => {
  const items = (count: number) =>
    Array.from({ length: count }, (_, index) => ({ content: `item ${index}` }));

  it('returns 1 to 25 items in order', () => {
    // Act
    const bodies = [1, 25].map((count) => parseCreateBatch(jsonPost({ items: items(count) }), LIMIT));

    // Assess
    expect(bodies.map((body) => body.items)).toEqual([items(1), items(25)]);
  });

  it.each([
    {
      name: 'an unknown field in an item',
      items: [{ content: 'a' }, { content: 'b', extra: 1 }],
      field: 'items.1.extra',
    },
    {
      name: 'two unknown fields in an item',
      items: [{ content: 'a', x: 1, y: 2 }],
      field: 'items.0.x, items.0.y',
    },
    {
      name: 'an empty content',
      items: [{ content: 'a' }, { content: 'b' }, { content: '' }],
      field: 'items.2.content',
    },
    { name: 'no items', items: [], field: 'items' },
    { name: '26 items', items: items(26), field: 'items' },
  ])('refuses $name with 400 naming $field', ({ items: batch, field }) => {
    // Act
    const problem = problemFrom(() => parseCreateBatch(jsonPost({ items: batch }), LIMIT));

    // Assess
    expect(problem.status).toBe(400);
    expect(fieldsOf(problem)).toEqual([field]);
  });

  it('names an unknown top-level field by its name alone', () => {
    // Act
    const problem = problemFrom(() => parseCreateBatch(jsonPost({ items: items(1), extra: true }), LIMIT));

    // Assess
    expect(fieldsOf(problem)).toEqual(['extra']);
  });

  it('refuses an oversized item with 413 naming its index', () => {
    // Prepare
    const batch = [...items(2), { content: 'a'.repeat(LIMIT + 1) }];

    // Act
    const problem = problemFrom(() => parseCreateBatch(jsonPost({ items: batch }), LIMIT));

    // Assess
    expect(problem.status).toBe(413);
    expect(fieldsOf(problem)).toEqual(['items.2.content']);
  });
});

describe('parseIdempotencyKey', () => {
  const withKey = (key: string) => httpEvent({ headers: { 'Idempotency-Key': key } });

  it('is undefined when the header is absent', () => {
    expect(parseIdempotencyKey(httpEvent())).toBeUndefined();
  });

  it.each([' ', '~'.repeat(255), 'order-7f3a attempt #2'])('accepts %j', (key) => {
    expect(parseIdempotencyKey(withKey(key))).toBe(key);
  });

  it.each([
    { name: 'empty', key: '' },
    { name: '256 characters', key: 'k'.repeat(256) },
    { name: 'a control character', key: 'a\u0001b' },
    { name: 'DEL', key: 'a\u007f' },
    { name: 'a non-ASCII letter', key: 'clé' },
  ])('refuses a key that is $name with 400 naming Idempotency-Key', ({ key }) => {
    // Act
    const problem = problemFrom(() => parseIdempotencyKey(withKey(key)));

    // Assess
    expect(problem.status).toBe(400);
    expect(fieldsOf(problem)).toEqual(['Idempotency-Key']);
  });
});
