import { randomUUID } from 'node:crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, inject, it } from 'vitest';
import { activeShardOf } from '../../src/adapters/dynamodb/table';
import { createSqsClient } from '../../src/adapters/sqs/client';
import { encodeSubmissionMessage } from '../../src/application/submission-message';
import { invokeThroughOffline } from '../../src/local/sqs-event-source';
import { pollUntilDecided } from '../helpers/http';

/** The worker behind serverless-offline's Lambda endpoint, fed by the local SQS event source. */
describe('the local SQS event source on the running stack', () => {
  const stack = inject('stack');
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const region = 'us-east-1';
  const invokeWorker = invokeThroughOffline(stack.lambdaEndpoint, 'submissions-local-worker');

  it('reports a record that cannot be processed in batchItemFailures, and the rest as done', async () => {
    const unknown = randomUUID();

    const result = await invokeWorker({
      Records: [
        { messageId: 'm-unknown', body: encodeSubmissionMessage(unknown) },
        { messageId: 'm-garbage', body: 'not a message' },
      ],
    });

    expect(result).toEqual({ ok: true, payload: { batchItemFailures: [] } });
  });

  it('reports a function error as a failed invocation (the whole batch comes back)', async () => {
    const result = await invokeWorker({ notAnSqsEvent: true });

    expect(result).toMatchObject({ ok: false });
  });

  it('retries a submission whose processing keeps failing via partial batch failures, then finalises it FAILED', async () => {
    // A corrupt item (content is not text) makes the rules throw: a processing error, not a verdict.
    const id = randomUUID();
    const now = new Date().toISOString();
    await new DynamoDBClient({ endpoint: stack.env.AWS_ENDPOINT_URL_DYNAMODB, region, credentials }).send(
      new PutItemCommand({
        TableName: stack.tableName,
        Item: {
          id: { S: id },
          owner: { S: 'anonymous' },
          content: { N: '42' },
          status: { S: 'PENDING' },
          attempts: { N: '0' },
          createdAt: { S: now },
          updatedAt: { S: now },
          activeShard: { S: activeShardOf(id, 4) },
          reapAt: { S: new Date(Date.now() + 60 * 60_000).toISOString() },
        },
      }),
    );
    const sqs = createSqsClient({ endpoint: stack.env.AWS_ENDPOINT_URL_SQS, region, credentials });
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: stack.queueName }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: encodeSubmissionMessage(id) }));

    const decided = await pollUntilDecided(id);

    expect(decided.body).toMatchObject({
      status: 'FAILED',
      attempts: Number(stack.settings.MAX_ATTEMPTS),
      error: { code: 'PROCESSING_FAILED' },
    });
    expect(decided.body).not.toHaveProperty('result');
  });
});
