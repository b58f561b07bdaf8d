import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { DynamoDbSubmissionStore } from '../../../src/adapters/dynamodb/dynamodb-submission-store';
import { processBatch } from '../../../src/application/process-batch';
import { compose } from '../../../src/composition';
import { loadConfig } from '../../../src/config/env';
import type { Submission } from '../../../src/domain/submission';
import type { Clock } from '../../../src/ports/clock';
import { waitFor } from '../../../workbench/wait';
import { createTestBackend, storeOn, type TestBackend } from '../../helpers/backend';
import { type KillableProcess, spawnWorker } from '../../helpers/fault-process';
import { asRecords, deleteMessages, received, recordingLogger } from '../../helpers/fault-queue';
import { ManualClock } from '../../helpers/manual-clock';
import { silentLogger } from '../../helpers/reaper-fixtures';

const STUCK_AFTER_MS = 300_000;
const CONTENT = 'This contains number 42';

describe('a worker that crashes', () => {
  let backend: TestBackend;
  let truth: DynamoDbSubmissionStore;
  let worker: KillableProcess | undefined;

  const settings = () => ({
    TABLE_NAME: backend.tableName,
    QUEUE_URL: backend.queueUrl,
    STUCK_AFTER_MS: String(STUCK_AFTER_MS),
  });
  const composed = (clock?: Clock) =>
    compose({
      config: loadConfig(settings()),
      dynamodb: backend.dynamodb,
      sqs: backend.sqs,
      logger: silentLogger,
      ...(clock ? { clock } : {}),
    });

  beforeEach(async () => {
    backend = await createTestBackend({ queue: { VisibilityTimeout: 1 } });
    truth = storeOn(backend);
  });
  afterEach(async () => {
    await worker?.kill();
    worker = undefined;
    await backend.destroy();
  });

  it('killed (SIGKILL) after its claim is reset by the reaper, decided once by the next delivery, and a further delivery is a no-op', async () => {
    const { id } = await composed().submissions.acceptSubmission('alice', CONTENT);
    // The message the doomed worker took stays in flight with it for the rest of the test.
    expect(await backend.receiveAll(backend.queueUrl, 600)).toHaveLength(1);
    // A real worker process, composed from the environment like a Lambda cold start,
    // that claims and then "works" for a minute.
    worker = spawnWorker(id, { ...inject('emulatorEnv'), ...settings(), PROCESSING_DELAY_MS: '60000' });
    const claimed = await waitFor('the worker process to claim the submission', async () => {
      const current = await truth.get(id);
      return current?.status === 'PROCESSING' ? current : undefined;
    });

    const exit = await worker.kill();
    // The dead worker stamped its claim with the real clock; the reaper's clock is
    // moved past that claim's processingStartedAt + STUCK_AFTER.
    const clock = new ManualClock(claimed.processingStartedAt);
    clock.advance(STUCK_AFTER_MS + 1);
    const rescue = composed(clock);
    const stranded = await truth.get(id);
    const report = await rescue.reaper.resetStuckAndRequeueOrphans();
    const reset = await truth.get(id);
    const [requeued] = await received(backend, 1, 'the reaper’s message');
    const first = recordingLogger();
    const firstFailures = await processBatch(rescue.processor, asRecords([requeued!]), first.logger);
    const decided = await truth.get(id);
    clock.advance(1_000);
    const second = recordingLogger();
    const secondFailures = await processBatch(rescue.processor, asRecords([requeued!]), second.logger);

    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    // The process killed is the one that claimed, not a launcher in front of it.
    expect(worker.lines).toContain(JSON.stringify({ worker: 'started', pid: worker.child.pid }));
    expect(worker.lines.some((line) => line.includes('"worker":"finished"'))).toBe(false);
    expect(stranded).toEqual(claimed);
    expect(stranded).toMatchObject({ status: 'PROCESSING', attempts: 1, leaseToken: expect.any(String) });
    expect(report).toEqual({ reset: 1, requeued: 0, examined: 1, failed: 0 });
    expect(reset).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(reset).not.toHaveProperty('leaseToken');
    expect(requeued!.Body).toBe(JSON.stringify({ id }));
    expect(firstFailures).toEqual([]);
    expect(first.entries).toEqual([
      expect.objectContaining({
        message: 'submission decided',
        fields: expect.objectContaining({ status: 'PASSED', attempts: 2 }),
      }),
    ]);
    expect(decided).toMatchObject({ status: 'PASSED', attempts: 2, completedAt: expect.any(String) });
    expect(decided?.decidedBy).not.toBe(claimed.leaseToken);
    expect(secondFailures).toEqual([]);
    expect(second.entries).toEqual([
      expect.objectContaining({
        message: 'submission skipped',
        fields: expect.objectContaining({ reason: 'terminal' }),
      }),
    ]);
    expect(await truth.get(id)).toEqual(decided);
  });

  it('after deciding but before the SQS delete sees the redelivery skipped, the decision unchanged', async () => {
    const clock = new ManualClock();
    const app = composed(clock);
    const { id } = await app.submissions.acceptSubmission('alice', CONTENT);
    const [delivery] = await received(backend, 1);

    const failures = await processBatch(app.processor, asRecords([delivery!]), silentLogger);
    const decided = await truth.get(id);
    // The crash: the batch's result never reaches the event source, so nothing is deleted.
    const [redelivery] = await received(backend, 1, 'the undeleted message to come back');
    clock.advance(1_000); // a second decision would carry a later completedAt
    const again = recordingLogger();
    const againFailures = await processBatch(app.processor, asRecords([redelivery!]), again.logger);
    await deleteMessages(backend, [redelivery!]);

    expect(failures).toEqual([]);
    expect(decided).toMatchObject({ status: 'PASSED', attempts: 1 });
    expect(redelivery).toMatchObject({
      MessageId: delivery!.MessageId,
      Attributes: expect.objectContaining({ ApproximateReceiveCount: '2' }),
    });
    expect(againFailures).toEqual([]);
    expect(again.entries).toEqual([
      expect.objectContaining({
        message: 'submission skipped',
        fields: expect.objectContaining({ reason: 'terminal' }),
      }),
    ]);
    const after = (await truth.get(id)) as Submission;
    expect(after).toEqual(decided);
    expect({ completedAt: after.completedAt, decidedBy: after.decidedBy, result: after.result }).toEqual({
      completedAt: decided?.completedAt,
      decidedBy: decided?.decidedBy,
      result: decided?.result,
    });
    expect(await backend.approximateDepth()).toBe(0);
  });
});
