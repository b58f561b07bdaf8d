import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { app } from '../src/composition';
import { problemDetails } from '../src/http/error-handler';
import { notFound } from '../src/http/problem';
import {
  ifNoneMatch,
  ownerOf,
  parseCreateSubmission,
  parseListQuery,
  parseSubmissionId,
} from '../src/http/request';
import { accepted, submissionFound, submissionList } from '../src/http/response';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

const { config, submissions, logger } = app();
const owner = (event: Event) => ownerOf(event, config.DEFAULT_OWNER);

async function createSubmission(event: Event): Promise<Result> {
  const { content } = parseCreateSubmission(event, config.MAX_CONTENT_BYTES);
  const submission = await submissions.acceptSubmission(owner(event), content);
  logger.info('submission accepted', { submissionId: submission.id });
  return accepted(submission);
}

async function getSubmission(event: Event): Promise<Result> {
  const id = parseSubmissionId(event);
  const submission = await submissions.getSubmission(owner(event), id);
  if (!submission) throw notFound(`No submission ${id}.`);
  return submissionFound(submission, ifNoneMatch(event), config.POLL_RETRY_AFTER_SECONDS);
}

async function listSubmissions(event: Event): Promise<Result> {
  const { limit, cursor } = parseListQuery(event);
  return submissionList(await submissions.listSubmissions(owner(event), limit, cursor));
}

export const handler = middy<Event, Result>()
  .use(problemDetails(logger))
  .handler(
    httpRouterHandler<Event, Result>([
      { method: 'POST', path: '/submissions', handler: createSubmission },
      { method: 'GET', path: '/submissions/{id}', handler: getSubmission },
      { method: 'GET', path: '/submissions', handler: listSubmissions },
    ]),
  );
