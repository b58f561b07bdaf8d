import * as z from 'zod';
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
 * Every setting of the service, read from the environment once at cold start; each one's
 * description and default live here alone (docs/configuration.md is generated from them).
 * Endpoints are not settings here: the AWS SDK reads the standard
 * `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_SQS`.
 */
export const settingsSchema = z.object({
  TABLE_NAME: z.string().min(1).describe('The DynamoDB table of submissions.'),
  QUEUE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) queue URL' })
    .describe('The SQS queue the api and the reaper send submission ids to.'),
  MAX_CONTENT_BYTES: positiveInt
    .default(65_536)
    .describe('Largest accepted content, in bytes of UTF-8; larger is refused with 413.'),
  MAX_ATTEMPTS: positiveInt
    .default(3)
    .describe(
      'Attempts allowed before a submission that keeps erroring is finalised FAILED. A claim that a ' +
        'deadline or a shutdown stops spends none (see MAX_INTERRUPTIONS).',
    ),
  RETRY_BACKOFF_MS: nonNegativeInt
    .default(30_000)
    .describe(
      'After a failed attempt, how long no claim may take the submission: this long after the first, ' +
        'doubling after each further one, however many messages it has. So MAX_ATTEMPTS attempts span ' +
        'at least RETRY_BACKOFF_MS × (2^(MAX_ATTEMPTS−1) − 1): the longest dependency outage that ' +
        'fails no valid content. 0: no spacing (a retry comes with the next message).',
    ),
  MAX_INTERRUPTIONS: positiveInt
    .default(5)
    .describe(
      'Claims of one submission that a deadline or a shutdown may stop before it is finalised FAILED ' +
        '(INTERRUPTED_TOO_OFTEN). They spend no attempt, so this bounds them.',
    ),
  STUCK_AFTER_MS: positiveInt
    .default(300_000)
    .describe(
      "How long a claim's lease lasts; the reaper resets PROCESSING submissions older than this. " +
        "Must exceed the worker's timeout.",
    ),
  ORPHAN_AFTER_MS: positiveInt
    .default(240_000)
    .describe(
      'How long a PENDING submission may wait before the reaper assumes its message was lost and ' +
        "sends it again. Must exceed the queue's visibility timeout, so that a released submission " +
        'comes back by redelivery first.',
    ),
  PROCESSING_DELAY_MS: nonNegativeInt
    .default(0)
    .describe('Simulated work per submission, in milliseconds (the origin design slept 5 s).'),
  WORKER_CONCURRENCY: wholeNumber(1, 100)
    .default(10)
    .describe('Records of one SQS batch the worker processes at once (1–100).'),
  WORKER_SAFETY_MARGIN_MS: nonNegativeInt
    .default(2_000)
    .describe('The worker stops claiming, and releases what it holds, this long before its timeout.'),
  ACTIVE_INDEX_SHARDS: wholeNumber(1, 100)
    .default(4)
    .describe(
      "Shards of the sparse index's partition key (1–100), spreading non-terminal writes over " +
        'partitions. Only ever raise it: the reaper reads only the shards below it, so a deploy refuses a decrease.',
    ),
  AUTH_MODE: z
    .enum(['jwt', 'dev'], { error: 'must be jwt or dev' })
    .default('jwt')
    .describe(
      '`jwt`: the owner is the `sub` of the JWT API Gateway verified, and a request without one is ' +
        "refused (401). `dev`: the local stage's explicit mode, one fixed owner.",
    ),
  DEFAULT_OWNER: z
    .string()
    .min(1)
    .max(128)
    .default('anonymous')
    .describe('The owner in `dev` mode (and when a request carries no identity there).'),
  CURSOR_SECRET_ARN: optionalText.describe(
    'The Secrets Manager secret (ARN or name) that signs pagination cursors: the one each deployed ' +
      'stage generates. Only the api reads it, once per cold start (cached 15 minutes).',
  ),
  CURSOR_SECRET: z
    .preprocess(
      (value) => (value === '' ? undefined : value),
      z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
    )
    .describe(
      'The cursor key itself (32+ characters), to run a `jwt` API outside AWS (tests). Packaging ' +
        'refuses it; a `jwt` API with neither it nor CURSOR_SECRET_ARN refuses to start.',
    ),
  RETENTION_DAYS: positiveInt
    .default(DEFAULT_RETENTION_DAYS)
    .describe("Days a decided submission is kept before DynamoDB's TTL deletes it."),
  IDEMPOTENCY_TTL_SECONDS: positiveInt
    .default(86_400)
    .describe('How long an Idempotency-Key is remembered, in seconds.'),
  POLL_RETRY_AFTER_SECONDS: positiveInt
    .default(1)
    .describe('`Retry-After`, in seconds, on a submission that is not decided yet.'),
  RULES_JSON: optionalText.describe(
    "The worker's rule set (docs/rules.md) as inline JSON; without it and RULES_FILE, the bundled default.",
  ),
  RULES_FILE: optionalText.describe(
    'A path to a rule set document the worker can read; not with RULES_JSON.',
  ),
  LOG_LEVEL: z
    .preprocess(
      (value) => (value === '' ? undefined : typeof value === 'string' ? value.toUpperCase() : value),
      z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('INFO'),
    )
    .describe('The least severe log line written: DEBUG, INFO, WARN or ERROR.'),
  AWS_MAX_ATTEMPTS: wholeNumber(1, 20)
    .default(3)
    .describe(
      "Attempts per DynamoDB and SQS call (the AWS SDK's own variable name): a throttled or 5xx call " +
        'is retried with backoff until they run out.',
    ),
  WORKER_TIMEOUT_SECONDS: wholeNumber(1, 900)
    .optional()
    .describe(
      "The worker function's timeout, set by the stack so the timing settings can be checked against it.",
    ),
  QUEUE_VISIBILITY_TIMEOUT_SECONDS: wholeNumber(0, 43_200)
    .optional()
    .describe(
      "The queue's visibility timeout, set by the stack so the timing settings can be checked against it.",
    ),
  POWERTOOLS_SERVICE_NAME: z
    .string()
    .min(1)
    .default('submissions')
    .describe(
      "The `service` of every log line and the metrics' one dimension (the stack sets service-stage).",
    ),
  POWERTOOLS_METRICS_NAMESPACE: z
    .string()
    .min(1)
    .default('SubmissionPipeline')
    .describe("The CloudWatch namespace of the service's metrics."),
});

