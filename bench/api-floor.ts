/**
 * The API's floor (serverless.bench.cjs only, never deployed): the same AWS calls
 * as POST /submissions and GET /submissions/{id} — the same item, the same
 * condition, the same message — made by a bare handler with nothing else: no
 * middleware, no validation, no error handling. Between the no-op and this, the
 * bench can tell what the AWS round trips cost from what our handler adds.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { condition, namesUsedIn } from '../src/adapters/dynamodb/conditions';
import { activeShardOf } from '../src/adapters/dynamodb/table';
import { createSqsClient } from '../src/adapters/sqs/sqs-client';

const tableName = process.env.TABLE_NAME ?? '';
const queueUrl = process.env.QUEUE_URL ?? '';
const shards = Number(process.env.ACTIVE_INDEX_SHARDS ?? 4);
const orphanAfterMs = Number(process.env.ORPHAN_AFTER_MS ?? 240_000);
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = createSqsClient();

export const handler = async (event: APIGatewayProxyEventV2) => {
  const id = event.pathParameters?.id;
  if (id !== undefined) {
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }),
    );
    return { statusCode: Item ? 200 : 404, body: JSON.stringify(Item ?? {}) };
  }
  // API Gateway (and the local stack, which acts as it does) may pass the body base64-encoded.
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body;
  const { content } = JSON.parse(body ?? '{}') as { content: string };
  const owner = 'anonymous';
  const now = new Date();
  const createdAt = now.toISOString();
  const item = {
    id: randomUUID(),
    owner,
    content,
    status: 'PENDING',
    attempts: 0,
    createdAt,
    updatedAt: createdAt,
    activeShard: '',
    reapAt: new Date(now.getTime() + orphanAfterMs).toISOString(),
    history: [{ event: 'accepted', at: createdAt }],
  };
  item.activeShard = activeShardOf(item.id, shards);
  await documents.send(
    new PutCommand({
      TableName: tableName,
      Item: item,
      ConditionExpression: condition.isNew,
      ExpressionAttributeNames: namesUsedIn(condition.isNew),
    }),
  );
  await sqs.send(
    new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ id: item.id }) }),
  );
  return { statusCode: 202, body: JSON.stringify(item) };
};
