import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, inject } from 'vitest';
import { createDocumentClient } from '../../src/adapters/dynamodb/dynamodb-client';
import { type CloudFormationResources, ensureResources } from '../../workbench/local/resources';
import { formatMigration, migrate } from '../../workbench/ops/migrate';
import { MIGRATION_SETTINGS, storeMigrationSuite } from '../conformance/store-migration-suite';

const local = inject('dynamodbLocal');
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

// AWS's DynamoDB Local has no SQS beside it: the migration is called directly, and its
// enqueues recorded by a SubmissionQueue of the test's own.
describe.skipIf('skipped' in local)('DynamoDB Local', () => {
  storeMigrationSuite('DynamoDB Local', async () => {
    const endpoint = 'endpoint' in local ? local.endpoint : '';
    const connect = () =>
      new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
    const dynamodb = connect();
    const suffix = randomUUID().slice(0, 8);
    const tables: CloudFormationResources = Object.fromEntries(
      Object.entries(inject('resources'))
        .filter(([logicalId]) => logicalId === 'SubmissionsTable' || logicalId === 'SubmissionsTableV2')
        .map(([logicalId, resource]) => [
          logicalId,
          {
            ...resource,
            Properties: { ...resource.Properties, TableName: `${resource.Properties?.TableName}-${suffix}` },
          },
        ]),
    );
    const resolved = await ensureResources(tables, { dynamodb, sqs: undefined as never });
    const legacyTableName = resolved.get('SubmissionsTable')!.ref;
    const tableName = resolved.get('SubmissionsTableV2')!.ref;
    let queued: string[] = [];
    const queue = {
      enqueue: async (id: string) => {
        queued.push(id);
      },
      enqueueMany: async (ids: readonly string[]) => {
        queued.push(...ids);
        return [];
      },
    };
    const options = { legacyTableName, tableName, ...MIGRATION_SETTINGS, queue };
    return {
      dynamodb,
      connect,
      legacyTableName,
      tableName,
      options,
      runMigration: async (now) => {
        const report = await migrate({
          ...options,
          documents: createDocumentClient(dynamodb),
          now: () => now,
        });
        return { report, text: formatMigration(report) };
      },
      takeQueued: async () => {
        const taken = queued;
        queued = [];
        return taken;
      },
      destroy: async () => {
        for (const TableName of [legacyTableName, tableName]) {
          await dynamodb.send(new DeleteTableCommand({ TableName }));
        }
        dynamodb.destroy();
      },
    };
  });
});
