/**
 * The requests the API fuzz sends, as fast-check arbitraries of plans. A plan is plain data;
 * what it refers to in the service (a submission this caller created, a cursor the service
 * issued, an ETag it sent) is named by index and resolved against the model only when the
 * request is sent, so the same seed replays the same sequence of requests.
 */
import { METHODS } from 'node:http';
import fc from 'fast-check';
import { type BodyChoice, batchBodies, retriedSubmissions, submissionBodies } from './fuzz-bodies';
import type { KnownSubmission, ServiceModel } from './fuzz-model';
import type { WireRequest } from './fuzz-wire';

export type { BodyChoice } from './fuzz-bodies';

/** The caller the local stack (AUTH_MODE=dev) serves a request without a usable token as. */
export const DEFAULT_OWNER = 'anonymous';
/** Longer than the 255 characters OpenID Connect allows a sub. */
export const LONG_SUB = `fuzz-long-${'o'.repeat(290)}`;

export type IdChoice =
  /** The `pick`-th submission the fuzz saw created (whoever owns it); a fresh UUID while there is none. */
  | { kind: 'known'; pick: number; spelling: 'as-issued' | 'upper-case' | 'escaped' }
  | { kind: 'literal'; segment: string };

export type PathChoice =
  | { kind: 'fixed'; path: string }
  | { kind: 'submission'; id: IdChoice; suffix: string };

export type QueryValue =
  | { kind: 'literal'; raw: string }
  /**
   * The `pick`-th cursor the service issued, to this request's caller (`ownCaller`) or to
   * anyone; one character changed when `tamperAt` is set.
   */
  | { kind: 'issued-cursor'; pick: number; ownCaller: boolean; tamperAt: number | undefined };

export interface QueryPart {
  /** Sent as is (already percent-encoded, or deliberately not). */
  key: string;
  /** Undefined: the key alone, without `=`. */
  value: QueryValue | undefined;
}

export type CallerChoice =
  | { kind: 'anonymous' }
  /**
   * An unsigned JWT whose `sub` serverless-offline takes as the caller (AUTH_MODE=dev).
   * `numeric`: the claim is the JSON number; claims reach the function as strings (as API
   * Gateway passes them), so the caller is still the text `sub`.
   */
  | { kind: 'bearer'; sub: string; numeric?: boolean }
  /** An Authorization header that names no caller, so the request is served as DEFAULT_OWNER. */
  | { kind: 'unusable'; authorization: string };

export type EtagChoice =
  /**
   * An ETag the service sent (of the state, or of the content when the path is a content's): for
   * the submission the path names, or for the `pick`-th known one; `flipped`: weak made strong or
   * strong made weak, which If-None-Match's weak comparison still matches.
   */
  | { kind: 'known'; of: 'target' | 'other'; pick: number; variant: 'as-sent' | 'flipped' | 'in-list' }
  | { kind: 'literal'; value: string };

export interface RequestPlan {
  method: string;
  path: PathChoice;
  query: QueryPart[];
  caller: CallerChoice;
  contentType: string | undefined;
  /** Header lines of Idempotency-Key (several lines: API Gateway joins them with ","). */
  idempotencyKey: string[] | undefined;
  ifNoneMatch: EtagChoice | undefined;
  /** Sends Origin and Access-Control-Request-Method (a CORS preflight, with OPTIONS). */
  preflight: boolean;
  body: BodyChoice | undefined;
  framing: 'content-length' | 'chunked';
}

/** A plan made concrete against the model: the bytes to send and what they refer to. */
export interface PreparedRequest {
  plan: RequestPlan;
  wire: WireRequest;
  /** The path as sent, without the query. */
  rawPath: string;
  /** The query as sent (after `?`), if any. */
  rawQuery: string | undefined;
  /** The caller the request is served as. */
  owner: string;
}

// ---------------------------------------------------------------------------------------
// Building blocks

const json = (value: unknown) => JSON.stringify(value);

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
/** An unsigned JWT, as the page's "Access token" field takes locally. */
export const unsignedJwt = (payload: unknown) =>
  `${base64url(json({ alg: 'none', typ: 'JWT' }))}.${base64url(json(payload))}.fuzz`;

