import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createSqsClient } from '../../src/adapters/sqs/sqs-client';
import {
  type CloudFormationResources,
  ensureResources,
  type LocalClients,
  type ResolvedResources,
  resolveIntrinsics,
} from '../../workbench/local/resources';

/** serverless.yml's resources with table and queue names unique to one test. */
function uniquelyNamed(resources: CloudFormationResources, suffix: string): CloudFormationResources {
  return Object.fromEntries(
    Object.entries(resources).map(([logicalId, resource]) => {
      const properties = { ...resource.Properties };
      if (typeof properties.TableName === 'string')
        properties.TableName = `${properties.TableName}-${suffix}`;
      if (typeof properties.QueueName === 'string')
        properties.QueueName = `${properties.QueueName}-${suffix}`;
      return [logicalId, { ...resource, Properties: properties }];
    }),
  );
}

async function queueAttributes(sqs: SQSClient, queueUrl: string): Promise<Record<string, string>> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
  );
  return Attributes;
}

describe('ensureResources against the emulators', () => {
  let clients: LocalClients;
  let resources: CloudFormationResources;
  let created: ResolvedResources;

  beforeEach(async () => {
    const env = inject('emulatorEnv');
    Object.assign(process.env, env);
    clients = {
      dynamodb: new DynamoDBClient({ endpoint: env.AWS_ENDPOINT_URL_DYNAMODB }),
      sqs: createSqsClient({ endpoint: env.AWS_ENDPOINT_URL_SQS }),
    };
    resources = uniquelyNamed(inject('resources'), randomUUID().slice(0, 8));
    created = await ensureResources(resources, clients);
  });

  afterEach(async () => {
    for (const [logicalId, { ref }] of created) {
      const type = resources[logicalId]?.Type;
      if (type === 'AWS::DynamoDB::Table')
        await clients.dynamodb.send(new DeleteTableCommand({ TableName: ref }));
      if (type === 'AWS::SQS::Queue') await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: ref }));
    }
  });

  const resolved = (logicalId: string) => {
    const entry = created.get(logicalId);
    if (!entry) throw new Error(`${logicalId} was not created`);
    return entry;
  };

  it('creates the table, ACTIVE, with its key and both secondary indexes', async () => {
    const table = resolved('SubmissionsTable');

    const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: table.ref }));

    expect(table.ref).toBe(resources.SubmissionsTable?.Properties?.TableName);
    expect(Table).toMatchObject({
      TableName: table.ref,
      TableArn: table.arn,
      TableStatus: 'ACTIVE',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    });
    const indexes = Object.fromEntries(
      (Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.KeySchema]),
    );
    expect(indexes).toEqual({
      ActiveSubmissions: [
        { AttributeName: 'activeShard', KeyType: 'HASH' },
        { AttributeName: 'reapAt', KeyType: 'RANGE' },
      ],
      ByOwner: [
        { AttributeName: 'owner', KeyType: 'HASH' },
        { AttributeName: 'createdAt', KeyType: 'RANGE' },
      ],
      ByContent: [
        { AttributeName: 'contentHash', KeyType: 'HASH' },
        { AttributeName: 'createdAt', KeyType: 'RANGE' },
      ],
    });
  });

  it('creates the queue with its visibility timeout, redriving to the created DLQ after 5 receives', async () => {
    const queue = resolved('SubmissionQueue');
    const deadLetterQueue = resolved('SubmissionDeadLetterQueue');

    const attributes = await queueAttributes(clients.sqs, queue.ref);
    const deadLetterAttributes = await queueAttributes(clients.sqs, deadLetterQueue.ref);

    expect(attributes).toMatchObject({
      QueueArn: queue.arn,
      VisibilityTimeout: String(resources.SubmissionQueue?.Properties?.VisibilityTimeout),
      MessageRetentionPeriod: '345600',
    });
    expect(deadLetterAttributes.QueueArn).toBe(deadLetterQueue.arn);
    const redrivePolicy = JSON.parse(attributes.RedrivePolicy ?? '{}') as Record<string, unknown>;
    expect({ ...redrivePolicy, maxReceiveCount: Number(redrivePolicy.maxReceiveCount) }).toEqual({
      deadLetterTargetArn: deadLetterQueue.arn,
      maxReceiveCount: 5,
    });
  });

  it('is idempotent: a second run returns the same references and creates nothing new', async () => {
    const again = await ensureResources(resources, clients);

    expect(again).toEqual(created);
    for (const logicalId of ['SubmissionQueue', 'SubmissionDeadLetterQueue']) {
      const name = resources[logicalId]?.Properties?.QueueName as string;
      const { QueueUrls = [] } = await clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: name }));
      expect(QueueUrls.filter((url) => url.endsWith(`/${name}`))).toEqual([resolved(logicalId).ref]);
    }
  });

  it('skips resource types the local stack has no emulator for', async () => {
    const withTopic: CloudFormationResources = {
      ...resources,
      Alerts: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'alerts' } },
    };

    const again = await ensureResources(withTopic, clients);

    expect([...again.keys()].sort()).toEqual([...created.keys()].sort());
  });

  it('refuses resources whose references can never resolve, naming them', async () => {
    const orphan: CloudFormationResources = {
      OrphanQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: `orphan-${randomUUID().slice(0, 8)}`,
          RedrivePolicy: {
            deadLetterTargetArn: { 'Fn::GetAtt': ['NoSuchQueue', 'Arn'] },
            maxReceiveCount: 5,
          },
        },
      },
    };

    await expect(ensureResources(orphan, clients)).rejects.toThrow(/Cannot order resources: OrphanQueue/);
  });

  describe('resolveIntrinsics', () => {
    it('replaces Ref, Fn::GetAtt Arn and Fn::Join with the created resources’ values', () => {
      const queue = resolved('SubmissionQueue');
      const table = resolved('SubmissionsTable');
      const environment = {
        QUEUE_URL: { Ref: 'SubmissionQueue' },
        TABLE_ARN: { 'Fn::GetAtt': ['SubmissionsTable', 'Arn'] },
        TABLE_ARN_SHORT_FORM: { 'Fn::GetAtt': 'SubmissionsTable.Arn' },
        BOTH: {
          'Fn::Join': [
            '|',
            [{ Ref: 'SubmissionQueue' }, { 'Fn::GetAtt': ['SubmissionsTable', 'Arn'] }, 'end'],
          ],
        },
        INDEX_ARN: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['SubmissionsTable', 'Arn'] }, '/index/*']] },
        NESTED: [{ Ref: 'SubmissionsTable' }, 'plain', 7, null],
      };

      expect(resolveIntrinsics(environment, created)).toEqual({
        QUEUE_URL: queue.ref,
        TABLE_ARN: table.arn,
        TABLE_ARN_SHORT_FORM: table.arn,
        BOTH: `${queue.ref}|${table.arn}|end`,
        INDEX_ARN: `${table.arn}/index/*`,
        NESTED: [table.ref, 'plain', 7, null],
      });
    });

    it('names an unknown logical id', () => {
      expect(() => resolveIntrinsics({ Ref: 'NoSuchResource' }, created)).toThrow(/NoSuchResource/);
      expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['NoSuchResource', 'Arn'] }, created)).toThrow(
        /NoSuchResource/,
      );
    });

    it('refuses a GetAtt attribute other than Arn, naming it', () => {
      expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['SubmissionQueue', 'QueueName'] }, created)).toThrow(
        /SubmissionQueue\.QueueName is not supported/,
      );
    });
  });
});
