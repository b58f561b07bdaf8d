import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createDocumentClient, createDynamoDbClient } from './adapters/dynamodb/dynamodb-client';
import { DynamoDbSubmissionStore } from './adapters/dynamodb/dynamodb-submission-store';
import { SubmissionProcessor, type SubmissionProcessorOptions } from './application/submission-processor';
import { type Config, loadConfig } from './config/env';
import { loadConfiguredRuleSet } from './config/rule-set';
import type { RuleSet } from './domain/rules';
import { createLogger, createMetrics, PowertoolsMetricsSink } from './observability/powertools';
import { type Clock, systemClock } from './ports/clock';
import type { Logger } from './ports/logger';
import { PLUGIN_RULE_TYPES } from './rules/plugins';
import type { RuleType } from './rules/rule-type';

export interface Dependencies {
  config: Config;
  dynamodb?: DynamoDBClient;
  /** Only `compose` (src/composition.ts) uses it; the worker never talks to SQS itself. */
  sqs?: SQSClient;
  clock?: Clock;
  ruleSet?: RuleSet;
  /**
   * Rule types beyond the built-ins (e.g. async rules) that RULES_JSON / RULES_FILE may
   * name. Default: the registry in src/rules/plugins.ts (tests pass their own).
   */
  ruleTypes?: ReadonlyMap<string, RuleType>;
  /** Default: Powertools Logger at LOG_LEVEL. */
  logger?: Logger;
  /** Default: Powertools Metrics in POWERTOOLS_METRICS_NAMESPACE (EMF lines on stdout). */
  metrics?: Metrics;
}

/** What every function shares: settings, clock, logger, metrics and the store. */
export function composeBase(dependencies: Dependencies) {
  const { config } = dependencies;
  const clock = dependencies.clock ?? systemClock;
  const logger = dependencies.logger ?? createLogger(config);
  const metrics = new PowertoolsMetricsSink(dependencies.metrics ?? createMetrics(config));
  const documents = createDocumentClient(
    dependencies.dynamodb ?? createDynamoDbClient({ maxAttempts: config.AWS_MAX_ATTEMPTS }),
  );
  const store = new DynamoDbSubmissionStore({
    client: documents,
    tableName: config.TABLE_NAME,
    activeShards: config.ACTIVE_INDEX_SHARDS,
    retentionDays: config.RETENTION_DAYS,
  });
  return { config, clock, logger, metrics, store };
}

/**
 * The processor, with the rule set RULES_JSON / RULES_FILE name (loaded here: a rule set
 * the loader refuses stops whoever builds a processor, and only that).
 */
export function composeProcessor(
  { config, clock, store }: ReturnType<typeof composeBase>,
  dependencies: Dependencies,
): SubmissionProcessor {
  return new SubmissionProcessor({
    store,
    clock,
    ruleSet:
      dependencies.ruleSet ??
      loadConfiguredRuleSet(config, undefined, { ruleTypes: dependencies.ruleTypes ?? PLUGIN_RULE_TYPES }),
    ...processorSettings(config),
  });
}

/** The processor's settings, as the worker reads them (also for drivers that build their own processor). */
export function processorSettings(config: Config) {
  return {
    maxAttempts: config.MAX_ATTEMPTS,
    retryBackoffMs: config.RETRY_BACKOFF_MS,
    maxInterruptions: config.MAX_INTERRUPTIONS,
    stuckAfterMs: config.STUCK_AFTER_MS,
    orphanAfterMs: config.ORPHAN_AFTER_MS,
    processingDelayMs: config.PROCESSING_DELAY_MS,
    retentionDays: config.RETENTION_DAYS,
  } satisfies Partial<SubmissionProcessorOptions>;
}

/**
 * What the worker needs and nothing more: the store and the processor, with the
 * logger and metrics. The worker's bundle imports this module rather than
 * src/composition.ts, so it carries no SQS client (SQS deletes the records it
 * does not report; the worker never calls SQS) — less code to load on a cold start.
 */
export function composeWorker(dependencies: Dependencies) {
  const base = composeBase(dependencies);
  return { ...base, processor: composeProcessor(base, dependencies) };
}

export type WorkerApplication = ReturnType<typeof composeWorker>;

let application: WorkerApplication | undefined;

/** The worker container's application, composed from the environment on first use (cold start). */
export function workerApp(): WorkerApplication {
  application ??= composeWorker({ config: loadConfig() });
  return application;
}
