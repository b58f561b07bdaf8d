import { createSqsClient } from './adapters/sqs/sqs-client';
import { SqsSubmissionQueue } from './adapters/sqs/sqs-submission-queue';
import { Reaper } from './application/reaper-sweep';
import type { SubmissionProcessor } from './application/submission-processor';
import { SubmissionService } from './application/submissions';
import { composeBase, composeProcessor, type Dependencies } from './composition-worker';
import { loadConfig } from './config/env';
import { describeError } from './ports/logger';

export type { Dependencies } from './composition-worker';

/**
 * Wires adapters into use cases; the worker's part is `composeWorker` (composition-worker.ts), which the
 * worker's bundle imports alone. SDK clients are built once per container; their
 * endpoints come from the standard AWS_ENDPOINT_URL(_DYNAMODB|_SQS) variables, so
 * the same code talks to AWS, LocalStack or the embedded local stack.
 */
export function compose(dependencies: Dependencies) {
  const { config } = dependencies;
  const base = composeBase(dependencies);
  const { clock, logger, metrics, store } = base;
  let processor: SubmissionProcessor | undefined;
  const queue = new SqsSubmissionQueue({
    client: dependencies.sqs ?? createSqsClient({ maxAttempts: config.AWS_MAX_ATTEMPTS }),
    queueUrl: config.QUEUE_URL,
  });
  return {
    ...base,
    /**
     * Built on first use, so the api and the reaper, which never process, do not load the
     * rule set: one the worker refuses must not stop them (the standalone worker uses it).
     */
    get processor(): SubmissionProcessor {
      processor ??= composeProcessor(base, dependencies);
      return processor;
    },
    queue,
    submissions: new SubmissionService({
      store,
      queue,
      clock,
      orphanAfterMs: config.ORPHAN_AFTER_MS,
      idempotencyTtlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
      onEnqueueFailed: (id, error) =>
        logger.warn('enqueue failed; the reaper will enqueue it', {
          correlationId: id,
          error: describeError(error),
        }),
    }),
    reaper: new Reaper({
      store,
      queue,
      clock,
      stuckAfterMs: config.STUCK_AFTER_MS,
      orphanAfterMs: config.ORPHAN_AFTER_MS,
      logger,
      metrics,
    }),
  };
}

export type Application = ReturnType<typeof compose>;

let application: Application | undefined;

/** The container's application, composed from the environment on first use (cold start). */
export function app(): Application {
  application ??= compose({ config: loadConfig() });
  return application;
}
