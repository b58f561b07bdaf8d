import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, inject, it } from 'vitest';
import { activeShardOf } from '../../src/adapters/dynamodb/table';
import { invokeThroughOffline } from '../../src/adapters/sqs/event-source';
import { createSqsClient } from '../../src/adapters/sqs/sqs-client';
import { encodeSubmissionMessage } from '../../src/ports/submission-message';
import { pollUntilDecided } from '../helpers/http';

/** The worker behind serverless-offline's Lambda endpoint, fed by the local SQS event source. */
describe('the local SQS event source on the running stack', () => {
  const stack = inject('stack');
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const region = 'us-east-1';
  const invokeWorker = invokeThroughOffline(stack.lambdaEndpoint, 'submissions-local-worker');

  const dynamodb = new DynamoDBClient({ endpoint: stack.env.AWS_ENDPOINT_URL_DYNAMODB, region, credentials });
  /** A corrupt PENDING item (content is not text): the rules throw on it, a processing error, not a verdict. */
  async function putCorruptSubmission(owner: string): Promise<string> {
    const id = randomUUID();
    const now = new Date().toISOString();
    await dynamodb.send(
      new PutItemCommand({
        TableName: stack.tableName,
        Item: {
          id: { S: id },
          owner: { S: owner },
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
    return id;
  }

  it('names only the record that can be retried in batchItemFailures; unknown ids and garbage are dropped', async () => {
    // An owner of its own: left undecided, it comes and goes in no other test's listing.
    const corrupt = await putCorruptSubmission(`event-source-${randomUUID()}`);

    const result = await invokeWorker({
      Records: [
        { messageId: 'm-unknown', body: encodeSubmissionMessage(randomUUID()) },
        { messageId: 'm-corrupt', body: encodeSubmissionMessage(corrupt) },
        { messageId: 'm-garbage', body: 'not a message' },
      ],
    });

    expect(result).toEqual({ ok: true, payload: { batchItemFailures: [{ itemIdentifier: 'm-corrupt' }] } });
    // Released and without a message, it would be retried by the reaper for a while; later files
    // wait for a settled stack.
    await dynamodb.send(new DeleteItemCommand({ TableName: stack.tableName, Key: { id: { S: corrupt } } }));
  });

  it('reports a function error as a failed invocation', async () => {
    const result = await invokeWorker({ notAnSqsEvent: true });

    expect(result).toMatchObject({ ok: false });
  });

  it('retries a submission whose processing keeps failing via partial batch failures, then finalises it FAILED', async () => {
    const id = await putCorruptSubmission('anonymous');
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
