import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { observeInvocation, startInvocation } from '../../src/observability/invocation';
import { createLogger, createMetrics, PowertoolsMetricsSink } from '../../src/observability/powertools';
import { captureOutput } from '../helpers/output-capture';

const settings = {
  LOG_LEVEL: 'INFO',
  POWERTOOLS_SERVICE_NAME: 'submissions',
  POWERTOOLS_METRICS_NAMESPACE: 'SubmissionPipeline',
} as const;

/** A Lambda context with `remainingMs` left whenever asked (time stands still under fake timers). */
function lambdaContext(remainingMs: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'submissions-test-worker',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:submissions-test-worker',
    memoryLimitInMB: '512',
    awsRequestId: 'request-1',
    logGroupName: '/aws/lambda/submissions-test-worker',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function observability() {
  return { logger: createLogger(settings), metrics: new PowertoolsMetricsSink(createMetrics(settings)) };
}

describe('one run of a function, observed (src/observability/invocation.ts)', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  describe('startInvocation', () => {
    it('aborts the deadline safetyMarginMs before the Lambda timeout, with a TimeoutError', () => {
      vi.useFakeTimers();
      captureOutput();
      const { logger, metrics } = observability();

      const run = startInvocation(logger, metrics, 'worker', {
        context: lambdaContext(1_000),
        safetyMarginMs: 200,
      });
      vi.advanceTimersByTime(799);
      const before = run.deadline.aborted;
      vi.advanceTimersByTime(1);

      expect(before).toBe(false);
      expect(run.deadline.aborted).toBe(true);
      expect(run.deadline.reason).toMatchObject({ name: 'TimeoutError' });
      run.end();
    });

    it('aborts the deadline when `stop` does, with its reason; without a context it has no timer', () => {
      vi.useFakeTimers();
      captureOutput();
      const { logger, metrics } = observability();
      const shutdown = new AbortController();

      const run = startInvocation(logger, metrics, 'standalone-worker', { stop: shutdown.signal });
      vi.advanceTimersByTime(24 * 60 * 60_000);
      const beforeStop = run.deadline.aborted;
      shutdown.abort(new Error('SIGTERM'));

      expect(beforeStop).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
      expect(run.deadline.aborted).toBe(true);
      expect(run.deadline.reason).toEqual(new Error('SIGTERM'));
      expect(run.deadline.reason).not.toMatchObject({ name: 'TimeoutError' });
      run.end();
    });

    it('starts aborted when `stop` already is', () => {
      captureOutput();
      const { logger, metrics } = observability();

      const run = startInvocation(logger, metrics, 'standalone-worker', { stop: AbortSignal.abort() });

      expect(run.deadline.aborted).toBe(true);
      run.end();
    });

    it('on end, clears the deadline and publishes what the run recorded as one line named after the function', () => {
      vi.useFakeTimers();
      const output = captureOutput();
      const { logger, metrics } = observability();
      const shutdown = new AbortController();

      const run = startInvocation(logger, metrics, 'standalone-worker', {
        context: lambdaContext(1_000),
        stop: shutdown.signal,
      });
      metrics.count('SubmissionsPassed', 2);
      run.end();
      vi.advanceTimersByTime(10_000);
      shutdown.abort();

      expect(run.deadline.aborted).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
      expect(output.emf()).toEqual([
        expect.objectContaining({ function: 'standalone-worker', SubmissionsPassed: 2 }),
      ]);
    });
  });

  describe('observeInvocation (middy)', () => {
    it('puts the Lambda context on the handler’s lines and the deadline on its context, and publishes after it', async () => {
      const output = captureOutput();
      const { logger, metrics } = observability();
      let deadline: AbortSignal | undefined;
      const handler = middy<unknown, string>({ timeoutEarlyInMillis: 0 })
        .use(observeInvocation(logger, metrics, 'worker', { safetyMarginMs: 200 }))
        .handler(async (_event, context) => {
          deadline = context.deadline;
          logger.info('inside', { correlationId: 'id-1' });
          metrics.count('SubmissionsPassed');
          return 'done';
        });

      const result = await handler({}, lambdaContext(30_000));

      expect(result).toBe('done');
      expect(deadline).toBeInstanceOf(AbortSignal);
      expect(deadline?.aborted).toBe(false);
      expect(output.logs()).toEqual([
        expect.objectContaining({
          message: 'inside',
          correlationId: 'id-1',
          function_name: 'submissions-test-worker',
          function_request_id: 'request-1',
        }),
      ]);
      expect(output.emf()).toEqual([expect.objectContaining({ function: 'worker', SubmissionsPassed: 1 })]);
    });

    it('publishes when the handler throws, and leaves the lines alone without a Lambda context', async () => {
      const output = captureOutput();
      const { logger, metrics } = observability();
      const handler = middy<unknown, void>()
        .use(observeInvocation(logger, metrics, 'reaper'))
        .handler(async () => {
          logger.info('inside');
          metrics.count('ReaperResets');
          throw new Error('store unavailable');
        });

      await expect(handler(undefined, {} as Context)).rejects.toThrow('store unavailable');

      expect(output.logs()).toEqual([expect.objectContaining({ message: 'inside' })]);
      expect(output.logs()[0]).not.toHaveProperty('function_name');
      expect(output.emf()).toEqual([expect.objectContaining({ function: 'reaper', ReaperResets: 1 })]);
    });
  });
});