/** `arbitrary`'s values `percent` % of the time, else undefined. */
const withChance = <T>(arbitrary: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | undefined> =>
  fc.oneof(
    { weight: 100 - percent, arbitrary: fc.constant(undefined) },
    { weight: percent, arbitrary: arbitrary },
  );

/** Characters node:http lets through in a header value (it refuses CR, LF, NUL and beyond U+00FF). */
const headerText = (maxLength: number) =>
  fc.string({
    unit: fc
      .oneof(
        { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
        { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
        { weight: 1, arbitrary: fc.constant(0x09) },
      )
      .map((code) => String.fromCharCode(code)),
    maxLength,
  });

// ---------------------------------------------------------------------------------------
// Callers

const SUBS = ['fuzz-alice', 'fuzz-bob', 'fuzz-ünïcødé-🙂'];
const UNUSABLE_AUTHORIZATIONS = [
  'Bearer not-a-jwt',
  'Basic ZnV6ejpmdXp6',
  `Bearer ${unsignedJwt({ sub: '' })}`,
  `Bearer ${unsignedJwt({ scope: 'no-sub' })}`,
  'Bearer e30.e30.e30',
];

const callers: fc.Arbitrary<CallerChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'anonymous' as const }) },
  { weight: 4, arbitrary: fc.constantFrom(...SUBS).map((sub) => ({ kind: 'bearer' as const, sub })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'bearer' as const, sub: LONG_SUB }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'bearer' as const, sub: '42', numeric: true }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...UNUSABLE_AUTHORIZATIONS)
      .map((authorization) => ({ kind: 'unusable' as const, authorization })),
  },
);

// ---------------------------------------------------------------------------------------
// Headers

const JSON_CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
  'APPLICATION/JSON',
  'Application/Json; charset=latin1',
  'application/json ; charset=utf-8',
  'application/problem+json',
  'application/merge-patch+json',
  'application/vnd.api+json',
];
const OTHER_CONTENT_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/jsonx',
  'application/json-seq',
  'json',
  'application/',
  '*/*',
  'application/xml',
  'application/vnd_fuzz+json',
  '',
];

const contentTypes: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  { weight: 3, arbitrary: fc.constantFrom(...JSON_CONTENT_TYPES) },
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.constantFrom(...OTHER_CONTENT_TYPES) },
  { weight: 1, arbitrary: headerText(60) },
);

/** Keys used over and over, so the same key comes back with the same body and with another. */
const POOLED_KEYS = ['fuzz-key-1', 'fuzz-key-2', 'fuzz-key-3', 'Fuzz Key 4'];
const MALFORMED_KEYS = ['', ' ', 'k'.repeat(256), 'tab\tinside', 'caf\u00e9-key'];

const idempotencyKeys: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...POOLED_KEYS).map((key) => [key]) },
  { weight: 1, arbitrary: fc.constantFrom(...POOLED_KEYS).map((key) => [` ${key}\t`]) },
  { weight: 2, arbitrary: fc.constantFrom(...MALFORMED_KEYS, 'k'.repeat(255)).map((key) => [key]) },
  { weight: 2, arbitrary: headerText(300).map((key) => [key]) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...POOLED_KEYS), fc.constantFrom(...POOLED_KEYS))
      .map(([a, b]) => [a, b]),
  },
);

