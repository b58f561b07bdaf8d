/**
 * The oracle: judges one exchange (a request, its answer, and the table and queue counted
 * before and after) from the request alone and what the model learnt from earlier answers.
 *
 * - No answer is a 5xx.
 * - A request only the gateway can answer (no serverless.yml route) gets the gateway's 404.
 * - Every 4xx of the API is application/problem+json whose `detail` (and `errors`) is true
 *   of the request: each detail the API can give has a predicate here, computed from the
 *   bytes sent; a detail with no predicate is a failure.
 * - A 2xx is one the request deserved: a 202 for a valid body only, a replay for a reused
 *   Idempotency-Key with the same content, a submission or listing of the caller's own only;
 *   a submission's state never with its content, its content exactly as submitted.
 * - The table and the queue changed by exactly what the answer reports: nothing for a
 *   refusal, one submission (plus its idempotency record, plus its content's own item when
 *   the content is longer than the store keeps inline) and one message for a 202, n of each
 *   for a batch of n, nothing for a replay.
 * - The answer is valid against the served OpenAPI document (fuzz-contract.ts).
 */
import { INLINE_CONTENT_MAX_BYTES } from '../../src/adapters/dynamodb/table';
import { SECURITY_HEADERS } from '../../src/http/security-headers';
import type { StackCounts } from './fuzz-counts';
import { allowHeaderFalse, DETAIL_RULES, type Problem } from './fuzz-details';
import {
  batchRefusals,
  contentOf,
  createRefusals,
  isPlainObject,
  isUuid,
  type OracleContext,
  queryProblems,
  type RequestFacts,
  requestFacts,
} from './fuzz-facts';
import type { LocalDifferenceId } from './fuzz-findings';
import type { PreparedRequest } from './fuzz-requests';
import { gatewayRouting } from './fuzz-routes';
import type { WireResponse } from './fuzz-wire';

export type { OracleContext } from './fuzz-facts';

export interface Exchange {
  request: PreparedRequest;
  response: WireResponse;
  before: StackCounts;
  after: StackCounts;
}

/** The outcome of judging one exchange. */
export class Verdict {
  readonly failures: string[] = [];
  readonly tolerated: LocalDifferenceId[] = [];

  fail(message: string): void {
    this.failures.push(message);
  }

  /** The answer is one of the local differences `id` names: counted, not failed. */
  tolerate(id: LocalDifferenceId): void {
    this.tolerated.push(id);
  }
}

/** RFC 9110's reason phrases (413 and 422 under their current names). */
const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
};

// ---------------------------------------------------------------------------------------
// Judging

type Answerer = 'api' | 'ui' | 'server';

/** Who answered: the API function (its security headers), the page's function, or the server in front. */
function answererOf(response: WireResponse): Answerer {
  if (response.headers['x-content-type-options'] !== 'nosniff') return 'server';
  return response.headers['content-security-policy'] === SECURITY_HEADERS['content-security-policy']
    ? 'api'
    : 'ui';
}

const NOTHING = { items: 0, messages: 0 };

/** The items a stored content adds besides its submission's: its own item when too long to keep inline. */
const contentItems = (content: unknown) =>
  typeof content === 'string' && Buffer.byteLength(content) > INLINE_CONTENT_MAX_BYTES ? 1 : 0;

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function judge(exchange: Exchange, context: OracleContext): Verdict {
  const { request, response } = exchange;
  const verdict = new Verdict();
  const facts = requestFacts(request, context);
  if (response.status >= 500) verdict.fail(`answered ${response.status}: no request may cause a 5xx`);

  const routing = gatewayRouting(context.routes, facts.method, request.rawPath);
  const answerer = answererOf(response);
  let stored = NOTHING;
  if (answerer === 'server') {
    judgeGatewayAnswer(verdict, facts, routing, response);
  } else if (routing.kind === 'function' && routing.fn !== answerer) {
    verdict.fail(
      `serverless.yml routes this to the ${routing.fn} function, but the ${answerer} function answered`,
    );
  } else if (routing.kind === 'no-route') {
    verdict.fail(
      `no serverless.yml route takes ${facts.method} ${request.rawPath}, yet the ${answerer} function answered`,
    );
  }
  if (answerer === 'api') stored = judgeApiAnswer(verdict, facts, response, context);

  const items = exchange.after.items - exchange.before.items;
  const messages = exchange.after.messages - exchange.before.messages;
  if (items !== stored.items || messages !== stored.messages) {
    verdict.fail(
      `the table gained ${items} item(s) and the queue ${messages} message(s); a ${response.status} accounts for ` +
        `${stored.items} and ${stored.messages}`,
    );
  }
  return verdict;
}

