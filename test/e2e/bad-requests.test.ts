import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../workbench/wait';
import { type RawRequest, type RawResponse, sendBytes, sendRaw } from '../helpers/e2e-raw-http';
import { readStackLog, structuredLines } from '../helpers/e2e-stack-log';
import { snapshotStack, snapshotTable, type TableSnapshot, waitUntilSettled } from '../helpers/e2e-table';
import { api, pollUntilDecided, submit } from '../helpers/http';

/**
 * Bad requests over real HTTP against the running stack: each answers its
 * documented 4xx (never a 5xx) and stores nothing, hence enqueues nothing
 * (the API enqueues only what it has stored).
 *
 * Each row compares every item of the table (as JSON) and the queue's depth
 * (visible and in flight) before and after; the setup first waits until the
 * worker has nothing left to move, so only the request could change them.
 *
 * Most are refused by the service itself, as RFC 9457 problem+json with the
 * security headers. A few never reach the function: the HTTP server in front
 * of it (serverless-offline's hapi on Node) refuses a malformed request line,
 * oversized headers, an unknown route. On AWS, API Gateway answers those; the
 * rows say `answeredBy: 'server'` and only their status is asserted.
 */

/** In every body that carries content, so a scan can prove none of it was stored. */
const MARKER = `bad-request-${randomUUID()}`;
const MAX_CONTENT_BYTES = Number(inject('stack').settings.MAX_CONTENT_BYTES);
const A_UUID = '6f1c1c3e-5a3e-4c1e-9f1e-1e2d3c4b5a69';

/** What the setup creates for the rows that need something real to abuse. */
const fixture = { existingId: '', cursor: '', idempotencyKey: `bad-requests-${randomUUID()}` };

interface BadRequest {
  scenario: string;
  /** Built when the row runs, after the setup has made `fixture`. */
  request: () => RawRequest | Buffer;
  status: number;
  answeredBy?: 'service' | 'server';
  /** What `detail` must say. */
  detail?: RegExp;
  /** The `errors[].field` that names the culprit. */
  field?: string;
  /** The `Allow` header of a 405, in any order. */
  allow?: string[];
}

const json = { 'content-type': 'application/json' };
const post = (body: string | Buffer, headers: Record<string, string> = json): RawRequest => ({
  method: 'POST',
  path: '/submissions',
  headers,
  body,
});
const postBatch = (body: unknown): RawRequest => ({
  method: 'POST',
  path: '/submissions/batch',
  headers: json,
  body: JSON.stringify(body),
});
const get = (path: string, headers: Record<string, string> = {}): RawRequest => ({
  method: 'GET',
  path,
  headers,
});
const content = (text: string) => JSON.stringify({ content: `${MARKER} ${text}` });
/** Exactly `bytes` bytes of UTF-8: `head` (by default the marker), padded with `filler`. */
function contentOfBytes(bytes: number, filler: string, head = `${MARKER} `): string {
  const fill = filler.repeat(Math.floor((bytes - head.length) / Buffer.byteLength(filler)));
  return head + fill + 'x'.repeat(bytes - head.length - Buffer.byteLength(fill));
}
/** Changes the character at `index` (negative: from the end) to another base64url character. */
function flipAt(text: string, index: number): string {
  const at = index < 0 ? text.length + index : index;
  return text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
}
const requestBytes = (...parts: (string | Buffer)[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : part)));

const NOT_JSON = /not valid JSON/;
const NOT_A_SUBMISSION = /not a valid submission/;
const NOT_A_BATCH = /not a valid batch/;
const BAD_QUERY = /query is not valid/;
const BAD_ID = /id is malformed/;
const BAD_CURSOR = /cursor is not valid/;
const BAD_KEY = /Idempotency-Key header is malformed/;

