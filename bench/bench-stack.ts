/**
 * The local stack as the bench runs it: the emulators, a counting proxy in front
 * of each (every process of the stack talks to them through it), and
 * `serverless offline` with serverless.bench.cjs. The bench's own clients talk to
 * the emulators directly, so its seeding and polling are never counted.
 */
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createSqsClient } from '../src/adapters/sqs/sqs-client';
import { loadConfig } from '../src/config/env';
import { stageResourceNames } from '../src/config/stages';
import { freePort, type LocalStack, projectRoot, startLocalStack } from '../workbench/local/stack';
import { type CountingProxy, startCountingProxy } from './counting-proxy';

const STAGE = 'local';
const LOCAL_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

const STAGE_NAMES = stageResourceNames(STAGE);

/** Names the stack creates from serverless.yml and serverless.bench.cjs for the stage. */
export const NAMES = {
  /** The service's table (store schema v2). */
  table: STAGE_NAMES.tableName,
  /** The peer's: serverless.yml's table of store schema v1, which the service no longer uses. */
  peerTable: STAGE_NAMES.legacyTableName,
  queue: STAGE_NAMES.queueName,
  peerQueue: `submissions-${STAGE}-peer`,
  floorQueue: `submissions-${STAGE}-floor`,
  peerIdempotencyTable: `submissions-${STAGE}-peer-idempotency`,
  reaperFunction: `submissions-${STAGE}-reaper`,
} as const;

export interface BenchStack {
  stack: LocalStack;
  dynamodbProxy: CountingProxy;
  sqsProxy: CountingProxy;
  /** Straight to the emulators, not counted. */
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
  queueUrls: { queue: string; peerQueue: string; floorQueue: string };
  /** Concurrent pollers of each SQS event source (custom.localEventSources.sqsPollers). */
  pollers: number;
  /** The service's settings the stack runs with (ACTIVE_INDEX_SHARDS, WORKER_CONCURRENCY...). */
  settings: Record<string, string>;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * The service's settings as the stack's functions read them: each setting serverless.yml's
 * `provider.environment` passes from the environment (`${env:NAME, ''}`), as this process
 * sets it (the stack inherits its environment) or, unset, the config schema's default.
 */
async function serviceSettings(): Promise<Record<string, string>> {
  const readConfiguration = require('serverless/lib/configuration/read') as (
    path: string,
  ) => Promise<{ provider: { environment: Record<string, unknown> } }>;
  const { provider } = await readConfiguration(join(projectRoot, 'serverless.yml'));
  const names = Object.values(provider.environment).flatMap((value) => {
    const fromEnv = typeof value === 'string' ? /^\$\{env:(\w+), '[^']*'\}$/.exec(value) : null;
    return fromEnv ? [fromEnv[1]!] : [];
  });
  const given = Object.fromEntries(
    names.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  );
  const config = loadConfig({ TABLE_NAME: 'bench', QUEUE_URL: 'https://bench', ...given }) as Record<
    string,
    unknown
  >;
  return Object.fromEntries(
    names.flatMap((name) => (config[name] === undefined ? [] : [[name, String(config[name])]])),
  );
}

/** `env`: extra environment for the stack's serverless process (e.g. LOG_LEVEL). */
export async function startBenchStack(
  progress: (message: string) => void,
  env: Record<string, string> = {},
): Promise<BenchStack> {
  const logDirectory = mkdtempSync(join(tmpdir(), 'bench-'));
  const logFile = join(logDirectory, 'stack.log');
  const log = createWriteStream(logFile);
  // The emulators' ports are chosen first, so the proxies can point at them before the stack starts.
  const [dynamodbPort, sqsPort, httpPort, lambdaPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const dynamodbProxy = await startCountingProxy(`http://127.0.0.1:${dynamodbPort}`);
  const sqsProxy = await startCountingProxy(`http://127.0.0.1:${sqsPort}`);
  let pollers: number | undefined;
  progress(`starting the stack (serverless.bench.cjs); its output goes to ${logFile}`);
  const stack = await startLocalStack({
    stage: STAGE,
    config: 'serverless.bench.cjs',
    httpPort,
    lambdaPort,
    dynamodbPort,
    sqsPort,
    // In memory, as every documented run was taken (docs/benchmarks.md): the bench times the
    // service's code, not the emulator's disk (npm start keeps DynamoDB on disk, for restarts).
    dynamodbDataDir: false,
    env: {
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbProxy.endpoint,
      AWS_ENDPOINT_URL_SQS: sqsProxy.endpoint,
      ESBUILD_WORK_FOLDER: '.esbuild/bench',
      ...env,
    },
    echo: (line) => {
      log.write(`${line}\n`);
      const found = /→ worker \(batch \d+, (\d+) pollers\)/.exec(line)?.[1];
      if (found !== undefined) pollers = Number(found);
    },
  }).catch(async (error: unknown) => {
    await Promise.all([dynamodbProxy.close(), sqsProxy.close()]);
    throw error;
  });

  const dynamodb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: stack.dynamodbEndpoint });
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sqs = createSqsClient({ ...LOCAL_AWS, endpoint: stack.sqsEndpoint });
  const urlOf = async (name: string) =>
    (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
  const queueUrls = {
    queue: await urlOf(NAMES.queue),
    peerQueue: await urlOf(NAMES.peerQueue),
    floorQueue: await urlOf(NAMES.floorQueue),
  };
  if (pollers === undefined) throw new Error(`the stack did not report its worker's pollers; see ${logFile}`);

  return {
    stack,
    dynamodbProxy,
    sqsProxy,
    documents,
    sqs,
    queueUrls,
    pollers,
    settings: await serviceSettings(),
    logFile,
    stop: async () => {
      await stack.stop();
      await Promise.all([dynamodbProxy.close(), sqsProxy.close()]);
      dynamodb.destroy();
      sqs.destroy();
      log.end();
    },
  };
}
