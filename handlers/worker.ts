import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processBatch } from '../src/application/process-batch';
import { app } from '../src/composition';

const { processor, logger } = app();

/** SQS → SubmissionProcessor; failed records are reported, the rest are deleted by SQS. */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failed = await processBatch(processor, event.Records, logger);
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
};
