import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';

/** What the running stack's table holds, as far as "did a request store anything?" needs. */
export interface TableSnapshot {
  /** Items per owner; idempotency records (which carry no owner) under `(idempotency)`. */
  itemsByOwner: Record<string, number>;
  /** The content of every submission in the table. */
  contents: string[];
}

let client: DynamoDBDocumentClient | undefined;

function documentClient(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: inject('stack').env.AWS_ENDPOINT_URL_DYNAMODB,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  return client;
}

/** Scans the whole table of the e2e stack (a test-only cost: the table is small). */
export async function snapshotTable(): Promise<TableSnapshot> {
  const itemsByOwner: Record<string, number> = {};
  const contents: string[] = [];
  const pages = paginateScan(
    { client: documentClient() },
    { TableName: inject('stack').tableName, ConsistentRead: true },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const owner = typeof item.owner === 'string' ? item.owner : '(idempotency)';
      itemsByOwner[owner] = (itemsByOwner[owner] ?? 0) + 1;
      if (typeof item.content === 'string') contents.push(item.content);
    }
  }
  return { itemsByOwner, contents };
}