/** An answer of the server in front of the functions (serverless-offline locally, API Gateway on AWS). */
function judgeGatewayAnswer(
  verdict: Verdict,
  facts: RequestFacts,
  routing: ReturnType<typeof gatewayRouting>,
  response: WireResponse,
): void {
  const status = response.status;
  // serverless-offline's catch-all route parses the payload before its 404: 400 for a body
  // that is not JSON, 415 for a Content-Type it does not parse.
  const noRouteAnswer =
    status === 404 ||
    ((status === 400 || status === 415) && (facts.body.length > 0 || facts.contentType !== undefined));
  // Refused by the server before any routing.
  if (
    status === 400 &&
    facts.request.wire.framing === 'chunked' &&
    facts.body.length > 0 &&
    !['POST', 'PUT', 'PATCH'].includes(facts.method)
  ) {
    verdict.tolerate('chunked-body-refused');
  } else if (routing.kind === 'function') {
    verdict.fail(
      `serverless.yml routes this to the ${routing.fn} function, but the server answered ${status} itself`,
    );
  } else if (routing.kind === 'no-route') {
    if (!noRouteAnswer) {
      verdict.fail(`no route takes this, so the gateway's 404 was due, not ${status}`);
    } else verdict.tolerate('gateway-answer');
  } else if (routing.kind === 'unknown-method') {
    if (status === 400) verdict.tolerate('gateway-answer');
    else verdict.fail(`the server answered ${status} to the unknown method ${facts.method}, not 400`);
  } else if (routing.kind === 'preflight') {
    if (status === 404 || (status >= 200 && status < 300))
      verdict.tolerate('gateway-answer'); // a CORS preflight
    else verdict.fail(`a preflight answered ${status}`);
  } else if (noRouteAnswer || status === 400) {
    // A path with dot segments or undecodable escapes: no route after the server's own normalisation, or refused.
    verdict.tolerate('gateway-answer');
  } else {
    verdict.fail(`the server answered ${status} to a path it could not route`);
  }
}

/** Judges an answer of the API function; returns what it reports having stored. */
function judgeApiAnswer(
  verdict: Verdict,
  facts: RequestFacts,
  response: WireResponse,
  context: OracleContext,
): { items: number; messages: number } {
  const status = response.status;
  const head = facts.method === 'HEAD';
  // The documented operation whose responses judge this answer.
  let judgedBy: string | undefined = facts.operation;
  if (facts.template === undefined) {
    if (status !== 404)
      verdict.fail(`the document has no path ${facts.candidates[0]}, yet the answer is ${status}`);
    judgedBy = context.contract.operationDocumenting(status);
  } else if (facts.operation === undefined) {
    if (status !== 405)
      verdict.fail(`${facts.method} is not documented on ${facts.template}, yet the answer is ${status}`);
    judgedBy = context.contract.operationDocumenting(status, facts.template);
    if (status === 405) {
      const allowFalse = allowHeaderFalse(response, context.contract.methodsOf(facts.template));
      if (allowFalse) verdict.fail(allowFalse);
    }
  }

  let stored = NOTHING;
  if (status >= 400 && status < 500 && !head) judgeProblem(verdict, facts, response, context);
  else if (status < 400) stored = judgeSuccess(verdict, facts, response, context);

  if (judgedBy === undefined) {
    verdict.fail(`the document describes no ${status} answer here`);
  } else {
    for (const problem of context.contract.check(judgedBy, response, head)) {
      verdict.fail(`OpenAPI: ${problem.message}`);
    }
  }
  return stored;
}

