import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbSubmissionStore } from './adapters/dynamodb/submission-store';
import { createSqsClient } from './adapters/sqs/client';
import { SqsSubmissionQueue } from './adapters/sqs/submission-queue';
import { Reaper } from './application/reaper';
import { SubmissionProcessor } from './application/submission-processor';
import { SubmissionService } from './application/submissions';
import { type Config, loadConfig } from './config/env';
import { loadConfiguredRuleSet } from './config/rule-set';
import type { RuleSet } from './domain/rules';
import { describeError, type Logger } from './observability/logger';
import { createLogger, createMetrics, PowertoolsMetricsSink } from './observability/powertools';
import { type Clock, systemClock } from './ports/clock';
import type { RuleType } from './rules/rule-type';

export interface Dependencies {
  config: Config;
  dynamodb?: DynamoDBClient;
  sqs?: SQSClient;
  clock?: Clock;
  ruleSet?: RuleSet;
  /** Rule types beyond the built-ins (e.g. async rules) that RULES_JSON / RULES_FILE may name. */
  ruleTypes?: ReadonlyMap<string, RuleType>;
  /** Default: Powertools Logger at LOG_LEVEL. */
  logger?: Logger;
  /** Default: Powertools Metrics in POWERTOOLS_METRICS_NAMESPACE (EMF lines on stdout). */
  metrics?: Metrics;
}

/**
 * Wires adapters into use cases. SDK clients are built once per container; their
 * endpoints come from the standard AWS_ENDPOINT_URL(_DYNAMODB|_SQS) variables, so
 * the same code talks to AWS, LocalStack or the embedded local stack.
 */
export function compose(dependencies: Dependencies) {
  const { config } = dependencies;
  const clock = dependencies.clock ?? systemClock;
  const logger = dependencies.logger ?? createLogger(config);
  const metrics = new PowertoolsMetricsSink(dependencies.metrics ?? createMetrics(config));
  const documents = DynamoDBDocumentClient.from(dependencies.dynamodb ?? new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const store = new DynamoDbSubmissionStore({
    client: documents,
    tableName: config.TABLE_NAME,
    activeShards: config.ACTIVE_INDEX_SHARDS,
  });
  const queue = new SqsSubmissionQueue({
    client: dependencies.sqs ?? createSqsClient(),
    queueUrl: config.QUEUE_URL,
  });
  return {
    config,
    logger,
    metrics,
    store,
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
    processor: new SubmissionProcessor({
      store,
      clock,
      ruleSet:
        dependencies.ruleSet ??
        loadConfiguredRuleSet(config, undefined, { ruleTypes: dependencies.ruleTypes }),
      maxAttempts: config.MAX_ATTEMPTS,
      leaseMs: config.STUCK_AFTER_MS,
      orphanAfterMs: config.ORPHAN_AFTER_MS,
      processingDelayMs: config.PROCESSING_DELAY_MS,
      retentionDays: config.RETENTION_DAYS,
    }),
    reaper: new Reaper({
      store,
      queue,
      clock,
      stuckAfterMs: config.STUCK_AFTER_MS,
      orphanAfterMs: config.ORPHAN_AFTER_MS,
      onRescued: (id, rescue) => {
        if (rescue === 'reset') {
          logger.info('stuck submission reset', { correlationId: id });
          metrics.count('ReaperResets');
        } else {
          logger.info('orphaned submission requeued', { correlationId: id });
          metrics.count('OrphansRequeued');
        }
      },
      onItemFailed: (id, error) =>
        logger.warn('reaper could not rescue a submission; a later run will', {
          correlationId: id,
          error: describeError(error),
        }),
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
