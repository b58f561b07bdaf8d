/**
 * A worker process for the soak (`bench/soak.ts`), which SIGKILLs it mid-batch.
 * It is the worker Lambda driven by the local SQS event source, in a process of
 * its own: `processBatch` over each SQS batch, with AWS's partial-batch
 * semantics, and the application composed as the handler composes it — except
 * for the rule set, which stalls past its lease on the first attempt at a
 * slow-rule submission.
 *
 * Run by the soak as `node --import tsx bench/soak-worker.ts`, with the
 * service's settings in the environment plus SOAK_QUEUE_ARN and SOAK_STALL_MS.
 * Talks to its parent over the IPC channel: `ready`, then the batches in flight
 * and the outcomes seen after each batch.
 */

import { SqsEventSource } from '../src/adapters/sqs/event-source';
import { createSqsClient } from '../src/adapters/sqs/sqs-client';
import { processBatch } from '../src/application/process-batch';
import { SubmissionProcessor } from '../src/application/submission-processor';
import { compose } from '../src/composition';
import { loadConfig } from '../src/config/env';
import type { RuleSet } from '../src/domain/rules';
import { systemClock } from '../src/ports/clock';
import { describeError, type Logger } from '../src/ports/logger';
import type { SubmissionStore } from '../src/ports/submission-store';
import { defaultRuleSet } from '../src/rules/default-rule-set';
import { isSlowRuleContent } from './soak-content';

/** The local stage's worker timeout (serverless.yml `params.local.workerTimeout`). */
const WORKER_TIMEOUT_MS = 10_000;

export type WorkerReport =
  | { type: 'ready' }
  /** `outcomes`: this process's running totals of processBatch's log messages. */
  | { type: 'batches'; inFlight: number; outcomes?: Record<string, number> };

const report = (message: WorkerReport) => process.send?.(message);

/** Blocks the whole process, as a CPU-bound rule blocks a Lambda's only thread. */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The default rule set, except that a slow-rule submission on its first attempt
 * takes `stallMs` — longer than the lease — before it is evaluated.
 */
function slowOnFirstAttempt(
  inner: RuleSet,
  attemptOf: (content: string) => number | undefined,
  stallMs: number,
) {
  return {
    id: `${inner.id}+slow-first-attempt`,
    async evaluate(content) {
      if (isSlowRuleContent(content) && attemptOf(content) === 1) blockFor(stallMs);
      return inner.evaluate(content);
    },
  } satisfies RuleSet;
}

/** Counts processBatch's log lines by message ("submission decided", "…lease-lost", …); prints errors. */
function countingLogger(outcomes: Record<string, number>): Logger {
  const count = (message: string) => {
    outcomes[message] = (outcomes[message] ?? 0) + 1;
  };
  return {
    info: count,
    warn: count,
    error: (message, fields) => {
      count(message);
      console.error(JSON.stringify({ level: 'error', message, ...fields }));
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const queueArn = process.env.SOAK_QUEUE_ARN ?? '';
  const stallMs = Number(process.env.SOAK_STALL_MS ?? config.STUCK_AFTER_MS * 1.5);
  const outcomes: Record<string, number> = {};
  const logger = countingLogger(outcomes);

  // The rule set only sees content; the claim tells which attempt this is.
  const attempts = new Map<string, number>();
  const { store } = compose({ config, logger });
  const observedStore = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'claim') {
        return async (...args: Parameters<SubmissionStore['claim']>) => {
          const claim = await target.claim(...args);
          if (claim.claimed) attempts.set(claim.submission.content, claim.submission.attempts);
          return claim;
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  // Wired as compose() wires its processor, with the observed store and the slow rule set.
  const processor = new SubmissionProcessor({
    store: observedStore,
    clock: systemClock,
    ruleSet: slowOnFirstAttempt(defaultRuleSet(), (content) => attempts.get(content), stallMs),
    maxAttempts: config.MAX_ATTEMPTS,
    stuckAfterMs: config.STUCK_AFTER_MS,
    orphanAfterMs: config.ORPHAN_AFTER_MS,
    processingDelayMs: config.PROCESSING_DELAY_MS,
  });

  let inFlight = 0;
  const source = new SqsEventSource({
    sqs: createSqsClient(),
    queueUrl: config.QUEUE_URL,
    queueArn,
    region: process.env.AWS_REGION ?? 'us-east-1',
    batchSize: 10,
    reportBatchItemFailures: true,
    pollers: 2,
    waitTimeSeconds: 1,
    log: (message) => console.error(message),
    invoke: async (event) => {
      inFlight += 1;
      report({ type: 'batches', inFlight });
      try {
        const failed = await processBatch(processor, event.Records, logger, {
          concurrency: config.WORKER_CONCURRENCY,
          // The Lambda's deadline, less its safety margin (a TimeoutError, as the handler's deadline aborts).
          signal: AbortSignal.timeout(Math.max(0, WORKER_TIMEOUT_MS - config.WORKER_SAFETY_MARGIN_MS)),
        });
        return {
          ok: true,
          payload: { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) },
        };
      } catch (error) {
        return { ok: false, error: describeError(error) };
      } finally {
        inFlight -= 1;
        report({ type: 'batches', inFlight, outcomes });
      }
    },
  });
  source.start();
  report({ type: 'ready' });

  const stop = async () => {
    await source.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(describeError(error));
  process.exit(1);
});
