import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createDynamoDbClient } from '../../src/adapters/dynamodb/dynamodb-client';
import { createSqsClient, queueUrlByName } from '../../src/adapters/sqs/sqs-client';
import { type Application, compose } from '../../src/composition';
import { loadConfig } from '../../src/config/env';
import { LOCALSTACK_ENDPOINT, localEmulatorEndpoints, stageResourceNames } from '../../src/config/stages';
import type { Logger } from '../../src/ports/logger';
import type { CommonOptions } from './args';
import { cloudWatchMessageAge, type OldestMessageAge, oldestMessageAgeLocally } from './message-age';

/** Emulators accept any credentials; these are used when the environment has none. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Where one stage lives: endpoints (undefined: AWS's own), region and resource names. */
export interface TargetSettings {
  stage: string;
  region?: string;
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
  /** Where queue ages are read; stage `local` has no CloudWatch and never asks. */
  cloudwatchEndpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  tableName: string;
  /** The table of store schema v1, which `migrate` copies from. */
  legacyTableName: string;
  /** Either a URL (QUEUE_URL / DLQ_URL) or a name to look up with GetQueueUrl. */
  queue: { url: string } | { name: string };
  deadLetterQueue: { url: string } | { name: string };
}

const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/**
 * Resolves `--stage` / `--region` and the environment into endpoints and names.
 * `local`: the emulators of `npm start`; `localstack`: LocalStack's edge port;
 * any other stage: AWS through the normal credential chain. AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_DYNAMODB / _SQS / _CLOUDWATCH override the endpoints,
 * TABLE_NAME, LEGACY_TABLE_NAME, QUEUE_URL and DLQ_URL the resources.
 */
export function targetSettings(options: Pick<CommonOptions, 'stage' | 'region'>, env: NodeJS.ProcessEnv) {
  const { stage } = options;
  const emulated = stage === 'local' || stage === 'localstack';
  const defaultEndpoint = (service: 'dynamodb' | 'sqs') => {
    if (stage === 'localstack') return LOCALSTACK_ENDPOINT;
    if (stage === 'local') return localEmulatorEndpoints(env)[service];
    return undefined;
  };
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  const credentials =
    accessKeyId && secretAccessKey
      ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }
      : emulated
        ? EMULATOR_CREDENTIALS
        : undefined;
  const names = stageResourceNames(stage);
  const queueUrl = nonEmpty(env.QUEUE_URL);
  const deadLetterQueueUrl = nonEmpty(env.DLQ_URL);
  const settings: TargetSettings = {
    stage,
    region:
      options.region ??
      nonEmpty(env.AWS_REGION) ??
      nonEmpty(env.AWS_DEFAULT_REGION) ??
      (emulated ? 'us-east-1' : undefined),
    dynamodbEndpoint:
      nonEmpty(env.AWS_ENDPOINT_URL_DYNAMODB) ??
      nonEmpty(env.AWS_ENDPOINT_URL) ??
      defaultEndpoint('dynamodb'),
    sqsEndpoint:
      nonEmpty(env.AWS_ENDPOINT_URL_SQS) ?? nonEmpty(env.AWS_ENDPOINT_URL) ?? defaultEndpoint('sqs'),
    cloudwatchEndpoint:
      stage === 'local'
        ? undefined
        : (nonEmpty(env.AWS_ENDPOINT_URL_CLOUDWATCH) ??
          nonEmpty(env.AWS_ENDPOINT_URL) ??
          (stage === 'localstack' ? LOCALSTACK_ENDPOINT : undefined)),
    credentials,
    tableName: nonEmpty(env.TABLE_NAME) ?? names.tableName,
    legacyTableName: nonEmpty(env.LEGACY_TABLE_NAME) ?? names.legacyTableName,
    queue: queueUrl ? { url: queueUrl } : { name: names.queueName },
    deadLetterQueue: deadLetterQueueUrl ? { url: deadLetterQueueUrl } : { name: names.deadLetterQueueName },
  };
  return settings;
}

/** One stage's clients and the application composed over them, as the Lambdas compose it. */
export interface Target {
  settings: TargetSettings;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  queueUrl: string;
  deadLetterQueueUrl: string;
  /** CloudWatch's ApproximateAgeOfOldestMessage, or on stage `local` the words saying there is none. */
  oldestMessageAge: OldestMessageAge;
  app: Application;
  close(): void;
}

/**
 * Opens a stage: looks the queues up by name (GetQueueUrl works on AWS and on
 * the emulators) and composes the application from the environment, with
 * TABLE_NAME and QUEUE_URL filled in, so thresholds (STUCK_AFTER_MS,
 * ORPHAN_AFTER_MS, ACTIVE_INDEX_SHARDS, …) are the Lambdas' own.
 */
export async function openTarget(
  settings: TargetSettings,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  given: TargetClients = {},
) {
  const clientConfig = (endpoint: string | undefined) => ({
    ...(settings.region ? { region: settings.region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  });
  const dynamodb = given.dynamodb ?? createDynamoDbClient(clientConfig(settings.dynamodbEndpoint));
  const sqs = createSqsClient(clientConfig(settings.sqsEndpoint));
  const cloudwatch =
    settings.stage === 'local'
      ? undefined
      : (given.cloudwatch ??
        new CloudWatchClient({
          ...clientConfig(settings.cloudwatchEndpoint),
          // A missing or silent CloudWatch must not hold up the rest of `stats`.
          maxAttempts: 2,
          requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000 },
        }));
  const oldestMessageAge = cloudwatch
    ? cloudWatchMessageAge(cloudwatch, settings.cloudwatchEndpoint)
    : oldestMessageAgeLocally;
  const close = () => {
    if (!given.dynamodb) dynamodb.destroy();
    if (cloudwatch && !given.cloudwatch) cloudwatch.destroy();
    sqs.destroy();
  };
  try {
    const [queueUrl, deadLetterQueueUrl] = await Promise.all([
      queueUrlOf(sqs, settings.queue),
      queueUrlOf(sqs, settings.deadLetterQueue),
    ]);
    const config = loadConfig({ ...env, TABLE_NAME: settings.tableName, QUEUE_URL: queueUrl });
    const app = compose({ config, dynamodb, sqs, logger });
    return {
      settings,
      dynamodb,
      sqs,
      queueUrl,
      deadLetterQueueUrl,
      oldestMessageAge,
      app,
      close,
    } satisfies Target;
  } catch (error) {
    close();
    throw error;
  }
}

/** Clients to use instead of ones built from the settings: tests record a client's calls or hand in a fake. */
export interface TargetClients {
  dynamodb?: DynamoDBClient;
  /** Ignored on stage `local`, which never asks CloudWatch. */
  cloudwatch?: CloudWatchClient;
}

async function queueUrlOf(sqs: SQSClient, queue: TargetSettings['queue']): Promise<string> {
  if ('url' in queue) return queue.url;
  const url = await queueUrlByName(sqs, queue.name);
  if (url) return url;
  throw new Error(`Queue ${queue.name} does not exist (is the stage deployed, or \`npm start\` running?).`);
}
