import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { BatchResultErrorEntry, SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { DynamoDbSubmissionStore } from '../../src/adapters/dynamodb/dynamodb-submission-store';
import { createSqsClient } from '../../src/adapters/sqs/sqs-client';
import { SqsSubmissionQueue } from '../../src/adapters/sqs/sqs-submission-queue';
import { compose } from '../../src/composition';
import { loadConfig } from '../../src/config/env';
import { BatchPartlyStoredError } from '../../src/domain/errors';
import type { NewSubmission } from '../../src/ports/submission-store';
import { createTestBackend, type TestBackend } from '../helpers/backend';
import { enqueuedIds, storedSubmissions } from '../helpers/problems';

/**
 * The batch writes' retries: BatchWriteItem hands back UnprocessedItems and
 * SendMessageBatch reports Failed entries when AWS throttles or fails part of a
 * batch. The emulators always process every entry, so a middleware on a
 * dedicated client injects that partial failure (the only thing mocked here):
 * it withholds the chosen entries from the emulator and answers them as
 * unprocessed / failed, exactly as AWS would, and forwards the rest for real.
 */

/** Decides, per call (0-based) and entry (its id, its index in the call), whether it is withheld. */
type Refuse = (call: number, id: string, index: number) => boolean;

interface Recorded {
  /** The submission ids each call carried, in call order. */
  calls: string[][];
}

/** A document-client write request: its items are still plain objects where the fault sits. */
interface PutRequest {
  PutRequest?: { Item?: Record<string, unknown> };
}
const idOfWrite = (request: PutRequest) => String(request.PutRequest?.Item?.id ?? '(no id)');
const idOfEntry = (entry: SendMessageBatchRequestEntry) =>
  (JSON.parse(entry.MessageBody ?? '{}') as { id: string }).id;

/** A DynamoDB client whose BatchWriteItem leaves the entries `refuse` picks unprocessed. */
function partialBatchWrites(refuse: Refuse): { client: DynamoDBClient } & Recorded {
  const client = new DynamoDBClient({ endpoint: inject('emulatorEnv').AWS_ENDPOINT_URL_DYNAMODB });
  const calls: string[][] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      const input = args.input as { RequestItems: Record<string, PutRequest[]> };
      const call = calls.length;
      const [table, requests = []] = Object.entries(input.RequestItems)[0] ?? [];
      calls.push(requests.map(idOfWrite));
      const refused = requests.filter((request, index) => refuse(call, idOfWrite(request), index));
      const forwarded = requests.filter((request, index) => !refuse(call, idOfWrite(request), index));
      const unprocessed = refused.length > 0 && table ? { [table]: refused } : {};
      if (forwarded.length === 0) {
        return { output: { UnprocessedItems: unprocessed, $metadata: {} }, response: {} };
      }
      const result = await next({ ...args, input: { ...input, RequestItems: { [table ?? '']: forwarded } } });
      (result.output as { UnprocessedItems?: Record<string, PutRequest[]> }).UnprocessedItems = unprocessed;
      return result;
    },
    // Runs before the document client marshals the input and after it unmarshals the output.
    { step: 'serialize', priority: 'high', name: `partial-batch-writes-${randomUUID()}` },
  );
  return { client, calls };
}

/** An SQS client whose SendMessageBatch reports the entries `refuse` picks as Failed. */
function partialBatchSends(refuse: Refuse): { client: SQSClient } & Recorded {
  const client = createSqsClient({ endpoint: inject('emulatorEnv').AWS_ENDPOINT_URL_SQS });
  const calls: string[][] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'SendMessageBatchCommand') return next(args);
      const input = args.input as { QueueUrl: string; Entries: SendMessageBatchRequestEntry[] };
      const call = calls.length;
      calls.push(input.Entries.map(idOfEntry));
      const failed: BatchResultErrorEntry[] = input.Entries.filter((entry, index) =>
        refuse(call, idOfEntry(entry), index),
      ).map((entry) => ({ Id: entry.Id, SenderFault: false, Code: 'InternalError', Message: 'injected' }));
      const forwarded = input.Entries.filter((entry, index) => !refuse(call, idOfEntry(entry), index));
      if (forwarded.length === 0)
        return { output: { Successful: [], Failed: failed, $metadata: {} }, response: {} };
      const result = await next({ ...args, input: { ...input, Entries: forwarded } });
      (result.output as { Failed?: BatchResultErrorEntry[] }).Failed = failed;
      return result;
    },
    { step: 'initialize', name: `partial-batch-sends-${randomUUID()}` },
  );
  return { client, calls };
}

