import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { ACTIVE_INDEX } from '../../src/adapters/dynamodb/table';
import { compose, type Dependencies } from '../../src/composition';
import { loadConfig } from '../../src/config/env';
import type { Clock } from '../../src/ports/clock';
import type { Logger } from '../../src/ports/logger';
import type { SubmissionQueue } from '../../src/ports/submission-queue';
import type { CompleteRequest, FencedOutcome, SubmissionStore } from '../../src/ports/submission-store';
import type { TestBackend } from './backend';
import { storeWith } from './faults';

export const STUCK_AFTER_MS = 300_000;
export const ORPHAN_AFTER_MS = 120_000;

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The real composition over the test's table and queue, with the reaper's thresholds fixed. */
export function composeForReaper(
  backend: TestBackend,
  clock: Clock,
  overrides: Omit<Partial<Dependencies>, 'config' | 'clock'> = {},
) {
  const config = loadConfig({
    TABLE_NAME: backend.tableName,
    QUEUE_URL: backend.queueUrl,
    STUCK_AFTER_MS: String(STUCK_AFTER_MS),
    ORPHAN_AFTER_MS: String(ORPHAN_AFTER_MS),
    // A released submission may be claimed again at once: these tests redeliver straight away.
    RETRY_BACKOFF_MS: '0',
  });
  return compose({
    config,
    dynamodb: backend.dynamodb,
    sqs: backend.sqs,
    clock,
    logger: silentLogger,
    ...overrides,
  });
}

/**
 * Fault injection: a queue whose every send fails. The SQS emulator cannot be
 * made to fail one SendMessage on demand, so the port is replaced, not the SDK.
 */
export class UnreachableQueue implements SubmissionQueue {
  readonly attempted: string[] = [];

  async enqueue(id: string): Promise<void> {
    this.attempted.push(id);
    throw new Error('queue unreachable (injected fault)');
  }

  async enqueueMany(ids: readonly string[]): Promise<string[]> {
    this.attempted.push(...ids);
    return [...ids];
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/**
 * A store whose `complete` waits at a gate before writing: a worker that has
 * decided but stalls (GC pause, frozen container) until the test lets it go.
 * The write itself goes to the real table.
 */
export function stallingCompletes(store: SubmissionStore) {
  const reached = deferred<CompleteRequest>();
  const gate = deferred<void>();
  const written = deferred<FencedOutcome>();
  return {
    store: storeWith(store, {
      complete: async (request) => {
        reached.resolve(request);
        await gate.promise;
        const outcome = await store.complete(request);
        written.resolve(outcome);
        return outcome;
      },
    }),
    /** Resolves with the stalled request once the worker is waiting to write. */
    reached: reached.promise,
    /** Lets the stalled write go through. */
    resume: () => gate.resolve(),
    /** What the real store answered to the stalled write. */
    written: written.promise,
  };
}

export interface RecordedCommand {
  commandName: string;
  input: Record<string, unknown>;
}

/** A dedicated DynamoDB client that records every command sent through it. */
export function recordingDynamoDbClient() {
  const commands: RecordedCommand[] = [];
  const client = new DynamoDBClient({ endpoint: inject('emulatorEnv').AWS_ENDPOINT_URL_DYNAMODB });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push({
        commandName: context.commandName ?? '(unknown)',
        input: { ...(args.input as Record<string, unknown>) },
      });
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return { client, commands };
}

/** Ids in the sparse index (test-only: scanning an index is what the reaper must never do). */
export async function idsInActiveIndex(backend: TestBackend): Promise<string[]> {
  const { Items = [] } = await backend.dynamodb.send(
    new ScanCommand({ TableName: backend.tableName, IndexName: ACTIVE_INDEX }),
  );
  return Items.map((item) => item.id?.S ?? '(no id)').sort();
}

/** Bodies of every message on the queue now, sorted; received messages stay invisible for the test. */
export async function queuedBodies(backend: TestBackend): Promise<string[]> {
  const messages = await backend.receiveAll();
  return messages.map((message) => message.Body ?? '').sort();
}

export const messageFor = (id: string) => JSON.stringify({ id });

/**
 * Race injection for concurrent reapers: each one reads everything the index has
 * due, then waits until all `parties` have read before it writes. Every reaper
 * thus acts on the same reading, and only the conditional writes can keep them
 * from doing the same work twice.
 */
export function sameReadingFor(store: SubmissionStore, parties: number): SubmissionStore {
  let read = 0;
  const everyoneRead = deferred<void>();
  return storeWith(store, {
    async *listDue(now) {
      const due = [];
      for await (const item of store.listDue(now)) due.push(item);
      read += 1;
      if (read === parties) everyoneRead.resolve();
      await everyoneRead.promise;
      yield* due;
    },
  });
}
