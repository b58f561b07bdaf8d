import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { processBatch } from '../../src/application/process-batch';
import { loadConfig } from '../../src/config/env';
import { type ApiHandlerUnderTest, apiOnFreshBackend, closeApi, loadApiHandler } from '../helpers/api-events';
import { createTestBackend, type TestBackend } from '../helpers/backend';
import { asRecords } from '../helpers/fault-queue';
import { ManualClock } from '../helpers/manual-clock';
import { observedApp } from '../helpers/observed-app';
import { type CapturedOutput, captureOutput } from '../helpers/output-capture';
import { messageFor, ORPHAN_AFTER_MS, STUCK_AFTER_MS } from '../helpers/reaper-fixtures';

/** A word that appears in the content only: finding it in the output means content was logged. */
const secretMarker = () => `secret${randomUUID().replaceAll('-', '')}`;

describe('structured logs through the api, the worker and the reaper', () => {
  describe('one submission from end to end', () => {
    let backend: TestBackend;
    let api: ApiHandlerUnderTest;
    let output: CapturedOutput;

    beforeEach(async () => {
      ({ backend, api, output } = await apiOnFreshBackend());
    });
    afterEach(() => closeApi(backend, api));

    it('carries its id as correlationId on the api, reaper and worker lines, and never its content', async () => {
      const marker = secretMarker();
      const response = await api.call('POST', '/submissions', {
        body: JSON.stringify({ content: `${marker} carries the digit 7` }),
      });
      expect(response.status).toBe(202);
      const { id } = response.body as { id: string };
      // The message is lost (received and never processed), so only the orphan sweep brings it back.
      expect(await backend.receiveAll()).toHaveLength(1);
      // The api's own ORPHAN_AFTER_MS (its default) set the submission's reapAt.
      const apiOrphanAfterMs = loadConfig({ TABLE_NAME: 'any', QUEUE_URL: backend.queueUrl }).ORPHAN_AFTER_MS;
      const clock = new ManualClock(new Date(Date.now() + apiOrphanAfterMs + 1_000).toISOString());
      const app = observedApp(backend, clock);

      const report = await app.reaper.resetStuckAndRequeueOrphans();
      const requeued = await backend.receiveAll();
      const failures = await processBatch(app.processor, asRecords(requeued), app.logger, {
        metrics: app.metrics,
      });

      expect(report).toMatchObject({ requeued: 1 });
      expect(failures).toEqual([]);
      const about = (message: string) => output.logs().filter((line) => line.message === message);
      expect(about('submission accepted')).toEqual([
        expect.objectContaining({
          level: 'INFO',
          correlationId: id,
          service: 'submissions',
          function_name: 'submissions-test-api', // the Lambda context the api handler was invoked with
        }),
      ]);
      expect(about('orphaned submission requeued')).toEqual([
        expect.objectContaining({ level: 'INFO', correlationId: id }),
      ]);
      expect(about('submission decided')).toEqual([
        expect.objectContaining({ level: 'INFO', correlationId: id, status: 'PASSED', attempts: 1 }),
      ]);
      expect(output.lines().filter((line) => line.includes(marker))).toEqual([]);
    });

    it('names each batch item, and a replay, by its own correlationId', async () => {
      const contents = [secretMarker(), secretMarker()];
      const batch = await api.call('POST', '/submissions/batch', {
        body: JSON.stringify({ items: contents.map((content) => ({ content: `${content} 1` })) }),
      });
      const key = { 'idempotency-key': `key-${randomUUID()}` };
      const first = await api.call('POST', '/submissions', { headers: key, body: '{"content":"again 42"}' });
      const replay = await api.call('POST', '/submissions', { headers: key, body: '{"content":"again 42"}' });

      const itemIds = (batch.body as { items: { id: string }[] }).items.map((item) => item.id);
      const replayedId = (replay.body as { id: string }).id;
      expect(replayedId).toBe((first.body as { id: string }).id);
      const lines = output.logs();
      expect(
        lines.filter((line) => line.message === 'submission accepted').map((line) => line.correlationId),
      ).toEqual([...itemIds, replayedId]);
      expect(lines.filter((line) => line.message === 'submission replayed')).toEqual([
        expect.objectContaining({ correlationId: replayedId }),
      ]);
      expect(lines.filter((line) => line.message === 'batch accepted')).toEqual([
        expect.objectContaining({ count: 2 }),
      ]);
      expect(output.lines().filter((line) => contents.some((content) => line.includes(content)))).toEqual([]);
    });
  });

  describe('worker and reaper', () => {
    let backend: TestBackend;
    let clock: ManualClock;
    let output: CapturedOutput;

    beforeEach(async () => {
      backend = await createTestBackend();
      clock = new ManualClock();
      output = captureOutput();
    });
    afterEach(async () => {
      vi.restoreAllMocks();
      await backend.destroy();
    });

    it('gives each record of a concurrent batch its own correlationId', async () => {
      const app = observedApp(backend, clock);
      const accepted = await Promise.all(
        ['first has 1', 'second has 2', 'third has none'].map((content) =>
          app.submissions.acceptSubmission('alice', content),
        ),
      );
      const records = asRecords(await backend.receiveAll());

      await processBatch(app.processor, records, app.logger, { concurrency: 3, metrics: app.metrics });

      const decided = output.logs().filter((line) => line.message === 'submission decided');
      const byMessage = new Map(records.map((record) => [record.messageId, JSON.parse(record.body).id]));
      expect(decided).toHaveLength(3);
      for (const line of decided) expect(line.correlationId).toBe(byMessage.get(String(line.messageId)));
      expect(Object.fromEntries(decided.map((line) => [line.correlationId, line.status]))).toEqual({
        [accepted[0]!.id]: 'PASSED',
        [accepted[1]!.id]: 'PASSED',
        [accepted[2]!.id]: 'FAILED',
      });
    });

    it('logs one line per reset and per requeue, each with its correlationId', async () => {
      const app = observedApp(backend, clock);
      const stuck = await app.submissions.acceptSubmission('alice', 'claimed by a worker that died 1');
      const orphan = await app.submissions.acceptSubmission('alice', 'its message was lost 2');
      await backend.receiveAll();
      const now = clock.now();
      await app.store.claim({
        id: stuck.id,
        leaseToken: 'dead-worker',
        now: now.toISOString(),
        leaseExpiresAt: new Date(now.getTime() + STUCK_AFTER_MS).toISOString(),
      });
      clock.advance(Math.max(STUCK_AFTER_MS, ORPHAN_AFTER_MS) + 1);

      const report = await app.reaper.resetStuckAndRequeueOrphans();

      expect(report).toEqual({ reset: 1, requeued: 1, examined: 2, failed: 0 });
      const lines = output
        .logs()
        .map(({ level, message, correlationId }) => ({ level, message, correlationId }));
      expect(lines).toHaveLength(2);
      expect(lines).toEqual(
        expect.arrayContaining([
          { level: 'INFO', message: 'stuck submission reset', correlationId: stuck.id },
          { level: 'INFO', message: 'orphaned submission requeued', correlationId: orphan.id },
        ]),
      );
      expect((await backend.receiveAll()).map((message) => message.Body).sort()).toEqual(
        [messageFor(stuck.id), messageFor(orphan.id)].sort(),
      );
    });

    it('logs a rescue that failed as a warning with the correlationId', async () => {
      const { submissions } = observedApp(backend, clock);
      const orphan = await submissions.acceptSubmission('alice', 'its message was lost 3');
      clock.advance(ORPHAN_AFTER_MS + 1);
      // Fault injection: a queue URL the emulator does not know, so every enqueue fails.
      const broken = observedApp(backend, clock, { QUEUE_URL: `${backend.queueUrl}-missing` });

      const report = await broken.reaper.resetStuckAndRequeueOrphans();

      expect(report).toEqual({ reset: 0, requeued: 0, examined: 1, failed: 1 });
      expect(output.logs().filter((line) => line.level === 'WARN')).toEqual([
        expect.objectContaining({
          message: 'reaper could not rescue a submission; a later run will',
          correlationId: orphan.id,
          error: expect.stringMatching(/QueueDoesNotExist|NonExistentQueue/),
        }),
      ]);
    });

    it('honours LOG_LEVEL: at WARN the info lines are not written, the warnings are', async () => {
      const app = observedApp(backend, clock, { LOG_LEVEL: 'WARN' });
      await app.submissions.acceptSubmission('alice', 'decided quietly 5');
      const records = [...asRecords(await backend.receiveAll()), { messageId: 'not-ours', body: 'not json' }];

      await processBatch(app.processor, records, app.logger, { concurrency: 1 });

      expect(output.logs().map(({ level, message }) => ({ level, message }))).toEqual([
        { level: 'WARN', message: 'dropped malformed message' },
      ]);
    });
  });

  it('refuses to start the api with an invalid LOG_LEVEL, naming the variable', async () => {
    await expect(
      loadApiHandler({
        TABLE_NAME: 'unused',
        QUEUE_URL: 'http://127.0.0.1:1/queue/unused',
        LOG_LEVEL: 'verbose',
      }),
    ).rejects.toThrow(/LOG_LEVEL: must be one of DEBUG, INFO, WARN, ERROR/);
  });
});
