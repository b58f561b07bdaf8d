/**
 * What the fuzz counts instead of trusting the answers: the items of the stack's table and
 * the messages on its queue. The fuzz stack runs no queue consumer and no reaper that could
 * re-enqueue, so only a request changes either number.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createDynamoDbClient } from '../../src/adapters/dynamodb/dynamodb-client';
import { createSqsClient, queueUrlByName } from '../../src/adapters/sqs/sqs-client';
import type { FuzzTarget } from './fuzz-stack';

export interface StackCounts {
  /** Items in the table: submissions and idempotency records. */
  items: number;
  /** Messages on the queue: visible, in flight and delayed. */
  messages: number;
}

const LOCAL_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

export class StackCounter {
  private constructor(
    private readonly dynamodb: ReturnType<typeof createDynamoDbClient>,
    private readonly sqs: SQSClient,
    private readonly tableName: string,
    private readonly queueUrl: string,
  ) {}

  static async connect(target: FuzzTarget): Promise<StackCounter> {
    const dynamodb = createDynamoDbClient({ ...LOCAL_AWS, endpoint: target.dynamodbEndpoint });
    const sqs = createSqsClient({ ...LOCAL_AWS, endpoint: target.sqsEndpoint });
    const queueUrl = await queueUrlByName(sqs, target.queueName);
    if (!queueUrl) throw new Error(`the fuzz stack has no queue ${target.queueName}`);
    return new StackCounter(dynamodb, sqs, target.tableName, queueUrl);
  }

  async count(): Promise<StackCounts> {
    const [items, messages] = await Promise.all([this.countItems(), this.countMessages()]);
    return { items, messages };
  }

  /** A consistent Scan with Select=COUNT, page by page. */
  private async countItems(): Promise<number> {
    let total = 0;
    let startKey: Record<string, any> | undefined;
    do {
      const page = await this.dynamodb.send(
        new ScanCommand({
          TableName: this.tableName,
          Select: 'COUNT',
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      total += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return total;
  }

  private async countMessages(): Promise<number> {
    const { Attributes = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
    );
  }

  destroy(): void {
    this.dynamodb.destroy();
    this.sqs.destroy();
  }
}
