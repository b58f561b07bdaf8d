import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { cursorKeySource } from '../src/adapters/secrets-manager/cursor-key';
import { app } from '../src/composition';
import { cursorSecret } from '../src/config/env';
import { CursorSigner } from '../src/http/cursor-signature';
import { problemDetails, securityHeaders } from '../src/http/error-handler';
import { openApiDocument } from '../src/http/openapi';
import { gone, notFound } from '../src/http/problem';
import {
  ifNoneMatch,
  ownerOf,
  parseCreateBatch,
  parseCreateSubmission,
  parseIdempotencyKey,
  parseListQuery,
  parseSubmissionId,
  refuseIdempotencyKey,
} from '../src/http/request';
import {
  accepted,
  batchAccepted,
  json,
  submissionContentFound,
  submissionFound,
  submissionList,
} from '../src/http/response';
import { router } from '../src/http/router';
import { observeInvocation } from '../src/observability/invocation';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

const { config, submissions, logger, metrics } = app();
const cursorKey = cursorKeySource(cursorSecret(config));
const owner = (event: Event) => ownerOf(event, { mode: config.AUTH_MODE, devOwner: config.DEFAULT_OWNER });

async function createSubmission(event: Event): Promise<Result> {
  const caller = owner(event);
  const { content } = parseCreateSubmission(event, config.MAX_CONTENT_BYTES);
  const key = parseIdempotencyKey(event);
  const { submission, replayed } = key
    ? await submissions.acceptIdempotently(caller, content, key)
    : { submission: await submissions.acceptSubmission(caller, content), replayed: false };
  logger.info(replayed ? 'submission replayed' : 'submission accepted', { correlationId: submission.id });
  if (!replayed) metrics.count('SubmissionsAccepted');
  return accepted(submission, replayed);
}

async function createBatch(event: Event): Promise<Result> {
  const caller = owner(event);
  refuseIdempotencyKey(event);
  const { items } = parseCreateBatch(event, config.MAX_CONTENT_BYTES);
  const accepted = await submissions.acceptBatch(
    caller,
    items.map((item) => item.content),
  );
  for (const submission of accepted) logger.info('submission accepted', { correlationId: submission.id });
  logger.info('batch accepted', { count: accepted.length });
  metrics.count('SubmissionsAccepted', accepted.length);
  metrics.measure('ApiBatchSize', accepted.length);
  return batchAccepted(accepted);
}

async function getSubmission(event: Event): Promise<Result> {
  const caller = owner(event);
  const id = parseSubmissionId(event);
  const submission = await submissions.getSubmission(caller, id);
  if (!submission) throw notFound(`No submission ${id}.`);
  return submissionFound(submission, ifNoneMatch(event), config.POLL_RETRY_AFTER_SECONDS);
}

async function getSubmissionContent(event: Event): Promise<Result> {
  const caller = owner(event);
  const id = parseSubmissionId(event);
  const found = await submissions.getSubmissionContent(caller, id);
  if (!found) throw notFound(`No submission ${id}.`);
  if (found === 'expired') throw gone(`The content of submission ${id} has expired.`);
  return submissionContentFound(found, ifNoneMatch(event));
}

async function listSubmissions(event: Event): Promise<Result> {
  const caller = owner(event);
  const { limit, cursor, status } = parseListQuery(event);
  const cursors = new CursorSigner(await cursorKey());
  const page = await submissions.listSubmissions(caller, limit, cursor && cursors.verify(cursor), status);
  return submissionList({ ...page, nextCursor: page.nextCursor && cursors.sign(page.nextCursor) });
}

async function describeApi(): Promise<Result> {
  return json(openApiDocument(), 'public, max-age=300');
}

export const handler = middy<Event, Result>()
  .use(observeInvocation(logger, metrics, 'api'))
  .use(securityHeaders())
  .use(problemDetails(logger))
  .handler(
    router([
      { method: 'POST', path: '/submissions', handler: createSubmission },
      { method: 'POST', path: '/submissions/batch', handler: createBatch },
      { method: 'GET', path: '/submissions/{id}', handler: getSubmission },
      { method: 'GET', path: '/submissions/{id}/content', handler: getSubmissionContent },
      { method: 'GET', path: '/submissions', handler: listSubmissions },
      { method: 'GET', path: '/openapi.json', handler: describeApi },
    ]),
  );