const ifNoneMatches: fc.Arbitrary<EtagChoice> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('target', 'target', 'other'),
        fc.nat(),
        fc.constantFrom('as-sent', 'flipped', 'in-list'),
      )
      .map(([of, pick, variant]) => ({
        kind: 'known' as const,
        of: of as 'target' | 'other',
        pick,
        variant: variant as 'as-sent' | 'flipped' | 'in-list',
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(fc.constantFrom('*', 'W/"nope"', '"abc"', '', ' * '), headerText(40))
      .map((value) => ({ kind: 'literal' as const, value })),
  },
);

// ---------------------------------------------------------------------------------------
// Paths and queries

const MALFORMED_IDS = [
  'abc',
  '..%2F..%2Fopenapi.json',
  '%7B6f1c1c3e-5a3e-4c1e-9f1e-1e2d3c4b5a69%7D',
  '6f1c1c3e-5a3e-0c1e-9f1e-1e2d3c4b5a69',
  '6f1c1c3e5a3e4c1e9f1e1e2d3c4b5a69',
  '6f1c1c3e-5a3e-4c1e-cf1e-1e2d3c4b5a69',
  '6f1c1c3e-5a3e-4c1e-9f1e-1e2d3c4b5a6',
  `${'a'.repeat(1000)}`,
  '%00',
  '%20',
  encodeURIComponent('６f1c1c3e-5a3e-4c1e-9f1e-1e2d3c4b5a69'),
  '6f1c1c3e-5a3e-4c1e-9f1e-1e2d3c4b5a69%00',
  'batch',
];

/** Characters and escapes a path segment is made of (no `?`, `#`, space or non-ASCII: node:http refuses those). */
const SEGMENT_PIECES = [
  ..."abcxyzABCXYZ0189-._~!$&'()*+,;=:@",
  '%20',
  '%2F',
  '%2e',
  '%C3%A9',
  '%zz',
  '%',
  '%00',
];
const segments = fc
  .array(fc.constantFrom(...SEGMENT_PIECES), { minLength: 0, maxLength: 12 })
  .map((pieces) => pieces.join(''));

const ids: fc.Arbitrary<IdChoice> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.tuple(fc.nat(), fc.boolean()).map(([pick, respelled]) => ({
      kind: 'known' as const,
      pick,
      spelling:
        !respelled || pick % 3 === 0
          ? ('as-issued' as const)
          : pick % 3 === 1
            ? ('upper-case' as const)
            : ('escaped' as const),
    })),
  },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.uuid({ version: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] }),
        fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
      )
      .map((segment) => ({ kind: 'literal' as const, segment })),
  },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.constantFrom(...MALFORMED_IDS),
        segments.filter((segment) => segment !== ''),
      )
      .map((segment) => ({ kind: 'literal' as const, segment })),
  },
);

const submissionPath = (suffixes: fc.Arbitrary<string>) =>
  fc.tuple(ids, suffixes).map(([id, suffix]): PathChoice => ({ kind: 'submission', id, suffix }));

const fixed = (...paths: string[]) =>
  fc.constantFrom(...paths).map((path): PathChoice => ({ kind: 'fixed', path }));

/** `path`, and one time in ten with a trailing slash (which the router also takes). */
const mostlyWithoutSlash = (path: string) =>
  fc.oneof({ weight: 9, arbitrary: fixed(path) }, { weight: 1, arbitrary: fixed(`${path}/`) });

const STRAY_PATHS = [
  '/',
  '/app.js',
  '/app.css',
  '/Submissions',
  '/submission',
  '/submissions/batch/extra',
  '/openapi.json/x',
  '/openapi',
  '/submissions//',
  '//submissions',
  '/submissions/../openapi.json',
  '/submissions/%2e%2e/openapi.json',
  '/submissions/batch/..',
  '/%',
  '/submissions/%zz',
  '/index.html',
  '/favicon.ico',
  '/submissions%2Fbatch',
];

const strayPaths: fc.Arbitrary<PathChoice> = fc.oneof(
  fixed(...STRAY_PATHS),
  fc
    .array(segments, { minLength: 1, maxLength: 4 })
    .map((parts): PathChoice => ({ kind: 'fixed', path: `/${parts.join('/')}` })),
  submissionPath(fc.constantFrom('/extra', '//', '/batch', '/content/extra', '/Content', '/content.json')),
);

/** A submission's state (suffix '') or its content ('/content'), one time in ten with a trailing slash. */
const oneSubmission = (suffix: '' | '/content') =>
  submissionPath(
    fc.oneof(
      { weight: 9, arbitrary: fc.constant(suffix) },
      { weight: 1, arbitrary: fc.constant(`${suffix}/`) },
    ),
  );

const LIMITS = [
  '1',
  '2',
  '20',
  '100',
  '0',
  '101',
  '-1',
  '1.5',
  'abc',
  '',
  '1e1',
  '0x10',
  ' 5',
  '05',
  '+5',
  'Infinity',
  'NaN',
  '99999999999999999999',
];
const STATUSES = ['PENDING', 'PROCESSING', 'PASSED', 'FAILED', 'DONE', 'pending', ''];
const CURSOR_LITERALS = [
  '',
  'abc',
  'c'.repeat(2049),
  'eyJ9.abc',
  '.',
  'a.b',
  `${base64url(json({ id: 'x', owner: DEFAULT_OWNER, createdAt: 'y' }))}.forged`,
];
const UNKNOWN_KEYS = [
  'owner',
  'LIMIT',
  'foo',
  '__proto__',
  'constructor',
  'status%5B%5D',
  '%ff',
  'a%20b',
  'limit%00',
];

