/**
 * Every detail the API's 4xx answers can give (src/http: request parsing, the router, the
 * error handler), each with the predicate that makes it true of the request. A detail that
 * matches no rule here is one the oracle does not know, and fails the request.
 */
import {
  batchShape,
  contentOf,
  isAcceptableContent,
  isJsonMediaType,
  isPlainObject,
  isUuid,
  isWellFormedKey,
  type Operation,
  type OracleContext,
  oversizedItems,
  QUERY_KEYS,
  queryProblems,
  type RequestFacts,
  rawCap,
  type ShapeProblems,
  submissionShape,
} from './fuzz-facts';
import type { WireResponse } from './fuzz-wire';

export interface Problem {
  type?: unknown;
  title?: unknown;
  status?: unknown;
  detail?: unknown;
  instance?: unknown;
  errors?: unknown;
}

interface FieldError {
  field: string;
  message: string;
}

function fieldErrors(problem: Problem): FieldError[] | undefined {
  if (!Array.isArray(problem.errors)) return undefined;
  return problem.errors.filter(
    (error): error is FieldError => typeof error?.field === 'string' && typeof error?.message === 'string',
  );
}

interface DetailRule {
  pattern: RegExp;
  status: number;
  /** Undefined when the detail (and its errors) is true of the request; else why it is not. */
  falseBecause(
    facts: RequestFacts,
    match: RegExpExecArray,
    problem: Problem,
    context: OracleContext,
    response: WireResponse,
  ): string | undefined;
}

/** Undefined when the request went to one of `operations`; else why the detail does not belong to it. */
const onlyFor = (facts: RequestFacts, ...operations: Operation[]) =>
  facts.operation !== undefined && operations.includes(facts.operation)
    ? undefined
    : `this detail belongs to ${operations.join('/')}, the request was ${facts.method} ${facts.candidates[0]}`;

/** Undefined when the problem's errors name exactly `fields`; else what they name instead. */
const errorsNameExactly = (problem: Problem, fields: string[]) => {
  const got = fieldErrors(problem)?.map((error) => error.field) ?? [];
  return JSON.stringify(got.sort()) === JSON.stringify([...fields].sort())
    ? undefined
    : `errors name ${JSON.stringify(got)}, expected ${JSON.stringify(fields)}`;
};

/** Undefined when each error names a field the oracle also finds wrong in the body; else the first that does not. */
function errorsNameWrongFields(problem: Problem, problems: ShapeProblems): string | undefined {
  const errors = fieldErrors(problem);
  if (!errors || errors.length === 0) return 'no errors name the wrong fields';
  for (const error of errors) {
    if (error.message.startsWith('unknown field(s): ')) {
      const sameKeys = (list: string) =>
        list.split(', ').sort().join(', ') === error.field.split(', ').sort().join(', ');
      if (![...problems.unknownKeyLists].some(sameKeys))
        return `"${error.field}" are not the unknown fields sent`;
    } else if (!problems.fields.has(error.field)) {
      return `"${error.field}" (${error.message}) is not wrong in the body sent`;
    }
  }
  return undefined;
}

