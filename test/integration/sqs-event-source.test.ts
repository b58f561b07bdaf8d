import { createHash } from 'node:crypto';
import { type Message, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type InvokeResult,
  messagesToDelete,
  type SqsEventSource,
  type SqsEventSourceOptions,
} from '../../src/adapters/sqs/event-source';
import { waitFor } from '../../workbench/wait';
import { createTestBackend, type QueueOverrides, type TestBackend } from '../helpers/backend';
import {
  deferred,
  FakeFunction,
  fail,
  hasSettled,
  observeRequests,
  reportFailures,
  sendBodies,
  startEventSource,
  succeed,
} from '../helpers/event-source-harness';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const bodiesNamed = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
const isFirstDelivery = (record: SQSEvent['Records'][number]) =>
  record.attributes.ApproximateReceiveCount === '1';

describe('SqsEventSource against the SQS emulator', () => {
  let backend: TestBackend | undefined;
  let source: SqsEventSource | undefined;

  afterEach(async () => {
    try {
      await source?.stop();
    } finally {
      source = undefined;
      await backend?.destroy();
      backend = undefined;
    }
  });

  async function setUp(overrides?: QueueOverrides): Promise<TestBackend> {
    backend = await createTestBackend(overrides);
    return backend;
  }

  function start(
    on: TestBackend,
    fn: FakeFunction,
    options: Partial<SqsEventSourceOptions> = {},
  ): SqsEventSource {
    source = startEventSource(on, fn.invoke, options).source;
    return source;
  }

  const drained = (on: TestBackend, queueUrl = on.queueUrl) =>
    waitFor(`${queueUrl} to be empty`, async () =>
      (await on.approximateDepth(queueUrl)) === 0 ? true : undefined,
    );

  const receiveCountsOf = (fn: FakeFunction, bodies: string[]) =>
    Object.fromEntries(bodies.map((body) => [body, fn.receiveCounts(body)]));

  it('hands the function AWS SQS events, never more records than batchSize', async () => {
    const queue = await setUp();
    const bodies = bodiesNamed('shape', 7);
    const ids = await sendBodies(queue, bodies);
    const { MessageId: taggedId = '' } = await queue.sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: 'tagged',
        MessageAttributes: { traceId: { DataType: 'String', StringValue: 'trace-1' } },
      }),
    );
    const fn = new FakeFunction(() => succeed());

    start(queue, fn, { batchSize: 3, pollers: 2 });
    await drained(queue);

    expect(fn.batches.length).toBeGreaterThanOrEqual(3);
    for (const batch of fn.batches) expect(batch.Records.length).toBeLessThanOrEqual(3);
    expect(fn.deliveries.map((record) => record.messageId).sort()).toEqual([...ids, taggedId].sort());
    for (const record of fn.deliveries) {
      expect(record).toMatchObject({
        messageId: record.body === 'tagged' ? taggedId : ids[bodies.indexOf(record.body)],
        receiptHandle: expect.stringMatching(/.+/),
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: expect.stringMatching(/^\d+$/) },
        eventSource: 'aws:sqs',
        eventSourceARN: queue.queueArn,
        awsRegion: 'us-east-1',
        md5OfBody: md5(record.body),
      });
    }
    expect(fn.deliveries.find((record) => record.body === 'tagged')?.messageAttributes).toMatchObject({
      traceId: { dataType: 'String', stringValue: 'trace-1' },
    });
  });

  it('deletes the successes of a partly failed batch and redelivers only the reported failures', async () => {
    const queue = await setUp({ queue: { VisibilityTimeout: 1 } });
    const bodies = bodiesNamed('partial', 6);
    const failing = new Set([bodies[1], bodies[4]]);
    const fn = new FakeFunction((event) =>
      reportFailures(
        event.Records.filter((record) => failing.has(record.body) && isFirstDelivery(record)).map(
          (record) => record.messageId,
        ),
      ),
    );
    await sendBodies(queue, bodies);

    start(queue, fn);
    await drained(queue);

    expect(receiveCountsOf(fn, bodies)).toEqual({
      'partial-0': ['1'],
      'partial-1': ['1', '2'],
      'partial-2': ['1'],
      'partial-3': ['1'],
      'partial-4': ['1', '2'],
      'partial-5': ['1'],
    });
  });

  it.each([
    ['an empty batchItemFailures list', { batchItemFailures: [] }],
    ['no batchItemFailures', { statusCode: 200 }],
    ['a null batchItemFailures', { batchItemFailures: null }],
    ['a null payload', null],
  ])('treats %s as the whole batch succeeding', async (_, payload) => {
    const queue = await setUp({ queue: { VisibilityTimeout: 1 } });
    const bodies = bodiesNamed('success', 3);
    const fn = new FakeFunction(() => succeed(payload));
    await sendBodies(queue, bodies);

    start(queue, fn);
    await drained(queue);

    expect(receiveCountsOf(fn, bodies)).toEqual({
      'success-0': ['1'],
      'success-1': ['1'],
      'success-2': ['1'],
    });
  });

  it('leaves the whole batch on the queue when the function errors', async () => {
    const queue = await setUp({ queue: { VisibilityTimeout: 1 } });
    const bodies = bodiesNamed('error', 3);
    const fn = new FakeFunction((event) => (event.Records.some(isFirstDelivery) ? fail('boom') : succeed()));
    await sendBodies(queue, bodies);

    start(queue, fn);
    await drained(queue);

    expect(receiveCountsOf(fn, bodies)).toEqual({
      'error-0': ['1', '2'],
      'error-1': ['1', '2'],
      'error-2': ['1', '2'],
    });
  });

  it.each<[string, (event: SQSEvent) => unknown]>([
    [
      'an itemIdentifier of no message in the batch',
      () => ({ itemIdentifier: 'not-a-message-of-this-batch' }),
    ],
    ['an empty itemIdentifier', () => ({ itemIdentifier: '' })],
    ['a null itemIdentifier', () => ({ itemIdentifier: null })],
    ['a misnamed key', (event) => ({ messageId: event.Records[0]?.messageId })],
  ])('fails the whole batch when batchItemFailures holds %s', async (_, malformed) => {
    const queue = await setUp({ queue: { VisibilityTimeout: 1 } });
    const bodies = bodiesNamed('malformed', 3);
    const fn = new FakeFunction((event): InvokeResult => {
      if (!event.Records.some(isFirstDelivery)) return succeed();
      const valid = { itemIdentifier: event.Records[0]?.messageId };
      return succeed({ batchItemFailures: [valid, malformed(event)] });
    });
    await sendBodies(queue, bodies);

    start(queue, fn);
    await drained(queue);

    expect(receiveCountsOf(fn, bodies)).toEqual({
      'malformed-0': ['1', '2'],
      'malformed-1': ['1', '2'],
      'malformed-2': ['1', '2'],
    });
  });

  it('moves a message that always fails to the DLQ after maxReceiveCount receives, and stops delivering it', async () => {
    const queue = await setUp({ queue: { VisibilityTimeout: 1 } });
    const fn = new FakeFunction((event) => reportFailures(event.Records.map((record) => record.messageId)));
    const [poisonId] = await sendBodies(queue, ['poison']);

    start(queue, fn);
    await waitFor('the poison message in the DLQ', async () =>
      (await queue.approximateDepth(queue.deadLetterQueueUrl)) === 1 ? true : undefined,
    );

    expect(await queue.approximateDepth()).toBe(0);
    expect(fn.receiveCounts('poison')).toEqual(['1', '2', '3', '4', '5']);
    const [deadLetter, ...others] = await queue.receiveAll(queue.deadLetterQueueUrl);
    expect(others).toEqual([]);
    expect(deadLetter).toMatchObject({ MessageId: poisonId, Body: 'poison' });
  });

  it('ignores batchItemFailures and deletes every message without ReportBatchItemFailures', async () => {
    const queue = await setUp({ queue: { VisibilityTimeout: 1 } });
    const bodies = bodiesNamed('plain', 4);
    const fn = new FakeFunction((event) => reportFailures(event.Records.map((record) => record.messageId)));
    await sendBodies(queue, bodies);

    start(queue, fn, { reportBatchItemFailures: false });
    await drained(queue);

    expect(receiveCountsOf(fn, bodies)).toEqual({
      'plain-0': ['1'],
      'plain-1': ['1'],
      'plain-2': ['1'],
      'plain-3': ['1'],
    });
  });

  describe('stop()', () => {
    it('waits for the batch in flight', async () => {
      const queue = await setUp();
      const release = deferred<InvokeResult>();
      const fn = new FakeFunction(() => release.promise);
      await sendBodies(queue, ['slow']);
      const running = start(queue, fn);
      await waitFor('the batch to reach the function', () => (fn.batches.length === 1 ? true : undefined));

      const stopping = running.stop();

      expect(await hasSettled(stopping)).toBe(false);
      release.resolve(succeed());
      await expect(stopping).resolves.toBeUndefined();
      expect(fn.batches).toHaveLength(1);
    });

    it('returns only once the finished batch’s messages are deleted', async () => {
      const queue = await setUp();
      const requests = observeRequests(queue.sqs);
      const release = deferred<InvokeResult>();
      const fn = new FakeFunction(() => release.promise);
      await sendBodies(queue, ['slow']);
      const running = start(queue, fn);
      await waitFor('the batch to reach the function', () => (fn.batches.length === 1 ? true : undefined));

      const stopping = running.stop();
      release.resolve(succeed());
      await stopping;

      expect(requests.finished('DeleteMessageBatchCommand')).toBe(1);
    });

    it('leaves no receive outstanding, so no batch reaches the function after it returns', async () => {
      const queue = await setUp();
      const requests = observeRequests(queue.sqs);
      const fn = new FakeFunction(() => succeed());
      const running = start(queue, fn, { waitTimeSeconds: 5 });
      await waitFor('a long poll in flight', () =>
        requests.outstanding('ReceiveMessageCommand') > 0 ? true : undefined,
      );

      await running.stop();
      const receivesOutstandingAtStop = requests.outstanding('ReceiveMessageCommand');
      await sendBodies(queue, ['after-stop']);
      await waitFor('every receive to finish', () =>
        requests.outstanding('ReceiveMessageCommand') === 0 ? true : undefined,
      );

      expect({ receivesOutstandingAtStop, batchesAfterStop: fn.batches.length }).toEqual({
        receivesOutstandingAtStop: 0,
        batchesAfterStop: 0,
      });
    });
  });
});

