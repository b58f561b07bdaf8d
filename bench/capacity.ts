/**
 * Figure 1b, DynamoDB's billed units per submission: requests are not what
 * DynamoDB bills; write and read request units are, and every write that
 * touches an index item is billed again on that index. dynalite does not report
 * index capacity, so this runs our handlers and the Powertools peer's against
 * DynamoDB Local (AWS's own emulator, which does), through a counting proxy that
 * asks for ReturnConsumedCapacity=INDEXES on every call.
 *
 * Run by bench/bench.ts in a process of its own (the handlers read their
 * environment once, on import): `node --import tsx bench/capacity.ts 20`.
 * Its last line is `capacity: <json>` (a CapacityResult); without Java it says
 * so there instead of measuring.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { stageResourceNames } from '../src/config/stages';
import { dynamoDbLocalJar, javaVersion, startDynamoDbLocal } from '../workbench/dynamodb-local';
import { type CloudFormationResources, ensureResources } from '../workbench/local/resources';
import { projectRoot } from '../workbench/local/stack';
import { contentFor, recordFrom } from './calls';
import { bundleHandler } from './cold-start';
import { type CallRecord, startCountingProxy } from './counting-proxy';

/** Units per submission: written (WRU) and read (RRU), and all of them by table or index. */
export interface Units {
  write: number;
  read: number;
  byTarget: Record<string, number>;
}

export type CapacityResult =
  | { submissions: number; ours: { api: Units; worker: Units; poll: Units }; peer: { worker: Units } }
  | { skipped: string };

const TABLES = { submissions: 'capacity-submissions', peerIdempotency: 'capacity-peer-idempotency' };
const LABELS: Record<string, string> = {
  [TABLES.submissions]: 'submissions',
  [TABLES.peerIdempotency]: 'peer idempotency',
};
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

function unitsOf(calls: readonly CallRecord[], submissions: number): Units {
  const units: Units = { write: 0, read: 0, byTarget: {} };
  for (const call of calls) {
    for (const [target, used] of Object.entries(call.capacity ?? {})) {
      const name = target === 'table' ? LABELS[call.resource] : `${LABELS[call.resource]} ${target}`;
      units.byTarget[name ?? target] = (units.byTarget[name ?? target] ?? 0) + used / submissions;
      if (WRITES.has(call.operation)) units.write += used / submissions;
      else units.read += used / submissions;
    }
  }
  return units;
}

/** The submissions table from serverless.yml and the peer's from the bench's additions, under local names. */
async function tableDefinitions(): Promise<CloudFormationResources> {
  const readConfiguration = require('serverless/lib/configuration/read') as (
    path: string,
  ) => Promise<{ resources: { Resources: CloudFormationResources } }>;
  const { benchService } = require('./bench-service.cjs') as {
    benchService: (service: unknown) => { resources: { Resources: CloudFormationResources } };
  };
  const { Resources } = benchService(await readConfiguration(join(projectRoot, 'serverless.yml'))).resources;
  // serverless.yml names the indexes through a variable (`${self:custom.names.indexes.…}`)
  // that reading the file leaves unresolved: the names come from where it resolves them.
  const { indexes } = stageResourceNames('capacity');
  const indexName = (name: unknown) =>
    typeof name === 'string'
      ? name.replace(
          /^\$\{self:custom\.names\.indexes\.(\w+)\}$/,
          (_match, key: keyof typeof indexes) => indexes[key],
        )
      : name;
  const renamed = (logicalId: string, tableName: string) => {
    const resource = Resources[logicalId]!;
    const properties = resource.Properties as { GlobalSecondaryIndexes?: { IndexName: unknown }[] };
    return {
      ...resource,
      Properties: {
        ...resource.Properties,
        TableName: tableName,
        ...(properties.GlobalSecondaryIndexes
          ? {
              GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes.map((index) => ({
                ...index,
                IndexName: indexName(index.IndexName),
              })),
            }
          : {}),
      },
    };
  };
  return {
    SubmissionsTable: renamed('SubmissionsTable', TABLES.submissions),
    PeerIdempotencyTable: renamed('PeerIdempotencyTable', TABLES.peerIdempotency),
  };
}

const lambdaContext = (name: string) =>
  ({ functionName: name, awsRequestId: randomUUID(), getRemainingTimeInMillis: () => 30_000 }) as Context;

const eventFor = (id: string): SQSEvent => ({
  Records: [
    {
      messageId: randomUUID(),
      receiptHandle: 'capacity',
      body: JSON.stringify({ id }),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'capacity',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:capacity',
      awsRegion: 'us-east-1',
    },
  ],
});

async function measure(submissions: number): Promise<CapacityResult> {
  const java = await javaVersion();
  if (!java) return { skipped: 'java not found (DynamoDB Local needs it)' };
  const local = await startDynamoDbLocal((await dynamoDbLocalJar()).directory);
  const proxy = await startCountingProxy(local.endpoint, { consumedCapacity: true });
  const bundles = mkdtempSync(join(tmpdir(), 'capacity-bundles-'));
  try {
    await ensureResources(await tableDefinitions(), {
      dynamodb: new DynamoDBClient({ ...LOCAL, endpoint: local.endpoint }),
      sqs: undefined as never,
    });
    Object.assign(process.env, {
      AWS_REGION: LOCAL.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      AWS_LAMBDA_FUNCTION_NAME: 'capacity',
      TABLE_NAME: TABLES.submissions,
      PEER_IDEMPOTENCY_TABLE: TABLES.peerIdempotency,
      // Never called: the worker does not enqueue, and submissions are stored without the API's enqueue.
      QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/capacity',
      AUTH_MODE: 'dev',
    });
    const { app } = await import('../src/composition');
    type Worker = { handler: (event: SQSEvent, context: Context) => Promise<unknown> };
    const ours = require(await bundleHandler('handlers/worker.ts', bundles)) as Worker;
    const peer = require(await bundleHandler('bench/peer/peer-worker.ts', bundles)) as Worker;
    const { store, config } = app();
    /** What POST /submissions writes: the store's create, as SubmissionService calls it. */
    const create = async (index: number) => {
      const id = randomUUID();
      const createdAt = new Date().toISOString();
      const reapAt = new Date(Date.parse(createdAt) + config.ORPHAN_AFTER_MS).toISOString();
      await store.create({ id, owner: 'capacity', content: contentFor(index), createdAt }, reapAt);
      return id;
    };

    const phase = async (work: () => Promise<void>) => {
      const calls = recordFrom(proxy);
      await work();
      return unitsOf(calls(), submissions);
    };
    const ids: string[] = [];
    const api = await phase(async () => {
      for (let index = 0; index < submissions; index += 1) ids.push(await create(index));
    });
    const worker = await phase(async () => {
      for (const id of ids) await ours.handler(eventFor(id), lambdaContext('worker'));
    });
    const poll = await phase(async () => {
      for (const id of ids) await store.get(id);
    });
    const peerIds: string[] = [];
    for (let index = 0; index < submissions; index += 1) peerIds.push(await create(index));
    const peerWorker = await phase(async () => {
      for (const id of peerIds) await peer.handler(eventFor(id), lambdaContext('peer'));
    });
    return { submissions, ours: { api, worker, poll }, peer: { worker: peerWorker } };
  } finally {
    await proxy.close();
    await local.stop();
    rmSync(bundles, { recursive: true, force: true });
  }
}

measure(Number(process.argv[2] ?? 20)).then(
  (result) => {
    console.log(`capacity: ${JSON.stringify(result)}`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
