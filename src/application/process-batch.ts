import { describeError, type Logger } from '../ports/logger';
import { type MetricsSink, noMetrics } from '../ports/metrics';
import { readSubmissionMessage } from '../ports/submission-message';
import { interruptionOf, type ProcessOutcome, type SubmissionProcessor } from './submission-processor';

export interface QueueRecord {
  messageId: string;
  body: string;
}

export interface BatchOptions {
  /** Records processed at once (default: all of them). */
  concurrency?: number;
  /** Where the batch's size and each record's outcome are counted (default: nowhere). */
  metrics?: MetricsSink;
  /**
   * Stops the batch: the invocation's deadline (src/observability/invocation.ts),
   * i.e. Lambda's timeout less the safety margin, or a long-running worker shutting
   * down. Nothing more is claimed, and records in progress release their lease.
   */
  signal?: AbortSignal;
  /**
   * Told, for a message it returns, when its submission may be claimed again (after a
   * failed attempt's back-off, or for a copy that came early): a driver that can set a
   * message's visibility makes it come back then rather than after the queue's timeout.
   */
  returnAt?: (messageId: string, retryAt: string) => void;
}

/**
 * Runs the processor over one batch of queue records and returns the message
 * ids that must come back (the rest may be deleted).
 *
 * - retry outcome or a thrown error (outage) → comes back after the visibility timeout
 *   (or, through `returnAt`, when the retry back-off ends);
 * - early (the submission's retry time is still to come) → comes back, like a retry;
 * - interrupted (the signal stopped it; released, no attempt spent) → comes back;
 * - skipped, lease lost, decided → done;
 * - a message that is not ours → dropped, logged with its `reason` (`not-json`,
 *   `wrong-shape`): retrying cannot fix it; one naming an unknown id is skipped
 *   by the claim (`submission skipped`, reason `missing`);
 * - when `signal` aborts (time runs short, or shutdown): records not yet started
 *   are not claimed, records in progress release their lease, and all of them come back.
 *
 * Records run concurrently, so each log line names its submission itself
 * (`correlationId`) rather than through state on the shared logger.
 */
export async function processBatch(
  processor: SubmissionProcessor,
  records: readonly QueueRecord[],
  logger: Logger,
  options: BatchOptions = {},
): Promise<string[]> {
  const { concurrency = records.length, metrics = noMetrics, signal, returnAt } = options;
  metrics.measure('WorkerBatchSize', records.length);
  const failures: string[] = [];
  const pending = [...records];
  const processRecord = async ({ messageId, body }: QueueRecord) => {
    const read = readSubmissionMessage(body);
    if (!('id' in read)) {
      const { malformed: reason, ...detail } = read;
      logger.warn('dropped malformed message', { messageId, reason, ...detail });
      return;
    }
    const { id } = read;
    try {
      const result = await processor.process(id, signal);
      logger.info(`submission ${result.outcome}`, {
        correlationId: id,
        messageId,
        ...('status' in result ? { status: result.status } : {}),
        ...('reason' in result ? { reason: result.reason } : {}),
        ...('error' in result && result.error ? { errorCode: result.error.code } : {}),
        ...('cause' in result && result.cause ? { cause: result.cause } : {}),
        ...('attempts' in result ? { attempts: result.attempts } : {}),
        ...('retryAt' in result ? { retryAt: result.retryAt } : {}),
        ...('by' in result ? { by: result.by } : {}),
      });
      countOutcome(metrics, result);
      if (result.outcome === 'retry' || result.outcome === 'early' || result.outcome === 'interrupted') {
        failures.push(messageId);
        if ('retryAt' in result) returnAt?.(messageId, result.retryAt);
      }
    } catch (error) {
      logger.error('processing threw; message will be retried', {
        correlationId: id,
        messageId,
        error: describeError(error),
      });
      failures.push(messageId);
    }
  };
  const lane = async () => {
    for (let record = pending.shift(); record; record = pending.shift()) {
      if (signal?.aborted) {
        failures.push(record.messageId);
        continue;
      }
      await processRecord(record);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  if (signal?.aborted) {
    const why = interruptionOf(signal) === 'deadline' ? 'batch ran out of time' : 'batch stopped by shutdown';
    logger.warn(why, { returned: failures.length });
  }
  return failures;
}

/** What each outcome adds to the service's metrics (a retry, early or interrupted claim adds nothing: none is an end). */
function countOutcome(metrics: MetricsSink, result: ProcessOutcome): void {
  switch (result.outcome) {
    case 'decided':
      if (result.status === 'PASSED') metrics.count('SubmissionsPassed');
      else metrics.count(result.error ? 'SubmissionsFailedProcessing' : 'SubmissionsFailedContent');
      metrics.measure('AcceptToDecision', Date.parse(result.decidedAt) - Date.parse(result.createdAt));
      return;
    case 'skipped':
      metrics.count('ClaimsRefused');
      return;
    case 'lease-lost':
      metrics.count('ZombieWritesRefused');
      return;
    case 'retry':
    case 'early':
    case 'interrupted':
      return;
  }
}
