import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { SqsEventSource } from '../adapters/sqs/event-source';
import { processBatch } from '../application/process-batch';
import type { SubmissionProcessor } from '../application/submission-processor';
import type { Config } from '../config/env';
import { startInvocation } from '../observability/invocation';
import type { PowertoolsMetricsSink } from '../observability/powertools';
import { describeError, type Logger } from '../ports/logger';

export interface StandaloneWorkerOptions {
  /** The composed application: `app()` in the process, `compose()` in tests. */
  application: {
    processor: SubmissionProcessor;
    logger: Logger;
    metrics: PowertoolsMetricsSink;
    config: Config;
  };
  sqs: SQSClient;
  queueArn: string;
  region: string;
  /** Batches (of up to 10 messages) in flight at once. */
  pollers: number;
  waitTimeSeconds: number;
  /** How long stop() lets records in progress finish before aborting them. */
  shutdownGraceMs: number;
}

export interface StandaloneWorker {
  start(): void;
  /**
   * Stops receiving, lets the records in progress finish for `shutdownGraceMs`,
   * then aborts them: each releases its lease (PROCESSING → PENDING). Resolves once
   * every batch is done: decided messages deleted, the rest made visible again at once.
   */
  stop(): Promise<void>;
  /** Ends the grace period now (e.g. a second Ctrl-C). */
  abort(): void;
}

/**
 * The worker Lambda's job as a long-running process: an SQS consumer (sqs-consumer,
 * through the same event source that feeds the Lambda locally) whose batches of 10
 * go to processBatch exactly as handlers/worker.ts hands them over, deleting only
 * what the batch reports done. Nothing is specific to one instance: run as many
 * side by side as the queue needs.
 */
export function createStandaloneWorker(options: StandaloneWorkerOptions): StandaloneWorker {
  const { processor, logger, metrics, config } = options.application;
  const shutdown = new AbortController();
  const source = new SqsEventSource({
    sqs: options.sqs,
    queueUrl: config.QUEUE_URL,
    queueArn: options.queueArn,
    region: options.region,
    batchSize: 10,
    reportBatchItemFailures: true,
    pollers: options.pollers,
    waitTimeSeconds: options.waitTimeSeconds,
    returnMessagesOnStop: true,
    log: (message) => logger.warn(message),
    invoke: async (event) => {
      // Each batch is one run, observed as handlers/worker.ts's invocations are
      // (src/observability/invocation.ts), with shutdown in place of Lambda's deadline.
      const invocation = startInvocation(logger, metrics, 'standalone-worker', { stop: shutdown.signal });
      try {
        const returnAt = new Map<string, string>();
        const failed = await processBatch(processor, event.Records, logger, {
          concurrency: config.WORKER_CONCURRENCY,
          metrics,
          signal: invocation.deadline,
          returnAt: (messageId, retryAt) => returnAt.set(messageId, retryAt),
        });
        await returnWhenDue(options.sqs, config.QUEUE_URL, event.Records, returnAt, logger);
        return {
          ok: true,
          payload: { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) },
        };
      } catch (error) {
        return { ok: false, error: describeError(error) };
      } finally {
        invocation.end();
      }
    },
  });
  let stopping: Promise<void> | undefined;
  const abort = () => {
    if (shutdown.signal.aborted) return;
    logger.warn('shutdown grace over: aborting the submissions in progress (their leases are released)');
    shutdown.abort();
  };
  return {
    start: () => source.start(),
    abort,
    stop: () => {
      stopping ??= (async () => {
        const grace = setTimeout(abort, options.shutdownGraceMs);
        try {
          await source.stop({ abandonIdleReceives: true });
        } finally {
          clearTimeout(grace);
        }
      })();
      return stopping;
    },
  };
}

/** The longest visibility timeout SQS accepts (12 hours). */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Makes each returned message visible again when its submission may next be claimed
 * (`retryAt`), not after the queue's whole visibility timeout; Lambda's event source
 * has no such step. A change that fails leaves the queue's timeout, which is only later.
 */
async function returnWhenDue(
  sqs: SQSClient,
  queueUrl: string,
  records: readonly SQSRecord[],
  returnAt: ReadonlyMap<string, string>,
  logger: Logger,
): Promise<void> {
  if (returnAt.size === 0) return;
  const now = Date.now();
  const entries = records
    .filter((record) => returnAt.has(record.messageId))
    .map((record, index) => ({
      Id: String(index),
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: Math.min(
        MAX_VISIBILITY_SECONDS,
        Math.max(0, Math.ceil((Date.parse(returnAt.get(record.messageId) ?? '') - now) / 1000)),
      ),
    }));
  try {
    const { Failed = [] } = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
    );
    if (Failed.length > 0)
      logger.warn('could not set when returned messages come back', { failed: Failed.length });
  } catch (error) {
    logger.warn('could not set when returned messages come back', { error: describeError(error) });
  }
}
