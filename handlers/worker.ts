import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processBatch } from '../src/application/process-batch';
import { workerApp } from '../src/composition-worker';
import { addLambdaContext } from '../src/observability/powertools';

const { processor, logger, metrics, config } = workerApp();

/** SQS → SubmissionProcessor; failed records are reported, the rest are deleted by SQS. */
export const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
  addLambdaContext(logger, context);
  try {
    const failed = await processBatch(processor, event.Records, logger, {
      concurrency: config.WORKER_CONCURRENCY,
      safetyMarginMs: config.WORKER_SAFETY_MARGIN_MS,
      remainingTimeMs: context ? () => context.getRemainingTimeInMillis() : undefined,
      metrics,
    });
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  } finally {
    metrics.publish('worker');
  }
};
