import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DynamoDbSubmissionStore } from '../../../src/adapters/dynamodb/dynamodb-submission-store';
import { compose } from '../../../src/composition';
import { loadConfig } from '../../../src/config/env';
import { createTestBackend, storeOn, type TestBackend } from '../../helpers/backend';
import { contextWithRemaining, loadWorkerHandler, sqsEventOf } from '../../helpers/fault-lambda';
import { captureOutput } from '../../helpers/output-capture';
import { silentLogger } from '../../helpers/reaper-fixtures';

const RECORDS = 6;
const CONCURRENCY = 2;

describe('handlers/worker.ts nearing its Lambda timeout with records left', () => {
  let backend: TestBackend;
  let truth: DynamoDbSubmissionStore;
  let restoreEnv: (() => void) | undefined;

  beforeEach(async () => {
    backend = await createTestBackend();
    truth = storeOn(backend);
    // The handler logs one JSON line per record, and its metrics.
    captureOutput();
  });
  afterEach(async () => {
    restoreEnv?.();
    restoreEnv = undefined;
    vi.restoreAllMocks();
    await backend.destroy();
  });

  it('claims nothing it cannot finish, releases what it holds, returns every such record, and loses none', async () => {
    const api = compose({
      config: loadConfig({ TABLE_NAME: backend.tableName, QUEUE_URL: backend.queueUrl }),
      dynamodb: backend.dynamodb,
      sqs: backend.sqs,
      logger: silentLogger,
    });
    const ids: string[] = [];
    for (let index = 0; index < RECORDS; index += 1) {
      ids.push((await api.submissions.acceptSubmission('alice', `submission number ${index}`)).id);
    }
    const messages = await backend.receiveAll();
    const event = sqsEventOf(messages, backend.queueArn);
    const idOf = new Map(
      messages.map((message) => [message.MessageId ?? '', JSON.parse(message.Body ?? '').id]),
    );
    const slow = await loadWorkerHandler({
      TABLE_NAME: backend.tableName,
      QUEUE_URL: backend.queueUrl,
      // Each record takes longer than the invocation has left.
      PROCESSING_DELAY_MS: '2000',
      WORKER_CONCURRENCY: String(CONCURRENCY),
      WORKER_SAFETY_MARGIN_MS: '500',
    });
    restoreEnv = slow.restore;

    const response = await slow.handler(event, contextWithRemaining(1_500));
    const stored = new Map(
      (await Promise.all(ids.map((id) => truth.get(id)))).map((item) => [item?.id, item]),
    );

    expect(messages).toHaveLength(RECORDS);
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      event.Records.map((record) => record.messageId).sort(),
    );
    // Each of the CONCURRENCY lanes had claimed one record when time ran short.
    const inProgress = event.Records.slice(0, CONCURRENCY).map((record) => idOf.get(record.messageId));
    const neverStarted = event.Records.slice(CONCURRENCY).map((record) => idOf.get(record.messageId));
    expect(inProgress.map((id) => stored.get(id))).toEqual(
      inProgress.map(() =>
        expect.objectContaining({
          status: 'PENDING',
          attempts: 1,
          // The deadline is no failed attempt: released without an error, counted apart.
          interruptions: 1,
        }),
      ),
    );
    expect(neverStarted.map((id) => stored.get(id))).toEqual(
      neverStarted.map(() => expect.objectContaining({ status: 'PENDING', attempts: 0 })),
    );
    for (const submission of stored.values()) {
      expect(submission).not.toHaveProperty('leaseToken');
      expect(submission).not.toHaveProperty('lastError');
    }

    // A later invocation (a fresh container with time to spare) gets the returned records, then a duplicate.
    slow.restore();
    const normal = await loadWorkerHandler({ TABLE_NAME: backend.tableName, QUEUE_URL: backend.queueUrl });
    restoreEnv = normal.restore;
    const retried = await normal.handler(event, contextWithRemaining(30_000));
    const decided = await Promise.all(ids.map((id) => truth.get(id)));
    const duplicate = await normal.handler(event, contextWithRemaining(30_000));

    expect(retried).toEqual({ batchItemFailures: [] });
    expect(decided).toEqual(
      ids.map((id) =>
        expect.objectContaining({ id, status: 'PASSED', attempts: inProgress.includes(id) ? 2 : 1 }),
      ),
    );
    expect(duplicate).toEqual({ batchItemFailures: [] });
    expect(await Promise.all(ids.map((id) => truth.get(id)))).toEqual(decided);
  });
});
