import * as z from 'zod';
import { createDocument, type ZodOpenApiResponsesObject } from 'zod-openapi';
import {
  batchResult,
  createBatchBody,
  createSubmissionBody,
  idempotencyKey,
  listQuery,
  partlyStoredBatch,
  problem,
  submissionContent,
  submissionId,
  submissionList,
  submissionResource,
} from './schemas';

const header = (description: string, example?: string) =>
  z.string().meta({ description, ...(example ? { example } : {}) });

/** As src/http/response.ts sets it. */
const cacheControl = (value: string, why: string) => header(`\`${value}\`: ${why}`, value);
const noStore = cacheControl('no-store', 'an answer to one request, never reused.');

const problemResponse = (description: string, headers: Record<string, z.ZodType> = {}) => ({
  description,
  headers: z.object({ ...headers, 'Cache-Control': noStore }),
  content: { 'application/problem+json': { schema: problem } },
});

/** The statuses every authenticated operation may answer besides its own. */
const common: ZodOpenApiResponsesObject = {
  '401': problemResponse('No valid bearer token (deployed stages).', {
    'WWW-Authenticate': header('The scheme to authenticate with.', 'Bearer'),
  }),
  '500': problemResponse('The service failed; the request may be retried.'),
};

const EXAMPLE_ID = '0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23';
const privateNoCache = cacheControl('private, no-cache', 'the caller’s own data, revalidated on every use.');
const etag = header(
  'A weak validator that changes when the status, attempts or last update do.',
  'W/"q2n0mZ3k7tP1vGQYt5m1xw"',
);
const retryAfter = header(
  'Seconds to wait before polling again (POLL_RETRY_AFTER_SECONDS); only while PENDING or PROCESSING.',
  '1',
).optional();

const contentEtag = header(
  'A strong validator over the answer’s bytes; the content never changes, so neither does it.',
  '"Xq3LgC0b1d7QvYh2mN4pZw"',
);
const contentCaching = {
  ETag: contentEtag,
  'Cache-Control': cacheControl(
    'private, max-age=86400, immutable',
    'the caller’s own data, which never changes: reused for a day without asking again.',
  ),
  Vary: header('The bearer token: a cached content is reused for the same caller only.', 'Authorization'),
};

/**
 * The methods API Gateway routes to the api function on every path of this document
 * (serverless.yml; a template test holds it to that). It answers any other itself, 404.
 */
export const OPENAPI_ROUTED_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * 405 from src/http/router.ts: the path exists, the method does not, with an `Allow`
 * header listing those that do.
 */
const methodNotAllowed = (allow: string[]) => {
  const refused = OPENAPI_ROUTED_METHODS.filter((method) => !allow.includes(method));
  return problemResponse(
    `${refused.join(', ')} on this path. API Gateway answers methods it does not route (HEAD, OPTIONS, …) itself.`,
    { Allow: header('The methods this path accepts.', allow.join(', ')) },
  );
};

const accepted = (schema: z.ZodType, description: string, headers: Record<string, z.ZodType> = {}) => ({
  description,
  headers: z.object({ 'Cache-Control': noStore, ...headers }),
  content: { 'application/json': { schema } },
});

/**
 * The OpenAPI 3.1 description of the HTTP API, generated from the same zod
 * schemas that parse the requests (src/http/schemas.ts). Served at GET /openapi.json.
 */
