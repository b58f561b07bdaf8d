/**
 * A worker process for the soak (`bench/soak.ts`), which SIGKILLs it mid-batch or
 * shuts it down with SIGTERM. It is the standalone worker (`npm run worker`,
 * src/worker/standalone-worker.ts): an SQS consumer handing each batch to
 * `processBatch` with AWS's partial-batch semantics, stopping gracefully on
 * SIGTERM (the grace, then the records in progress are stopped and released).
 * The processor is wired as compose() wires it, except that the soak injects:
 * - a slow rule: a slow-rule submission's first attempt blocks the process past
 *   its lease (as a CPU-bound rule blocks a Lambda's only thread);
 * - dependency outages: while one is on (a schedule every worker shares), the
 *   rule set cannot decide, as when a moderation service is down;
 * - deadline hits: a share of claims is stopped by a deadline right after the claim.
 *
 * Run by the soak as `node --import tsx bench/soak-worker.ts`, with the
 * service's settings in the environment plus SOAK_QUEUE_ARN, SOAK_STALL_MS,
 * SOAK_OUTAGE_EPOCH, SOAK_OUTAGE_EVERY_MS, SOAK_OUTAGE_MS, SOAK_DEADLINE_HIT_RATE
 * and WORKER_SHUTDOWN_GRACE_MS. Talks to its parent over the IPC channel:
 * `ready`, then the records in flight and the outcomes seen so far.
 */

import { createSqsClient } from '../src/adapters/sqs/sqs-client';
import { SubmissionProcessor } from '../src/application/submission-processor';
import { compose } from '../src/composition';
import { processorSettings } from '../src/composition-worker';
import { loadConfig } from '../src/config/env';
import type { RuleSet } from '../src/domain/rules';
import { systemClock } from '../src/ports/clock';
import { describeError, type Logger } from '../src/ports/logger';
import type { SubmissionStore } from '../src/ports/submission-store';
import { createStandaloneWorker } from '../src/worker/standalone-worker';
import { isSlowRuleContent, outageAt, type SoakCommand, soakRuleSet } from './soak-content';

export type WorkerReport =
  | { type: 'ready' }
  /** `outcomes`: this process's running totals of processBatch's log messages. */
  | { type: 'records'; inFlight: number; outcomes?: Record<string, number> };

const report = (message: WorkerReport) => process.send?.(message);

/** Blocks the whole process, as a CPU-bound rule blocks a Lambda's only thread. */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The soak's rule set, except that a slow-rule submission on its first attempt
 * takes `stallMs` (longer than the lease) before it is evaluated, and that nothing
 * can be decided during a dependency outage.
 */
function withSoakFaults(
  inner: RuleSet,
  attemptOf: (content: string) => number | undefined,
  stallMs: number,
  outage: () => boolean,
): RuleSet {
  return {
    id: inner.id,
    ...(inner.version === undefined ? {} : { version: inner.version }),
    async evaluate(content, signal, context) {
      if (isSlowRuleContent(content) && attemptOf(content) === 1) blockFor(stallMs);
      if (outage()) throw new Error('moderation service unavailable (soak outage)');
      return inner.evaluate(content, signal, context);
    },
  };
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

const numberFrom = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  return Number.isFinite(value) ? value : fallback;
};

async function main(): Promise<void> {
  const config = loadConfig();
  const queueArn = process.env.SOAK_QUEUE_ARN ?? '';
  const stallMs = numberFrom('SOAK_STALL_MS', config.STUCK_AFTER_MS * 1.5);
  let epoch = numberFrom('SOAK_OUTAGE_EPOCH', Number.NaN);
  process.on('message', (command: SoakCommand) => {
    if (command.type === 'outage-epoch') epoch = command.epoch;
  });
  const outageEveryMs = numberFrom('SOAK_OUTAGE_EVERY_MS', 0);
  const outageMs = numberFrom('SOAK_OUTAGE_MS', 0);
  const deadlineHitRate = numberFrom('SOAK_DEADLINE_HIT_RATE', 0);
  const shutdownGraceMs = numberFrom('WORKER_SHUTDOWN_GRACE_MS', 200);
  const outcomes: Record<string, number> = {};
  const logger = countingLogger(outcomes);

  // The rule set only sees content; the claim tells which attempt this is. A claim
  // chosen for a deadline hit aborts that record's deadline as soon as it is made.
  const attempts = new Map<string, number>();
  const deadlines = new Map<string, AbortController>();
  const { store, metrics } = compose({ config, logger });
  const observedStore = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'claim') {
        return async (...args: Parameters<SubmissionStore['claim']>) => {
          const claim = await target.claim(...args);
          if (claim.claimed) {
            attempts.set(claim.submission.content, claim.submission.attempts);
            if (Math.random() < deadlineHitRate) {
              deadlines
                .get(args[0].id)
                ?.abort(new DOMException('The invocation ran out of time.', 'TimeoutError'));
            }
          }
          return claim;
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

  let inFlight = 0;
  /** The processor with the worker's settings and the soak's faults; each record gets its own deadline. */
  class SoakProcessor extends SubmissionProcessor {
    override async process(id: string, signal?: AbortSignal) {
      const deadline = new AbortController();
      deadlines.set(id, deadline);
      inFlight += 1;
      report({ type: 'records', inFlight });
      try {
        return await super.process(id, signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal);
      } finally {
        deadlines.delete(id);
        inFlight -= 1;
        report({ type: 'records', inFlight, outcomes });
      }
    }
  }
  const processor = new SoakProcessor({
    store: observedStore,
    clock: systemClock,
    ruleSet: withSoakFaults(
      soakRuleSet(),
      (content) => attempts.get(content),
      stallMs,
      () => outageAt(Date.now(), epoch, outageEveryMs, outageMs),
    ),
    ...processorSettings(config),
  });

  const sqs = createSqsClient();
  const worker = createStandaloneWorker({
    application: { processor, logger, metrics, config },
    sqs,
    queueArn,
    region: await sqs.config.region(),
    pollers: 2,
    waitTimeSeconds: 1,
    shutdownGraceMs,
  });
  worker.start();
  report({ type: 'ready' });

  const stop = async () => {
    await worker.stop();
    report({ type: 'records', inFlight, outcomes });
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('disconnect', () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(describeError(error));
  process.exit(1);
});
