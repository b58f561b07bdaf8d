import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import {
  type InvokeResult,
  SqsEventSource,
  type SqsEventSourceOptions,
} from '../../src/adapters/sqs/event-source';
import type { TestBackend } from './backend';

/** What the fake function answers for one batch. */
export type Respond = (event: SQSEvent) => InvokeResult | Promise<InvokeResult>;

export const succeed = (payload: unknown = null): InvokeResult => ({ ok: true, payload });
export const fail = (error = 'function error'): InvokeResult => ({ ok: false, error });
export const reportFailures = (messageIds: string[]): InvokeResult =>
  succeed({ batchItemFailures: messageIds.map((itemIdentifier) => ({ itemIdentifier })) });

/**
 * The Lambda function behind the event source: records every batch it is
 * handed and answers as `respond` says (serverless-offline's invoke endpoint is
 * covered by the e2e tier).
 */
export class FakeFunction {
  readonly batches: SQSEvent[] = [];
  readonly #respond: Respond;

  constructor(respond: Respond) {
    this.#respond = respond;
  }

  readonly invoke = async (event: SQSEvent): Promise<InvokeResult> => {
    this.batches.push(event);
    return this.#respond(event);
  };

  get deliveries(): SQSRecord[] {
    return this.batches.flatMap((batch) => batch.Records);
  }

  /** ApproximateReceiveCount of each delivery of the message with this body, in order. */
  receiveCounts(body: string): string[] {
    return this.deliveries
      .filter((record) => record.body === body)
      .map((record) => record.attributes.ApproximateReceiveCount);
  }
}

/** Sends one message per body (in batches of 10) and returns their MessageIds, in order. */
export async function sendBodies(backend: TestBackend, bodies: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < bodies.length; start += 10) {
    const chunk = bodies.slice(start, start + 10);
    const { Successful = [], Failed = [] } = await backend.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: backend.queueUrl,
        Entries: chunk.map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
    if (Failed.length > 0) throw new Error(`SendMessageBatch failed: ${JSON.stringify(Failed)}`);
    const byEntry = new Map(Successful.map((entry) => [entry.Id, entry.MessageId]));
    ids.push(...chunk.map((_, index) => byEntry.get(String(index)) ?? ''));
  }
  return ids;
}

/** Starts an event source on the backend's queue with quick-to-stop defaults. */
export function startEventSource(
  backend: TestBackend,
  invoke: SqsEventSourceOptions['invoke'],
  options: Partial<SqsEventSourceOptions> = {},
): { source: SqsEventSource; logs: string[] } {
  const logs: string[] = [];
  const source = new SqsEventSource({
    sqs: backend.sqs,
    queueUrl: backend.queueUrl,
    queueArn: backend.queueArn,
    region: 'us-east-1',
    batchSize: 10,
    reportBatchItemFailures: true,
    pollers: 1,
    waitTimeSeconds: 1,
    invoke,
    log: (message) => logs.push(message),
    ...options,
  });
  source.start();
  return { source, logs };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/**
 * Whether `promise` has settled once the event loop has had a full turn (timers,
 * I/O callbacks, microtasks). Not a sleep: it asks about now, not about later.
 */
export async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

/** Counts each SQS command a client sends: started, and finished (with any outcome). */
export function observeRequests(client: SQSClient) {
  const started = new Map<string, number>();
  const finished = new Map<string, number>();
  const bump = (counts: Map<string, number>, name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      bump(started, name);
      try {
        return await next(args);
      } finally {
        bump(finished, name);
      }
    },
    { step: 'initialize', name: 'eventSourceTestObserver' },
  );
  return {
    started: (command: string) => started.get(command) ?? 0,
    finished: (command: string) => finished.get(command) ?? 0,
    outstanding: (command: string) => (started.get(command) ?? 0) - (finished.get(command) ?? 0),
  };
}
