import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbSubmissionStore } from '../../src/adapters/dynamodb/dynamodb-submission-store';
import { createSqsClient } from '../../src/adapters/sqs/sqs-client';
import { encodeSubmissionMessage } from '../../src/ports/submission-message';
import { waitFor } from '../../workbench/wait';
import { api, pollUntilDecided, submit } from '../helpers/http';

/** Direct access to the running stack's emulators, to stage crashes the API cannot cause. */
describe('worker and reaper on the running stack', () => {
  const stack = inject('stack');
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const sqs = createSqsClient({ endpoint: stack.env.AWS_ENDPOINT_URL_SQS, region: 'us-east-1', credentials });
  const store = new DynamoDbSubmissionStore({
    client: DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: stack.env.AWS_ENDPOINT_URL_DYNAMODB, region: 'us-east-1', credentials }),
    ),
    tableName: stack.tableName,
    activeShards: 4,
  });
  let queueUrl: string;

  beforeAll(async () => {
    queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: stack.queueName }))).QueueUrl ?? '';
  });

  it('drops a malformed message without holding up the valid ones', async () => {
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'this is not a submission message' }),
    );
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: encodeSubmissionMessage(randomUUID()) }),
    );

    const decided = await pollUntilDecided((await submit('still decided 100%')).body.id);

    expect(decided.body.status).toBe('PASSED');
  });

  it('decides each submission once under duplicate deliveries', async () => {
    const { body } = await submit('duplicated 12345');
    await Promise.all(
      Array.from({ length: 5 }, () =>
        sqs.send(
          new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: encodeSubmissionMessage(body.id) }),
        ),
      ),
    );

    const decided = await pollUntilDecided(body.id);

    expect(decided.body).toMatchObject({ status: 'PASSED', attempts: 1 });
  });

  // One test for both rescues: they wait for the same scheduled reaper run
  // (serverless-offline fires rate(1 minute) on the minute).
  it('on its schedule, the reaper rescues a lost message and a dead worker’s claim; each is decided once', async () => {
    const longAgo = new Date(Date.now() - 10 * 60_000);
    // Crash between PutItem and SendMessage: stored, never enqueued.
    const orphan = randomUUID();
    await store.create(
      { id: orphan, owner: 'anonymous', content: 'orphaned but 42', createdAt: longAgo.toISOString() },
      longAgo.toISOString(),
    );
    // A worker claimed and was killed: nobody will complete or release this lease.
    const stuck = randomUUID();
    await store.create(
      { id: stuck, owner: 'anonymous', content: 'stuck but 42', createdAt: longAgo.toISOString() },
      longAgo.toISOString(),
    );
    await store.claim({
      id: stuck,
      leaseToken: 'dead-worker',
      now: longAgo.toISOString(),
      leaseExpiresAt: new Date(longAgo.getTime() + 5000).toISOString(),
    });

    const [orphanDecided, stuckDecided] = await Promise.all([
      pollUntilDecided(orphan),
      pollUntilDecided(stuck),
    ]);

    expect(orphanDecided.body).toMatchObject({ status: 'PASSED', attempts: 1 });
    expect(stuckDecided.body).toMatchObject({ status: 'PASSED', attempts: 2 });
  });

  it('keeps the queue drained once everything is decided', async () => {
    const { body } = await submit('drain check 9');
    await pollUntilDecided(body.id);

    const listing = await waitFor(
      'every listed submission to be terminal',
      async () => {
        const page = await api('/submissions?limit=100');
        return page.body.items.every((item: { status: string }) => ['PASSED', 'FAILED'].includes(item.status))
          ? page
          : undefined;
      },
      { timeoutMs: 90_000 },
    );

    expect(listing.body.items.length).toBeGreaterThan(0);
  });
});
