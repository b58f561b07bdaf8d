/**
 * NOT PART OF THE SERVICE. The bench's peer (`npm run bench`, serverless.bench.cjs):
 * the submission worker as it is commonly written with Powertools for AWS Lambda —
 * `makeIdempotent` on the record handler (a DynamoDB persistence table of its own)
 * and the batch processor's `processPartialResponse` — doing the job of
 * handlers/worker.ts: read the submission, mark it PROCESSING (the design's state
 * machine, which the frontend shows), evaluate the same rule set (src/rules),
 * write the decision. Duplicates are kept out by the idempotency record, not by
 * conditions on the item. Its submissions are one item each, content inline, in a table
 * of its own (PEER_TABLE_NAME) with store schema v1's definition: the usual way. It exists
 * only so the bench can count its AWS calls and time its cold start against ours; nothing
 * deploys it.
 *
 * This module is the peer's job; its Lambda handlers are worker.ts (with the
 * Powertools Logger and Metrics that the service's worker also has: the same job)
 * and worker-bare.ts (without them, for comparison).
 */
import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { loadConfiguredRuleSet } from '../../src/config/rule-set';

/**
 * Its own table, of store schema v1's definition (serverless.yml's `SubmissionsTable`: one item
 * per submission, content inline), written by the peer's API (api.ts).
 */
const tableName = process.env.PEER_TABLE_NAME ?? '';
const client = new DynamoDBClient({});
const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
const ruleSet = loadConfiguredRuleSet({
  RULES_JSON: process.env.RULES_JSON || undefined,
  RULES_FILE: process.env.RULES_FILE || undefined,
});

const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: process.env.PEER_IDEMPOTENCY_TABLE ?? '',
  awsSdkV3Client: client,
});
export const config = new IdempotencyConfig({ eventKeyJmesPath: 'powertools_json(body).id' });
export const processor = new BatchProcessor(EventType.SQS);

const names = {
  '#status': 'status',
  '#result': 'result',
  '#processingStartedAt': 'processingStartedAt',
  '#completedAt': 'completedAt',
  '#updatedAt': 'updatedAt',
  '#activeShard': 'activeShard',
  '#reapAt': 'reapAt',
};

const setStatus = (id: string, update: string, condition: string, values: Record<string, unknown>) =>
  documents.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { id },
      UpdateExpression: update,
      ConditionExpression: condition,
      ExpressionAttributeNames: Object.fromEntries(
        Object.entries(names).filter(([name]) => `${update} ${condition}`.includes(name)),
      ),
      ExpressionAttributeValues: values,
    }),
  );

/** PENDING → PROCESSING → PASSED | FAILED, as the design has it; idempotency keeps duplicates out. */
async function decide(record: SQSRecord): Promise<string> {
  const { id } = JSON.parse(record.body) as { id: string };
  const { Item } = await documents.send(
    new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }),
  );
  if (!Item || (Item.status !== 'PENDING' && Item.status !== 'PROCESSING')) return 'skipped';
  const started = new Date().toISOString();
  await setStatus(
    id,
    'SET #status = :processing, #processingStartedAt = :now, #updatedAt = :now',
    'attribute_exists(#status)',
    { ':processing': 'PROCESSING', ':now': started },
  );
  const result = await ruleSet.evaluate(String(Item.content));
  await setStatus(
    id,
    'SET #status = :status, #result = :result, #completedAt = :now, #updatedAt = :now REMOVE #activeShard, #reapAt',
    '#status = :processing',
    {
      ':status': result.verdict,
      ':result': result,
      ':now': new Date().toISOString(),
      ':processing': 'PROCESSING',
    },
  );
  return result.verdict;
}

export const decideOnce = makeIdempotent(decide, { persistenceStore, config });
