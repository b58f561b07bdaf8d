import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { DynamoDbSubmissionStore } from '../../src/adapters/dynamodb/dynamodb-submission-store';
import { createSqsClient } from '../../src/adapters/sqs/sqs-client';
import { type CloudFormationResources, ensureResources } from '../../workbench/local/resources';

/** Copies serverless.yml's resources with names unique to one test. */
function renamed(
  resources: CloudFormationResources,
  suffix: string,
  overrides: QueueOverrides,
): CloudFormationResources {
  // The resources are printed for stage `test`: `submissions-test-…`.
  const rename = (name: string) =>
    overrides.stage ? name.replace(/^(\w+)-test-/, `$1-${overrides.stage}-`) : `${name}-${suffix}`;
  return Object.fromEntries(
    Object.entries(resources).map(([logicalId, resource]) => {
      const properties = { ...resource.Properties };
      if (typeof properties.TableName === 'string') properties.TableName = rename(properties.TableName);
      if (typeof properties.QueueName === 'string') {
        properties.QueueName = rename(properties.QueueName);
        if (logicalId === 'SubmissionQueue') Object.assign(properties, overrides.queue);
      }
      return [logicalId, { ...resource, Properties: properties }];
    }),
  );
}

/** Messages on a queue, visible or in flight (SQS's approximate counts). */
export async function approximateDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

/** The service's DynamoDB store on a test backend's table, with the default 4 shards. */
export function storeOn(backend: Pick<TestBackend, 'documents' | 'tableName'>): DynamoDbSubmissionStore {
  return new DynamoDbSubmissionStore({
    client: backend.documents,
    tableName: backend.tableName,
    activeShards: 4,
  });
}

export interface QueueOverrides {
  /** CloudFormation properties to change on the main queue, e.g. a short VisibilityTimeout. */
  queue?: Record<string, unknown>;
  /**
   * Name the table and queues exactly as serverless.yml names them for this stage
   * (`submissions-<stage>-submissions`, …) instead of adding a unique suffix; the
   * caller picks a stage name unique to its test.
   */
  stage?: string;
}

export interface TestBackend {
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
  tableName: string;
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  /** Every item in the table (test-only: the service itself never scans). */
  scanAll(): Promise<Record<string, unknown>[]>;
  /** Receives (and leaves invisible for `visibilitySeconds`) what is on the queue now. */
  receiveAll(queueUrl?: string, visibilitySeconds?: number): Promise<Message[]>;
  approximateDepth(queueUrl?: string): Promise<number>;
  destroy(): Promise<void>;
}

/**
 * A fresh table and queue pair, created from serverless.yml's own definitions on
 * the shared emulators, unique to the calling test.
 */
export async function createTestBackend(overrides: QueueOverrides = {}): Promise<TestBackend> {
  const env = inject('emulatorEnv');
  Object.assign(process.env, env);
  const dynamodb = new DynamoDBClient({ endpoint: env.AWS_ENDPOINT_URL_DYNAMODB });
  const sqs = createSqsClient({ endpoint: env.AWS_ENDPOINT_URL_SQS });
  const resolved = await ensureResources(renamed(inject('resources'), randomUUID().slice(0, 8), overrides), {
    dynamodb,
    sqs,
  });
  const table = resolved.get('SubmissionsTableV2')!;
  const queue = resolved.get('SubmissionQueue')!;
  const deadLetterQueue = resolved.get('SubmissionDeadLetterQueue')!;

  const receiveAll = async (queueUrl = queue.ref, visibilitySeconds = 30) => {
    const received: Message[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: visibilitySeconds,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) return received;
      received.push(...Messages);
    }
  };

  return {
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    sqs,
    tableName: table.ref,
    queueUrl: queue.ref,
    queueArn: queue.arn,
    deadLetterQueueUrl: deadLetterQueue.ref,
    scanAll: async () => {
      const { Items = [] } = await dynamodb.send(
        new ScanCommand({ TableName: table.ref, ConsistentRead: true }),
      );
      return Items;
    },
    receiveAll,
    approximateDepth: (queueUrl = queue.ref) => approximateDepth(sqs, queueUrl),
    destroy: async () => {
      await dynamodb.send(new DeleteTableCommand({ TableName: table.ref }));
      await Promise.all(
        [queue.ref, deadLetterQueue.ref].map((QueueUrl) => sqs.send(new DeleteQueueCommand({ QueueUrl }))),
      );
    },
  };
}
