import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Submission } from '../domain/submission';
import { isTerminal } from '../domain/submission';
import type { SubmissionPage } from '../ports/submission-store';
import type { HttpProblem } from './problem';

type Response = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };

const JSON_TYPE = 'application/json; charset=utf-8';

/** What a client sees of a submission: never the owner or the lease token. */
export function submissionResource(submission: Submission, withContent: boolean) {
  return {
    id: submission.id,
    status: submission.status,
    ...(withContent ? { content: submission.content } : {}),
    attempts: submission.attempts,
    createdAt: submission.createdAt,
    updatedAt: submission.updatedAt,
    ...(submission.processingStartedAt ? { processingStartedAt: submission.processingStartedAt } : {}),
    ...(submission.completedAt ? { completedAt: submission.completedAt } : {}),
    ...(submission.result ? { result: submission.result } : {}),
    ...(submission.error ? { error: submission.error } : {}),
  };
}

/** 202 with the submission; `replayed` marks the answer to a retried Idempotency-Key. */
export function accepted(submission: Submission, replayed = false): Response {
  return {
    statusCode: 202,
    headers: {
      'content-type': JSON_TYPE,
      location: `/submissions/${submission.id}`,
      'cache-control': 'no-store',
      ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
    },
    body: JSON.stringify(submissionResource(submission, false)),
  };
}

export function batchAccepted(submissions: Submission[]): Response {
  return {
    statusCode: 202,
    headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store' },
    body: JSON.stringify({ items: submissions.map((submission) => submissionResource(submission, false)) }),
  };
}

export function json(body: unknown, cacheControl = 'no-cache'): Response {
  return {
    statusCode: 200,
    headers: { 'content-type': JSON_TYPE, 'cache-control': cacheControl },
    body: JSON.stringify(body),
  };
}

/** A weak validator over what a poller cares about: status and the last change. */
function etagOf(submission: Submission): string {
  const digest = createHash('sha256')
    .update(`${submission.id}|${submission.status}|${submission.updatedAt}|${submission.attempts}`)
    .digest('base64url')
    .slice(0, 22);
  return `W/"${digest}"`;
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => bare(tag) === bare(etag));
}

/**
 * 200 with the submission, or 304 when the poller's ETag still matches. While the
 * submission is not terminal, `Retry-After` tells the poller when to come back.
 */
export function submissionFound(
  submission: Submission,
  ifNoneMatch: string | undefined,
  retryAfterSeconds: number,
): Response {
  const etag = etagOf(submission);
  const headers: Record<string, string> = {
    etag,
    'cache-control': 'private, no-cache',
    ...(isTerminal(submission.status) ? {} : { 'retry-after': String(retryAfterSeconds) }),
  };
  if (matches(ifNoneMatch, etag)) return { statusCode: 304, headers };
  return {
    statusCode: 200,
    headers: { ...headers, 'content-type': JSON_TYPE },
    body: JSON.stringify(submissionResource(submission, true)),
  };
}

export function submissionList(page: SubmissionPage): Response {
  return {
    statusCode: 200,
    headers: { 'content-type': JSON_TYPE, 'cache-control': 'private, no-cache' },
    body: JSON.stringify({
      items: page.items.map((submission) => submissionResource(submission, false)),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    }),
  };
}

export function problemResponse(problem: HttpProblem, instance?: string): Response {
  return {
    statusCode: problem.status,
    headers: {
      'content-type': 'application/problem+json; charset=utf-8',
      'cache-control': 'no-store',
      ...problem.headers,
    },
    body: JSON.stringify(problem.toBody(instance)),
  };
}
