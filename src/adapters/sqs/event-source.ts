import { createHash } from 'node:crypto';
import { ChangeMessageVisibilityBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Consumer } from 'sqs-consumer';

/** How a Lambda invocation ended, as the Invoke API reports it. */
export type InvokeResult = { ok: true; payload: unknown } | { ok: false; error: string };

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  batchSize: number;
  /** `functionResponseType: ReportBatchItemFailures` on the event. */
  reportBatchItemFailures: boolean;
  /** Batches in flight at once (Lambda polls with several pollers too). */
  pollers: number;
  invoke: (event: SQSEvent) => Promise<InvokeResult>;
  /** Long-poll wait per receive; shorter makes stop() quicker. */
  waitTimeSeconds?: number;
  /**
   * Once stop() is called, hand back at once (visibility timeout 0) what will not be
   * deleted: the failures of batches that finish while stopping, and any batch a
   * last receive brings in (not invoked). Lambda has no such moment; a long-running
   * consumer that shuts down should not leave its messages invisible for the whole
   * visibility timeout. Needs sqs:ChangeMessageVisibility.
   */
  returnMessagesOnStop?: boolean;
  log?: (message: string) => void;
}

export interface StopOptions {
  /**
   * Return once every batch in flight is done (invoked, its deletes sent) without
   * waiting for idle long polls to end; the caller is about to exit, which ends them.
   * A batch such a poll still brings in is not invoked (see `returnMessagesOnStop`).
   */
  abandonIdleReceives?: boolean;
}

function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const body = message.Body ?? '';
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body,
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType ?? 'String',
          ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
          ...(value.BinaryValue !== undefined
            ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
            : {}),
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which messages of a batch may be deleted, by Lambda's rules for
 * `ReportBatchItemFailures`: an empty or missing list means all succeeded; an
 * item that names no message of the batch fails the whole batch.
 */
