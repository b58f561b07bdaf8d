import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { CONTENT_KEY_PREFIX } from '../../src/adapters/dynamodb/table';
import { createSqsClient, queueUrlByName } from '../../src/adapters/sqs/sqs-client';
import { waitFor } from '../../workbench/wait';
import { approximateDepth } from './backend';

/** What the running stack's table holds, as far as "did a request store anything?" needs. */
export interface TableSnapshot {
  /**
   * Items per owner; idempotency records (which carry no owner) under `(idempotency)`, and the
   * items holding content kept apart (over INLINE_CONTENT_MAX_BYTES) under `(content)`.
   */
  itemsByOwner: Record<string, number>;
  /** The content of every submission in the table. */
  contents: string[];
  /** Every item as JSON, sorted: any write at all changes this. */
  items: string[];
}

/** The table and the queue of the stack together; a refused request must leave both unchanged. */
export interface StackSnapshot {
  items: string[];
  /** Messages on the stack's queue, visible or in flight. */
  depth: number;
}

const region = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let client: DynamoDBDocumentClient | undefined;
let sqs: SQSClient | undefined;
let queueUrl: string | undefined;

function documentClient(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: inject('stack').env.AWS_ENDPOINT_URL_DYNAMODB, region, credentials }),
  );
  return client;
}

/** Scans the whole table of the e2e stack (a test-only cost: the table is small). */
export async function snapshotTable(): Promise<TableSnapshot> {
  const itemsByOwner: Record<string, number> = {};
  const contents: string[] = [];
  const items: string[] = [];
  const pages = paginateScan(
    { client: documentClient() },
    { TableName: inject('stack').tableName, ConsistentRead: true },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const owner =
        typeof item.owner === 'string'
          ? item.owner
          : String(item.id).startsWith(CONTENT_KEY_PREFIX)
            ? '(content)'
            : '(idempotency)';
      itemsByOwner[owner] = (itemsByOwner[owner] ?? 0) + 1;
      if (typeof item.content === 'string') contents.push(item.content);
      items.push(JSON.stringify(item));
    }
  }
  return { itemsByOwner, contents, items: items.sort() };
}

/** Messages on the e2e stack's main queue, visible or in flight. */
export async function stackQueueDepth(): Promise<number> {
  const stack = inject('stack');
  sqs ??= createSqsClient({ endpoint: stack.env.AWS_ENDPOINT_URL_SQS, region, credentials });
  queueUrl ??= await queueUrlByName(sqs, stack.queueName);
  if (!queueUrl) throw new Error(`the stack has no queue ${stack.queueName}`);
  return approximateDepth(sqs, queueUrl);
}

/** Every item of the table and the queue's depth, now. */
export async function snapshotStack(): Promise<StackSnapshot> {
  const [{ items }, depth] = await Promise.all([snapshotTable(), stackQueueDepth()]);
  return { items, depth };
}

const isOpen = (item: string) => /"status":"(PENDING|PROCESSING)"/.test(item);

/**
 * Waits until the worker and the reaper have nothing left to move: no message
 * on the queue (visible or in flight) and no submission PENDING or PROCESSING.
 * From then on, only a request can change the table or the queue.
 */
export function waitUntilSettled(): Promise<StackSnapshot> {
  return waitFor(
    'the stack to settle (queue empty, every submission decided)',
    async () => {
      const snapshot = await snapshotStack();
      return snapshot.depth === 0 && !snapshot.items.some(isOpen) ? snapshot : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 200 },
  );
}
