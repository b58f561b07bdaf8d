import { z } from 'zod';
import { DEFAULT_RETENTION_DAYS } from '../domain/submission';

/** An unset or empty variable takes the default; anything else must be a whole number. */
export const wholeNumber = (minimum: number, maximum = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce
      .number({ error: 'must be a number' })
      .int({ error: 'must be a whole number' })
      .min(minimum)
      .max(maximum),
  );
const positiveInt = wholeNumber(1);
const nonNegativeInt = wholeNumber(0);

/** Levels LOG_LEVEL accepts (in any case); each one includes the levels after it. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** An unset or empty variable is absent. */
const optionalText = z.preprocess((value) => (value === '' ? undefined : value), z.string().optional());

/**
 * Every setting of the service, read from the environment once at cold start.
 * Endpoints are not settings here: the AWS SDK reads the standard
 * `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_SQS`.
 */
const settingsSchema = z.object({
  TABLE_NAME: z.string().min(1),
  QUEUE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) queue URL' }),
  /** Largest accepted content, in bytes of UTF-8. */
  MAX_CONTENT_BYTES: positiveInt.default(65_536),
  /** Claims allowed before a submission that keeps erroring is finalised FAILED. */
  MAX_ATTEMPTS: positiveInt.default(3),
  /** How long a claim's lease lasts; the reaper resets PROCESSING submissions older than this. */
  STUCK_AFTER_MS: positiveInt.default(300_000),
  /**
   * How long a PENDING submission may wait before the reaper assumes its message
   * was lost. Longer than the queue's visibility timeout, so a released submission
   * comes back by redelivery before the reaper re-enqueues it.
   */
  ORPHAN_AFTER_MS: positiveInt.default(240_000),
  /** Simulated work per submission (the origin slept 5 s). */
  PROCESSING_DELAY_MS: nonNegativeInt.default(0),
  /** Records of one SQS batch the worker processes at once. */
  WORKER_CONCURRENCY: wholeNumber(1, 100).default(10),
  /** The worker stops claiming and releases what it holds this long before its timeout. */
  WORKER_SAFETY_MARGIN_MS: nonNegativeInt.default(2_000),
  /** Shards of the sparse index's partition key; spreads non-terminal writes over partitions. */
  ACTIVE_INDEX_SHARDS: wholeNumber(1, 100).default(4),
  /**
   * `jwt`: the owner is the API Gateway JWT authorizer's `sub`, and a request
   * without one is refused (401). `dev`: the explicit local mode, one fixed owner.
   */
  AUTH_MODE: z.enum(['jwt', 'dev'], { error: 'must be jwt or dev' }).default('jwt'),
  /** The owner in `dev` mode (and when a request carries no identity there). */
  DEFAULT_OWNER: z.string().min(1).max(128).default('anonymous'),
  /**
   * The Secrets Manager secret (ARN or name) whose value signs pagination cursors. Deployed
   * stages set it to the secret the stack generates; the API reads it once at cold start.
   */
  CURSOR_SECRET_ARN: optionalText,
  /**
   * The cursor key itself, for running the API outside AWS with AUTH_MODE=jwt (tests); a
   * deployed template never carries it (packaging refuses). AUTH_MODE=dev needs neither.
   */
  CURSOR_SECRET: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  ),
  /** Days a decided (PASSED/FAILED) submission is kept; then DynamoDB's TTL deletes it. */
  RETENTION_DAYS: positiveInt.default(DEFAULT_RETENTION_DAYS),
  /** How long an Idempotency-Key is remembered. */
  IDEMPOTENCY_TTL_SECONDS: positiveInt.default(86_400),
  /** Seconds a poller is told to wait before asking again about a non-terminal submission. */
  POLL_RETRY_AFTER_SECONDS: positiveInt.default(1),
  /** The rule set document as inline JSON; without it and RULES_FILE, the bundled default. */
  RULES_JSON: optionalText,
  /** A path to the rule set document (JSON); read once at cold start. */
  RULES_FILE: optionalText,
  /** The least severe log lines written. */
  LOG_LEVEL: z.preprocess(
    (value) => (value === '' ? undefined : typeof value === 'string' ? value.toUpperCase() : value),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('INFO'),
  ),
  /** The `service` of every log line and the metrics' one dimension (serverless.yml: service-stage). */
  POWERTOOLS_SERVICE_NAME: z.string().min(1).default('submissions'),
  /** The CloudWatch namespace of the service's metrics. */
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1).default('SubmissionPipeline'),
});

/** One rule set source at most, and one cursor key source at most. */
export const configSchema = settingsSchema
  .refine((config) => config.RULES_JSON === undefined || config.RULES_FILE === undefined, {
    path: ['RULES_FILE'],
    error: 'must not be set together with RULES_JSON',
  })
  .refine((config) => config.CURSOR_SECRET === undefined || config.CURSOR_SECRET_ARN === undefined, {
    path: ['CURSOR_SECRET'],
    error: 'must not be set together with CURSOR_SECRET_ARN',
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses settings with `schema`; throws one ConfigError that names every bad variable. */
export function parseSettings<Schema extends z.ZodType>(
  schema: Schema,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<Schema> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

/** Parses the environment; throws one error that names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return parseSettings(configSchema, env);
}

/** Not a secret: signs cursors only where AUTH_MODE=dev (the local stack). */
const DEV_CURSOR_SECRET = 'local-development-cursor-secret-not-for-deployed-stages';

/**
 * Where the API's cursor key comes from: the Secrets Manager secret CURSOR_SECRET_ARN (deployed
 * stages), CURSOR_SECRET itself, or, with AUTH_MODE=dev only, a fixed key that is no secret.
 */
export function cursorSecret(config: Config): { secretId: string } | { value: string } {
  if (config.CURSOR_SECRET_ARN) return { secretId: config.CURSOR_SECRET_ARN };
  if (config.CURSOR_SECRET) return { value: config.CURSOR_SECRET };
  if (config.AUTH_MODE === 'dev') return { value: DEV_CURSOR_SECRET };
  throw new ConfigError(
    'Invalid configuration: CURSOR_SECRET_ARN: is required when AUTH_MODE=jwt (or CURSOR_SECRET outside AWS)',
  );
}
