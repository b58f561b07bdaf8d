/**
 * Figure 1b, DynamoDB's billed units per submission: requests are not what
 * DynamoDB bills; write and read request units are, and every write that
 * touches an index item is billed again on that index. dynalite does not report
 * index capacity, so this runs our handlers and the Powertools peer's against
 * DynamoDB Local (AWS's own emulator, which does), through a counting proxy that
 * asks for ReturnConsumedCapacity=INDEXES on every call.
 *
 * A sweep over content sizes (bench/billed-units.ts: short, 1, 16 and 64 KiB), each
 * side measured in three phases: the API's POST, the worker (claim to decision),
 * and one status poll after the decision.
 * - Ours: the store's create as POST /submissions calls it, handlers/worker.ts bundled
 *   as serverless.yml bundles it, and the store's `getWithoutContent` (what
 *   GET /submissions/{id} reads), on serverless.yml's `SubmissionsTableV2`.
 * - The peer, "the usual way": one item per submission holding its content, on a table
 *   of its own with store schema v1's definition (serverless.yml's `SubmissionsTable`):
 *   its API's PutItem (bench/peer/peer-api.ts), its worker (bench/peer/peer-worker.ts,
 *   bundled), and a strongly consistent GetItem of its whole item.
 * Both run the default rule set, under which EXPECTED_OURS is derived.
 *
 * Run by bench/bench.ts in a process of its own (the handlers read their
 * environment once, on import): `node --import tsx bench/capacity.ts 20 short,1k,16k,64k`
 * (the sizes default to all). Its last line is `capacity: <json>` (a CapacityResult);
 * without Java it says so there instead of measuring.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { stageResourceNames } from '../src/config/stages';
import { defaultRuleSet } from '../src/rules/default-rule-set';
import { dynamoDbLocalJar, javaVersion, startDynamoDbLocal } from '../workbench/dynamodb-local';
import { type CloudFormationResources, ensureResources } from '../workbench/local/resources';
import { projectRoot } from '../workbench/local/stack';
import {
  CONTENT_SIZES,
  contentOfSize,
  isSizeKey,
  type SizeKey,
  type SizeUnits,
  unitsOf,
} from './billed-units';
import { recordFrom } from './calls';
import { bundleHandler } from './cold-start';
import { startCountingProxy } from './counting-proxy';
import { createPeerSubmission } from './peer/peer-api';

export type CapacityResult = { submissions: number; sizes: SizeUnits[] } | { skipped: string };

const TABLES = {
  ours: 'capacity-submissions',
  peer: 'capacity-peer-submissions',
  peerIdempotency: 'capacity-peer-idempotency',
};
/** Each table by its role: ours and the peer's are measured apart, so both are "submissions". */
const LABELS: Record<string, string> = {
  [TABLES.ours]: 'submissions',
  [TABLES.peer]: 'submissions',
  [TABLES.peerIdempotency]: 'peer idempotency',
};
const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/**
 * Our table (serverless.yml's `SubmissionsTableV2`), the peer's (its `SubmissionsTable`, store
 * schema v1) and the peer's idempotency table (the bench's additions), under local names.
 */
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
    const resource = Resources[logicalId];
    if (!resource) throw new Error(`serverless.yml (with bench/bench-service.cjs) defines no ${logicalId}`);
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
    SubmissionsTableV2: renamed('SubmissionsTableV2', TABLES.ours),
    SubmissionsTable: renamed('SubmissionsTable', TABLES.peer),
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

type Worker = { handler: (event: SQSEvent, context: Context) => Promise<unknown> };

/** Runs a worker on one record; a record it reports failed would make the units meaningless. */
async function decide(worker: Worker, id: string, name: string): Promise<void> {
  const answer = (await worker.handler(eventFor(id), lambdaContext(name))) as
    | { batchItemFailures?: unknown[] }
    | undefined;
  if (answer?.batchItemFailures?.length) throw new Error(`${name} failed the record of ${id}`);
}

