import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { SubmissionContent, SubmissionState } from '../application/submissions';
import { isTerminal } from '../domain/submission';
import type { SubmissionPage } from '../ports/submission-store';
import type { HttpProblem } from './problem';

type Response = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * What a client sees of a submission: never the owner or the lease token, and never the
 * content, which has a resource of its own (submissionContentFound).
 */
export function submissionResource(submission: SubmissionState) {
  return {
    id: submission.id,
    status: submission.status,
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
export function accepted(submission: SubmissionState, replayed = false): Response {
  return {
    statusCode: 202,
    headers: {
      'content-type': JSON_TYPE,
      location: `/submissions/${submission.id}`,
      'cache-control': 'no-store',
      ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
    },
    body: JSON.stringify(submissionResource(submission)),
  };
}

export function batchAccepted(submissions: SubmissionState[]): Response {
  return {
    statusCode: 202,
    headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store' },
    body: JSON.stringify({ items: submissions.map((submission) => submissionResource(submission)) }),
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
function etagOf(submission: SubmissionState): string {
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
  submission: SubmissionState,
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
    body: JSON.stringify(submissionResource(submission)),
  };
}

/** How long a client may reuse a content answer without asking again: a day. */
export const CONTENT_MAX_AGE_SECONDS = 86_400;

/**
 * 200 with the submission's content, or 304 when the client's ETag matches. A content
 * never changes, so the answer is cacheable (by the caller's own cache only: `private`,
 * and varying with the bearer token so a shared browser never serves it to another
 * user); the strong ETag is over the body's bytes.
 */
export function submissionContentFound(found: SubmissionContent, ifNoneMatch: string | undefined): Response {
  const body = JSON.stringify({ id: found.id, content: found.content });
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  const headers: Record<string, string> = {
    etag,
    'cache-control': `private, max-age=${CONTENT_MAX_AGE_SECONDS}, immutable`,
    vary: 'Authorization',
  };
  if (matches(ifNoneMatch, etag)) return { statusCode: 304, headers };
  return { statusCode: 200, headers: { ...headers, 'content-type': JSON_TYPE }, body };
}

export function submissionList(page: SubmissionPage): Response {
  return {
    statusCode: 200,
    headers: { 'content-type': JSON_TYPE, 'cache-control': 'private, no-cache' },
    body: JSON.stringify({
      items: page.items.map((submission) => submissionResource(submission)),
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