export const DETAIL_RULES: DetailRule[] = [
  {
    pattern: /^The token's sub is longer than the (\d+) characters OpenID Connect allows\.$/,
    status: 401,
    falseBecause: (facts, match) =>
      facts.owner.length > Number(match[1])
        ? undefined
        : `the caller's sub has ${facts.owner.length} characters`,
  },
  {
    pattern: /^The request body is not valid JSON in UTF-8\.$/,
    status: 400,
    falseBecause: (facts) =>
      onlyFor(facts, 'createSubmission', 'createSubmissionBatch') ??
      (facts.parsed.kind === 'not-json'
        ? undefined
        : `the body ${facts.parsed.kind === 'absent' ? 'is empty' : 'is valid JSON in UTF-8'}`),
  },
  {
    pattern: /^A JSON body (.+) is required\.$/,
    status: 400,
    falseBecause: (facts, match, problem) =>
      onlyFor(facts, 'createSubmission', 'createSubmissionBatch') ??
      (facts.body.length > 0 ? `a body of ${facts.body.length} bytes was sent` : undefined) ??
      errorsNameExactly(problem, [facts.operation === 'createSubmission' ? 'content' : 'items']) ??
      (match[1] ===
      (facts.operation === 'createSubmission' ? '{"content": "..."}' : '{"items": [{"content": "..."}]}')
        ? undefined
        : `${match[1]} is not this route's body`),
  },
  {
    pattern: /^The request body must be a JSON object (.+)\.$/,
    status: 400,
    falseBecause: (facts) =>
      onlyFor(facts, 'createSubmission', 'createSubmissionBatch') ??
      (facts.parsed.kind !== 'json'
        ? `the body is ${facts.parsed.kind === 'absent' ? 'empty' : 'not JSON'}`
        : isPlainObject(facts.parsed.value)
          ? 'the body is a JSON object'
          : undefined),
  },
  {
    pattern: /^The request body is not a valid (submission|batch)\.$/,
    status: 400,
    falseBecause: (facts, match, problem) => {
      const wrongRoute = onlyFor(
        facts,
        match[1] === 'submission' ? 'createSubmission' : 'createSubmissionBatch',
      );
      if (wrongRoute) return wrongRoute;
      if (facts.parsed.kind !== 'json' || !isPlainObject(facts.parsed.value))
        return 'the body is not a JSON object';
      const problems: ShapeProblems = { fields: new Set(), unknownKeyLists: new Set() };
      if (match[1] === 'submission') submissionShape(facts.parsed.value, '', problems);
      else batchShape(facts.parsed.value, problems);
      if (problems.fields.size === 0 && problems.unknownKeyLists.size === 0)
        return `the body is a valid ${match[1]}`;
      return errorsNameWrongFields(problem, problems);
    },
  },
  {
    pattern: /^The submission id is malformed\.$/,
    status: 400,
    falseBecause: (facts, _match, problem) =>
      onlyFor(facts, 'getSubmission', 'getSubmissionContent') ??
      (facts.idCandidates.some((id) => !isUuid(id)) ? undefined : `${facts.idCandidates[0]} is a UUID`) ??
      errorsNameExactly(problem, ['id']),
  },
  {
    pattern: /^The query is not valid\.$/,
    status: 400,
    falseBecause: (facts, _match, problem) => {
      const wrongRoute = onlyFor(facts, 'listSubmissions');
      if (wrongRoute) return wrongRoute;
      const readings = facts.query.map(queryProblems);
      const errors = fieldErrors(problem);
      if (!errors || errors.length === 0) return 'no errors name the wrong parameters';
      for (const error of errors) {
        const wrong = QUERY_KEYS.includes(error.field)
          ? readings.some((reading) => reading.fields.has(error.field))
          : readings.some((reading) => reading.unknownKeys);
        if (!wrong) return `"${error.field}" (${error.message}) is not wrong in the query sent`;
      }
      return undefined;
    },
  },
  {
    pattern: /^The cursor is not valid; start again without it\.$/,
    status: 400,
    falseBecause: (facts, _match, problem, context) => {
      const wrongRoute = onlyFor(facts, 'listSubmissions');
      if (wrongRoute) return wrongRoute;
      const cursors = facts.query.map((reading) => reading.get('cursor'));
      if (cursors.some((cursor) => cursor === undefined)) return 'no cursor was sent';
      if (cursors.every((cursor) => context.model.cursorOwner(cursor!) === facts.owner)) {
        return `the cursor is one the service issued to ${facts.owner}`;
      }
      return errorsNameExactly(problem, ['cursor']);
    },
  },
  {
    pattern: /^The Idempotency-Key header is malformed\.$/,
    status: 400,
    falseBecause: (facts, _match, problem) =>
      onlyFor(facts, 'createSubmission') ??
      (facts.idempotencyKey === undefined
        ? 'no Idempotency-Key was sent'
        : isWellFormedKey(facts.idempotencyKey)
          ? `${JSON.stringify(facts.idempotencyKey)} is 1–255 printable ASCII characters`
          : undefined) ??
      errorsNameExactly(problem, ['Idempotency-Key']),
  },
  {
    pattern: /^The Idempotency-Key header is not supported on POST \/submissions\/batch\.$/,
    status: 400,
    falseBecause: (facts, _match, problem) =>
      onlyFor(facts, 'createSubmissionBatch') ??
      (facts.idempotencyKey === undefined ? 'no Idempotency-Key was sent' : undefined) ??
      errorsNameExactly(problem, ['Idempotency-Key']),
  },
  {
    pattern: /^There is no (.+)\.$/,
    status: 404,
    falseBecause: (facts, match, _problem, context) =>
      !facts.candidates.includes(match[1]!)
        ? `${match[1]} is not the path sent`
        : context.contract.templateFor(match[1]!) !== undefined
          ? `${match[1]} is a documented path`
          : undefined,
  },
  {
    pattern: /^No submission (.+)\.$/,
    status: 404,
    falseBecause: (facts, match, _problem, context) => {
      const wrongRoute = onlyFor(facts, 'getSubmission', 'getSubmissionContent');
      if (wrongRoute) return wrongRoute;
      const id = match[1]!;
      if (!facts.idCandidates.some((candidate) => candidate.toLowerCase() === id))
        return `${id} is not the id sent`;
      if (!isUuid(id)) return `${id} is not a UUID (a 400, not a 404)`;
      return context.model.submission(id)?.owner === facts.owner ? `${facts.owner} created ${id}` : undefined;
    },
  },
  {
    // Only a content kept apart and left undecided for twice RETENTION_DAYS: never within a fuzz run.
    pattern: /^The content of submission (.+) has expired\.$/,
    status: 410,
    falseBecause: (facts, match, _problem, context) => {
      const wrongRoute = onlyFor(facts, 'getSubmissionContent');
      if (wrongRoute) return wrongRoute;
      const id = match[1]!;
      if (!facts.idCandidates.some((candidate) => candidate.toLowerCase() === id))
        return `${id} is not the id sent`;
      if (context.model.submission(id)?.owner !== facts.owner) return `${facts.owner} did not create ${id}`;
      return 'no submission of a fuzz run stays undecided for twice RETENTION_DAYS';
    },
  },
  {
    pattern: /^(\S+) is not allowed on (.+)\.$/,
    status: 405,
    falseBecause: (facts, match, _problem, context, response) => {
      if (match[1] !== facts.method) return `${match[1]} is not the method sent`;
      if (!facts.candidates.includes(match[2]!) && match[2] !== facts.template)
        return `${match[2]} is not the path sent`;
      if (facts.template === undefined) return `${match[2]} is not a documented path`;
      const allowed = context.contract.methodsOf(facts.template);
      if (allowed.includes(facts.method)) return `${facts.method} is documented on ${facts.template}`;
      return allowHeaderFalse(response, allowed);
    },
  },
  {
    pattern: /^The request body is larger than this service accepts\.$/,
    status: 413,
    falseBecause: (facts, _match, _problem, context) =>
      onlyFor(facts, 'createSubmission', 'createSubmissionBatch') ??
      (facts.body.length > rawCap(facts, context.maxContentBytes)
        ? undefined
        : `the body is ${facts.body.length} bytes, within ${rawCap(facts, context.maxContentBytes)}`),
  },
  {
    pattern: /^content is (\d+) bytes of UTF-8; the limit is (\d+)\.$/,
    status: 413,
    falseBecause: (facts, match, problem, context) => {
      const wrongRoute = onlyFor(facts, 'createSubmission');
      if (wrongRoute) return wrongRoute;
      const content = contentOf(facts);
      if (!isAcceptableContent(content)) return 'the body has no acceptable content';
      const bytes = Buffer.byteLength(content);
      if (Number(match[1]) !== bytes) return `content is ${bytes} bytes`;
      if (Number(match[2]) !== context.maxContentBytes) return `the limit is ${context.maxContentBytes}`;
      if (bytes <= context.maxContentBytes) return `${bytes} bytes are within the limit`;
      return errorsNameExactly(problem, ['content']);
    },
  },
  {
    pattern: /^Some contents exceed (\d+) bytes of UTF-8\.$/,
    status: 413,
    falseBecause: (facts, match, problem, context) => {
      const wrongRoute = onlyFor(facts, 'createSubmissionBatch');
      if (wrongRoute) return wrongRoute;
      if (Number(match[1]) !== context.maxContentBytes) return `the limit is ${context.maxContentBytes}`;
      const oversized = oversizedItems(facts, context.maxContentBytes);
      if (oversized.length === 0) return 'no item exceeds the limit';
      return errorsNameExactly(
        problem,
        oversized.map((index) => `items.${index}.content`),
      );
    },
  },
  {
    pattern: /^Send the body as application\/json, not (.*)\.$/s,
    status: 415,
    falseBecause: (facts, match) =>
      onlyFor(facts, 'createSubmission', 'createSubmissionBatch') ??
      (match[1] !== facts.contentType
        ? `${JSON.stringify(match[1])} is not the Content-Type sent (${JSON.stringify(facts.contentType)})`
        : isJsonMediaType(match[1]!)
          ? `${match[1]} is a JSON media type`
          : undefined),
  },
  {
    pattern:
      /^This Idempotency-Key was already used with a different body; use a new key for a new submission\.$/,
    status: 422,
    falseBecause: (facts, _match, problem, context) => {
      const wrongRoute = onlyFor(facts, 'createSubmission');
      if (wrongRoute) return wrongRoute;
      if (facts.idempotencyKey === undefined) return 'no Idempotency-Key was sent';
      const record = context.model.idempotencyRecord(facts.owner, facts.idempotencyKey);
      if (!record) return `${facts.owner} never used this key`;
      if (record.content === contentOf(facts)) return 'the key was used with this very content';
      return errorsNameExactly(problem, ['Idempotency-Key']);
    },
  },
];

export function allowHeaderFalse(response: WireResponse, allowed: string[]): string | undefined {
  const allow = (response.headers.allow ?? '')
    .split(',')
    .map((method) => method.trim())
    .filter(Boolean);
  return JSON.stringify([...allow].sort()) === JSON.stringify([...allowed].sort())
    ? undefined
    : `Allow says ${JSON.stringify(allow)}, the document gives ${JSON.stringify(allowed)}`;
}