const literal = (raw: string): QueryValue => ({ kind: 'literal', raw });
const queryParts: fc.Arbitrary<QueryPart> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .constantFrom(...LIMITS)
      .map((value) => ({ key: 'limit', value: literal(encodeURIComponent(value)) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('%zz', '5%2C6', '1+1', '%')
      .map((raw) => ({ key: 'limit', value: literal(raw) })),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(...STATUSES).map((value) => ({ key: 'status', value: literal(value) })),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.nat(), fc.boolean(), withChance(fc.nat(), 33))
      .map(([pick, ownCaller, tamperAt]) => ({
        key: 'cursor',
        value: { kind: 'issued-cursor' as const, pick, ownCaller, tamperAt },
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(...CURSOR_LITERALS)
      .map((value) => ({ key: 'cursor', value: literal(encodeURIComponent(value)) })),
  },
  { weight: 2, arbitrary: fc.constantFrom(...UNKNOWN_KEYS).map((key) => ({ key, value: literal('1') })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('limit', 'cursor', 'status', '', 'x')
      .map((key) => ({ key, value: undefined })),
  },
);
const queries = fc.array(queryParts, { minLength: 0, maxLength: 4 });
const occasionalQueries = fc.oneof(
  { weight: 6, arbitrary: fc.constant([] as QueryPart[]) },
  { weight: 1, arbitrary: queries },
);

// ---------------------------------------------------------------------------------------
// Whole requests, by family

const framings = fc.oneof(
  { weight: 4, arbitrary: fc.constant('content-length' as const) },
  { weight: 1, arbitrary: fc.constant('chunked' as const) },
);

const WRONG_METHODS = ['PUT', 'PATCH', 'DELETE', 'POST', 'GET', 'HEAD', 'TRACE', 'QUERY', 'PROPFIND', 'FUZZ'];
const ANY_METHODS = [...WRONG_METHODS, 'OPTIONS'];

interface Family {
  methods: fc.Arbitrary<string>;
  paths: fc.Arbitrary<PathChoice>;
  query?: fc.Arbitrary<QueryPart[]>;
  contentType?: fc.Arbitrary<string | undefined>;
  idempotencyKey?: fc.Arbitrary<string[] | undefined>;
  ifNoneMatch?: fc.Arbitrary<EtagChoice | undefined>;
  body?: fc.Arbitrary<BodyChoice | undefined>;
}

function family({ methods, paths, query, contentType, idempotencyKey, ifNoneMatch, body: bodies }: Family) {
  return fc
    .record({
      method: methods,
      path: paths,
      query: query ?? occasionalQueries,
      caller: callers,
      contentType: contentType ?? withChance(contentTypes, 12),
      idempotencyKey: idempotencyKey ?? withChance(idempotencyKeys, 3),
      ifNoneMatch: ifNoneMatch ?? withChance(ifNoneMatches, 3),
      preflight: fc.boolean(),
      body: bodies ?? fc.constant(undefined),
      framing: framings,
    })
    .map(describedPlan);
}

/** Every request the fuzz may send; about a tenth of them are accepted (202). */
export function requestPlans(limits: { maxContentBytes: number }): fc.Arbitrary<RequestPlan> {
  const anyBody = fc.oneof(submissionBodies(limits.maxContentBytes), batchBodies(limits.maxContentBytes));
  return fc.oneof(
    {
      weight: 4,
      arbitrary: family({
        methods: fc.constant('POST'),
        paths: fixed('/submissions'),
        contentType: fc.constant('application/json'),
        idempotencyKey: fc.constantFrom(...POOLED_KEYS).map((key) => [key]),
        body: retriedSubmissions,
      }),
    },
    {
      weight: 26,
      arbitrary: family({
        methods: fc.constant('POST'),
        paths: mostlyWithoutSlash('/submissions'),
        contentType: contentTypes,
        idempotencyKey: withChance(idempotencyKeys, 40),
        body: submissionBodies(limits.maxContentBytes),
      }),
    },
    {
      weight: 12,
      arbitrary: family({
        methods: fc.constant('POST'),
        paths: mostlyWithoutSlash('/submissions/batch'),
        contentType: contentTypes,
        idempotencyKey: withChance(idempotencyKeys, 10),
        body: batchBodies(limits.maxContentBytes),
      }),
    },
    {
      weight: 15,
      arbitrary: family({
        methods: fc.constant('GET'),
        paths: mostlyWithoutSlash('/submissions'),
        query: queries,
      }),
    },
    {
      weight: 15,
      arbitrary: family({
        methods: fc.constant('GET'),
        paths: oneSubmission(''),
        ifNoneMatch: withChance(ifNoneMatches, 40),
      }),
    },
    {
      weight: 8,
      arbitrary: family({
        methods: fc.constant('GET'),
        paths: oneSubmission('/content'),
        ifNoneMatch: withChance(ifNoneMatches, 40),
      }),
    },
    {
      weight: 3,
      arbitrary: family({ methods: fc.constant('GET'), paths: fixed('/openapi.json', '/openapi.json/') }),
    },
    {
      weight: 12,
      arbitrary: family({
        methods: fc.constantFrom(...WRONG_METHODS),
        paths: fc.oneof(
          fixed('/submissions', '/submissions/batch', '/openapi.json'),
          submissionPath(fc.constantFrom('', '/content')),
        ),
        body: withChance(anyBody, 50),
      }),
    },
    {
      weight: 10,
      arbitrary: family({
        methods: fc.constantFrom(...ANY_METHODS),
        paths: strayPaths,
        body: withChance(anyBody, 20),
      }),
    },
    {
      weight: 3,
      arbitrary: family({
        methods: fc.constant('OPTIONS'),
        paths: fc.oneof(
          fixed('/submissions', '/submissions/batch', '/openapi.json'),
          submissionPath(fc.constantFrom('', '/content')),
        ),
      }),
    },
  );
}

// ---------------------------------------------------------------------------------------
// Resolving a plan against the model, and describing it

/** The path a plan names, with a known submission's id filled in (a fresh UUID while none is known). */
function pathOf(path: PathChoice, model: ServiceModel): { path: string; target?: KnownSubmission } {
  if (path.kind === 'fixed') return { path: path.path };
  if (path.id.kind === 'literal') return { path: `/submissions/${path.id.segment}${path.suffix}` };
  const target = model.pickSubmission(path.id.pick);
  let segment = target?.id ?? '7e57ab1e-0000-4000-8000-000000000000';
  if (path.id.spelling === 'upper-case') segment = segment.toUpperCase();
  // Its first character percent-encoded: the same id, spelt another way.
  if (path.id.spelling === 'escaped') segment = `%${segment.charCodeAt(0).toString(16)}${segment.slice(1)}`;
  return { path: `/submissions/${segment}${path.suffix}`, target };
}

function tamper(cursor: string, at: number): string {
  const index = at % cursor.length;
  return cursor.slice(0, index) + (cursor[index] === 'A' ? 'B' : 'A') + cursor.slice(index + 1);
}

/** The path names a submission's content, not its state. */
const isContentPath = (path: PathChoice) => path.kind === 'submission' && /^\/content\/?$/.test(path.suffix);

function etagOf(
  choice: EtagChoice,
  model: ServiceModel,
  target: KnownSubmission | undefined,
  of: 'state' | 'content',
): string {
  if (choice.kind === 'literal') return choice.value;
  const known = choice.of === 'target' ? target : model.pickSubmission(choice.pick);
  const etag = known ? [...model.etagsOf(known.id, of)][0] : undefined;
  if (!etag) return 'W/"no-etag-seen-yet"';
  if (choice.variant === 'flipped') return etag.startsWith('W/') ? etag.slice(2) : `W/${etag}`;
  if (choice.variant === 'in-list') return `W/"other", ${etag}`;
  return etag;
}

export function prepareRequest(plan: RequestPlan, model: ServiceModel): PreparedRequest {
  const owner = plan.caller.kind === 'bearer' ? plan.caller.sub : DEFAULT_OWNER;
  const { path: rawPath, target } = pathOf(plan.path, model);
  const parts = plan.query.map(({ key, value }) => {
    if (value === undefined) return key;
    if (value.kind === 'literal') return `${key}=${value.raw}`;
    const cursor = model.pickCursor(value.pick, value.ownCaller ? owner : undefined);
    if (cursor === undefined) return `${key}=no-cursor-issued-yet`;
    return `${key}=${value.tamperAt === undefined ? cursor : tamper(cursor, value.tamperAt)}`;
  });
  const rawQuery = parts.length > 0 ? parts.join('&') : undefined;

  const headers: Record<string, string | string[]> = {};
  if (plan.caller.kind === 'bearer')
    headers.authorization = `Bearer ${unsignedJwt({ sub: plan.caller.numeric ? Number(plan.caller.sub) : plan.caller.sub })}`;
  if (plan.caller.kind === 'unusable') headers.authorization = plan.caller.authorization;
  if (plan.contentType !== undefined) headers['content-type'] = plan.contentType;
  if (plan.idempotencyKey !== undefined) headers['idempotency-key'] = plan.idempotencyKey;
  if (plan.ifNoneMatch !== undefined)
    headers['if-none-match'] = etagOf(
      plan.ifNoneMatch,
      model,
      target,
      isContentPath(plan.path) ? 'content' : 'state',
    );
  if (plan.preflight && plan.method === 'OPTIONS') {
    headers.origin = 'http://fuzz.invalid';
    headers['access-control-request-method'] = 'POST';
  }

  return {
    plan,
    wire: {
      method: plan.method,
      target: rawQuery === undefined ? rawPath : `${rawPath}?${rawQuery}`,
      headers,
      body: plan.body?.bytes,
      framing: plan.framing,
    },
    rawPath,
    rawQuery,
    owner,
  };
}

const shorten = (text: string, length = 160) =>
  text.length > length ? `${text.slice(0, length)}… (${text.length} characters)` : text;

/** A body for a report: its text when it is valid UTF-8, else its first bytes in hex. */
export function describeBytes(bytes: Buffer): string {
  try {
    return json(shorten(new TextDecoder('utf-8', { fatal: true }).decode(bytes)));
  } catch {
    return `hex ${bytes.subarray(0, 80).toString('hex')}${bytes.length > 80 ? '…' : ''} (${bytes.length} bytes)`;
  }
}

export function describePlan(plan: RequestPlan): string {
  const path =
    plan.path.kind === 'fixed'
      ? plan.path.path
      : `/submissions/${plan.path.id.kind === 'literal' ? plan.path.id.segment : `<known #${plan.path.id.pick}, ${plan.path.id.spelling}>`}${plan.path.suffix}`;
  const query = plan.query
    .map(({ key, value }) =>
      value === undefined
        ? key
        : value.kind === 'literal'
          ? `${key}=${shorten(value.raw, 40)}`
          : `${key}=<cursor #${value.pick} issued to ${value.ownCaller ? 'this caller' : 'anyone'}${value.tamperAt === undefined ? '' : `, tampered at ${value.tamperAt}`}>`,
    )
    .join('&');
  const facts = [
    plan.caller.kind === 'anonymous'
      ? 'no Authorization'
      : plan.caller.kind === 'bearer'
        ? `Bearer <unsigned JWT, sub ${plan.caller.numeric ? plan.caller.sub : json(shorten(plan.caller.sub, 30))}>`
        : `Authorization: ${shorten(plan.caller.authorization, 40)}`,
    plan.contentType === undefined ? undefined : `Content-Type: ${json(plan.contentType)}`,
    plan.idempotencyKey === undefined
      ? undefined
      : `Idempotency-Key: ${json(plan.idempotencyKey.map((key) => shorten(key, 40)))}`,
    plan.ifNoneMatch === undefined
      ? undefined
      : `If-None-Match: ${plan.ifNoneMatch.kind === 'literal' ? json(plan.ifNoneMatch.value) : `<ETag of ${plan.ifNoneMatch.of === 'target' ? 'this submission' : `known #${plan.ifNoneMatch.pick}`}, ${plan.ifNoneMatch.variant}>`}`,
    plan.preflight && plan.method === 'OPTIONS' ? 'preflight headers' : undefined,
    plan.body === undefined
      ? undefined
      : `body (${plan.body.label}, ${plan.body.bytes.length} bytes${plan.framing === 'chunked' ? ', chunked' : ''}): ${describeBytes(plan.body.bytes)}`,
  ].filter(Boolean);
  return `${plan.method} ${path}${query ? `?${query}` : ''} [${facts.join('; ')}]`;
}

/**
 * The plan as sent: a method Node's HTTP parser does not know gets no body (the server
 * refuses the request line and resets a connection still sending one), and fast-check's
 * report shows it as describePlan does (bodies can be megabytes).
 */
function describedPlan(generated: RequestPlan): RequestPlan {
  const plan = METHODS.includes(generated.method) ? { ...generated } : { ...generated, body: undefined };
  Object.defineProperty(plan, fc.toStringMethod, { value: () => describePlan(plan), enumerable: false });
  return plan;
}
