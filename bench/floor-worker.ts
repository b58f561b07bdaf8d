/**
 * The throughput floor (figure 2): the least a worker can do per submission, as
 * a plain loop in a process of its own — receive 10, then for each message claim
 * (one conditional UpdateItem returning the item), evaluate the rule set, complete
 * (one conditional UpdateItem), and delete the batch in one call. No Lambda hop,
 * no logging, no error handling beyond stopping. The bench compares the real
 * worker path against it at the same concurrency, on the same emulators.
 *
 * Run by bench/throughput.ts as `node --import tsx bench/floor-worker.ts` with
 * FLOOR_QUEUE_URL, TABLE_NAME, FLOOR_POLLERS, FLOOR_CONCURRENCY, FLOOR_LEASE_MS
 * and the AWS endpoints in the environment. Over IPC: it says `ready`, then
 * drains `count` messages for each `{ go: count }` and says `done`.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { and, condition, namesUsedIn } from '../src/adapters/dynamodb/conditions';
import {
  APPEND_HISTORY,
  CLAIM_UPDATE,
  CLAIMABLE,
  historyValues,
} from '../src/adapters/dynamodb/dynamodb-submission-store';
import { createSqsClient } from '../src/adapters/sqs/sqs-client';
import { expiryOf } from '../src/domain/submission';
import { defaultRuleSet } from '../src/rules/default-rule-set';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`floor worker: ${name} is not set`);
  return value;
};
const queueUrl = env('FLOOR_QUEUE_URL');
const tableName = env('TABLE_NAME');
const pollers = Number(env('FLOOR_POLLERS'));
const concurrency = Number(env('FLOOR_CONCURRENCY'));
const leaseMs = Number(env('FLOOR_LEASE_MS'));

/**
 * The store's own expressions, character for character, history entry and
 * expiry included: the emulator's cost of parsing them and the size of the item
 * are part of every call, and must weigh the same on both sides.
 */
// The store's own claim, so both paths send DynamoDB the same expressions.
const CLAIM = CLAIM_UPDATE;
const COMPLETE =
  'SET #status = :status, #result = :outcome, #decidedBy = :leaseToken, #completedAt = :now, ' +
  `#updatedAt = :now, #expiresAt = :expiresAt, ${APPEND_HISTORY} ` +
  'REMOVE #leaseToken, #leaseExpiresAt, #activeShard, #reapAt';
/** The service's default RETENTION_DAYS. */
const RETENTION_DAYS = 90;
const OURS = and(condition.statusIsProcessing, condition.leaseIsOurs);

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = createSqsClient();
const ruleSet = defaultRuleSet();

async function decide(message: Message): Promise<void> {
  const { id } = JSON.parse(message.Body ?? '{}') as { id: string };
  const now = new Date();
  const leaseToken = randomUUID();
  const { Attributes } = await documents.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { id },
      UpdateExpression: CLAIM,
      ConditionExpression: CLAIMABLE,
      ExpressionAttributeNames: namesUsedIn(CLAIM, CLAIMABLE),
      ExpressionAttributeValues: {
        ':pending': 'PENDING',
        ':processing': 'PROCESSING',
        ':leaseToken': leaseToken,
        ':now': now.toISOString(),
        ':leaseExpiresAt': new Date(now.getTime() + leaseMs).toISOString(),
        ':one': 1,
        ...historyValues({
          event: 'claimed',
          at: now.toISOString(),
          leaseExpiresAt: new Date(now.getTime() + leaseMs).toISOString(),
        }),
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const result = await ruleSet.evaluate(String(Attributes?.content ?? ''));
  const decidedAt = new Date();
  const completedAt = decidedAt.toISOString();
  await documents.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { id },
      UpdateExpression: COMPLETE,
      ConditionExpression: OURS,
      ExpressionAttributeNames: namesUsedIn(COMPLETE, OURS),
      ExpressionAttributeValues: {
        ':status': result.verdict,
        ':outcome': result,
        ':leaseToken': leaseToken,
        ':now': completedAt,
        ':processing': 'PROCESSING',
        ':expiresAt': expiryOf(decidedAt, RETENTION_DAYS),
        ...historyValues({ event: 'decided', at: completedAt, status: result.verdict }),
      },
    }),
  );
}

/** Records of one batch, `concurrency` at a time (as processBatch runs them). */
async function decideAll(messages: Message[]): Promise<void> {
  const pending = [...messages];
  const lane = async () => {
    for (let message = pending.shift(); message; message = pending.shift()) await decide(message);
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
}

async function drain(count: number): Promise<void> {
  let remaining = count;
  const poller = async () => {
    while (remaining > 0) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (Messages.length === 0) continue;
      remaining -= Messages.length;
      await decideAll(Messages);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle ?? '',
          })),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: pollers }, poller));
}

process.on('message', (message: { go?: number }) => {
  if (message.go === undefined) return;
  drain(message.go).then(
    () => process.send?.({ done: true }),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
// The bench is gone (killed, or finished without stopping us): nothing left to do.
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
