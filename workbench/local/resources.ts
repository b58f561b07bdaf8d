import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** The `resources.Resources` block of serverless.yml, as serverless resolved it. */
export type CloudFormationResources = Record<string, { Type: string; Properties?: Record<string, any> }>;

/** What `Ref` and `Fn::GetAtt … Arn` of each created resource evaluate to locally. */
export type ResolvedResources = Map<string, { ref: string; arn: string }>;

export interface LocalClients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
}

/** Replaces `Ref`, `Fn::GetAtt [X, Arn]` and `Fn::Join` with their local values. */
export function resolveIntrinsics<T>(value: T, resolved: ResolvedResources): T {
  if (Array.isArray(value)) return value.map((entry) => resolveIntrinsics(entry, resolved)) as T;
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1) {
    if (keys[0] === 'Ref') return lookup(object.Ref as string, resolved).ref as T;
    if (keys[0] === 'Fn::GetAtt') {
      const getAtt = object['Fn::GetAtt'];
      const [logicalId, attribute] = (typeof getAtt === 'string' ? getAtt.split('.') : getAtt) as [
        string,
        string,
      ];
      if (attribute !== 'Arn')
        throw new Error(`Fn::GetAtt ${logicalId}.${attribute} is not supported locally`);
      return lookup(logicalId, resolved).arn as T;
    }
    if (keys[0] === 'Fn::Join') {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return resolveIntrinsics(parts, resolved).join(separator) as T;
    }
  }
  return Object.fromEntries(
    Object.entries(object).map(([key, entry]) => [key, resolveIntrinsics(entry, resolved)]),
  ) as T;
}

function lookup(logicalId: string, resolved: ResolvedResources) {
  const entry = resolved.get(logicalId);
  if (!entry) throw new Error(`${logicalId} is not a resource the local stack created`);
  return entry;
}

function dependsOnUnresolved(value: unknown, resolved: ResolvedResources): boolean {
  if (value === null || typeof value !== 'object') return false;
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string') return !resolved.has(object.Ref);
  const getAtt = object['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return !resolved.has(getAtt[0] as string);
  if (typeof getAtt === 'string') return !resolved.has(getAtt.split('.')[0] ?? '');
  return Object.values(object).some((entry) => dependsOnUnresolved(entry, resolved));
}

async function createTable(properties: Record<string, any>, { dynamodb }: LocalClients) {
  const input: CreateTableCommandInput = {
    TableName: properties.TableName,
    AttributeDefinitions: properties.AttributeDefinitions,
    KeySchema: properties.KeySchema,
    GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes,
    BillingMode: properties.BillingMode ?? 'PAY_PER_REQUEST',
  };
  try {
    await dynamodb.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  // Wait until the table and its indexes are ACTIVE; emulators take a moment.
  for (;;) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: input.TableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === 'ACTIVE',
    );
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) {
      return { ref: input.TableName as string, arn: Table.TableArn as string };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** CloudFormation queue properties that are SQS attributes of the same name. */
const QUEUE_ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'FifoQueue',
  'ContentBasedDeduplication',
] as const;

async function createQueue(properties: Record<string, any>, { sqs }: LocalClients) {
  const attributes: Record<string, string> = {};
  for (const name of QUEUE_ATTRIBUTES) {
    if (properties[name] !== undefined) attributes[name] = String(properties[name]);
  }
  if (properties.RedrivePolicy) attributes.RedrivePolicy = JSON.stringify(properties.RedrivePolicy);
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: properties.QueueName, Attributes: attributes }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { ref: QueueUrl as string, arn: Attributes?.QueueArn as string };
}

const CREATORS: Record<string, typeof createTable> = {
  'AWS::DynamoDB::Table': createTable,
  'AWS::SQS::Queue': createQueue,
};

/**
 * Creates the tables and queues of a CloudFormation `Resources` block on the
 * emulators, in dependency order (a DLQ before the queue that redrives to it).
 * Idempotent. Resource types the local stack has no emulator for are skipped.
 */
export async function ensureResources(
  resources: CloudFormationResources,
  clients: LocalClients,
): Promise<ResolvedResources> {
  const resolved: ResolvedResources = new Map();
  let pending = Object.entries(resources).filter(([, resource]) => CREATORS[resource.Type]);
  while (pending.length > 0) {
    const ready = pending.filter(([, resource]) => !dependsOnUnresolved(resource.Properties, resolved));
    if (ready.length === 0) {
      throw new Error(`Cannot order resources: ${pending.map(([id]) => id).join(', ')}`);
    }
    for (const [logicalId, resource] of ready) {
      const properties = resolveIntrinsics(resource.Properties ?? {}, resolved);
      resolved.set(logicalId, await CREATORS[resource.Type]!(properties, clients));
    }
    pending = pending.filter((entry) => !ready.includes(entry));
  }
  return resolved;
}