/** The settings the timing relations read: the service's, and the stack's timeouts when known. */
export type TimingSettings = Pick<
  z.infer<typeof settingsSchema>,
  'STUCK_AFTER_MS' | 'ORPHAN_AFTER_MS' | 'WORKER_TIMEOUT_SECONDS' | 'QUEUE_VISIBILITY_TIMEOUT_SECONDS'
>;

/**
 * How the timing settings must relate to the worker's timeout and the queue's visibility
 * timeout, each broken relation as [the setting to change, why, naming both]. Checked at
 * cold start (configSchema) and, with the stage's values, at package time.
 */
export function timingProblems(settings: TimingSettings): [setting: string, problem: string][] {
  const { STUCK_AFTER_MS, ORPHAN_AFTER_MS, WORKER_TIMEOUT_SECONDS: worker } = settings;
  const visibility = settings.QUEUE_VISIBILITY_TIMEOUT_SECONDS;
  const problems: [string, string][] = [];
  if (worker !== undefined && STUCK_AFTER_MS <= worker * 1000) {
    problems.push([
      'STUCK_AFTER_MS',
      `${STUCK_AFTER_MS} must exceed the worker's timeout, WORKER_TIMEOUT_SECONDS=${worker} ` +
        '(else the reaper resets submissions a worker is still deciding)',
    ]);
  }
  if (worker !== undefined && visibility !== undefined && visibility < 6 * worker) {
    problems.push([
      'QUEUE_VISIBILITY_TIMEOUT_SECONDS',
      `${visibility} must be at least 6 times the worker's timeout, WORKER_TIMEOUT_SECONDS=${worker} ` +
        '(else SQS hands a batch to a second worker while the first still holds it)',
    ]);
  }
  if (visibility !== undefined && ORPHAN_AFTER_MS <= visibility * 1000) {
    problems.push([
      'ORPHAN_AFTER_MS',
      `${ORPHAN_AFTER_MS} must exceed the queue's visibility timeout, QUEUE_VISIBILITY_TIMEOUT_SECONDS=${visibility} ` +
        '(else the reaper re-sends a released submission before SQS redelivers it)',
    ]);
  }
  return problems;
}

/** One cursor key source at most, and timings that fit together (the rule set is the loader's: config/rule-set.ts). */
export const configSchema = settingsSchema
  .refine((config) => config.CURSOR_SECRET === undefined || config.CURSOR_SECRET_ARN === undefined, {
    path: ['CURSOR_SECRET'],
    error: 'must not be set together with CURSOR_SECRET_ARN',
  })
  .superRefine((config, context) => {
    for (const [setting, problem] of timingProblems(config)) {
      context.addIssue({ code: 'custom', path: [setting], message: problem });
    }
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
