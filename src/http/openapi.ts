import { z } from 'zod';
import { createDocument, type ZodOpenApiResponsesObject } from 'zod-openapi';
import {
  batchResult,
  createBatchBody,
  createSubmissionBody,
  idempotencyKey,
  listQuery,
  problem,
  submissionId,
  submissionList,
  submissionResource,
} from './schemas';

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problem } },
});

/** The statuses every authenticated operation may answer besides its own. */
const common: ZodOpenApiResponsesObject = {
  '401': problemResponse('No valid bearer token (deployed stages).'),
  '500': problemResponse('The service failed; the request may be retried.'),
};

const header = (description: string) => z.string().meta({ description });

const accepted = (schema: z.ZodType, description: string) => ({
  description,
  headers: z.object({
    Location: header('Where to poll the submission (single submissions only).').optional(),
    'Idempotent-Replayed': header('`true` when this answers a retried Idempotency-Key.').optional(),
  }),
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
            '202': accepted(submissionResource, 'Accepted: the submission, PENDING.'),
            '400': problemResponse(
              'Malformed JSON, wrong shape, bad content or a malformed Idempotency-Key.',
            ),
            '413': problemResponse('The content is larger than MAX_CONTENT_BYTES.'),
            '415': problemResponse('The body is not JSON.'),
            '422': problemResponse('The Idempotency-Key was used with a different body.'),
            ...common,
          },
        },
        get: {
          operationId: 'listSubmissions',
          summary: 'The caller’s submissions, newest first.',
          requestParams: { query: listQuery },
          responses: {
            '200': {
              description: 'A page of submissions.',
              content: { 'application/json': { schema: submissionList } },
            },
            '400': problemResponse('A bad limit or status, or a cursor this service did not issue.'),
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
            '400': problemResponse('Malformed JSON, wrong shape, or a bad item (named by its index).'),
            '413': problemResponse('An item’s content is larger than MAX_CONTENT_BYTES.'),
            '415': problemResponse('The body is not JSON.'),
            ...common,
          },
        },
      },
      '/submissions/{id}': {
        get: {
          operationId: 'getSubmission',
          summary: 'One submission; poll until status is PASSED or FAILED.',
          requestParams: {
            path: z.object({ id: submissionId }),
            header: z.object({ 'If-None-Match': z.string().optional() }),
          },
          responses: {
            '200': {
              description: 'The submission, with its result once decided.',
              headers: z.object({
                ETag: header('Changes when the submission does.'),
                'Retry-After': header(
                  'Seconds to wait before polling again; absent once decided.',
                ).optional(),
              }),
              content: { 'application/json': { schema: submissionResource } },
            },
            '304': { description: 'Unchanged since the ETag sent in If-None-Match.' },
            '400': problemResponse('The id is not a UUID.'),
            '404': problemResponse('No such submission for this caller.'),
            ...common,
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'describeApi',
          summary: 'This document.',
          security: [],
          responses: { '200': { description: 'The OpenAPI 3.1 document.' } },
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