function judgeProblem(
  verdict: Verdict,
  facts: RequestFacts,
  response: WireResponse,
  context: OracleContext,
): void {
  const status = response.status;
  if (!/^application\/problem\+json\b/i.test(response.headers['content-type'] ?? '')) {
    verdict.fail(
      `a ${status} must be application/problem+json, it is ${response.headers['content-type'] ?? 'untyped'}`,
    );
  }
  const problem = parseJson(response.body) as Problem | undefined;
  if (!isPlainObject(problem)) {
    verdict.fail(`the ${status}'s body is not a JSON object`);
    return;
  }
  if (problem.status !== status)
    verdict.fail(`the problem's status is ${String(problem.status)}, the answer's ${status}`);
  if (problem.title !== TITLES[status])
    verdict.fail(`a ${status}'s title is ${TITLES[status]}, not ${String(problem.title)}`);
  if (problem.instance !== undefined && !facts.candidates.includes(String(problem.instance))) {
    verdict.fail(
      `instance ${String(problem.instance)} is not the path sent (${facts.candidates.join(' or ')})`,
    );
  }
  if (typeof problem.detail !== 'string') {
    verdict.fail(`the ${status} has no detail`);
    return;
  }
  const detail = problem.detail;
  for (const rule of DETAIL_RULES) {
    const match = rule.pattern.exec(detail);
    if (!match) continue;
    const falseBecause =
      rule.status !== status
        ? `this detail comes with ${rule.status}, not ${status}`
        : rule.falseBecause(facts, match, problem, context, response);
    if (falseBecause === undefined) return;
    verdict.fail(`${status} "${detail}" is not true of the request: ${falseBecause}`);
    return;
  }
  verdict.fail(`${status} "${detail}" is a detail the oracle does not know`);
}