/** The bad requests: each row a different mistake. */
const BAD_REQUESTS: BadRequest[] = [
  // Malformed JSON and encodings (POST /submissions).
  {
    scenario: 'truncated JSON',
    request: () => post(`{"content":"${MARKER} 12345`),
    status: 400,
    detail: NOT_JSON,
  },
  {
    scenario: 'a trailing comma',
    request: () => post(`{"content":"${MARKER} 12345",}`),
    status: 400,
    detail: NOT_JSON,
  },
  {
    scenario: 'single-quoted JSON',
    request: () => post(`{'content':'${MARKER} 12345'}`),
    status: 400,
    detail: NOT_JSON,
  },
  {
    scenario: 'NaN, which JSON does not have',
    request: () => post(`{"content":NaN,"note":"${MARKER}"}`),
    status: 400,
    detail: NOT_JSON,
  },
  // serverless-offline parses these bodies before the function sees them and passes some
  // parsed (docs/local-development.md); each must get the answer API Gateway's bytes get.
  {
    scenario: 'a bare JSON string',
    request: () => post(JSON.stringify(`${MARKER} 12345`)),
    status: 400,
    detail: /must be a JSON object/,
  },
  {
    scenario: 'a JSON string holding a valid submission',
    request: () => post(JSON.stringify(content('12345'))),
    status: 400,
    detail: /must be a JSON object/,
  },
  {
    scenario: 'the JSON literal false',
    request: () => post('false'),
    status: 400,
    detail: /must be a JSON object/,
  },
  { scenario: 'the JSON number -0', request: () => post('-0'), status: 400, detail: /must be a JSON object/ },
  {
    scenario: 'the empty JSON string',
    request: () => post('""'),
    status: 400,
    detail: /must be a JSON object/,
  },
  {
    scenario: 'the JSON literal false, to the batch route',
    request: () => postBatch(false),
    status: 400,
    detail: /must be a JSON object/,
  },
  {
    scenario: 'a JSON array instead of an object',
    request: () => post(`[${content('12345')}]`),
    status: 400,
    detail: /must be a JSON object/,
  },
  {
    scenario: 'the JSON literal null',
    request: () => post('null'),
    status: 400,
    detail: /must be a JSON object/,
  },
  {
    scenario: 'an empty body',
    request: () => post(''),
    status: 400,
    detail: /JSON body .* is required/,
    field: 'content',
  },
  {
    scenario: 'duplicate content keys, the last one empty',
    request: () => post(`{"content":"${MARKER} 12345","content":""}`),
    status: 400,
    detail: NOT_A_SUBMISSION,
    field: 'content',
  },
  {
    scenario: 'invalid UTF-8 bytes in the body',
    request: () =>
      post(
        Buffer.concat([
          Buffer.from(`{"content":"${MARKER} `),
          Buffer.from([0xc3, 0x28, 0xff]),
          Buffer.from(' 12345"}'),
        ]),
      ),
    status: 400,
    detail: NOT_JSON,
  },
  {
    scenario: 'a raw NUL byte inside the JSON string',
    request: () => post(`{"content":"${MARKER} \u0000 12345"}`),
    status: 400,
    detail: NOT_JSON,
  },
  {
    scenario: 'an escaped NUL (\\u0000) in content',
    request: () => post(`{"content":"${MARKER} \\u0000 12345"}`),
    status: 400,
    detail: NOT_A_SUBMISSION,
    field: 'content',
  },
  {
    scenario: 'a lone surrogate (\\ud800) in content',
    request: () => post(`{"content":"${MARKER} \\ud800 12345"}`),
    status: 400,
    detail: NOT_A_SUBMISSION,
    field: 'content',
  },

  // Wrong types and shapes.
  {
    scenario: 'content is a number',
    request: () => post('{"content":42}'),
    status: 400,
    detail: NOT_A_SUBMISSION,
    field: 'content',
  },
  {
    scenario: 'content is null',
    request: () => post('{"content":null}'),
    status: 400,
    detail: NOT_A_SUBMISSION,
    field: 'content',
  },
  {
    scenario: 'content is an object',
    request: () => post(JSON.stringify({ content: { text: `${MARKER} 12345` } })),
    status: 400,
    detail: NOT_A_SUBMISSION,
    field: 'content',
  },
  {
    scenario: 'content is an array of strings',
    request: () => post(JSON.stringify({ content: [`${MARKER} 12345`] })),
    status: 400,
    detail: NOT_A_SUBMISSION,
    field: 'content',
  },
  {
    scenario: 'content is missing',
    request: () => post('{}'),
    status: 400,
    detail: NOT_A_SUBMISSION,
    field: 'content',
  },
  {
    scenario: 'content is empty',
    request: () => post('{"content":""}'),
    status: 400,
    detail: NOT_A_SUBMISSION,
    field: 'content',
  },
  {
    scenario: 'an unknown field that tries to set the owner',
    request: () => post(JSON.stringify({ content: `${MARKER} 12345`, owner: 'mallory' })),
    status: 400,
    detail: NOT_A_SUBMISSION,
    field: 'owner',
  },
  {
    scenario: 'an unknown field that tries to set the status',
    request: () => post(JSON.stringify({ content: `${MARKER} 12345`, status: 'PASSED' })),
    status: 400,
    detail: NOT_A_SUBMISSION,
    field: 'status',
  },

  // Sizes.
  {
    scenario: 'content of MAX_CONTENT_BYTES + 1 bytes of ASCII',
    request: () => post(JSON.stringify({ content: contentOfBytes(MAX_CONTENT_BYTES + 1, 'x') })),
    status: 413,
    detail: new RegExp(`${MAX_CONTENT_BYTES + 1} bytes of UTF-8; the limit is ${MAX_CONTENT_BYTES}`),
    field: 'content',
  },
  {
    // About half as many characters as bytes: the limit is on UTF-8 bytes, not characters.
    scenario: 'content of MAX_CONTENT_BYTES + 1 bytes of two-byte characters',
    request: () => post(JSON.stringify({ content: contentOfBytes(MAX_CONTENT_BYTES + 1, 'é') })),
    status: 413,
    detail: new RegExp(`${MAX_CONTENT_BYTES + 1} bytes of UTF-8`),
    field: 'content',
  },
  {
    scenario: 'a body beyond the raw size cap, refused before parsing',
    request: () => post(JSON.stringify({ content: contentOfBytes(MAX_CONTENT_BYTES * 6 + 2048, 'x') })),
    status: 413,
    detail: /larger than this service accepts/,
  },

  // Media types.
  {
    scenario: 'a text/plain body',
    request: () => post(content('12345'), { 'content-type': 'text/plain' }),
    status: 415,
    detail: /application\/json, not text\/plain/,
  },
  {
    scenario: 'a form-encoded body',
    request: () =>
      post(`content=${encodeURIComponent(MARKER)}`, { 'content-type': 'application/x-www-form-urlencoded' }),
    status: 415,
    detail: /application\/json/,
  },

  // Idempotency-Key.
  {
    scenario: 'an Idempotency-Key reused with a different body',
    request: () => post(content('12345'), { ...json, 'idempotency-key': fixture.idempotencyKey }),
    status: 422,
    detail: /already used with a different body/,
    field: 'Idempotency-Key',
  },
  {
    scenario: 'an Idempotency-Key of 256 characters',
    request: () => post(content('12345'), { ...json, 'idempotency-key': 'k'.repeat(256) }),
    status: 400,
    detail: BAD_KEY,
    field: 'Idempotency-Key',
  },
  {
    scenario: 'an Idempotency-Key with a control character (tab)',
    request: () => post(content('12345'), { ...json, 'idempotency-key': 'key\twith-tab' }),
    status: 400,
    detail: BAD_KEY,
    field: 'Idempotency-Key',
  },
  {
    scenario: 'an empty Idempotency-Key',
    request: () => post(content('12345'), { ...json, 'idempotency-key': '' }),
    status: 400,
    detail: BAD_KEY,
    field: 'Idempotency-Key',
  },

  // Batches (POST /submissions/batch): validated as a whole before anything is written.
  {
    scenario: 'a batch of 26 items',
    request: () =>
      postBatch({ items: Array.from({ length: 26 }, (_, i) => ({ content: `${MARKER} ${i}` })) }),
    status: 400,
    detail: NOT_A_BATCH,
    field: 'items',
  },
  {
    scenario: 'a batch with no items',
    request: () => postBatch({ items: [] }),
    status: 400,
    detail: NOT_A_BATCH,
    field: 'items',
  },
  {
    scenario: 'a batch whose items is not an array',
    request: () => postBatch({ items: `${MARKER} 12345` }),
    status: 400,
    detail: NOT_A_BATCH,
    field: 'items',
  },
  {
    scenario: 'a batch with one empty item among valid ones',
    request: () =>
      postBatch({ items: [{ content: `${MARKER} valid 1` }, { content: '' }, { content: `${MARKER} 3` }] }),
    status: 400,
    detail: NOT_A_BATCH,
    field: 'items.1.content',
  },
  {
    scenario: 'a batch with an item that sets the owner',
    request: () =>
      postBatch({ items: [{ content: `${MARKER} valid 1` }, { content: `${MARKER} 2`, owner: 'mallory' }] }),
    status: 400,
    detail: NOT_A_BATCH,
    field: 'items.1.owner',
  },
  {
    scenario: 'a valid batch with an Idempotency-Key, which batches do not support',
    request: () => ({
      ...postBatch({ items: [{ content: `${MARKER} valid 1` }] }),
      headers: { ...json, 'idempotency-key': `batch-${randomUUID()}` },
    }),
    status: 400,
    detail: /Idempotency-Key header is not supported/,
    field: 'Idempotency-Key',
  },
  {
    scenario: 'a batch with one item over MAX_CONTENT_BYTES',
    request: () =>
      postBatch({
        items: [{ content: `${MARKER} valid 1` }, { content: contentOfBytes(MAX_CONTENT_BYTES + 1, 'x') }],
      }),
    status: 413,
    detail: /exceed/,
    field: 'items.1.content',
  },

  // Wrong methods: 405 with the methods the resource does allow.
  {
    scenario: 'DELETE /submissions',
    request: () => ({ method: 'DELETE', path: '/submissions' }),
    status: 405,
    allow: ['GET', 'POST'],
  },
  {
    scenario: 'PUT /submissions',
    request: () => ({ method: 'PUT', path: '/submissions', headers: json, body: content('12345') }),
    status: 405,
    allow: ['GET', 'POST'],
  },
  {
    scenario: 'PATCH /submissions',
    request: () => ({ method: 'PATCH', path: '/submissions', headers: json, body: content('12345') }),
    status: 405,
    allow: ['GET', 'POST'],
  },
  {
    scenario: 'POST /submissions/{id}',
    request: () => ({
      method: 'POST',
      path: `/submissions/${fixture.existingId}`,
      headers: json,
      body: content('12345'),
    }),
    status: 405,
    allow: ['GET'],
  },
  {
    scenario: 'PUT /submissions/{id}',
    request: () => ({
      method: 'PUT',
      path: `/submissions/${fixture.existingId}`,
      headers: json,
      body: content('12345'),
    }),
    status: 405,
    allow: ['GET'],
  },
  {
    scenario: 'PATCH /submissions/{id} (trying to set the status)',
    request: () => ({
      method: 'PATCH',
      path: `/submissions/${fixture.existingId}`,
      headers: json,
      body: '{"status":"PASSED"}',
    }),
    status: 405,
    allow: ['GET'],
  },
  {
    scenario: 'DELETE /submissions/{id}',
    request: () => ({ method: 'DELETE', path: `/submissions/${fixture.existingId}` }),
    status: 405,
    allow: ['GET'],
  },
  {
    scenario: 'GET /submissions/batch',
    request: () => get('/submissions/batch'),
    status: 405,
    allow: ['POST'],
  },

  // Path tricks on the id (GET /submissions/{id}).
  {
    scenario: 'an id of ..%2F..%2Fopenapi.json',
    request: () => get('/submissions/..%2F..%2Fopenapi.json'),
    status: 400,
    detail: BAD_ID,
    field: 'id',
  },
  {
    scenario: 'an id of ..%5C..%5Copenapi.json (backslashes)',
    request: () => get('/submissions/..%5C..%5Copenapi.json'),
    status: 400,
    detail: BAD_ID,
    field: 'id',
  },
  {
    scenario: 'a UUID followed by %00',
    request: () => get(`/submissions/${A_UUID}%00`),
    status: 400,
    detail: BAD_ID,
    field: 'id',
  },
  {
    scenario: 'a UUID followed by %2F..',
    request: () => get(`/submissions/${A_UUID}%2F..`),
    status: 400,
    detail: BAD_ID,
    field: 'id',
  },
  {
    scenario: 'an id of 1000 characters',
    request: () => get(`/submissions/${'a'.repeat(1000)}`),
    status: 400,
    detail: BAD_ID,
    field: 'id',
  },
  {
    scenario: 'a UUID look-alike with a full-width digit',
    request: () => get(`/submissions/${encodeURIComponent(`６${A_UUID.slice(1)}`)}`),
    status: 400,
    detail: BAD_ID,
    field: 'id',
  },
  {
    scenario: 'a UUID in braces',
    request: () => get(`/submissions/%7B${A_UUID}%7D`),
    status: 400,
    detail: BAD_ID,
    field: 'id',
  },
  {
    scenario: 'a double slash before the id',
    request: () => get(`/submissions//${A_UUID}`),
    status: 404,
    answeredBy: 'server',
  },
  {
    scenario: 'a .. segment climbing out of /submissions',
    // Not plain `/submissions/..`: that is `/`, the page, and rightly 200.
    request: () => get('/submissions/../admin'),
    status: 404,
    answeredBy: 'server',
  },
  {
    scenario: 'a malformed percent-escape in the id',
    request: () => get('/submissions/%E0%A4%A'),
    status: 400,
    answeredBy: 'server',
  },
  {
    scenario: 'raw UTF-8 bytes in the request line',
    request: () =>
      requestBytes(
        'GET /submissions/',
        Buffer.from('é☃', 'utf8'),
        ' HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      ),
    status: 400,
    answeredBy: 'server',
  },
  {
    scenario: 'a NUL byte in the request line',
    request: () =>
      requestBytes('GET /submissions/\u0000 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'),
    status: 400,
    answeredBy: 'server',
  },
  {
    scenario: 'an id longer than the request-line limit (20 000 characters)',
    request: () => get(`/submissions/${'a'.repeat(20_000)}`),
    status: 400,
    answeredBy: 'server',
  },

  // Headers. Node's 16 KiB header limit; hapi answers its clientError with a bare 400 (not 431).
  {
    scenario: 'a 20 KB cookie',
    request: () => get('/submissions', { cookie: `session=${'c'.repeat(20_000)}` }),
    status: 400,
    answeredBy: 'server',
  },
  {
    scenario: 'a POST with a valid body and a 20 KB header',
    request: () => post(content('12345'), { ...json, 'x-padding': 'p'.repeat(20_000) }),
    status: 400,
    answeredBy: 'server',
  },
  {
    scenario: 'a NUL byte in a header value',
    request: () =>
      requestBytes(
        `POST /submissions HTTP/1.1\r\nHost: localhost\r\nX-Note: a\u0000b\r\nContent-Type: application/json\r\n`,
        `Content-Length: ${Buffer.byteLength(content('12345'))}\r\nConnection: close\r\n\r\n${content('12345')}`,
      ),
    status: 400,
    answeredBy: 'server',
  },

  // Listing (GET /submissions).
  {
    scenario: 'limit=0',
    request: () => get('/submissions?limit=0'),
    status: 400,
    detail: BAD_QUERY,
    field: 'limit',
  },
  {
    scenario: 'limit=101',
    request: () => get('/submissions?limit=101'),
    status: 400,
    detail: BAD_QUERY,
    field: 'limit',
  },
  {
    scenario: 'limit=abc',
    request: () => get('/submissions?limit=abc'),
    status: 400,
    detail: BAD_QUERY,
    field: 'limit',
  },
  {
    scenario: 'limit=1.5',
    request: () => get('/submissions?limit=1.5'),
    status: 400,
    detail: BAD_QUERY,
    field: 'limit',
  },
  {
    scenario: 'status=DONE',
    request: () => get('/submissions?status=DONE'),
    status: 400,
    detail: BAD_QUERY,
    field: 'status',
  },
  {
    scenario: 'an unknown query parameter',
    request: () => get('/submissions?owner=mallory'),
    status: 400,
    detail: BAD_QUERY,
    field: 'owner',
  },
  {
    scenario: 'a cursor with one character of its payload changed',
    request: () => get(`/submissions?limit=1&cursor=${encodeURIComponent(flipAt(fixture.cursor, 10))}`),
    status: 400,
    detail: BAD_CURSOR,
    field: 'cursor',
  },
  {
    scenario: 'a cursor with one character of its signature changed',
    request: () => get(`/submissions?limit=1&cursor=${encodeURIComponent(flipAt(fixture.cursor, -2))}`),
    status: 400,
    detail: BAD_CURSOR,
    field: 'cursor',
  },
  {
    scenario: 'a cursor this service never issued',
    request: () =>
      get(
        `/submissions?cursor=${Buffer.from(JSON.stringify({ id: A_UUID, owner: 'mallory' })).toString('base64url')}.forged`,
      ),
    status: 400,
    detail: BAD_CURSOR,
    field: 'cursor',
  },
  {
    scenario: 'an empty cursor',
    request: () => get('/submissions?cursor='),
    status: 400,
    detail: BAD_QUERY,
    field: 'cursor',
  },
  {
    scenario: 'a cursor of 3000 characters',
    request: () => get(`/submissions?cursor=${'c'.repeat(3000)}`),
    status: 400,
    detail: BAD_QUERY,
    field: 'cursor',
  },
];

const total = (snapshot: TableSnapshot) =>
  Object.values(snapshot.itemsByOwner).reduce((sum, count) => sum + count, 0);

function send(row: BadRequest): Promise<RawResponse> {
  const request = row.request();
  return Buffer.isBuffer(request) ? sendBytes(request) : sendRaw(request);
}

/** The api's "submission accepted" lines in `log`, by correlation id. */
const acceptedIn = (log: string) =>
  structuredLines(log)
    .filter((line) => line.message === 'submission accepted')
    .map((line) => line.correlationId);

describe('bad requests over HTTP', () => {
  let before: TableSnapshot;
  /** Where the stack log stood once the setup's submissions were logged. */
  let logOffset = 0;

  beforeAll(async () => {
    const first = await submit('bad-requests setup 1');
    const second = await submit('bad-requests setup 2');
    const original = await submit('idempotency original 42', { 'idempotency-key': fixture.idempotencyKey });
    const page = await api('/submissions?limit=1');
    expect([first.status, second.status, original.status, page.status]).toEqual([202, 202, 202, 200]);
    fixture.existingId = first.body.id;
    fixture.cursor = page.body.nextCursor;
    // Until the worker has decided these (and whatever earlier files left), it changes
    // the table and the queue on its own; from then on only a request can.
    const ids = [first.body.id, second.body.id, original.body.id];
    await Promise.all(ids.map((id) => pollUntilDecided(id)));
    await waitUntilSettled();
    logOffset = (
      await waitFor('the setup’s "submission accepted" lines', () => {
        const log = readStackLog();
        return ids.every((id) => acceptedIn(log).includes(id)) ? log : undefined;
      })
    ).length;
    before = await snapshotTable();
  }, 150_000);

  it('has at least 30 distinct scenarios', () => {
    expect(new Set(BAD_REQUESTS.map((row) => row.scenario)).size).toBe(BAD_REQUESTS.length);
    expect(BAD_REQUESTS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(BAD_REQUESTS.map((row) => [row.scenario, row] as const))('%s', async (scenario, row) => {
    const { status, answeredBy = 'service', detail, field, allow } = row;
    const stored = await snapshotStack();

    const response = await send(row);

    // Soft, so a wrong status still reports whether the request also stored or enqueued something.
    expect.soft(response.status, scenario).toBe(status);
    const after = await snapshotStack();
    expect.soft(after.items, 'every item of the table, as JSON').toEqual(stored.items);
    expect.soft(after.depth, 'messages on the queue, visible or in flight').toBe(stored.depth);
    expect(response.status).toBeLessThan(500);
    if (answeredBy === 'server') return;
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
    expect(response.body.detail).toEqual(expect.any(String));
    if (detail) expect(response.body.detail).toMatch(detail);
    if (field) expect(response.body.errors?.map((error: { field: string }) => error.field)).toContain(field);
    if (allow) expect(response.headers.allow?.split(/,\s*/).sort()).toEqual([...allow].sort());
  });

  // Runs after the rows above (tests in a file run in order).
  it('left the table as it was: no new item for any owner, no rejected content anywhere', async () => {
    const after = await snapshotTable();

    expect.soft(after.itemsByOwner).toEqual(before.itemsByOwner);
    expect.soft(after.items).toEqual(before.items);
    expect.soft(after.contents.filter((text) => text.includes(MARKER))).toEqual([]);
  });

  it('logged no "submission accepted" for any of them', async () => {
    // A fence: the api (in-process, one stdout) logs in order, so once this submission's
    // line is in the log, every line the rows above could have caused is there too.
    const fence = await submit('bad-requests log fence 1');
    expect(fence.status).toBe(202);

    const log = await waitFor('the fence’s "submission accepted" line', () => {
      const text = readStackLog();
      return acceptedIn(text.slice(logOffset)).includes(fence.body.id) ? text : undefined;
    });

    expect(acceptedIn(log.slice(logOffset))).toEqual([fence.body.id]);
  });
});

describe('the positive controls of the boundaries above', () => {
  it('accepts content of exactly MAX_CONTENT_BYTES bytes, and the table shows it', async () => {
    const before = await snapshotTable();
    const text = contentOfBytes(MAX_CONTENT_BYTES, 'é', `at the limit ${randomUUID()} `);

    const response = await submit(text);

    expect(Buffer.byteLength(text, 'utf8')).toBe(MAX_CONTENT_BYTES);
    expect(response.status).toBe(202);
    const after = await snapshotTable();
    // The submission's item, and its content's own (content over 128 bytes is kept apart).
    expect(total(after)).toBe(total(before) + 2);
    expect(after.itemsByOwner['(content)']).toBe((before.itemsByOwner['(content)'] ?? 0) + 1);
    expect(after.contents).toContain(text);
  });
});
