import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { processBatch } from '../../../src/application/process-batch';
import { compose } from '../../../src/composition';
import { loadConfig } from '../../../src/config/env';
import { ensureResources } from '../../../workbench/local/resources';
import { loadApiHandler } from '../../helpers/api-events';
import { approximateDepth } from '../../helpers/backend';
import { DedicatedEmulators, overrideEnv } from '../../helpers/fault-emulators';
import {
  asRecords,
  deleteMessages,
  type QueueAccess,
  received,
  recordingLogger,
} from '../../helpers/fault-queue';
import { ManualClock } from '../../helpers/manual-clock';
import { captureOutput } from '../../helpers/output-capture';

const ORPHAN_AFTER_MS = 240_000;

/**
 * Bare emulator processes: no supervisor, dynalite without a data directory, so
 * the test restarts them and recreates the resources itself. `startLocalStack`
 * does both by itself and keeps DynamoDB's data: test/e2e/stack-emulator-restart.test.ts.
 */
describe('a bare emulator process restarted mid-run (in memory, unsupervised)', () => {
  let emulators: DedicatedEmulators;
  let tableName: string;
  let queueUrl: string;
  let queue: QueueAccess;
  const restore: (() => void)[] = [];

  /** Creates the table and queues from serverless.yml, as the local plugin does when the stack starts. */
  const createResources = () =>
    ensureResources(inject('resources'), { dynamodb: emulators.dynamodb, sqs: emulators.sqs });

  const depth = () => approximateDepth(emulators.sqs, queueUrl);
  const itemCount = async () =>
    (await emulators.dynamodb.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items
      ?.length;

  beforeEach(async () => {
    emulators = await DedicatedEmulators.start();
    const resolved = await createResources();
    tableName = resolved.get('SubmissionsTableV2')!.ref;
    queueUrl = resolved.get('SubmissionQueue')!.ref;
    queue = { sqs: emulators.sqs, queueUrl };
  });
  afterEach(async () => {
    for (const undo of restore.splice(0).reverse()) undo();
    vi.restoreAllMocks();
    await emulators.stop();
  });

  it('SQS: queues and messages are lost; recreating the queues and the orphan sweep bring every PENDING submission back, each decided once', async () => {
    const clock = new ManualClock();
    const logged = recordingLogger();
    const app = compose({
      config: loadConfig({
        TABLE_NAME: tableName,
        QUEUE_URL: queueUrl,
        ORPHAN_AFTER_MS: String(ORPHAN_AFTER_MS),
      }),
      dynamodb: emulators.dynamodb,
      sqs: emulators.sqs,
      clock,
      logger: logged.logger,
    });
    const before = await Promise.all(
      [1, 2].map((index) =>
        app.submissions.acceptSubmission('alice', `accepted before the restart ${index}`),
      ),
    );
    const queuedBefore = await depth();

    await emulators.kill('sqs');
    const whileDown = await app.submissions.acceptSubmission('alice', 'accepted while SQS was down 3');
    await emulators.restart('sqs');
    const queueAfterRestart = await depth().catch((error: Error) => error.name);
    const recreated = await createResources();
    const queuedAfterRecreate = await depth();
    clock.advance(ORPHAN_AFTER_MS);
    const report = await app.reaper.resetStuckAndRequeueOrphans();
    const messages = await received(queue, 3, 'the orphan sweep’s messages');
    const failures = await processBatch(app.processor, asRecords(messages), logged.logger);
    await deleteMessages(queue, messages);
    clock.advance(10 * ORPHAN_AFTER_MS);
    const later = await app.reaper.resetStuckAndRequeueOrphans();

    const ids = [...before, whileDown].map((submission) => submission.id);
    expect(queuedBefore).toBe(2);
    expect(whileDown).toMatchObject({ status: 'PENDING' }); // the API still answers 202
    expect(logged.entries).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'enqueue failed; the reaper will enqueue it',
        fields: expect.objectContaining({ correlationId: whileDown.id }),
      }),
    );
    expect(queueAfterRestart).toMatch(/QueueDoesNotExist|NonExistentQueue/);
    expect(recreated.get('SubmissionQueue')?.ref).toBe(queueUrl); // the functions’ QUEUE_URL stays valid
    expect(queuedAfterRecreate).toBe(0);
    expect(report).toEqual({ reset: 0, requeued: 3, examined: 3, failed: 0 });
    expect(messages.map((message) => JSON.parse(message.Body ?? '').id).sort()).toEqual([...ids].sort());
    expect(failures).toEqual([]);
    for (const id of ids) {
      expect(await app.store.get(id)).toMatchObject({ status: 'PASSED', attempts: 1 });
    }
    expect(later).toEqual({ reset: 0, requeued: 0, examined: 0, failed: 0 });
    expect(await depth()).toBe(0);
  });

  it('DynamoDB: the API answers a 500 problem while it is down, and after the restart every submission is gone', async () => {
    restore.push(overrideEnv(emulators.env));
    const output = captureOutput();
    const api = await loadApiHandler({ TABLE_NAME: tableName, QUEUE_URL: queueUrl });
    restore.push(api.restore);
    const worker = compose({
      config: loadConfig({ TABLE_NAME: tableName, QUEUE_URL: queueUrl }),
      dynamodb: emulators.dynamodb,
      sqs: emulators.sqs,
      logger: recordingLogger().logger,
    });
    const accepted = await api.call('POST', '/submissions', {
      body: JSON.stringify({ content: 'stored once 42' }),
    });
    const { id } = accepted.body as { id: string };

    await emulators.kill('dynamodb');
    const postWhileDown = await api.call('POST', '/submissions', {
      body: JSON.stringify({ content: 'refused while down 7' }),
    });
    const getWhileDown = await api.call('GET', `/submissions/${id}`);
    const queuedWhileDown = await depth();
    await emulators.restart('dynamodb');
    const getWithoutTable = await api.call('GET', `/submissions/${id}`);
    await createResources();
    const getAfterRecreate = await api.call('GET', `/submissions/${id}`);
    const [message] = await received(queue, 1, 'the message of the lost submission');
    const outcome = recordingLogger();
    const failures = await processBatch(worker.processor, asRecords([message!]), outcome.logger);

    expect(accepted.status).toBe(202);
    for (const response of [postWhileDown, getWhileDown, getWithoutTable]) {
      expect(response.status).toBe(500);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json\b/);
      expect(response.body).toMatchObject({
        status: 500,
        detail: 'The request could not be completed; try again.',
      });
    }
    const failed = output.logs().filter((line) => line.level === 'ERROR');
    expect(failed).toEqual([
      expect.objectContaining({ message: 'request failed', error: expect.stringMatching(/ECONNREFUSED/) }),
      expect.objectContaining({ message: 'request failed', error: expect.stringMatching(/ECONNREFUSED/) }),
      expect.objectContaining({
        message: 'request failed',
        error: expect.stringMatching(/ResourceNotFound/),
      }),
    ]);
    expect(queuedWhileDown).toBe(1); // the refused POST enqueued nothing
    expect(getAfterRecreate.status).toBe(404); // accepted with 202, and lost with the emulator's memory
    expect(await itemCount()).toBe(0);
    expect(failures).toEqual([]);
    expect(outcome.entries).toEqual([
      expect.objectContaining({
        message: 'submission skipped',
        fields: expect.objectContaining({ reason: 'missing' }),
      }),
    ]);
    expect(await itemCount()).toBe(0);
  });
});
