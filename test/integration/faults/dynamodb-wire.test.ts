import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbSubmissionStore } from '../../../src/adapters/dynamodb/submission-store';
import { processBatch } from '../../../src/application/process-batch';
import { SubmissionProcessor } from '../../../src/application/submission-processor';
import { compose } from '../../../src/composition';
import { loadConfig } from '../../../src/config/env';
import { defaultRuleSet, type RuleSet } from '../../../src/domain/rules';
import { createTestBackend, type TestBackend } from '../../helpers/backend';
import { ManualClock } from '../../helpers/clock';
import {
  type Fault,
  FaultInjectingHttpHandler,
  faultyDynamoDb,
  type Transition,
} from '../../helpers/fault-http';
import { asRecords, deleteMessages, received, recordingLogger } from '../../helpers/fault-queue';
import { silentLogger } from '../../helpers/reaper-fixtures';

/** The SDK's own retry budget per call (standard mode). */
const SDK_MAX_ATTEMPTS = 3;
const STUCK_AFTER_MS = 300_000;
const CONTENT = 'This contains number 42';

/** Each attempt of a transition as the wire saw it: the injected fault, or DynamoDB's status. */
const wire = (handler: FaultInjectingHttpHandler, transition: Transition) =>
  handler.attemptsOf(transition).map((call) => call.fault ?? call.status);

/**
 * Fault injection at the SDK's HTTP boundary (see fault-http.ts): dynalite cannot
 * throttle, fail with a 5xx or lose a response on demand. The store, processor and
 * reaper are the real ones over a real table and queue.
 */
