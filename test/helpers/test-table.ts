import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type CloudFormationResources, ensureResources } from '../../workbench/local/resources';

export interface TestTable {
  documents: DynamoDBDocumentClient;
  tableName: string;
  /** Every item in the table, unmarshalled (test-only: the service itself never scans). */
  scanAll(): Promise<Record<string, unknown>[]>;
  destroy(): Promise<void>;
}

/** Local endpoints accept any credentials; DynamoDB Local wants them alphanumeric. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * A fresh submissions table on the DynamoDB at `endpoint`, made from
 * serverless.yml's own definition (with a name unique to the calling test) by
 * the same `ensureResources` the local stack uses. No queues: only the table.
 */
export async function createTestTable(
  resources: CloudFormationResources,
  endpoint: string,
): Promise<TestTable> {
  const suffix = randomUUID().slice(0, 8);
  const tables: CloudFormationResources = Object.fromEntries(
    Object.entries(resources)
      .filter(([logicalId]) => logicalId === 'SubmissionsTableV2')
      .map(([logicalId, resource]) => [
        logicalId,
        {
          ...resource,
          Properties: { ...resource.Properties, TableName: `${resource.Properties?.TableName}-${suffix}` },
        },
      ]),
  );
  const dynamodb = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  // Only tables are asked for, so ensureResources never reaches for a queue client.
  const resolved = await ensureResources(tables, { dynamodb, sqs: undefined as never });
  const tableName = resolved.get('SubmissionsTableV2')!.ref;
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });

  return {
    documents,
    tableName,
    scanAll: () => scanTable(documents, tableName),
    destroy: async () => {
      await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
      dynamodb.destroy();
    },
  };
}

/** Every item of a table, unmarshalled, read consistently (test-only: the service itself never scans). */
export async function scanTable(
  documents: DynamoDBDocumentClient,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}
