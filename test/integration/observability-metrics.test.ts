import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { processBatch } from '../../src/application/process-batch';
import { SubmissionProcessor } from '../../src/application/submission-processor';
import type { RuleSet } from '../../src/domain/rules';
import { defaultRuleSet } from '../../src/rules/default-rule-set';
import { type ApiHandlerUnderTest, apiOnFreshBackend, closeApi } from '../helpers/api-events';
import { createTestBackend, type TestBackend } from '../helpers/backend';
import { asRecords } from '../helpers/fault-queue';
import { ManualClock } from '../helpers/manual-clock';
import { observedApp } from '../helpers/observed-app';
import { type CapturedOutput, captureOutput } from '../helpers/output-capture';
import { messageFor, ORPHAN_AFTER_MS, STUCK_AFTER_MS, stallingCompletes } from '../helpers/reaper-fixtures';

const EMPTY_METRICS_WARNING = /No application metrics/;

describe('metrics (CloudWatch EMF through Powertools) on each path', () => {
  describe('api', () => {
    let backend: TestBackend;
    let api: ApiHandlerUnderTest;
    let output: CapturedOutput;

    beforeEach(async () => {
      ({ backend, api, output } = await apiOnFreshBackend());
    });
    afterEach(() => closeApi(backend, api));

    it('counts a first acceptance once, and neither the idempotent replay nor a read', async () => {
      const key = { 'idempotency-key': `key-${randomUUID()}` };
      const first = await api.call('POST', '/submissions', {
        headers: key,
        body: '{"content":"counted once 1"}',
      });
      const afterFirst = output.emf().length;
      const replay = await api.call('POST', '/submissions', {
        headers: key,
        body: '{"content":"counted once 1"}',
      });
      const read = await api.call('GET', `/submissions/${(first.body as { id: string }).id}`);

      expect([first.status, replay.status, read.status]).toEqual([202, 202, 200]);
      expect(afterFirst).toBe(1);
      expect(output.emf()).toEqual([
        expect.objectContaining({
          function: 'api',
          service: 'submissions',
          SubmissionsAccepted: 1,
          _aws: expect.objectContaining({
            CloudWatchMetrics: [
              {
                Namespace: 'SubmissionPipeline',
                Dimensions: [['service']],
                Metrics: [{ Name: 'SubmissionsAccepted', Unit: 'Count' }],
              },
            ],
          }),
        }),
      ]);
      // The replay and the read recorded nothing, and published nothing — not even Powertools' warning.
      expect(output.lines().filter((line) => EMPTY_METRICS_WARNING.test(line))).toEqual([]);
    });

    it('counts every batch item as accepted and records the batch size', async () => {
      const response = await api.call('POST', '/submissions/batch', {
        body: JSON.stringify({ items: [{ content: 'one 1' }, { content: 'two 2' }, { content: 'three 3' }] }),
      });

      expect(response.status).toBe(202);
      expect(output.metrics()).toEqual({ SubmissionsAccepted: [3], ApiBatchSize: [3] });
    });

    it('records nothing for a refused request', async () => {
      const refused = await api.call('POST', '/submissions', { body: '{"content":""}' });

      expect(refused.status).toBe(400);
      expect(output.emf()).toEqual([]);
      expect(output.lines().filter((line) => EMPTY_METRICS_WARNING.test(line))).toEqual([]);
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

    /** Accepts submissions now and receives their messages, as the worker's event source would. */
    async function delivered(app: ReturnType<typeof observedApp>, contents: string[]) {
      const accepted = [];
      for (const content of contents) accepted.push(await app.submissions.acceptSubmission('alice', content));
      const records = asRecords(await backend.receiveAll());
      expect(records).toHaveLength(contents.length);
      return { ids: accepted.map((submission) => submission.id), records };
    }

    it('counts passed and content-failed decisions, the batch size, and the accept-to-decision time', async () => {
      const app = observedApp(backend, clock);
      const { records } = await delivered(app, ['passes with 42', 'no digit in this one', 'also passes 7']);
      clock.advance(1_234); // the submissions waited this long (ManualClock: exact)

      await processBatch(app.processor, records, app.logger, { concurrency: 3, metrics: app.metrics });
      app.metrics.publish('worker');

      expect(output.emf()).toHaveLength(1);
      expect(output.emf()[0]).toMatchObject({ function: 'worker', service: 'submissions' });
      expect(output.metrics()).toEqual({
        WorkerBatchSize: [3],
        AcceptToDecision: [1_234, 1_234, 1_234],
        SubmissionsPassed: [2],
        SubmissionsFailedContent: [1],
      });
      const units = output.emf()[0]!._aws.CloudWatchMetrics[0]!.Metrics;
      expect(units).toContainEqual({ Name: 'AcceptToDecision', Unit: 'Milliseconds' });
      expect(units).toContainEqual({ Name: 'WorkerBatchSize', Unit: 'Count' });
    });

    it('counts a decision FAILED for a processing error apart from a content failure', async () => {
      // The rules cannot decide (a dependency is down) on every one of MAX_ATTEMPTS deliveries.
      const unavailable: RuleSet = {
        id: 'unavailable',
        evaluate: async () => {
          throw new Error('moderation service unavailable');
        },
      };
      const app = observedApp(
        backend,
        clock,
        { MAX_ATTEMPTS: '2', RETRY_BACKOFF_MS: '500' },
        { ruleSet: unavailable },
      );
      const { ids, records } = await delivered(app, ['cannot be decided 1']);

      const first = await processBatch(app.processor, records, app.logger, { metrics: app.metrics });
      app.metrics.publish('worker');
      const afterRetry = output.metrics();
      clock.advance(500);
      const second = await processBatch(app.processor, records, app.logger, { metrics: app.metrics });
      app.metrics.publish('worker');

      expect(first).toEqual([records[0]!.messageId]); // a retry: the message comes back
      expect(afterRetry).toEqual({ WorkerBatchSize: [1] });
      expect(second).toEqual([]);
      expect(await app.store.get(ids[0]!)).toMatchObject({
        status: 'FAILED',
        error: { code: 'PROCESSING_FAILED' },
      });
      expect(output.metrics()).toEqual({
        WorkerBatchSize: [1, 1],
        SubmissionsFailedProcessing: [1],
        AcceptToDecision: [500],
      });
    });

    it('counts a duplicate delivery whose claim was refused', async () => {
      const app = observedApp(backend, clock);
      const { records } = await delivered(app, ['delivered twice 2']);
      const duplicate = { ...records[0]!, messageId: 'duplicate-delivery' };

      await processBatch(app.processor, [records[0]!, duplicate], app.logger, {
        concurrency: 1,
        metrics: app.metrics,
      });
      app.metrics.publish('worker');

      expect(output.metrics()).toEqual({
        WorkerBatchSize: [2],
        AcceptToDecision: [0],
        SubmissionsPassed: [1],
        ClaimsRefused: [1],
      });
    });

    it('counts the reaper’s reset and the zombie worker’s refused write, each in its own function’s line', async () => {
      const worker = observedApp(backend, clock);
      const reaper = observedApp(backend, clock);
      const { ids, records } = await delivered(worker, ['outlived its lease 3']);
      const stall = stallingCompletes(worker.store);
      const zombie = new SubmissionProcessor({
        store: stall.store,
        clock,
        ruleSet: defaultRuleSet(),
        maxAttempts: worker.config.MAX_ATTEMPTS,
        stuckAfterMs: STUCK_AFTER_MS,
        orphanAfterMs: ORPHAN_AFTER_MS,
      });

      const zombieBatch = processBatch(zombie, records, worker.logger, { metrics: worker.metrics });
      await stall.reached;
      clock.advance(STUCK_AFTER_MS + 1);
      const report = await reaper.reaper.resetStuckAndRequeueOrphans();
      reaper.metrics.publish('reaper');
      stall.resume();
      await zombieBatch;
      worker.metrics.publish('worker');

      expect(report).toMatchObject({ reset: 1 });
      expect(await stall.written).toEqual({ written: false });
      expect(await backend.receiveAll()).toEqual([expect.objectContaining({ Body: messageFor(ids[0]!) })]);
      expect(output.emf()).toEqual([
        expect.objectContaining({ function: 'reaper', ReaperResets: 1 }),
        expect.objectContaining({ function: 'worker', WorkerBatchSize: 1, ZombieWritesRefused: 1 }),
      ]);
      expect(output.metrics()).toEqual({ ReaperResets: [1], WorkerBatchSize: [1], ZombieWritesRefused: [1] });
    });

    it('counts a requeued orphan, and publishes nothing (and warns about nothing) on an idle run', async () => {
      const app = observedApp(backend, clock);
      await delivered(app, ['its message was lost 4']);
      clock.advance(ORPHAN_AFTER_MS + 1);

      const busy = await app.reaper.resetStuckAndRequeueOrphans();
      app.metrics.publish('reaper');
      const idle = await app.reaper.resetStuckAndRequeueOrphans();
      app.metrics.publish('reaper');

      expect(busy).toMatchObject({ requeued: 1 });
      expect(idle).toMatchObject({ requeued: 0, reset: 0 });
      expect(output.emf()).toEqual([expect.objectContaining({ function: 'reaper', OrphansRequeued: 1 })]);
      expect(output.metrics()).toEqual({ OrphansRequeued: [1] });
      expect(output.lines().filter((line) => EMPTY_METRICS_WARNING.test(line))).toEqual([]);
    });
  });
});