const newSubmissions = (count: number): NewSubmission[] =>
  Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    owner: 'alice',
    content: `batch item ${index}`,
    createdAt: new Date(Date.UTC(2030, 0, 1, 0, 0, index)).toISOString(),
  }));

const storedIds = async (backend: TestBackend) =>
  (await storedSubmissions(backend)).map((item) => item.id?.S ?? '').sort();

const sorted = (ids: readonly string[]) => [...ids].sort();

describe('batch write retries against the emulators, with partial failures injected', () => {
  let backend: TestBackend;

  beforeEach(async () => {
    backend = await createTestBackend();
  });
  afterEach(() => backend.destroy());

  const storeThrough = (client: DynamoDBClient) =>
    new DynamoDbSubmissionStore({
      client: DynamoDBDocumentClient.from(client),
      tableName: backend.tableName,
      activeShards: 4,
    });

  describe('DynamoDbSubmissionStore.createMany', () => {
    it('writes again exactly the UnprocessedItems of the first BatchWriteItems, and stores each submission once', async () => {
      // Prepare: 30 submissions are two calls (25 + 5); their first calls leave every third item unprocessed.
      const submissions = newSubmissions(30);
      const refused = submissions.filter((_, index) => index % 3 === 0).map(({ id }) => id);
      const faulty = partialBatchWrites((call, id) => call < 2 && refused.includes(id));

      // Act
      await storeThrough(faulty.client).createMany(submissions, '2030-01-01T00:05:00.000Z');

      // Assess
      expect(faulty.calls.map((ids) => ids.length)).toEqual([25, 5, refused.length]);
      expect(sorted(faulty.calls[2] ?? [])).toEqual(sorted(refused));
      expect(await storedIds(backend)).toEqual(sorted(submissions.map(({ id }) => id)));
      const items = await storedSubmissions(backend);
      expect(items.every((item) => item.status?.S === 'PENDING')).toBe(true);
    });

    it('gives up after 5 attempts, returning the ids it could not store; the rest are stored once', async () => {
      // Prepare: two items are never processed, as under throttling that outlasts the retries.
      const submissions = newSubmissions(12);
      const stuck = [submissions[3]?.id ?? '', submissions[8]?.id ?? ''];
      const faulty = partialBatchWrites((_, id) => stuck.includes(id));

      // Act
      const notStored = await storeThrough(faulty.client).createMany(submissions, '2030-01-01T00:05:00.000Z');

      // Assess
      expect(sorted(notStored)).toEqual(sorted(stuck));
      expect(faulty.calls.map((ids) => ids.length)).toEqual([12, 2, 2, 2, 2]);
      expect(await storedIds(backend)).toEqual(
        sorted(submissions.map(({ id }) => id).filter((id) => !stuck.includes(id))),
      );
    });
  });

  describe('SqsSubmissionQueue.enqueueMany', () => {
    it('sends again exactly the Failed entries of the first SendMessageBatches; each id is enqueued once', async () => {
      // Prepare: 23 ids are three calls (10 + 10 + 3); their first calls fail entries 0, 7, 12 and 22.
      const ids: string[] = Array.from({ length: 23 }, () => randomUUID());
      const refused = [0, 7, 12, 22].map((index) => ids[index] ?? '');
      const faulty = partialBatchSends((call, id) => call < 3 && refused.includes(id));
      const queue = new SqsSubmissionQueue({ client: faulty.client, queueUrl: backend.queueUrl });

      // Act
      const unsent = await queue.enqueueMany(ids);

      // Assess
      expect(unsent).toEqual([]);
      expect(faulty.calls.map((sent) => sent.length)).toEqual([10, 10, 3, refused.length]);
      expect(sorted(faulty.calls[3] ?? [])).toEqual(sorted(refused));
      expect(sorted(await enqueuedIds(backend))).toEqual(sorted(ids));
    });

    it('retries once, then returns the ids still refused instead of throwing; the rest are enqueued once', async () => {
      // Prepare
      const ids: string[] = Array.from({ length: 14 }, () => randomUUID());
      const stuck = [ids[2] ?? '', ids[11] ?? ''];
      const faulty = partialBatchSends((_, id) => stuck.includes(id));
      const queue = new SqsSubmissionQueue({ client: faulty.client, queueUrl: backend.queueUrl });

      // Act
      const unsent = await queue.enqueueMany(ids);

      // Assess
      expect(sorted(unsent)).toEqual(sorted(stuck));
      expect(faulty.calls.map((sent) => sent.length)).toEqual([10, 4, 2]);
      expect(sorted(await enqueuedIds(backend))).toEqual(sorted(ids.filter((id) => !stuck.includes(id))));
    });
  });

  describe('SubmissionService.acceptBatch over both', () => {
    const service = (dynamodb: DynamoDBClient, sqs: SQSClient, warnings: Record<string, unknown>[]) =>
      compose({
        config: loadConfig({ TABLE_NAME: backend.tableName, QUEUE_URL: backend.queueUrl }),
        dynamodb,
        sqs,
        logger: {
          info: () => undefined,
          warn: (message: string, fields: Record<string, unknown> = {}) =>
            warnings.push({ message, ...fields }),
          error: () => undefined,
        },
      }).submissions;

    it('accepts every item, stored and enqueued once each, through first-call partial failures of both', async () => {
      // Prepare: the first call of each kind leaves every other entry unprocessed / failed.
      const writes = partialBatchWrites((call, _, index) => call === 0 && index % 2 === 1);
      const sends = partialBatchSends((call, _, index) => call < 2 && index % 2 === 1);
      const warnings: Record<string, unknown>[] = [];

      // Act
      const accepted = await service(writes.client, sends.client, warnings).acceptBatch(
        'alice',
        Array.from({ length: 20 }, (_, index) => `item ${index}`),
      );

      // Assess
      const ids = accepted.map(({ id }) => id);
      expect(writes.calls.map((written) => written.length)).toEqual([20, 10]);
      expect(sends.calls.map((sent) => sent.length)).toEqual([10, 10, 10]);
      expect(await storedIds(backend)).toEqual(sorted(ids));
      expect(sorted(await enqueuedIds(backend))).toEqual(sorted(ids));
      expect(warnings).toEqual([]);
    });

    it('answers with what was stored when an item stays unprocessed: the stored ones are enqueued at once', async () => {
      // Prepare: the first item of every BatchWriteItem stays unprocessed, attempt after attempt.
      const writes = partialBatchWrites((_, __, index) => index === 0);
      const sends = partialBatchSends(() => false);
      const warnings: Record<string, unknown>[] = [];

      // Act
      const accepting = service(writes.client, sends.client, warnings).acceptBatch('alice', [
        'one 1',
        'two 2',
        'three 3',
      ]);

      // Assess: the caller learns which items were stored (the API answers 503 listing them)
      // and which to send again; the stored ones are PENDING and already enqueued.
      const error = await accepting.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BatchPartlyStoredError);
      const { stored, notStored } = error as BatchPartlyStoredError;
      expect(notStored).toEqual([0]);
      expect(stored.map(({ index, submission }) => [index, submission.content])).toEqual([
        [1, 'two 2'],
        [2, 'three 3'],
      ]);
      const items = await storedSubmissions(backend);
      expect(sorted(items.map((item) => item.id?.S ?? ''))).toEqual(
        sorted(stored.map(({ submission }) => submission.id)),
      );
      expect(items.every((item) => item.status?.S === 'PENDING' && item.reapAt?.S)).toBe(true);
      expect(sorted(await enqueuedIds(backend))).toEqual(
        sorted(stored.map(({ submission }) => submission.id)),
      );
      expect(warnings).toEqual([]);
    });

    it('still accepts the batch when an id stays refused by SQS: it is stored, and logged for the orphan sweep', async () => {
      // Prepare
      let doomed = '';
      const sends = partialBatchSends((_, id) => {
        doomed ||= id;
        return id === doomed;
      });
      const warnings: Record<string, unknown>[] = [];

      // Act
      const accepted = await service(
        new DynamoDBClient({ endpoint: inject('emulatorEnv').AWS_ENDPOINT_URL_DYNAMODB }),
        sends.client,
        warnings,
      ).acceptBatch('alice', ['one 1', 'two 2', 'three 3']);

      // Assess
      const ids = accepted.map(({ id }) => id);
      expect(await storedIds(backend)).toEqual(sorted(ids));
      expect(sorted(await enqueuedIds(backend))).toEqual(sorted(ids.filter((id) => id !== doomed)));
      expect(warnings).toEqual([
        expect.objectContaining({
          message: 'enqueue failed; the reaper will enqueue it',
          correlationId: doomed,
          error: expect.stringMatching(/SendMessageBatch refused the entry/),
        }),
      ]);
    });
  });
});