async function measure(submissions: number, sizes: readonly SizeKey[]): Promise<CapacityResult> {
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
    // The units are measured, and expected (EXPECTED_OURS), under the default rule set.
    delete process.env.RULES_JSON;
    delete process.env.RULES_FILE;
    Object.assign(process.env, {
      AWS_REGION: LOCAL.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      AWS_LAMBDA_FUNCTION_NAME: 'capacity',
      TABLE_NAME: TABLES.ours,
      PEER_TABLE_NAME: TABLES.peer,
      PEER_IDEMPOTENCY_TABLE: TABLES.peerIdempotency,
      // Never called: the worker does not enqueue, and submissions are stored without the API's enqueue.
      QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/capacity',
      AUTH_MODE: 'dev',
    });
    const { app } = await import('../src/composition');
    const ours = require(await bundleHandler('handlers/worker.ts', bundles)) as Worker;
    const peer = require(await bundleHandler('bench/peer/peer-worker.ts', bundles)) as Worker;
    const { store, config } = app();
    // The peer's API and polls, through the proxy as everything measured.
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...LOCAL, endpoint: proxy.endpoint }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
    const rules = defaultRuleSet();
    /** A poll's answer must be the decision the rule set makes: else the worker did not do its job. */
    const checkDecided = async (id: string, content: string, status: unknown, side: string) => {
      const expected = (await rules.evaluate(content)).verdict;
      if (status !== expected) throw new Error(`${side}: ${id} is ${String(status)}, expected ${expected}`);
    };
    const phase = async (work: () => Promise<void>) => {
      const calls = recordFrom(proxy);
      await work();
      return unitsOf(calls(), submissions, LABELS);
    };
    const newSubmission = (index: number, size: SizeKey) => {
      const createdAt = new Date().toISOString();
      return {
        id: randomUUID(),
        owner: 'capacity',
        content: contentOfSize(index, size),
        createdAt,
        reapAt: new Date(Date.parse(createdAt) + config.ORPHAN_AFTER_MS).toISOString(),
      };
    };

    const results: SizeUnits[] = [];
    for (const size of sizes) {
      const created = Array.from({ length: submissions }, (_, index) => newSubmission(index, size));
      // Ours: what POST /submissions writes (the store's create, as SubmissionService calls it).
      const oursApi = await phase(async () => {
        for (const { reapAt, ...submission } of created) {
          if (!(await store.create(submission, reapAt)))
            throw new Error(`ours: create of ${submission.id} refused`);
        }
      });
      const oursWorker = await phase(async () => {
        for (const { id } of created) await decide(ours, id, 'worker');
      });
      // What GET /submissions/{id} reads.
      const oursPoll = await phase(async () => {
        for (const { id, content } of created) {
          await checkDecided(id, content, (await store.getWithoutContent(id))?.status, 'ours');
        }
      });

      const peerCreated = Array.from({ length: submissions }, (_, index) => newSubmission(index, size));
      const peerApi = await phase(async () => {
        for (const submission of peerCreated) {
          await createPeerSubmission(documents, TABLES.peer, submission, config.ACTIVE_INDEX_SHARDS);
        }
      });
      const peerWorker = await phase(async () => {
        for (const { id } of peerCreated) await decide(peer, id, 'peer worker');
      });
      const peerPoll = await phase(async () => {
        for (const { id, content } of peerCreated) {
          const { Item } = await documents.send(
            new GetCommand({ TableName: TABLES.peer, Key: { id }, ConsistentRead: true }),
          );
          await checkDecided(id, content, Item?.status, 'peer');
        }
      });
      results.push({
        size,
        ours: { api: oursApi, worker: oursWorker, poll: oursPoll },
        peer: { api: peerApi, worker: peerWorker, poll: peerPoll },
      });
    }
    return { submissions, sizes: results };
  } finally {
    await proxy.close();
    await local.stop();
    rmSync(bundles, { recursive: true, force: true });
  }
}

const sizes = (process.argv[3] ?? CONTENT_SIZES.map((size) => size.key).join(',')).split(',');
const unknownSizes = sizes.filter((size) => !isSizeKey(size));
if (unknownSizes.length > 0) {
  console.error(
    `capacity: sizes are ${CONTENT_SIZES.map((size) => size.key).join(', ')}; not ${unknownSizes.join(', ')}`,
  );
  process.exit(2);
}

measure(Number(process.argv[2] ?? 20), sizes as SizeKey[]).then(
  (result) => {
    console.log(`capacity: ${JSON.stringify(result)}`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
