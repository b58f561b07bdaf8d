/**
 * What a request was, as the oracle reads it: computed from the bytes sent (and, for what
 * they refer to, from the model of what earlier answers established), never from the answer.
 * The predicates say what the contract (docs/api.md, the OpenAPI document) means, written
 * independently of the code that enforces it.
 */
import type { OpenApiContract } from './fuzz-contract';
import type { ServiceModel } from './fuzz-model';
import type { PreparedRequest } from './fuzz-requests';
import { type GatewayRoute, pathCandidates, routedPath } from './fuzz-routes';

export interface OracleContext {
  /** What the service held before this request. */
  model: ServiceModel;
  contract: OpenApiContract;
  routes: readonly GatewayRoute[];
  maxContentBytes: number;
}

const MAX_BATCH_ITEMS = 25;
const STATUSES = ['PENDING', 'PROCESSING', 'PASSED', 'FAILED'];
export const QUERY_KEYS = ['limit', 'cursor', 'status'];

type ParsedBody = { kind: 'absent' } | { kind: 'not-json' } | { kind: 'json'; value: unknown };

/** The body decoded as the contract says: UTF-8 (a fatal decoder), then JSON. */
function parseBody(bytes: Buffer): ParsedBody {
  if (bytes.length === 0) return { kind: 'absent' };
  try {
    return { kind: 'json', value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch {
    return { kind: 'not-json' };
  }
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const hasLoneSurrogate = (text: string) => !text.isWellFormed();

/** What the API documents as acceptable content (docs/api.md): text, not empty, no stray controls, no U+FFFD. */
export function isAcceptableContent(content: unknown): content is string {
  return (
    typeof content === 'string' &&
    content.length > 0 &&
    !hasLoneSurrogate(content) &&
    !/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(content) &&
    !content.includes('\ufffd')
  );
}

/** RFC 6838 media type `application/json` or `application/<anything>+json`, any parameters. */
export function isJsonMediaType(value: string): boolean {
  const type = value.split(';')[0]!.trim().toLowerCase();
  return /^application\/([a-z0-9!#$&^_.+-]+\+)?json$/.test(type);
}

/** RFC 9562: versions 1–8 with the RFC's variant, or the nil and max UUIDs. */
export function isUuid(text: string): boolean {
  return (
    /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(text) ||
    /^(0{8}-0{4}-0{4}-0{4}-0{12}|f{8}-f{4}-f{4}-f{4}-f{12})$/i.test(text)
  );
}

const decodeOrKeep = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** HTTP strips spaces and tabs around a header value. */
const trimOws = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, '');

/** A header as the function reads it: each line trimmed, several lines joined with "," (as API Gateway joins them). */
function headerAsRead(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map(trimOws).join(',');
}

/**
 * The query as the function may read it (API Gateway's payload 2.0: decoded, repeated keys
 * joined with commas), once per way to decode it: with `+` kept, and with `+` as a space.
 */
function queryReadings(rawQuery: string | undefined): Map<string, string>[] {
  const pairs = (rawQuery ?? '').split('&').filter((pair) => pair !== '');
  return [
    (text: string) => decodeOrKeep(text),
    (text: string) => decodeOrKeep(text.replaceAll('+', ' ')),
  ].map((decode) => {
    const values = new Map<string, string>();
    for (const pair of pairs) {
      const equals = pair.indexOf('=');
      const key = decode(equals < 0 ? pair : pair.slice(0, equals));
      const value = equals < 0 ? '' : decode(pair.slice(equals + 1));
      values.set(key, values.has(key) ? `${values.get(key)},${value}` : value);
    }
    return values;
  });
}

const isGoodLimit = (value: string) => {
  const limit = Number(value);
  return Number.isInteger(limit) && limit >= 1 && limit <= 100;
};

/** The query parameters one reading gets wrong (as field names), and whether it has keys the API does not know. */
export function queryProblems(reading: Map<string, string>): { fields: Set<string>; unknownKeys: boolean } {
  const fields = new Set<string>();
  const limit = reading.get('limit');
  const cursor = reading.get('cursor');
  const status = reading.get('status');
  if (limit !== undefined && !isGoodLimit(limit)) fields.add('limit');
  if (cursor !== undefined && (cursor === '' || cursor.length > 2048)) fields.add('cursor');
  if (status !== undefined && !STATUSES.includes(status)) fields.add('status');
  return { fields, unknownKeys: [...reading.keys()].some((key) => !QUERY_KEYS.includes(key)) };
}

/** Which fields of a JSON body are wrong for a submission (or a batch), and the unknown keys, listed as the API lists them. */
export interface ShapeProblems {
  fields: Set<string>;
  unknownKeyLists: Set<string>;
}

export function submissionShape(
  value: Record<string, unknown>,
  prefix: string,
  problems: ShapeProblems,
): void {
  const unknown = Object.keys(value).filter((key) => key !== 'content');
  if (unknown.length > 0) problems.unknownKeyLists.add(unknown.map((key) => `${prefix}${key}`).join(', '));
  if (!Object.hasOwn(value, 'content') || !isAcceptableContent(value.content)) {
    problems.fields.add(`${prefix}content`);
  }
}

export function batchShape(value: Record<string, unknown>, problems: ShapeProblems): void {
  const unknown = Object.keys(value).filter((key) => key !== 'items');
  if (unknown.length > 0) problems.unknownKeyLists.add(unknown.join(', '));
  const items = value.items;
  if (!Array.isArray(items) || items.length < 1 || items.length > MAX_BATCH_ITEMS)
    problems.fields.add('items');
  if (!Array.isArray(items)) return;
  items.forEach((item, index) => {
    if (isPlainObject(item)) submissionShape(item, `items.${index}.`, problems);
    else problems.fields.add(`items.${index}`);
  });
}

export type Operation =
  | 'createSubmission'
  | 'createSubmissionBatch'
  | 'listSubmissions'
  | 'getSubmission'
  | 'getSubmissionContent'
  | 'describeApi';

/** Everything the oracle reads from a request, computed from what was sent. */
export interface RequestFacts {
  request: PreparedRequest;
  method: string;
  /** The paths the server may have routed on. */
  candidates: string[];
  /** The documented path the request falls under, if any. */
  template: string | undefined;
  operation: Operation | undefined;
  owner: string;
  contentType: string | undefined;
  body: Buffer;
  parsed: ParsedBody;
  idempotencyKey: string | undefined;
  ifNoneMatch: string | undefined;
  query: Map<string, string>[];
  /** The id segment of GET /submissions/{id} and GET /submissions/{id}/content, as sent and decoded. */
  idCandidates: string[];
}

export function requestFacts(request: PreparedRequest, context: OracleContext): RequestFacts {
  const { wire } = request;
  const path = routedPath(request.rawPath);
  const template = context.contract.templateFor(path);
  const operation =
    template && (context.contract.operationId(wire.method, template) as Operation | undefined);
  const body = wire.body ?? Buffer.alloc(0);
  const parsed = parseBody(body);
  const idSegment =
    template === '/submissions/{id}' || template === '/submissions/{id}/content'
      ? path.split('/')[2]
      : undefined;
  return {
    request,
    method: wire.method,
    candidates: pathCandidates(request.rawPath),
    template,
    operation: operation || undefined,
    owner: request.owner,
    contentType: headerAsRead(wire.headers['content-type']),
    body,
    parsed,
    idempotencyKey: headerAsRead(wire.headers['idempotency-key']),
    ifNoneMatch: headerAsRead(wire.headers['if-none-match']),
    query: queryReadings(request.rawQuery),
    idCandidates: idSegment === undefined ? [] : [...new Set([idSegment, decodeOrKeep(idSegment)])],
  };
}

export const rawCap = (facts: RequestFacts, max: number) =>
  facts.operation === 'createSubmissionBatch' ? max * MAX_BATCH_ITEMS * 6 + 1024 : max * 6 + 1024;

export const isWellFormedKey = (key: string) => /^[\x20-\x7e]{1,255}$/.test(key);

/** The content a POST /submissions body carries, or undefined when it carries none. */
export function contentOf(facts: RequestFacts): string | undefined {
  if (facts.parsed.kind !== 'json') return undefined;
  const value = facts.parsed.value;
  if (isPlainObject(value)) return typeof value.content === 'string' ? value.content : undefined;
  return undefined;
}

/**
 * Why a POST's body must be refused before its shape is looked at, then what
 * `objectRefusals` finds wrong with a JSON object; empty when it is acceptable.
 */
function bodyRefusals(
  facts: RequestFacts,
  context: OracleContext,
  objectRefusals: (value: Record<string, unknown>) => string[],
): string[] {
  const reasons: string[] = [];
  if (facts.contentType && !isJsonMediaType(facts.contentType))
    reasons.push(`Content-Type ${facts.contentType}`);
  if (facts.body.length > rawCap(facts, context.maxContentBytes)) reasons.push('a body beyond the raw cap');
  if (facts.parsed.kind === 'absent') reasons.push('no body');
  else if (facts.parsed.kind === 'not-json') reasons.push('a body that is not JSON in UTF-8');
  else if (!isPlainObject(facts.parsed.value)) reasons.push('a body that is not a JSON object');
  else reasons.push(...objectRefusals(facts.parsed.value));
  return reasons;
}

/** What `problems` holds, as one reason; none when it is empty. */
const shapeRefusal = (what: string, problems: ShapeProblems) =>
  problems.fields.size > 0 || problems.unknownKeyLists.size > 0
    ? [`${what} (${[...problems.fields, ...problems.unknownKeyLists].join('; ')})`]
    : [];

/** Why a POST /submissions must be refused; empty when it must be accepted. */
export function createRefusals(facts: RequestFacts, context: OracleContext): string[] {
  const reasons = bodyRefusals(facts, context, (value) => {
    const problems: ShapeProblems = { fields: new Set(), unknownKeyLists: new Set() };
    submissionShape(value, '', problems);
    const content = contentOf(facts);
    const oversized = content !== undefined && Buffer.byteLength(content) > context.maxContentBytes;
    return [
      ...shapeRefusal('a wrong body', problems),
      ...(oversized ? [`content of ${Buffer.byteLength(content)} bytes`] : []),
    ];
  });
  if (facts.idempotencyKey !== undefined) {
    if (!isWellFormedKey(facts.idempotencyKey)) reasons.push('a malformed Idempotency-Key');
    else {
      const record = context.model.idempotencyRecord(facts.owner, facts.idempotencyKey);
      if (record && record.content !== contentOf(facts))
        reasons.push('an Idempotency-Key used with another content');
    }
  }
  return reasons;
}

/** Why a POST /submissions/batch must be refused; empty when it must be accepted. */
export function batchRefusals(facts: RequestFacts, context: OracleContext): string[] {
  const reasons = bodyRefusals(facts, context, (value) => {
    const problems: ShapeProblems = { fields: new Set(), unknownKeyLists: new Set() };
    batchShape(value, problems);
    return [
      ...shapeRefusal('a wrong batch', problems),
      ...(oversizedItems(facts, context.maxContentBytes).length > 0 ? ['an item beyond the size limit'] : []),
    ];
  });
  if (facts.idempotencyKey !== undefined) reasons.push('an Idempotency-Key header');
  return reasons;
}

/** The indexes of batch items whose (otherwise acceptable) content exceeds `max` bytes of UTF-8. */
export function oversizedItems(facts: RequestFacts, max: number): number[] {
  if (facts.parsed.kind !== 'json' || !isPlainObject(facts.parsed.value)) return [];
  const items = facts.parsed.value.items;
  if (!Array.isArray(items)) return [];
  return items.flatMap((item, index) =>
    isPlainObject(item) && isAcceptableContent(item.content) && Buffer.byteLength(item.content) > max
      ? [index]
      : [],
  );
}