function build() {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Submission pipeline',
      version: '1.0.0',
      description:
        'Submit text, then poll until it is PASSED or FAILED. Errors are RFC 9457 problem details.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    security: [{ bearer: [] }],
    paths: {
      '/submissions': {
        post: {
          operationId: 'createSubmission',
          summary: 'Submit content; it is stored as PENDING and decided asynchronously.',
          requestParams: { header: z.object({ 'Idempotency-Key': idempotencyKey.optional() }) },
          requestBody: { content: { 'application/json': { schema: createSubmissionBody } } },
          responses: {
            '202': accepted(submissionResource, 'Accepted: the submission, PENDING.', {
              Location: header('Where to poll the submission.', `/submissions/${EXAMPLE_ID}`),
              'Idempotent-Replayed': header(
                '`true` when a retried Idempotency-Key found its submission already stored.',
                'true',
              ).optional(),
            }),
            '400': problemResponse(
              'Malformed JSON, wrong shape, bad content or a malformed Idempotency-Key.',
            ),
            '413': problemResponse('The content is larger than MAX_CONTENT_BYTES.'),
            '415': problemResponse('The body is not JSON.'),
            '422': problemResponse('The Idempotency-Key was used with a different body.'),
            '405': methodNotAllowed(['GET', 'POST']),
            ...common,
          },
        },
        get: {
          operationId: 'listSubmissions',
          summary: 'The caller’s submissions, newest first.',
          requestParams: { query: listQuery },
          responses: {
            '200': {
              description: 'A page of submissions. No ETag: a listing is always answered in full.',
              headers: z.object({ 'Cache-Control': privateNoCache }),
              content: { 'application/json': { schema: submissionList } },
            },
            '400': problemResponse('A bad limit or status, or a cursor this service did not issue.'),
            '405': methodNotAllowed(['GET', 'POST']),
            ...common,
          },
        },
      },
      '/submissions/batch': {
        post: {
          operationId: 'createSubmissionBatch',
          summary: 'Submit up to 25 contents at once; the batch is validated as a whole first.',
          requestBody: { content: { 'application/json': { schema: createBatchBody } } },
          responses: {
            '202': accepted(batchResult, 'Accepted: one submission per item, in order.'),
            '400': problemResponse(
              'Malformed JSON, wrong shape, a bad item (named by its index), or an Idempotency-Key header (batches are not idempotent).',
            ),
            '413': problemResponse('An item’s content is larger than MAX_CONTENT_BYTES.'),
            '415': problemResponse('The body is not JSON.'),
            '405': methodNotAllowed(['POST']),
            ...common,
            '503': {
              description:
                'DynamoDB kept refusing some items: those in `stored` are accepted and will be decided; `errors` names the items to send again.',
              headers: z.object({
                'Retry-After': header('Seconds to wait before sending the other items again.', '1'),
                'Cache-Control': noStore,
              }),
              content: { 'application/problem+json': { schema: partlyStoredBatch } },
            },
          },
        },
      },
      '/submissions/{id}': {
        get: {
          operationId: 'getSubmission',
          summary:
            'One submission’s state, without its content (GET /submissions/{id}/content); poll until status is PASSED or FAILED.',
          requestParams: {
            path: z.object({ id: submissionId }),
            header: z.object({ 'If-None-Match': z.string().optional() }),
          },
          responses: {
            '200': {
              description:
                'The submission, with its result once decided; never its content, so a poll reads one small item whatever the content’s size.',
              headers: z.object({ ETag: etag, 'Cache-Control': privateNoCache, 'Retry-After': retryAfter }),
              content: { 'application/json': { schema: submissionResource } },
            },
            '304': {
              description: 'Unchanged since the ETag sent in If-None-Match; no body.',
              headers: z.object({ ETag: etag, 'Cache-Control': privateNoCache, 'Retry-After': retryAfter }),
            },
            '400': problemResponse('The id is not a UUID.'),
            '404': problemResponse('No such submission for this caller.'),
            '405': methodNotAllowed(['GET']),
            ...common,
          },
        },
      },
      '/submissions/{id}/content': {
        get: {
          operationId: 'getSubmissionContent',
          summary: 'One submission’s content, exactly as submitted.',
          requestParams: {
            path: z.object({ id: submissionId }),
            header: z.object({ 'If-None-Match': z.string().optional() }),
          },
          responses: {
            '200': {
              description: 'The content. It never changes: the answer may be reused for a day.',
              headers: z.object(contentCaching),
              content: { 'application/json': { schema: submissionContent } },
            },
            '304': {
              description: 'The ETag sent in If-None-Match matches; no body.',
              headers: z.object(contentCaching),
            },
            '400': problemResponse('The id is not a UUID.'),
            '404': problemResponse('No such submission for this caller.'),
            '405': methodNotAllowed(['GET']),
            '410': problemResponse(
              'The content expired before the submission was decided (it is kept twice RETENTION_DAYS); the submission remains.',
            ),
            ...common,
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'describeApi',
          summary: 'This document.',
          security: [],
          responses: {
            '200': {
              description: 'The OpenAPI 3.1 document.',
              headers: z.object({
                'Cache-Control': cacheControl('public, max-age=300', 'the same for every caller.'),
              }),
              content: {
                'application/json': {
                  schema: z.looseObject({ openapi: z.string(), paths: z.looseObject({}) }),
                },
              },
            },
            '405': methodNotAllowed(['GET']),
          },
        },
      },
    },
  });
}

let document: ReturnType<typeof build> | undefined;

export function openApiDocument() {
  document ??= build();
  return document;
}