describe('messagesToDelete (ReportBatchItemFailures rules)', () => {
  const batch: Message[] = ['a', 'b', 'c'].map((id) => ({
    MessageId: id,
    ReceiptHandle: `receipt-${id}`,
    Body: id,
  }));
  const ids = (messages: Message[]) => messages.map((message) => message.MessageId);

  it.each([
    ['a null payload', null],
    ['an undefined payload', undefined],
    ['an empty object', {}],
    ['an empty list', { batchItemFailures: [] }],
    ['a null list', { batchItemFailures: null }],
  ])('deletes the whole batch for %s', (_, payload) => {
    expect(ids(messagesToDelete(batch, payload))).toEqual(['a', 'b', 'c']);
  });

  it('deletes all but the reported messages', () => {
    const payload = { batchItemFailures: [{ itemIdentifier: 'c' }, { itemIdentifier: 'a' }] };

    expect(ids(messagesToDelete(batch, payload))).toEqual(['b']);
  });

  it('deletes nothing when every message is reported', () => {
    const payload = { batchItemFailures: ['a', 'b', 'c'].map((itemIdentifier) => ({ itemIdentifier })) };

    expect(messagesToDelete(batch, payload)).toEqual([]);
  });

  it.each([
    ['an unknown itemIdentifier', [{ itemIdentifier: 'a' }, { itemIdentifier: 'z' }]],
    ['an empty itemIdentifier', [{ itemIdentifier: 'a' }, { itemIdentifier: '' }]],
    ['a null itemIdentifier', [{ itemIdentifier: 'a' }, { itemIdentifier: null }]],
    ['a numeric itemIdentifier', [{ itemIdentifier: 1 }]],
    ['a misnamed key', [{ messageId: 'a' }]],
    ['a null entry', [null]],
    ['a bare string entry', ['a']],
    ['a list that is not an array', { itemIdentifier: 'a' }],
  ])('deletes nothing (whole batch fails) for %s', (_, batchItemFailures) => {
    expect(messagesToDelete(batch, { batchItemFailures })).toEqual([]);
  });
});
