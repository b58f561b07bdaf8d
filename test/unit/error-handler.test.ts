import type { Request } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  BatchPartlyStoredError,
  IdempotencyConflictError,
  InvalidCursorError,
} from '../../src/domain/errors';
import { problemDetails, toProblem } from '../../src/http/error-handler';
import { badRequest, HttpProblem } from '../../src/http/problem';
import type { LogFields, Logger } from '../../src/ports/logger';

const SECRET = 'arn:aws:dynamodb:eu-west-1:123456789012:table/internal-table';

/** What middy's `createError(status, message)` produces. */
const httpError = (statusCode: number, message: string) => Object.assign(new Error(message), { statusCode });

describe('toProblem', () => {
  it('passes an HttpProblem through unchanged', () => {
    // Prepare
    const problem = badRequest('bad', [{ field: 'content', message: 'content must not be empty' }]);

    // Act
    const mapped = toProblem(problem);

    // Assess
    expect(mapped).toBe(problem);
  });

  it('maps InvalidCursorError to 400 naming cursor', () => {
    // Act
    const problem = toProblem(new InvalidCursorError());

    // Assess
    expect(problem.status).toBe(400);
    expect(problem.errors?.map((error) => error.field)).toEqual(['cursor']);
  });

  it('maps IdempotencyConflictError to 422 naming Idempotency-Key', () => {
    // Act
    const problem = toProblem(new IdempotencyConflictError());

    // Assess
    expect(problem.status).toBe(422);
    expect(problem.errors?.map((error) => error.field)).toEqual(['Idempotency-Key']);
  });

  it('maps a batch stored in part to 503 listing the stored items by index and naming the others', () => {
    // Prepare
    const stored = {
      id: '3f2b8c1e-9a4d-4e7b-8c2d-1a2b3c4d5e6f',
      owner: 'alice',
      content: 'two 2',
      status: 'PENDING' as const,
      attempts: 0,
      createdAt: '2026-01-01T00:00:00.001Z',
      updatedAt: '2026-01-01T00:00:00.001Z',
    };

    // Act
    const problem = toProblem(new BatchPartlyStoredError([{ index: 1, submission: stored }], [0, 2]));

    // Assess
    expect(problem.status).toBe(503);
    expect(problem.headers).toEqual({ 'retry-after': '1' });
    expect(problem.detail).toBe(
      '1 of 3 items were stored and will be decided; send the others again (without the stored ones).',
    );
    expect(problem.errors?.map((error) => error.field)).toEqual(['items.0', 'items.2']);
    expect(problem.toBody('/submissions/batch')).toMatchObject({
      stored: [{ index: 1, submission: { id: stored.id, status: 'PENDING', attempts: 0 } }],
    });
    expect(JSON.stringify(problem.toBody())).not.toContain('alice');
  });

  it.each([
    [404, 'Route does not exist'],
    [405, 'Method not allowed'],
  ])('keeps a client error with statusCode %i and its message', (statusCode, message) => {
    // Act
    const problem = toProblem(httpError(statusCode, message));

    // Assess
    expect(problem).toBeInstanceOf(HttpProblem);
    expect(problem.status).toBe(statusCode);
    expect(problem.detail).toBe(message);
  });

  it.each([
    { name: 'a plain Error', error: new Error(`ValidationException on ${SECRET}`) },
    { name: 'a TypeError', error: new TypeError(`Cannot read properties of undefined (${SECRET})`) },
    { name: 'an error carrying statusCode 500', error: httpError(500, `Internal: ${SECRET}`) },
    { name: 'an error carrying statusCode 503', error: httpError(503, `Unavailable: ${SECRET}`) },
    { name: 'a thrown string', error: `boom ${SECRET}` },
    { name: 'undefined', error: undefined },
    { name: 'null', error: null },
  ])('maps $name to a generic 500 that does not leak its message', ({ error }) => {
    // Act
    const problem = toProblem(error);

    // Assess
    expect(problem.status).toBe(500);
    expect(problem.title).toBe('Internal Server Error');
    expect(JSON.stringify(problem.toBody())).not.toContain(SECRET);
  });
});

describe('problemDetails middleware', () => {
  function recordingLogger() {
    const lines: { level: string; message: string; fields?: LogFields }[] = [];
    const logger: Logger = {
      info: (message, fields) => lines.push({ level: 'info', message, fields }),
      warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
      error: (message, fields) => lines.push({ level: 'error', message, fields }),
    };
    return { logger, lines };
  }

  function failedRequest(error: unknown): Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
    return {
      event: { rawPath: '/submissions' } as APIGatewayProxyEventV2,
      context: {} as Context,
      response: null,
      error: error as Error,
      internal: {},
    };
  }

  it.each([
    { name: 'a client error', error: badRequest('content must not be empty'), status: 400, level: 'info' },
    { name: 'an unexpected error', error: new Error(SECRET), status: 500, level: 'error' },
  ])('answers $name with problem+json and logs it at $level', async ({ error, status, level }) => {
    // Prepare
    const { logger, lines } = recordingLogger();
    const request = failedRequest(error);

    // Act
    await problemDetails(logger).onError?.(request);

    // Assess
    expect(request.response?.statusCode).toBe(status);
    expect(request.response?.headers?.['content-type']).toMatch(/^application\/problem\+json/);
    expect(request.response?.body).not.toContain(SECRET);
    expect(lines.map((line) => line.level)).toEqual([level]);
  });
});
