import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { DynamoDbSubmissionStore } from '../../src/adapters/dynamodb/dynamodb-submission-store';
import { compose } from '../../src/composition';
import { loadConfig } from '../../src/config/env';
import { waitFor } from '../../workbench/wait';
import { createTestBackend, storeOn, type TestBackend } from '../helpers/backend';
import type { KillableProcess } from '../helpers/fault-process';
import { silentLogger } from '../helpers/reaper-fixtures';
import {
  decidedBy,
  logEntries,
  spawnStandaloneWorker,
  started,
  stopWith,
  withoutServiceSettings,
} from '../helpers/standalone-worker-process';

const CONTENT = 'This contains number 42';

/** `npm run worker` processes on one test's own table and queue (the queue's visibility timeout is 180 s). */
describe('the standalone worker (npm run worker)', () => {
  let backend: TestBackend;
  let truth: DynamoDbSubmissionStore;
  const workers: KillableProcess[] = [];

  const start = (settings: Record<string, string> = {}) => {
    const worker = spawnStandaloneWorker({
      ...withoutServiceSettings(process.env),
      ...inject('emulatorEnv'),
      TABLE_NAME: backend.tableName,
      QUEUE_URL: backend.queueUrl,
      ...settings,
    });
    workers.push(worker);
    return worker;
  };
  const accept = () =>
    compose({
      config: loadConfig({ TABLE_NAME: backend.tableName, QUEUE_URL: backend.queueUrl }),
      dynamodb: backend.dynamodb,
      sqs: backend.sqs,
      logger: silentLogger,
    }).submissions.acceptSubmission('alice', CONTENT);
  const visibleMessages = async () => {
    const { Attributes = {} } = await backend.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: backend.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    return Number(Attributes.ApproximateNumberOfMessages);
  };

  beforeEach(async () => {
    backend = await createTestBackend();
    truth = storeOn(backend);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.kill()));
    await backend.destroy();
  });

  it('on SIGTERM mid-record: waits out the grace, releases the lease, hands the message back and exits 0; another worker then decides it once', async () => {
    const { id } = await accept();
    // Works for a minute per record; allowed 300 ms to finish once told to stop.
    const first = start({ PROCESSING_DELAY_MS: '60000', WORKER_SHUTDOWN_GRACE_MS: '300' });
    await started(first);
    const claimed = await waitFor('the first worker to claim the submission', async () => {
      const current = await truth.get(id);
      return current?.status === 'PROCESSING' ? current : undefined;
    });

    const exit = await stopWith(first, 'SIGTERM');
    const released = await truth.get(id);
    const visibleAfterExit = await visibleMessages();
    const second = start();
    const decided = await waitFor('the second worker to decide it', async () => {
      const current = await truth.get(id);
      return current?.status === 'PASSED' ? current : undefined;
    });
    await stopWith(second);

    expect(exit).toEqual({ code: 0, signal: null });
    // Stopped, not failed: no attempt spent, no error noted.
    expect(released).toMatchObject({
      status: 'PENDING',
      attempts: 1,
      interruptions: 1,
      releasedBy: claimed.leaseToken,
    });
    expect(released).not.toHaveProperty('leaseToken');
    expect(released).not.toHaveProperty('lastError');
    // Visible at once, not after the queue's 180 s visibility timeout.
    expect(visibleAfterExit).toBe(1);
    expect(logEntries(first).map((entry) => entry.message)).toEqual(
      expect.arrayContaining([
        'standalone worker stopping',
        'shutdown grace over: aborting the submissions in progress (their leases are released)',
        'submission interrupted',
        'standalone worker stopped',
      ]),
    );
    expect(decidedBy(first)).toEqual([]);
    expect(decidedBy(second)).toEqual([id]);
    expect(decided).toMatchObject({ status: 'PASSED', attempts: 2 });
    expect(decided.decidedBy).not.toBe(claimed.leaseToken);
  });

  it("returns a message that comes during its submission's retry back-off until the back-off ends, then decides it", async () => {
    // A failed attempt released the submission, not to be claimed for 2 s; its message is on the queue.
    const { id } = await accept();
    const failedAttempt = `lease-${id}`;
    const claimedAt = new Date();
    expect(
      (
        await truth.claim({
          id,
          leaseToken: failedAttempt,
          now: claimedAt.toISOString(),
          leaseExpiresAt: new Date(claimedAt.getTime() + 60_000).toISOString(),
        })
      ).claimed,
    ).toBe(true);
    const notBefore = new Date(Date.now() + 2_000).toISOString();
    await truth.release({
      id,
      leaseToken: failedAttempt,
      now: new Date().toISOString(),
      notBefore,
      reapAt: new Date(Date.now() + 600_000).toISOString(),
      error: {
        code: 'PROCESSING_FAILED',
        message: 'A check of the content could not run. It will be tried again.',
      },
    });

    // The queue's visibility timeout is 180 s: the decision within the wait below shows the
    // early message was made visible again when the back-off ended.
    const worker = start();
    const decided = await waitFor(
      'the worker to decide it once its back-off ended',
      async () => {
        const current = await truth.get(id);
        return current?.status === 'PASSED' ? current : undefined;
      },
      { timeoutMs: 30_000 },
    );
    await stopWith(worker);

    expect(decided.completedAt! >= notBefore).toBe(true);
    expect(decided).toMatchObject({ attempts: 2 });
    expect(logEntries(worker)).toEqual(
      expect.arrayContaining([expect.objectContaining({ message: 'submission early', retryAt: notBefore })]),
    );
  });

  it('on SIGTERM mid-record within the grace: finishes the record, deletes its message and exits 0', async () => {
    const { id } = await accept();
    const worker = start({ PROCESSING_DELAY_MS: '1500', WORKER_SHUTDOWN_GRACE_MS: '60000' });
    await started(worker);
    await waitFor('the worker to claim the submission', async () =>
      (await truth.get(id))?.status === 'PROCESSING' ? true : undefined,
    );

    const exit = await stopWith(worker, 'SIGTERM');

    expect(exit).toEqual({ code: 0, signal: null });
    expect(await truth.get(id)).toMatchObject({ status: 'PASSED', attempts: 1 });
    expect(decidedBy(worker)).toEqual([id]);
    expect(await backend.approximateDepth()).toBe(0);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('exits 0 on %s when idle', async (signal) => {
    const worker = start();
    await started(worker);

    const exit = await stopWith(worker, signal);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(logEntries(worker).at(-1)).toMatchObject({ message: 'standalone worker stopped' });
  });

  it('refuses a bad setting before touching the queue: exit 1, the variable named, the message left alone', async () => {
    await accept();
    const worker = start({ WORKER_POLLERS: '0' });

    const exit = await worker.exited;

    expect(exit).toEqual({ code: 1, signal: null });
    expect(worker.lines.join('\n')).toContain('Invalid configuration: WORKER_POLLERS');
    expect(await visibleMessages()).toBe(1);
  });

  it('refuses a stage whose queue does not exist, naming the queue and where it looked: exit 1', async () => {
    const emulators = inject('emulatorEnv');
    const lost = spawnStandaloneWorker({ ...withoutServiceSettings(process.env), ...emulators }, [
      '--stage',
      'nowhere',
    ]);
    workers.push(lost);

    const exit = await lost.exited;

    expect(exit).toEqual({ code: 1, signal: null });
    expect(lost.lines.join('\n')).toContain(
      `Queue submissions-nowhere-submissions not found on ${emulators.AWS_ENDPOINT_URL_SQS ?? emulators.AWS_ENDPOINT_URL}.`,
    );
  });

  it('refuses an unknown argument with its usage: exit 2', async () => {
    const misused = spawnStandaloneWorker(process.env, ['--stgae', 'prod']);
    workers.push(misused);

    const exit = await misused.exited;

    expect(exit).toEqual({ code: 2, signal: null });
    expect(misused.lines.join('\n')).toContain('unknown argument: --stgae');
    expect(misused.lines.join('\n')).toContain('usage: npm run worker');
  });
});