export function messagesToDelete(messages: Message[], payload: unknown): Message[] {
  const failures = (payload as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return messages;
  if (!Array.isArray(failures)) return [];
  const ids = new Set(messages.map((message) => message.MessageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return [];
    failed.add(id);
  }
  return messages.filter((message) => !failed.has(message.MessageId ?? ''));
}

/** How long a poller waits before receiving again after an error. */
const RETRY_PAUSE_MS = 1000;

/**
 * One poller's run of failing receives (the queue or its emulator gone): logged
 * when it starts and ends, not once per attempt, and paced at one receive per
 * RETRY_PAUSE_MS. The consumer keeps polling throughout, so it resumes by itself.
 */
class Outage {
  #failures = 0;
  #lastMessage = '';
  readonly #log: (message: string) => void;

  constructor(log: (message: string) => void) {
    this.#log = log;
  }

  failed(message: string): void {
    this.#failures += 1;
    if (message !== this.#lastMessage) {
      this.#log(`SQS or handler error (retrying every ${RETRY_PAUSE_MS / 1000} s): ${message}`);
      this.#lastMessage = message;
    }
  }

  ended(): void {
    if (this.#failures === 0) return;
    this.#log(`receiving again after ${this.#failures} failed attempt(s)`);
    this.#failures = 0;
    this.#lastMessage = '';
  }

  async pause(): Promise<void> {
    if (this.#failures > 0) await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
  }
}

/**
 * The SQS → Lambda event source mapping, for local runs: long-polls the queue,
 * hands each batch to the function, and deletes only what AWS would delete.
 * Records reported in `batchItemFailures` (or the whole batch, when the
 * function errors) stay on the queue and return after the visibility timeout,
 * counting towards the queue's `maxReceiveCount` and DLQ.
 */
export class SqsEventSource {
  readonly #options: SqsEventSourceOptions;
  readonly #consumers: Consumer[] = [];
  /** One entry per batch between its receive and the end of its deletes. */
  readonly #inFlight = new Set<Promise<unknown>>();
  #stopping = false;

  constructor(options: SqsEventSourceOptions) {
    this.#options = options;
  }

  start(): void {
    const { sqs, queueUrl, batchSize, pollers, waitTimeSeconds = 2 } = this.#options;
    for (let index = 0; index < pollers; index += 1) {
      // sqs-consumer deletes after handleMessageBatch resolves and then emits
      // `response_processed`: the batch is done only then.
      let batchDone: () => void = () => undefined;
      const outage = new Outage((message) => this.#log(message));
      const consumer = Consumer.create({
        sqs,
        queueUrl,
        batchSize,
        waitTimeSeconds,
        pollingWaitTimeMs: 0,
        // On stop(), the library waits this long for the open receive, the batch and its delete.
        pollingCompleteWaitTimeMs: (waitTimeSeconds + 60) * 1000,
        useQueueUrlAsEndpoint: false,
        attributeNames: ['All'],
        messageAttributeNames: ['All'],
        messageSystemAttributeNames: ['All'],
        suppressFifoWarning: true,
        // A queue that is gone (the SQS emulator restarted) comes back within a second or
        // two; the library's default pause for it is 10 s.
        authenticationErrorTimeout: RETRY_PAUSE_MS,
        // The library polls again at once after other errors (ECONNREFUSED while the emulator is down).
        preReceiveMessageCallback: () => outage.pause(),
        handleMessageBatch: (messages) => {
          this.#track(new Promise<void>((resolve) => (batchDone = resolve)));
          return this.#handleBatch(messages);
        },
      });
      consumer.on('response_processed', () => batchDone());
      consumer.on('error', (error) => outage.failed(error.message));
      consumer.on('empty', () => outage.ended());
      consumer.on('message_received', () => outage.ended());
      consumer.on('processing_error', (error) => this.#log(`batch failed: ${error.message}`));
      consumer.start();
      this.#consumers.push(consumer);
    }
  }

  /**
   * Stops polling and returns once nothing is outstanding: no batch in the function,
   * no delete unsent, and (unless `abandonIdleReceives`) no open receive.
   */
  async stop({ abandonIdleReceives = false }: StopOptions = {}): Promise<void> {
    this.#stopping = true;
    const consumers = this.#consumers.splice(0);
    // Not events.once: it rejects on an 'error' meanwhile (an emulator gone while stopping),
    // and the consumer still emits 'stopped' after one.
    const stopped = abandonIdleReceives
      ? []
      : consumers.map((consumer) => new Promise((resolve) => consumer.once('stopped', resolve)));
    for (const consumer of consumers) consumer.stop();
    await Promise.all(stopped);
    await Promise.allSettled([...this.#inFlight]);
  }

  async #handleBatch(messages: Message[]): Promise<Message[]> {
    const { queueArn, region, reportBatchItemFailures, invoke } = this.#options;
    if (this.#stopping && this.#options.returnMessagesOnStop) {
      await this.#returnToQueue(messages);
      return [];
    }
    const event: SQSEvent = { Records: messages.map((message) => toRecord(message, queueArn, region)) };
    const result = await invoke(event);
    const done = !result.ok
      ? []
      : reportBatchItemFailures
        ? messagesToDelete(messages, result.payload)
        : messages;
    if (!result.ok)
      this.#log(`function failed; ${messages.length} message(s) will be retried: ${result.error}`);
    if (this.#stopping && this.#options.returnMessagesOnStop) {
      await this.#returnToQueue(messages.filter((message) => !done.includes(message)));
    }
    return done;
  }

  /** Makes messages visible again now, for another consumer; failures only delay them. */
  async #returnToQueue(messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      const { Failed = [] } = await this.#options.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.#options.queueUrl,
          Entries: messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle ?? '',
            VisibilityTimeout: 0,
          })),
        }),
      );
      if (Failed.length > 0) throw new Error(Failed.map((entry) => entry.Message ?? entry.Code).join('; '));
      this.#log(`stopping: returned ${messages.length} message(s) to the queue`);
    } catch (error) {
      this.#log(
        `stopping: could not return ${messages.length} message(s); they come back after the ` +
          `visibility timeout: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    return work.finally(() => this.#inFlight.delete(work));
  }

  #log(message: string): void {
    (this.#options.log ?? console.error)(`[sqs ${this.#options.queueArn.split(':').pop()}] ${message}`);
  }
}

/** Invokes a function through serverless-offline's Lambda Invoke endpoint. */
export function invokeThroughOffline(lambdaEndpoint: string, functionName: string) {
  const url = `${lambdaEndpoint}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;
  return async (event: unknown): Promise<InvokeResult> => {
    try {
      const response = await fetch(url, { method: 'POST', body: JSON.stringify(event) });
      const text = await response.text();
      const payload: unknown = text ? JSON.parse(text) : null;
      if (!response.ok || response.headers.get('x-amz-function-error')) {
        const message = (payload as { errorMessage?: string } | null)?.errorMessage ?? text;
        return { ok: false, error: `${response.status} ${message}` };
      }
      return { ok: true, payload };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  };
}