/** Judges a 2xx or 3xx; returns what it reports having stored. */
function judgeSuccess(
  verdict: Verdict,
  facts: RequestFacts,
  response: WireResponse,
  context: OracleContext,
): { items: number; messages: number } {
  const body = parseJson(response.body);
  const { model } = context;
  switch (facts.operation) {
    case 'createSubmission': {
      if (response.status !== 202) return NOTHING;
      const refusals = createRefusals(facts, context);
      if (refusals.length > 0) {
        verdict.fail(`accepted (202) what it must refuse: ${refusals.join('; ')}`);
      }
      const id = isPlainObject(body) && typeof body.id === 'string' ? body.id : undefined;
      if (id === undefined) {
        verdict.fail('the 202 names no id');
        return NOTHING;
      }
      if (response.headers.location !== `/submissions/${id}`) {
        verdict.fail(`Location ${response.headers.location} does not name ${id}`);
      }
      const key = facts.idempotencyKey;
      const record = key === undefined ? undefined : model.idempotencyRecord(facts.owner, key);
      const replayed = response.headers['idempotent-replayed'] === 'true';
      if (record) {
        if (!replayed || id !== record.id) {
          verdict.fail(
            `the key was used for ${record.id}: expected a replay of it, got ${replayed ? 'a replay of ' : ''}${id}`,
          );
        }
      } else if (replayed) {
        verdict.fail('a replay of a key never used by this caller');
      } else if (model.submission(id)) {
        verdict.fail(`the new submission's id ${id} was already taken`);
      }
      if (replayed) return NOTHING;
      return { items: (key === undefined ? 1 : 2) + contentItems(contentOf(facts)), messages: 1 };
    }
    case 'createSubmissionBatch': {
      if (response.status !== 202) return NOTHING;
      const refusals = batchRefusals(facts, context);
      if (refusals.length > 0) {
        verdict.fail(`accepted (202) a batch it must refuse: ${refusals.join('; ')}`);
      }
      const items = isPlainObject(body) && Array.isArray(body.items) ? body.items : [];
      const sent =
        facts.parsed.kind === 'json' &&
        isPlainObject(facts.parsed.value) &&
        Array.isArray(facts.parsed.value.items)
          ? (facts.parsed.value.items as unknown[])
          : undefined;
      if (sent !== undefined && items.length !== sent.length)
        verdict.fail(`${sent.length} items sent, ${items.length} accepted`);
      const ids = items.map((item) => (isPlainObject(item) ? item.id : undefined));
      if (
        new Set(ids).size !== ids.length ||
        ids.some((id) => typeof id !== 'string' || model.submission(id))
      ) {
        verdict.fail('the batch ids are not all new and distinct');
      }
      const contents = (sent ?? []).reduce<number>(
        (count, item) => count + (isPlainObject(item) ? contentItems(item.content) : 0),
        0,
      );
      return { items: items.length + contents, messages: items.length };
    }
    case 'getSubmission': {
      const id = facts.idCandidates.map((candidate) => candidate.toLowerCase()).find(isUuid);
      const known = id === undefined ? undefined : model.submission(id);
      if (!known || known.owner !== facts.owner) {
        verdict.fail(`served ${id ?? facts.idCandidates[0]} to ${facts.owner}, who did not create it`);
        return NOTHING;
      }
      if (response.status === 200) {
        if (isPlainObject(body) && body.id !== known.id)
          verdict.fail(`asked for ${known.id}, got ${String(body.id)}`);
        if (isPlainObject(body) && 'content' in body) {
          verdict.fail(
            'the state of a submission carries its content (GET /submissions/{id}/content has it)',
          );
        }
      }
      judgeRevalidation(verdict, facts, response.status, model.etagsOf(known.id));
      return NOTHING;
    }
    case 'getSubmissionContent': {
      const id = facts.idCandidates.map((candidate) => candidate.toLowerCase()).find(isUuid);
      const known = id === undefined ? undefined : model.submission(id);
      if (!known || known.owner !== facts.owner) {
        verdict.fail(
          `served the content of ${id ?? facts.idCandidates[0]} to ${facts.owner}, who did not create it`,
        );
        return NOTHING;
      }
      if (response.status === 200) {
        if (isPlainObject(body) && body.id !== known.id)
          verdict.fail(`asked for ${known.id}'s content, got ${String(body.id)}'s`);
        if (isPlainObject(body) && known.content !== undefined && body.content !== known.content) {
          verdict.fail(`the content served is not the content submitted (${JSON.stringify(known.content)})`);
        }
        const etag = response.headers.etag;
        const earlier = model.etagsOf(known.id, 'content');
        if (etag !== undefined && earlier.size > 0 && !earlier.has(etag)) {
          verdict.fail(
            `the content's ETag changed from ${[...earlier][0]} to ${etag}; a content never changes`,
          );
        }
      }
      judgeRevalidation(verdict, facts, response.status, model.etagsOf(known.id, 'content'));
      return NOTHING;
    }
    case 'listSubmissions': {
      if (response.status !== 200) return NOTHING;
      const valid = facts.query.some((reading) => {
        const { fields, unknownKeys } = queryProblems(reading);
        const cursor = reading.get('cursor');
        return (
          fields.size === 0 &&
          !unknownKeys &&
          (cursor === undefined || model.cursorOwner(cursor) === facts.owner)
        );
      });
      if (!valid)
        verdict.fail(
          'listed for a query it must refuse (a wrong parameter, or a cursor not issued to this caller)',
        );
      const items = isPlainObject(body) && Array.isArray(body.items) ? body.items : [];
      for (const item of items) {
        const id = isPlainObject(item) && typeof item.id === 'string' ? item.id : '';
        if (model.submission(id)?.owner !== facts.owner)
          verdict.fail(`listed ${id}, which ${facts.owner} did not create`);
      }
      const limits = facts.query.map((reading) => Number(reading.get('limit') ?? 20));
      if (!limits.some((limit) => items.length <= limit))
        verdict.fail(`listed ${items.length} items, above the limit`);
      return NOTHING;
    }
    default:
      return NOTHING;
  }
}

