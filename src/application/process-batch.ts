import type { Logger } from '../observability/logger';
import { describeError } from '../observability/logger';
import { decodeSubmissionMessage } from './submission-message';
import type { SubmissionProcessor } from './submission-processor';

export interface QueueRecord {
  messageId: string;
  body: string;
}

/**
 * Runs the processor over one batch of queue records, concurrently, and returns
 * the message ids that must come back (the rest may be deleted).
 *
 * - retry outcome or a thrown error (outage) → comes back after the visibility timeout;
 * - skipped, lease lost, decided → done;
 * - a message that is not ours (bad JSON, wrong shape) → dropped with a logged
 *   reason: retrying cannot fix it.
 */
export async function processBatch(
  processor: SubmissionProcessor,
  records: readonly QueueRecord[],
  logger: Logger,
): Promise<string[]> {
  const failures: string[] = [];
  await Promise.all(
    records.map(async ({ messageId, body }) => {
      const id = decodeSubmissionMessage(body);
      if (!id) {
        logger.warn('dropped malformed message', { messageId });
        return;
      }
      try {
        const result = await processor.process(id);
        logger.info(`submission ${result.outcome}`, {
          submissionId: id,
          messageId,
          ...('status' in result ? { status: result.status } : {}),
          ...('reason' in result ? { reason: result.reason } : {}),
          ...('error' in result ? { errorCode: result.error.code } : {}),
          ...('attempts' in result ? { attempts: result.attempts } : {}),
        });
        if (result.outcome === 'retry') failures.push(messageId);
      } catch (error) {
        logger.error('processing threw; message will be retried', {
          submissionId: id,
          messageId,
          error: describeError(error),
        });
        failures.push(messageId);
      }
    }),
  );
  return failures;
}
