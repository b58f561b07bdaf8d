import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import { badRequest, type FieldError, payloadTooLarge, unauthorized, unsupportedMediaType } from './problem';
import {
  type CreateBatchBody,
  type CreateSubmissionBody,
  createBatchBody,
  createSubmissionBody,
  idempotencyKey,
  type ListQuery,
  listQuery,
  MAX_BATCH_ITEMS,
  submissionId,
} from './schemas';

function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      // Named by their full path, so an unknown field inside items[3] reads `items.3.priority`.
      const fields = issue.keys.map((key) => [...issue.path, key].join('.')).join(', ');
      return { field: fields, message: `unknown field(s): ${fields}` };
    }
    return { field: issue.path.join('.') || '(body)', message: issue.message };
  });
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** application/json, or a structured +json type; a subtype's name may use RFC 6838 §4.2's characters. */
const JSON_MEDIA_TYPE = /^application\/([a-z0-9!#$&^_.+-]+\+)?json\s*(;|$)/i;
const NOT_JSON = 'The request body is not valid JSON in UTF-8.';

/** The Content-Length the client sent, when it sent one. */
function sentLength(event: APIGatewayProxyEventV2): number | undefined {
  const value = header(event, 'content-length')?.trim();
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

/**
 * The bytes the client sent as the body, or undefined when it sent none.
 *
 * API Gateway passes them as a string (base64 when `isBase64Encoded`). serverless-offline,
 * which serves `npm start`, JSON-parses a JSON body first and passes some values parsed:
 * `false` and `0` as themselves, `null` and `""` as null, a JSON string unquoted; and it
 * decodes invalid UTF-8 to U+FFFD. The Content-Length the client sent tells those apart,
 * so both shapes get the same answer (docs/local-development.md lists the differences).
 */
function sentBytes(event: APIGatewayProxyEventV2): Buffer | undefined {
  const body: unknown = event.body;
  const sent = sentLength(event);
  if (body === undefined || body === null || body === '') {
    return sent ? Buffer.from('null') : undefined;
  }
  if (typeof body !== 'string') return Buffer.from(JSON.stringify(body));
  if (event.isBase64Encoded) return Buffer.from(body, 'base64');
  const bytes = Buffer.from(body);
  if (sent === undefined || sent === bytes.byteLength) return bytes;
  // Not what was sent: a JSON string unquoted, or invalid UTF-8 decoded (which leaves U+FFFD).
  const quoted = Buffer.from(JSON.stringify(body));
  if (quoted.byteLength === sent || !body.includes('\uFFFD')) return quoted;
  throw badRequest(NOT_JSON);
}

/**
 * The body as JSON. Its size is checked on the raw bytes before parsing; JSON
 * escapes can make a body up to 6× the content it carries, hence the allowance.
 */
function parseJsonBody(
  event: APIGatewayProxyEventV2,
  maxContentBytes: number,
  shape: { example: string; field: string },
): unknown {
  const contentType = header(event, 'content-type');
  if (contentType !== undefined && !JSON_MEDIA_TYPE.test(contentType)) {
    throw unsupportedMediaType(`Send the body as application/json, not ${contentType}.`);
  }
  const raw = sentBytes(event);
  if (raw === undefined || raw.byteLength === 0) {
    throw badRequest(`A JSON body ${shape.example} is required.`, [
      { field: shape.field, message: `${shape.field} is required` },
    ]);
  }
  if (raw.byteLength > maxContentBytes * 6 + 1024) {
    throw payloadTooLarge('The request body is larger than this service accepts.');
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw badRequest(NOT_JSON);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw badRequest(`The request body must be a JSON object ${shape.example}.`);
  }
  return json;
}

function parseWith<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw badRequest(`The request body is not ${what}.`, fieldErrors(parsed.error));
  return parsed.data;
}

function tooLarge(contents: { field: string; content: string }[], maxContentBytes: number): FieldError[] {
  return contents
    .filter(({ content }) => Buffer.byteLength(content, 'utf8') > maxContentBytes)
    .map(({ field }) => ({ field, message: `${field} must be at most ${maxContentBytes} bytes of UTF-8` }));
}

/** `POST /submissions`: `{"content": "..."}`. */
export function parseCreateSubmission(
  event: APIGatewayProxyEventV2,
  maxContentBytes: number,
): CreateSubmissionBody {
  const json = parseJsonBody(event, maxContentBytes, { example: '{"content": "..."}', field: 'content' });
  const body = parseWith(createSubmissionBody, json, 'a valid submission');
  const oversized = tooLarge([{ field: 'content', content: body.content }], maxContentBytes);
  if (oversized.length > 0) {
    const bytes = Buffer.byteLength(body.content, 'utf8');
    throw payloadTooLarge(`content is ${bytes} bytes of UTF-8; the limit is ${maxContentBytes}.`, oversized);
  }
  return body;
}

/** `POST /submissions/batch`: validated as a whole before anything is written. */
export function parseCreateBatch(event: APIGatewayProxyEventV2, maxContentBytes: number): CreateBatchBody {
  const json = parseJsonBody(event, maxContentBytes * MAX_BATCH_ITEMS, {
    example: '{"items": [{"content": "..."}]}',
    field: 'items',
  });
  const body = parseWith(createBatchBody, json, 'a valid batch');
  const oversized = tooLarge(
    body.items.map((item, index) => ({ field: `items.${index}.content`, content: item.content })),
    maxContentBytes,
  );
  if (oversized.length > 0) {
    throw payloadTooLarge(`Some contents exceed ${maxContentBytes} bytes of UTF-8.`, oversized);
  }
  return body;
}

export function parseSubmissionId(event: APIGatewayProxyEventV2): string {
  const parsed = submissionId.safeParse(event.pathParameters?.id);
  if (!parsed.success) {
    throw badRequest('The submission id is malformed.', [{ field: 'id', message: 'id must be a UUID' }]);
  }
  return parsed.data.toLowerCase();
}

/**
 * The query as API Gateway's `queryStringParameters` has it: each name once, a repeated
 * name's values joined with commas. Read from `rawQueryString`, which serverless-offline
 * passes whole too, where its `queryStringParameters` drops a repeated name's empty values.
 */
function queryOf(event: APIGatewayProxyEventV2): Record<string, string | undefined> {
  if (typeof event.rawQueryString !== 'string') return { ...event.queryStringParameters };
  const values = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(event.rawQueryString)) {
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return Object.fromEntries([...values].map(([name, all]) => [name, all.join(',')]));
}

export function parseListQuery(event: APIGatewayProxyEventV2): ListQuery {
  const parsed = listQuery.safeParse(queryOf(event));
  if (!parsed.success) throw badRequest('The query is not valid.', fieldErrors(parsed.error));
  return parsed.data;
}

/** The Idempotency-Key header, if sent; malformed → 400. */
export function parseIdempotencyKey(event: APIGatewayProxyEventV2): string | undefined {
  const value = header(event, 'idempotency-key');
  if (value === undefined) return undefined;
  const parsed = idempotencyKey.safeParse(value);
  if (!parsed.success) {
    throw badRequest('The Idempotency-Key header is malformed.', [
      { field: 'Idempotency-Key', message: 'Idempotency-Key must be 1–255 printable ASCII characters' },
    ]);
  }
  return parsed.data;
}

/**
 * POST /submissions/batch has no idempotency: a key sent there would promise a
 * safe retry the service does not give, so it is refused (400) rather than ignored.
 */
export function refuseIdempotencyKey(event: APIGatewayProxyEventV2): void {
  if (header(event, 'idempotency-key') === undefined) return;
  throw badRequest('The Idempotency-Key header is not supported on POST /submissions/batch.', [
    {
      field: 'Idempotency-Key',
      message: 'batches are not idempotent; send each item to POST /submissions with its own key',
    },
  ]);
}

export function ifNoneMatch(event: APIGatewayProxyEventV2): string | undefined {
  return header(event, 'if-none-match');
}

export interface AuthSettings {
  /** `jwt`: the API Gateway JWT authorizer's `sub` is the owner; `dev`: a fixed local owner. */
  mode: 'jwt' | 'dev';
  devOwner: string;
}

/**
 * The placeholder API id of the events serverless-offline builds. Their JWT claims are
 * decoded from the bearer token with no signature check, so `jwt` mode never trusts them;
 * `dev` mode (stage local) takes their `sub` as a label for the caller, and nothing more.
 */
const SERVERLESS_OFFLINE_API_ID = 'offlineContext_apiId';

/** OpenID Connect Core §2: a `sub` "MUST NOT exceed 255 ASCII characters". Owners are keys and cursors. */
const MAX_SUB_LENGTH = 255;

/**
 * The caller. With `jwt` a request without a verified `sub` is refused (401),
 * never served as somebody; `dev` is the explicit local mode.
 */
export function ownerOf(event: APIGatewayProxyEventV2, auth: AuthSettings): string {
  const context = event.requestContext as {
    apiId?: string;
    authorizer?: { jwt?: { claims?: Record<string, unknown> } };
  };
  if (auth.mode === 'jwt' && context.apiId === SERVERLESS_OFFLINE_API_ID) {
    throw unauthorized('serverless-offline decodes bearer tokens without verifying them; run stage local.');
  }
  // API Gateway passes every claim as a string; serverless-offline keeps the token's JSON types.
  const claim = context.authorizer?.jwt?.claims?.sub;
  const sub = typeof claim === 'number' ? String(claim) : claim;
  if (typeof sub === 'string' && sub.length > MAX_SUB_LENGTH) {
    throw unauthorized(
      `The token's sub is longer than the ${MAX_SUB_LENGTH} characters OpenID Connect allows.`,
    );
  }
  if (typeof sub === 'string' && sub.length > 0) return sub;
  if (auth.mode === 'dev') return auth.devOwner;
  throw unauthorized('A valid bearer token is required.');
}
