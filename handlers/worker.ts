import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processBatch } from '../src/application/process-batch';
import { workerApp } from '../src/composition-worker';
import { observeInvocation } from '../src/observability/invocation';

const { processor, logger, metrics, config } = workerApp();

/**
 * SQS → SubmissionProcessor; failed records are reported, the rest are deleted by SQS.
 * WORKER_SAFETY_MARGIN_MS before the timeout the deadline stops the batch, which then
 * reports every record it did not finish; middy's own early timeout is off, since it
 * would answer in the batch's place and lose that report.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>({ timeoutEarlyInMillis: 0 })
  .use(observeInvocation(logger, metrics, 'worker', { safetyMarginMs: config.WORKER_SAFETY_MARGIN_MS }))
  .handler(async (event, context) => {
    const failed = await processBatch(processor, event.Records, logger, {
      concurrency: config.WORKER_CONCURRENCY,
      metrics,
      signal: context.deadline,
    });
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  });