/** A 200 or 304 to a GET of one resource whose ETags so far are `etags`: 304 exactly when If-None-Match matches. */
function judgeRevalidation(
  verdict: Verdict,
  facts: RequestFacts,
  status: number,
  etags: ReadonlySet<string>,
): void {
  const matches = ifNoneMatchMatches(facts.ifNoneMatch, etags);
  if (status === 200 && matches === true) {
    verdict.fail(`If-None-Match ${facts.ifNoneMatch} matches, so 304 was due`);
  } else if (status === 304) {
    if (facts.ifNoneMatch === undefined) verdict.fail('304 without If-None-Match');
    else if (matches === false)
      verdict.fail(`304, but If-None-Match ${facts.ifNoneMatch} matches no ETag sent for it`);
  }
}

/** Whether If-None-Match names one of `etags` (weak comparison); undefined when no ETag is known yet. */
function ifNoneMatchMatches(
  ifNoneMatch: string | undefined,
  etags: ReadonlySet<string>,
): boolean | undefined {
  if (ifNoneMatch === undefined || ifNoneMatch === '') return false;
  if (ifNoneMatch === '*') return true;
  if (etags.size === 0) return undefined;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const known = new Set([...etags].map(opaque));
  return ifNoneMatch.split(',').some((tag) => known.has(opaque(tag)));
}

// ---------------------------------------------------------------------------------------
// Learning from a checked exchange

/** Records in the model what an answer of the API established. */
export function learn(exchange: Exchange, context: OracleContext): void {
  const { response } = exchange;
  if (answererOf(response) !== 'api') return;
  const facts = requestFacts(exchange.request, context);
  const body = parseJson(response.body);
  const { model } = context;
  if (facts.operation === 'createSubmission' && response.status === 202 && isPlainObject(body)) {
    if (typeof body.id !== 'string' || response.headers['idempotent-replayed'] === 'true') return;
    const content = contentOf(facts);
    model.addSubmission({ id: body.id, owner: facts.owner, content });
    const key = facts.idempotencyKey;
    if (key !== undefined && content !== undefined)
      model.addIdempotencyRecord(facts.owner, key, { content, id: body.id });
  } else if (facts.operation === 'createSubmissionBatch' && response.status === 202 && isPlainObject(body)) {
    const sent =
      facts.parsed.kind === 'json' &&
      isPlainObject(facts.parsed.value) &&
      Array.isArray(facts.parsed.value.items)
        ? facts.parsed.value.items
        : [];
    const items = Array.isArray(body.items) ? body.items : [];
    items.forEach((item, index) => {
      const sentItem = sent[index];
      const content = isPlainObject(sentItem) ? sentItem.content : undefined;
      if (isPlainObject(item) && typeof item.id === 'string') {
        model.addSubmission({
          id: item.id,
          owner: facts.owner,
          content: typeof content === 'string' ? content : undefined,
        });
      }
    });
  } else if (facts.operation === 'getSubmission' && response.status === 200 && isPlainObject(body)) {
    if (typeof body.id === 'string' && response.headers.etag) model.addEtag(body.id, response.headers.etag);
  } else if (facts.operation === 'getSubmissionContent' && response.status === 200 && isPlainObject(body)) {
    if (typeof body.id === 'string' && response.headers.etag)
      model.addEtag(body.id, response.headers.etag, 'content');
  } else if (facts.operation === 'listSubmissions' && response.status === 200 && isPlainObject(body)) {
    if (typeof body.nextCursor === 'string') model.addCursor(body.nextCursor, facts.owner);
  }
}
