import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BatchPartlyStoredError, IdempotencyConflictError, InvalidCursorError } from '../domain/errors';
import { describeError, type Logger } from '../ports/logger';
import { badRequest, HttpProblem, unprocessable } from './problem';
import { problemResponse, submissionResource } from './response';
import { SECURITY_HEADERS } from './security-headers';

/** Maps what handlers throw to problem+json. Only < 500 details reach the client. */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof InvalidCursorError) {
    return badRequest(error.message, [{ field: 'cursor', message: error.message }]);
  }
  if (error instanceof BatchPartlyStoredError) return partlyStored(error);
  if (error instanceof IdempotencyConflictError) {
    return unprocessable(error.message, [{ field: 'Idempotency-Key', message: error.message }]);
  }
  // middy's createError (e.g. the router's 404 for an unknown route).
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = (error as { message?: unknown }).message;
    const title = typeof message === 'string' && message ? message : 'Request refused';
    return new HttpProblem(status, title, title);
  }
  return new HttpProblem(500, 'Internal Server Error', 'The request could not be completed; try again.');
}

export function problemDetails(
  logger: Logger,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: async (request) => {
      const problem = toProblem(request.error);
      const path = request.event.rawPath;
      if (problem.status >= 500) {
        logger.error('request failed', { path, error: describeError(request.error) });
      } else {
        logger.info('request refused', { path, status: problem.status, title: problem.title });
      }
      request.response = problemResponse(problem, path);
    },
  };
}

/** Adds SECURITY_HEADERS to every API response, errors included. */
export function securityHeaders(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const apply = async (request: { response?: APIGatewayProxyStructuredResultV2 | null }) => {
    if (!request.response) return;
    request.response.headers = { ...request.response.headers, ...SECURITY_HEADERS };
  };
  return { after: apply, onError: apply };
}

/**
 * 503 for a batch DynamoDB stored only in part: the stored items are accepted (they will
 * be decided) and listed with their index; `errors` names each item to send again.
 */
function partlyStored({ stored, notStored }: BatchPartlyStoredError): HttpProblem {
  return new HttpProblem(
    503,
    'Service Unavailable',
    `${stored.length} of ${stored.length + notStored.length} items were stored and will be decided; ` +
      'send the others again (without the stored ones).',
    notStored.map((index) => ({ field: `items.${index}`, message: 'not stored; send this item again' })),
    { 'retry-after': '1' },
    {
      stored: stored.map(({ index, submission }) => ({
        index,
        submission: submissionResource(submission),
      })),
    },
  );
}
