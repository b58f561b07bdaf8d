import type { Logger } from '../observability/logger';
import { describeError } from '../observability/logger';
import { decodeSubmissionMessage } from './submission-message';
import type { SubmissionProcessor } from './submission-processor';

export interface QueueRecord {
  messageId: string;
  body: string;
}

export interface BatchOptions {
  /** Records processed at once. */
  concurrency: number;
  /** Time left before the driver is killed (Lambda's getRemainingTimeInMillis). */
  remainingTimeMs?: () => number;
  /** Stop claiming and release what is held this long before the end. */
  safetyMarginMs: number;
}

/**
 * Runs the processor over one batch of queue records and returns the message
 * ids that must come back (the rest may be deleted).
 *
 * - retry outcome or a thrown error (outage) → comes back after the visibility timeout;
 * - skipped, lease lost, decided → done;
 * - a message that is not ours (bad JSON, wrong shape) → dropped with a logged
 *   reason: retrying cannot fix it;
 * - when time runs short: records not yet started are not claimed, records in
 *   progress release their lease, and all of them come back.
 */
export async function processBatch(
  processor: SubmissionProcessor,
  records: readonly QueueRecord[],
  logger: Logger,
  options: BatchOptions = { concurrency: records.length || 1, safetyMarginMs: 0 },
): Promise<string[]> {
  const failures: string[] = [];
  const outOfTime = new AbortController();
  const timer = options.remainingTimeMs
    ? setTimeout(() => outOfTime.abort(), Math.max(0, options.remainingTimeMs() - options.safetyMarginMs))
    : undefined;
  const pending = [...records];
  const processRecord = async ({ messageId, body }: QueueRecord) => {
    const id = decodeSubmissionMessage(body);
    if (!id) {
      logger.warn('dropped malformed message', { messageId });
      return;
    }
    try {
      const result = await processor.process(id, outOfTime.signal);
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
  };
  const lane = async () => {
    for (let record = pending.shift(); record; record = pending.shift()) {
      if (outOfTime.signal.aborted) {
        failures.push(record.messageId);
        continue;
      }
      await processRecord(record);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, lane));
  } finally {
    clearTimeout(timer);
  }
  if (outOfTime.signal.aborted) logger.warn('batch ran out of time', { returned: failures.length });
  return failures;
}
