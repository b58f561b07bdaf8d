import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTENT_KEY_PREFIX } from '../../src/adapters/dynamodb/table';
import { SubmissionService } from '../../src/application/submissions';
import { compose } from '../../src/composition';
import { loadConfig } from '../../src/config/env';
import { IdempotencyConflictError } from '../../src/domain/errors';
import type { IdempotencyRecord, SubmissionStore } from '../../src/ports/submission-store';
import { createTestBackend, type TestBackend } from '../helpers/backend';
import { deferred } from '../helpers/event-source-harness';
import { ManualClock } from '../helpers/manual-clock';
import { enqueuedIds, storedSubmissions } from '../helpers/problems';
import { recordingDynamoDbClient } from '../helpers/reaper-fixtures';

const TTL_SECONDS = 600;
const silentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('SubmissionService against the emulators', () => {
  let backend: TestBackend;
  let clock: ManualClock;

  beforeEach(async () => {
    backend = await createTestBackend();
    clock = new ManualClock('2026-03-01T12:00:00.000Z');
  });
  afterEach(() => backend.destroy());

  /** The composition the api handler uses, over this test's backend, on the manual clock. */
  const application = (settings: Record<string, string> = {}) =>
    compose({
      config: loadConfig({
        TABLE_NAME: backend.tableName,
        QUEUE_URL: backend.queueUrl,
        IDEMPOTENCY_TTL_SECONDS: String(TTL_SECONDS),
        ...settings,
      }),
      dynamodb: backend.dynamodb,
      sqs: backend.sqs,
      clock,
      logger: silentLogger,
    });

  describe('acceptIdempotently', () => {
    it('answers a retry with the same key and body with the same submission, stored and enqueued once', async () => {
      // Prepare
      const { submissions } = application();
      const first = await submissions.acceptIdempotently('alice', 'hello world 42', 'key-1');
      clock.advance(5_000);

      // Act
      const retry = await submissions.acceptIdempotently('alice', 'hello world 42', 'key-1');

      // Assess
      expect(first.replayed).toBe(false);
      expect(retry).toEqual({ submission: first.submission, replayed: true });
      expect((await storedSubmissions(backend)).map((item) => item.id?.S)).toEqual([first.submission.id]);
      expect(await enqueuedIds(backend)).toEqual([first.submission.id]);
    });

    it('replays from the small item alone: content kept apart is not read again', async () => {
      // Prepare: content too long to be inline, and a client recording every read.
      const recorder = recordingDynamoDbClient();
      const { submissions } = compose({
        config: loadConfig({ TABLE_NAME: backend.tableName, QUEUE_URL: backend.queueUrl }),
        dynamodb: recorder.client,
        sqs: backend.sqs,
        clock,
        logger: silentLogger,
      });
      const content = `${'long content 42 '.repeat(20)}`;
      const first = await submissions.acceptIdempotently('alice', content, 'key-long');
      recorder.commands.length = 0;

      // Act
      const retry = await submissions.acceptIdempotently('alice', content, 'key-long');

      // Assess
      expect(retry).toEqual({ submission: first.submission, replayed: true });
      expect(retry.submission).not.toHaveProperty('content');
      const read = recorder.commands
        .filter(({ commandName }) => commandName === 'GetItemCommand')
        .map(({ input }) => (input.Key as { id: string }).id);
      expect(read).toContain(first.submission.id);
      expect(read.filter((id) => id.startsWith(CONTENT_KEY_PREFIX))).toEqual([]);
    });

    it('replays the submission as it is now, once the worker has decided it', async () => {
      // Prepare
      const { submissions, processor } = application();
      const first = await submissions.acceptIdempotently('alice', 'hello world 42', 'key-1');
      await processor.process(first.submission.id);

      // Act
      const retry = await submissions.acceptIdempotently('alice', 'hello world 42', 'key-1');

      // Assess
      expect(retry.replayed).toBe(true);
      expect(retry.submission).toMatchObject({ id: first.submission.id, status: 'PASSED' });
    });

    it('refuses the same key with another body, storing and enqueuing nothing new', async () => {
      // Prepare
      const { submissions } = application();
      const first = await submissions.acceptIdempotently('alice', 'hello world 42', 'key-1');
      const before = await backend.scanAll();

      // Act
      const conflict = submissions.acceptIdempotently('alice', 'another body 43', 'key-1');

      // Assess
      await expect(conflict).rejects.toThrow(IdempotencyConflictError);
      expect(await backend.scanAll()).toEqual(before);
      expect(await enqueuedIds(backend)).toEqual([first.submission.id]);
    });

    it('scopes keys to the owner: one key from two owners makes two submissions', async () => {
      // Prepare
      const { submissions } = application();

      // Act
      const alices = await submissions.acceptIdempotently('alice', 'hello world 42', 'shared-key');
      const bobs = await submissions.acceptIdempotently('bob', 'hello world 42', 'shared-key');

      // Assess
      expect(bobs.replayed).toBe(false);
      expect(bobs.submission.id).not.toBe(alices.submission.id);
      expect(bobs.submission.owner).toBe('bob');
      expect((await storedSubmissions(backend)).map((item) => item.id?.S).sort()).toEqual(
        [alices.submission.id, bobs.submission.id].sort(),
      );
    });

    it('keeps the key for IDEMPOTENCY_TTL_SECONDS, then makes a new submission for it', async () => {
      // Prepare
      const { submissions } = application();
      const first = await submissions.acceptIdempotently('alice', 'hello world 42', 'key-1');

      // Act
      clock.advance(TTL_SECONDS * 1_000);
      const atTheLimit = await submissions.acceptIdempotently('alice', 'hello world 42', 'key-1');
      clock.advance(1_000);
      const afterIt = await submissions.acceptIdempotently('alice', 'hello world 42', 'key-1');
      const retryOfNew = await submissions.acceptIdempotently('alice', 'hello world 42', 'key-1');

      // Assess
      expect(atTheLimit).toMatchObject({ replayed: true, submission: { id: first.submission.id } });
      expect(afterIt.replayed).toBe(false);
      expect(afterIt.submission.id).not.toBe(first.submission.id);
      expect(afterIt.submission.createdAt).toBe(clock.now().toISOString());
      expect(retryOfNew).toMatchObject({ replayed: true, submission: { id: afterIt.submission.id } });
      expect(await storedSubmissions(backend)).toHaveLength(2);
      expect((await enqueuedIds(backend)).sort()).toEqual(
        [first.submission.id, afterIt.submission.id].sort(),
      );
    });

    it('after the key expired, accepts another body under it too', async () => {
      // Prepare
      const { submissions } = application();
      await submissions.acceptIdempotently('alice', 'hello world 42', 'key-1');
      clock.advance((TTL_SECONDS + 1) * 1_000);

      // Act
      const other = await submissions.acceptIdempotently('alice', 'another body 43', 'key-1');

      // Assess
      expect(other.replayed).toBe(false);
      expect(await storedSubmissions(backend)).toHaveLength(2);
    });

    it('stores a reserved submission exactly once, with its reserved id and createdAt, when the first request crashed before storing it', async () => {
      // Prepare: the first request reserves the key, then its Lambda dies before the PutItem.
      const { store, queue, submissions } = application();
      const reservations: IdempotencyRecord[] = [];
      const crashing = new Proxy(store, {
        get(target, property: keyof SubmissionStore) {
          if (property === 'create') {
            return async () => {
              throw new Error('the Lambda was stopped here');
            };
          }
          if (property === 'reserveIdempotencyKey') {
            return async (record: IdempotencyRecord, now: number) => {
              const live = await target.reserveIdempotencyKey(record, now);
              reservations.push(live);
              return live;
            };
          }
          return (target[property] as (...args: unknown[]) => unknown).bind(target);
        },
      });
      const firstRequest = new SubmissionService({ store: crashing, queue, clock, orphanAfterMs: 240_000 });
      await expect(firstRequest.acceptIdempotently('alice', 'hello world 42', 'key-1')).rejects.toThrow(
        /stopped/,
      );
      const [reserved] = reservations as [IdempotencyRecord];
      expect(await storedSubmissions(backend)).toEqual([]);
      clock.advance(30_000);

      // Act
      const retry = await submissions.acceptIdempotently('alice', 'hello world 42', 'key-1');
      const again = await submissions.acceptIdempotently('alice', 'hello world 42', 'key-1');

      // Assess
      expect(retry.submission).toMatchObject({
        id: reserved.submissionId,
        createdAt: reserved.createdAt,
        status: 'PENDING',
      });
      expect(retry.submission.createdAt).toBe('2026-03-01T12:00:00.000Z');
      expect(again.submission.id).toBe(reserved.submissionId);
      // The retry stored it, so it is the acceptance (counted as accepted); the next one replays.
      expect([retry.replayed, again.replayed]).toEqual([false, true]);
      expect((await storedSubmissions(backend)).map((item) => item.id?.S)).toEqual([reserved.submissionId]);
      expect(await enqueuedIds(backend)).toEqual([reserved.submissionId]);
    });

    it('lets a retry store a submission the first request is still storing: one item, the same id, one duplicate message', async () => {
      // Prepare: the first request reserves the key, then stalls before its PutItem.
      const { store, queue, submissions } = application();
      const stalled = deferred<void>();
      const atCreate = deferred<void>();
      const slow = new Proxy(store, {
        get(target, property: keyof SubmissionStore) {
          if (property === 'create') {
            return async (...args: Parameters<SubmissionStore['create']>) => {
              atCreate.resolve();
              await stalled.promise;
              return target.create(...args);
            };
          }
          return (target[property] as (...args: unknown[]) => unknown).bind(target);
        },
      });
      const firstRequest = new SubmissionService({ store: slow, queue, clock, orphanAfterMs: 240_000 });
      const first = firstRequest.acceptIdempotently('alice', 'hello world 42', 'key-1');
      await atCreate.promise;

      // Act
      const retry = await submissions.acceptIdempotently('alice', 'hello world 42', 'key-1');
      stalled.resolve();
      const original = await first;

      // Assess: neither found it stored when it looked, so neither answers as a replay.
      expect(retry.replayed).toBe(false);
      expect(original).toEqual({ submission: retry.submission, replayed: false });
      expect((await storedSubmissions(backend)).map((item) => item.id?.S)).toEqual([retry.submission.id]);
      expect(await enqueuedIds(backend)).toEqual([retry.submission.id, retry.submission.id]);
    });

    it('makes one submission of two concurrent requests with one key; a duplicate message at most', async () => {
      // Prepare
      const { submissions } = application();

      // Act
      const answers = await Promise.all([
        submissions.acceptIdempotently('alice', 'hello world 42', 'key-1'),
        submissions.acceptIdempotently('alice', 'hello world 42', 'key-1'),
      ]);

      // Assess
      const [one, other] = answers;
      expect(other.submission.id).toBe(one.submission.id);
      // A replay is an answer that found the submission stored: at most the later one did.
      expect(answers.filter((answer) => answer.replayed).length).toBeLessThanOrEqual(1);
      expect((await storedSubmissions(backend)).map((item) => item.id?.S)).toEqual([one.submission.id]);
      const enqueued = await enqueuedIds(backend);
      expect(enqueued.length).toBeGreaterThanOrEqual(1);
      expect(enqueued.length).toBeLessThanOrEqual(2);
      expect(new Set(enqueued)).toEqual(new Set([one.submission.id]));
    });
  });

  describe('acceptBatch', () => {
    it('stores every content PENDING in order and enqueues each id once', async () => {
      // Prepare
      const { submissions } = application();
      const contents = Array.from({ length: 25 }, (_, index) => `batch item ${index}`);

      // Act
      const accepted = await submissions.acceptBatch('alice', contents);

      // Assess
      expect(accepted.map((submission) => submission.content)).toEqual(contents);
      expect(accepted.every((submission) => submission.status === 'PENDING')).toBe(true);
      const stored = await storedSubmissions(backend);
      expect(stored).toHaveLength(25);
      expect(stored.every((item) => item.status?.S === 'PENDING')).toBe(true);
      expect((await enqueuedIds(backend)).sort()).toEqual(accepted.map((submission) => submission.id).sort());
    });

    it('still returns the stored batch when the queue refuses it, reporting each id for the orphan sweep', async () => {
      // Prepare: fault injection by a queue URL the emulator does not know.
      const { store } = application();
      const failed: string[] = [];
      const service = new SubmissionService({
        store,
        queue: application({ QUEUE_URL: `${backend.queueUrl}-missing` }).queue,
        clock,
        orphanAfterMs: 240_000,
        onEnqueueFailed: (id) => failed.push(id),
      });

      // Act
      const accepted = await service.acceptBatch('alice', ['one 1', 'two 2', 'three 3']);

      // Assess
      expect(failed.sort()).toEqual(accepted.map((submission) => submission.id).sort());
      expect(await storedSubmissions(backend)).toHaveLength(3);
      expect(await backend.approximateDepth()).toBe(0);
    });

    it('enqueues nothing when the batch write fails', async () => {
      // Prepare: fault injection by a table the emulator does not have.
      const { submissions } = application({ TABLE_NAME: `${backend.tableName}-missing` });

      // Act
      const accepted = submissions.acceptBatch('alice', ['one 1', 'two 2']);

      // Assess
      await expect(accepted).rejects.toThrow();
      expect(await backend.approximateDepth()).toBe(0);
    });
  });

  describe('getSubmission', () => {
    it('gives the API the submission without what only operators read', async () => {
      // Prepare
      const { submissions, processor, store } = application();
      const { id } = await submissions.acceptSubmission('alice', 'hello world 42');
      await processor.process(id);

      // Act
      const read = await submissions.getSubmission('alice', id);

      // Assess
      expect(await store.get(id)).toMatchObject({
        history: expect.any(Array),
        expiresAt: expect.any(Number),
      });
      expect(read).toMatchObject({ id, status: 'PASSED' });
      for (const hidden of ['history', 'orphanRequeues', 'expiresAt'])
        expect(read).not.toHaveProperty(hidden);
    });
  });

  describe('listSubmissions', () => {
    it('passes the status filter to the store', async () => {
      // Prepare
      const { submissions, processor } = application();
      const decided = await submissions.acceptSubmission('alice', 'hello world 42');
      clock.advance(1_000);
      const pending = await submissions.acceptSubmission('alice', 'hello world 43');
      await processor.process(decided.id);

      // Act
      const passed = await submissions.listSubmissions('alice', 10, undefined, 'PASSED');
      const waiting = await submissions.listSubmissions('alice', 10, undefined, 'PENDING');

      // Assess
      expect(passed.items.map((item) => item.id)).toEqual([decided.id]);
      expect(waiting.items.map((item) => item.id)).toEqual([pending.id]);
    });
  });
});