describe('DynamoDB throttling, 5xx and lost responses at the SDK boundary', () => {
  let backend: TestBackend;
  let handler: FaultInjectingHttpHandler;
  let clock: ManualClock;
  let app: ReturnType<typeof compose>;
  /** The table read through a healthy client, to see what really was written. */
  let truth: DynamoDbSubmissionStore;

  beforeEach(async () => {
    backend = await createTestBackend({ queue: { VisibilityTimeout: 1 } });
    handler = new FaultInjectingHttpHandler();
    clock = new ManualClock();
    app = compose({
      config: loadConfig({
        TABLE_NAME: backend.tableName,
        QUEUE_URL: backend.queueUrl,
        STUCK_AFTER_MS: String(STUCK_AFTER_MS),
      }),
      dynamodb: faultyDynamoDb(handler, SDK_MAX_ATTEMPTS).client,
      sqs: backend.sqs,
      clock,
      logger: silentLogger,
    });
    truth = new DynamoDbSubmissionStore({
      client: backend.documents,
      tableName: backend.tableName,
      activeShards: app.config.ACTIVE_INDEX_SHARDS,
    });
  });
  afterEach(async () => {
    handler.destroy();
    await backend.destroy();
  });

  it('(a) rides out throttling and 5xx answers with the SDK’s retries, deciding the submission once', async () => {
    const plan: Partial<Record<Transition, Fault[]>> = {
      create: ['unavailable'],
      claim: ['throttle', 'throttle'],
      complete: ['internal-error'],
    };
    handler.inject((transition, attempt) => plan[transition]?.[attempt - 1]);

    const { id } = await app.submissions.acceptSubmission('alice', CONTENT);
    const outcome = await app.processor.process(id);

    expect(outcome).toMatchObject({ outcome: 'decided', status: 'PASSED', attempts: 1 });
    expect(wire(handler, 'create')).toEqual(['unavailable', 200]);
    expect(wire(handler, 'claim')).toEqual(['throttle', 'throttle', 200]);
    expect(wire(handler, 'complete')).toEqual(['internal-error', 200]);
    // No write was refused, so nothing had to be read back to tell whose it was.
    expect(wire(handler, 'get')).toEqual([]);
    expect(await backend.scanAll()).toHaveLength(1);
    expect(await truth.get(id)).toMatchObject({
      status: 'PASSED',
      attempts: 1,
      result: await defaultRuleSet().evaluate(CONTENT),
    });
  });

  it('(b) recognises its own write when the response to create, claim or complete is lost', async () => {
    handler.inject((transition, attempt) =>
      ['create', 'claim', 'complete'].includes(transition) && attempt === 1 ? 'lose-response' : undefined,
    );
    const processor = new SubmissionProcessor({
      store: app.store,
      clock,
      ruleSet: defaultRuleSet(),
      maxAttempts: app.config.MAX_ATTEMPTS,
      leaseMs: STUCK_AFTER_MS,
      orphanAfterMs: app.config.ORPHAN_AFTER_MS,
      newLeaseToken: () => 'token-1',
    });

    const accepted = await app.submissions.acceptSubmission('alice', CONTENT);
    const outcome = await processor.process(accepted.id);

    expect(accepted).toMatchObject({ status: 'PENDING' });
    expect(outcome).toMatchObject({ outcome: 'decided', status: 'PASSED', attempts: 1 });
    // Each write landed on its first attempt; the SDK's retry was refused by its
    // condition (400) and one consistent read told the store the write was its own.
    for (const transition of ['create', 'claim', 'complete'] as const) {
      expect(wire(handler, transition)).toEqual(['lose-response', 400]);
    }
    expect(wire(handler, 'get')).toEqual([200, 200, 200]);
    expect(await backend.scanAll()).toHaveLength(1);
    expect(await truth.get(accepted.id)).toMatchObject({
      status: 'PASSED',
      attempts: 1,
      decidedBy: 'token-1',
      completedAt: clock.now().toISOString(),
      result: await defaultRuleSet().evaluate(CONTENT),
    });
    expect(await backend.receiveAll()).toHaveLength(1);
  });

  it('(b) recognises its own release when the response is lost, so SQS brings the record back', async () => {
    let evaluations = 0;
    // The rules' dependency fails once, so the first attempt releases its lease.
    const failsOnce: RuleSet = {
      id: 'fails-once',
      evaluate: async (content) => {
        evaluations += 1;
        if (evaluations === 1) throw new Error('moderation service unavailable');
        return defaultRuleSet().evaluate(content);
      },
    };
    const processor = new SubmissionProcessor({
      store: app.store,
      clock,
      ruleSet: failsOnce,
      maxAttempts: app.config.MAX_ATTEMPTS,
      leaseMs: STUCK_AFTER_MS,
      orphanAfterMs: app.config.ORPHAN_AFTER_MS,
    });
    const { id } = await app.submissions.acceptSubmission('alice', CONTENT);
    const [message] = await received(backend, 1);
    handler.inject((transition, attempt) =>
      transition === 'release' && attempt === 1 ? 'lose-response' : undefined,
    );
    const first = recordingLogger();

    const failures = await processBatch(processor, asRecords([message!]), first.logger);
    const released = await truth.get(id);
    handler.heal();
    const redelivered = await received(backend, 1, 'the redelivery of the released record');
    const retryFailures = await processBatch(processor, asRecords(redelivered), silentLogger);
    await deleteMessages(backend, redelivered);

    expect(wire(handler, 'release')).toEqual(['lose-response', 400]);
    expect(released).toMatchObject({
      status: 'PENDING',
      attempts: 1,
      lastError: {
        code: 'PROCESSING_FAILED',
        message: expect.stringContaining('moderation service unavailable'),
      },
    });
    expect(released).not.toHaveProperty('leaseToken');
    expect(first.entries.map((entry) => entry.message)).toEqual(['submission retry']);
    expect(failures).toEqual([message!.MessageId]);
    expect(retryFailures).toEqual([]);
    expect(await truth.get(id)).toMatchObject({ status: 'PASSED', attempts: 2 });
    expect(await backend.approximateDepth()).toBe(0);
  });

  it('(c) when retries run out on complete, releases the lease and reports the record; the redelivery decides it once', async () => {
    const { id } = await app.submissions.acceptSubmission('alice', CONTENT);
    const [message] = await received(backend, 1);
    handler.inject((transition) => (transition === 'complete' ? 'unavailable' : undefined));

    const failures = await processBatch(app.processor, asRecords([message!]), silentLogger);
    const afterOutage = await truth.get(id);
    handler.heal();
    const redelivered = await received(backend, 1, 'the redelivery of the failed record');
    const retried = recordingLogger();
    const retryFailures = await processBatch(app.processor, asRecords(redelivered), retried.logger);
    await deleteMessages(backend, redelivered);

    expect(failures).toEqual([message!.MessageId]);
    expect(afterOutage).toMatchObject({
      status: 'PENDING',
      attempts: 1,
      lastError: { code: 'PROCESSING_FAILED', message: expect.stringMatching(/unavailable/i) },
    });
    expect(afterOutage).not.toHaveProperty('leaseToken');
    expect(redelivered.map((redelivery) => redelivery.MessageId)).toEqual([message!.MessageId]);
    expect(retryFailures).toEqual([]);
    expect(retried.entries).toEqual([
      expect.objectContaining({
        message: 'submission decided',
        fields: expect.objectContaining({ attempts: 2 }),
      }),
    ]);
    expect(await truth.get(id)).toMatchObject({ status: 'PASSED', attempts: 2 });
    // Three SDK attempts failed during the outage, one landed after it.
    expect(wire(handler, 'complete')).toEqual(['unavailable', 'unavailable', 'unavailable', 200]);
    expect(await backend.approximateDepth()).toBe(0);
  });

  it('(c) when even the release fails, the lease is left to expire and the reaper brings the submission back', async () => {
    const { id } = await app.submissions.acceptSubmission('alice', CONTENT);
    const [message] = await received(backend, 1);
    // Every write after the claim is throttled past the SDK's retries.
    handler.inject((transition) => (['complete', 'release'].includes(transition) ? 'throttle' : undefined));
    const outage = recordingLogger();

    const failures = await processBatch(app.processor, asRecords([message!]), outage.logger);
    const afterOutage = await truth.get(id);
    handler.heal();
    const redelivered = await received(backend, 1, 'the redelivery of the failed record');
    const whileLeased = recordingLogger();
    const leasedFailures = await processBatch(app.processor, asRecords(redelivered), whileLeased.logger);
    await deleteMessages(backend, redelivered);
    clock.advance(STUCK_AFTER_MS + 1);
    const report = await app.reaper.resetStuckSubmissions();
    const requeued = await received(backend, 1, 'the reaper’s message');
    const rescued = recordingLogger();
    const rescueFailures = await processBatch(app.processor, asRecords(requeued), rescued.logger);
    await deleteMessages(backend, requeued);

    expect(failures).toEqual([message!.MessageId]);
    // The SDK parsed the injected answer as DynamoDB's own throttling error.
    expect(outage.entries).toEqual([
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({ error: 'ProvisionedThroughputExceededException: Rate exceeded' }),
      }),
    ]);
    expect(wire(handler, 'complete')).toEqual(['throttle', 'throttle', 'throttle', 200]);
    expect(wire(handler, 'release')).toEqual(['throttle', 'throttle', 'throttle']);
    expect(afterOutage).toMatchObject({ status: 'PROCESSING', attempts: 1 });
    expect(leasedFailures).toEqual([]);
    expect(whileLeased.entries).toEqual([
      expect.objectContaining({
        message: 'submission skipped',
        fields: expect.objectContaining({ reason: 'leased' }),
      }),
    ]);
    expect(report).toEqual({ reset: 1, requeued: 0, examined: 1, failed: 0 });
    expect(rescueFailures).toEqual([]);
    expect(rescued.entries).toEqual([
      expect.objectContaining({
        message: 'submission decided',
        fields: expect.objectContaining({ attempts: 2 }),
      }),
    ]);
    expect(await truth.get(id)).toMatchObject({ status: 'PASSED', attempts: 2 });
    expect(await backend.approximateDepth()).toBe(0);
  });
});
