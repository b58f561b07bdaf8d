import * as z from 'zod';
import { PROCESSING_ERROR_CODES, SUBMISSION_STATUSES } from '../domain/submission';

/**
 * The HTTP contract as zod schemas: requests are parsed with them, and the
 * OpenAPI document is generated from them, so the two cannot drift.
 */

/** C0 control characters other than tab, line feed and carriage return. */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

export const MAX_BATCH_ITEMS = 25;

export const content = z
  .string({ error: 'content must be a string' })
  .min(1, { error: 'content must not be empty' })
  .refine((text) => text.isWellFormed(), { error: 'content must be valid Unicode (no lone surrogates)' })
  .refine((text) => !CONTROL_CHARACTER.test(text), {
    error: 'content must not contain control characters other than tab and line breaks',
  })
  // U+FFFD is what invalid UTF-8 becomes when a proxy decodes the body before us.
  .refine((text) => !text.includes('\ufffd'), {
    error: 'content must be valid UTF-8 (U+FFFD, the mark of undecodable bytes, is refused)',
  })
  .meta({
    description: 'The text to validate: at most MAX_CONTENT_BYTES (64 KiB) of UTF-8.',
    example: 'This contains number 42',
  });

export const createSubmissionBody = z.strictObject({ content }).meta({ id: 'CreateSubmission' });
export type CreateSubmissionBody = z.infer<typeof createSubmissionBody>;

export const createBatchBody = z
  .strictObject({
    items: z
      .array(createSubmissionBody, { error: 'items must be an array of {"content": "..."}' })
      .min(1, { error: 'items must hold at least one submission' })
      .max(MAX_BATCH_ITEMS, { error: `items must hold at most ${MAX_BATCH_ITEMS} submissions` }),
  })
  .meta({
    id: 'CreateSubmissionBatch',
    example: { items: [{ content: 'first 1st' }, { content: 'second' }] },
  });
export type CreateBatchBody = z.infer<typeof createBatchBody>;

export const submissionId = z
  .uuid({ error: 'id must be a UUID' })
  .meta({ description: 'The submission id', example: '6b0e6f0e-5d7c-4f55-9a7e-0a4c1f0b9b1d' });

export const status = z.enum(SUBMISSION_STATUSES);

export const listQuery = z.strictObject({
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int({ error: 'limit must be a whole number' })
    .min(1, { error: 'limit must be at least 1' })
    .max(100, { error: 'limit must be at most 100' })
    .default(20)
    .meta({ description: 'Page size, 1–100 (default 20).' }),
  cursor: z
    .string()
    .min(1, { error: 'cursor must not be empty' })
    .max(2048, { error: 'cursor is too long' })
    .optional()
    .meta({ description: 'The `nextCursor` of the previous page, unchanged.' }),
  status: status
    .optional()
    .meta({ description: 'Only submissions in this status (pages may then hold fewer than `limit`).' }),
});
export type ListQuery = z.infer<typeof listQuery>;

/** 1–255 printable ASCII characters. */
export const idempotencyKey = z
  .string()
  .regex(/^[\u0020-\u007e]{1,255}$/, { error: 'Idempotency-Key must be 1–255 printable ASCII characters' })
  .meta({
    description:
      'Makes a POST safe to retry: the same key and body return the same submission for 24 h; the same key with another body is refused (422).',
    example: 'order-7f3a-attempt',
  });

const ruleOutcome = z.object({
  rule: z.string().meta({ description: 'The rule’s id in its rule set.' }),
  type: z.string().optional().meta({ description: 'The rule type, e.g. minLength.' }),
  passed: z.boolean(),
  message: z.string().meta({ description: 'Why the rule passed or failed, in words.' }),
  measured: z
    .string()
    .optional()
    .meta({ description: 'What the rule measured, e.g. "length 7, minimum 10".' }),
});

const ruleSetReference = z
  .object({ id: z.string(), version: z.number().int().positive() })
  .meta({ description: 'The rule set (and its version) that decided.' });

export const submissionResource = z
  .object({
    id: submissionId,
    status: status,
    attempts: z.number().int().nonnegative(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    processingStartedAt: z.iso.datetime().optional(),
    completedAt: z.iso.datetime().optional(),
    result: z
      .object({
        verdict: z.enum(['PASSED', 'FAILED']),
        ruleSet: ruleSetReference.optional(),
        reusedFrom: z
          .string()
          .optional()
          .meta({ description: 'The earlier submission whose verdict was reused (a `duplicate` rule).' }),
        rules: z.array(ruleOutcome),
      })
      .optional()
      .meta({ description: 'The rule set’s verdict, once decided on the content.' }),
    error: z
      .object({ code: z.enum(PROCESSING_ERROR_CODES), message: z.string() })
      .optional()
      .meta({ description: 'Why the submission could not be processed (status FAILED without a verdict).' }),
  })
  .meta({
    id: 'Submission',
    description:
      'A submission’s state and verdict, never its content: a status poll reads one small item whatever the content’s size. The content is at GET /submissions/{id}/content.',
    example: {
      id: '6b0e6f0e-5d7c-4f55-9a7e-0a4c1f0b9b1d',
      status: 'PASSED',
      attempts: 1,
      createdAt: '2026-11-29T05:09:47.770Z',
      updatedAt: '2026-11-29T05:09:48.186Z',
      processingStartedAt: '2026-11-29T05:09:48.015Z',
      completedAt: '2026-11-29T05:09:48.186Z',
      result: {
        verdict: 'PASSED',
        ruleSet: { id: 'default', version: 1 },
        rules: [
          {
            rule: 'minLength',
            type: 'minLength',
            passed: true,
            message: 'Content is 23 characters long (minimum 10).',
            measured: 'length 23, minimum 10',
          },
          {
            rule: 'requireDigit',
            type: 'requireDigit',
            passed: true,
            message: 'Content contains a digit.',
            measured: 'digits (0-9) 2, minimum 1',
          },
        ],
      },
    },
  });
export type SubmissionResource = z.infer<typeof submissionResource>;

export const submissionContent = z
  .object({
    id: submissionId,
    content: z.string().meta({ description: 'The content exactly as it was submitted.' }),
  })
  .meta({
    id: 'SubmissionContent',
    description: 'A submission’s content; it never changes.',
    example: { id: '6b0e6f0e-5d7c-4f55-9a7e-0a4c1f0b9b1d', content: 'This contains number 42' },
  });
export type SubmissionContentResource = z.infer<typeof submissionContent>;

export const submissionList = z
  .object({
    items: z.array(submissionResource),
    nextCursor: z.string().optional().meta({ description: 'Absent on the last page.' }),
  })
  .meta({ id: 'SubmissionList' });

export const batchResult = z.object({ items: z.array(submissionResource) }).meta({ id: 'SubmissionBatch' });

export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({
    id: 'Problem',
    description: 'RFC 9457 problem details.',
    example: {
      type: 'https://httpstatuses.io/400',
      title: 'Bad Request',
      status: 400,
      detail: 'The request body is not a valid submission.',
      instance: '/submissions',
      errors: [{ field: 'content', message: 'content must not be empty' }],
    },
  });

/** The 503 of a batch stored in part: the problem, and the items that were stored, by index. */
export const partlyStoredBatch = problem
  .extend({
    stored: z.array(z.object({ index: z.number().int(), submission: submissionResource })),
  })
  .meta({
    id: 'PartlyStoredBatch',
    description: 'RFC 9457 problem details, with the items that were stored.',
  });
