import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoDbSubmissionStore } from '../../../src/adapters/dynamodb/dynamodb-submission-store';
import { processBatch } from '../../../src/application/process-batch';
import { SubmissionProcessor } from '../../../src/application/submission-processor';
import { loadConfig } from '../../../src/config/env';
import type { RuleSet } from '../../../src/domain/rules';
import { defaultRuleSet } from '../../../src/rules/default-rule-set';
import { requeueSubmission } from '../../../workbench/ops/requeue';
import { createTestBackend, type TestBackend } from '../../helpers/backend';
import {
  type Fault,
  FaultInjectingHttpHandler,
  faultyDynamoDb,
  type RetriedCall,
  type Transition,
} from '../../helpers/fault-http';
import { asRecords, deleteMessages, received, recordingLogger } from '../../helpers/fault-queue';
import { ManualClock } from '../../helpers/manual-clock';
import {
  composeForReaper,
  ORPHAN_AFTER_MS,
  STUCK_AFTER_MS,
  silentLogger,
} from '../../helpers/reaper-fixtures';

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
  let app: ReturnType<typeof composeForReaper>;
  /** What the application logged (the worker's lines go to each test's own logger). */
  let log: ReturnType<typeof recordingLogger>;
  /** The production client's retry settings under the functions' environment. */
  let sdk: { maxAttempts: number; mode: string };
  /** Each DynamoDB call's attempts and backoff, as the SDK reported them. */
  let retries: RetriedCall[];
  /** The table read through a healthy client, to see what really was written. */
  let truth: DynamoDbSubmissionStore;
  /** Every attempt of a call failing with `fault` until the SDK gives up. */
  const exhausted = (fault: Fault) => Array<Fault>(sdk.maxAttempts).fill(fault);

  beforeEach(async () => {
    backend = await createTestBackend({ queue: { VisibilityTimeout: 1 } });
    handler = new FaultInjectingHttpHandler();
    clock = new ManualClock();
    log = recordingLogger();
    const dynamodb = await faultyDynamoDb(handler);
    sdk = dynamodb.settings;
    retries = dynamodb.retries;
    app = composeForReaper(backend, clock, { dynamodb: dynamodb.client, logger: log.logger });
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
      stuckAfterMs: STUCK_AFTER_MS,
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
      stuckAfterMs: STUCK_AFTER_MS,
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
        message: 'A check of the content could not run. It will be tried again.',
      },
    });
    expect(released).not.toHaveProperty('leaseToken');
    expect(first.entries.map((entry) => entry.message)).toEqual(['submission retry']);
    expect(first.entries[0]?.fields).toMatchObject({ cause: 'Error: moderation service unavailable' });
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
      lastError: {
        code: 'PROCESSING_FAILED',
        message: 'The decision could not be saved. It will be tried again.',
      },
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
    // Every SDK attempt failed during the outage, one landed after it.
    expect(wire(handler, 'complete')).toEqual([...exhausted('unavailable'), 200]);
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
    const report = await app.reaper.resetStuckAndRequeueOrphans();
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
    expect(wire(handler, 'complete')).toEqual([...exhausted('throttle'), 200]);
    expect(wire(handler, 'release')).toEqual(exhausted('throttle'));
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

  it('runs with the retry settings the deployed functions get: standard mode, the schema’s AWS_MAX_ATTEMPTS', () => {
    expect(sdk).toEqual({ maxAttempts: 3, mode: 'standard' });
    expect(loadConfig({ TABLE_NAME: 't', QUEUE_URL: 'https://q' }).AWS_MAX_ATTEMPTS).toBe(sdk.maxAttempts);
  });

  it('(c) when retries run out on claim, reports the record; the redelivery claims and decides it once', async () => {
    const { id } = await app.submissions.acceptSubmission('alice', CONTENT);
    const [message] = await received(backend, 1);
    handler.inject((transition) => (transition === 'claim' ? 'throttle' : undefined));
    const outage = recordingLogger();

    const failures = await processBatch(app.processor, asRecords([message!]), outage.logger);
    const afterOutage = await truth.get(id);
    handler.heal();
    const redelivered = await received(backend, 1, 'the redelivery of the failed record');
    const retried = recordingLogger();
    const retryFailures = await processBatch(app.processor, asRecords(redelivered), retried.logger);
    await deleteMessages(backend, redelivered);

    expect(failures).toEqual([message!.MessageId]);
    expect(outage.entries).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'processing threw; message will be retried',
        fields: expect.objectContaining({ correlationId: id }),
      }),
    ]);
    // The SDK gave up after its last attempt, having backed off before each retry.
    expect(retries.find((call) => call.transition === 'claim' && call.error)).toEqual({
      transition: 'claim',
      attempts: sdk.maxAttempts,
      totalRetryDelay: expect.any(Number),
      error: 'ProvisionedThroughputExceededException',
    });
    expect(wire(handler, 'claim')).toEqual([...exhausted('throttle'), 200]);
    // Nothing was claimed: the outage cost the submission no attempt.
    expect(afterOutage).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(redelivered.map((redelivery) => redelivery.MessageId)).toEqual([message!.MessageId]);
    expect(retryFailures).toEqual([]);
    expect(retried.entries).toEqual([
      expect.objectContaining({
        message: 'submission decided',
        fields: expect.objectContaining({ status: 'PASSED', attempts: 1 }),
      }),
    ]);
    expect(await truth.get(id)).toMatchObject({ status: 'PASSED', attempts: 1 });
    expect(wire(handler, 'complete')).toEqual([200]);
    expect(await backend.approximateDepth()).toBe(0);
  });

  it('(b) recognises its own reset and deferral when the response is lost: both are enqueued in that run', async () => {
    const { id: stuck } = await app.submissions.acceptSubmission('alice', CONTENT);
    await deleteMessages(backend, await received(backend, 1));
    await app.store.claim({
      id: stuck,
      leaseToken: 'dead-worker',
      now: clock.now().toISOString(),
      leaseExpiresAt: new Date(clock.now().getTime() + STUCK_AFTER_MS).toISOString(),
    });
    const { id: orphan } = await app.submissions.acceptSubmission('bob', CONTENT);
    await deleteMessages(backend, await received(backend, 1));
    clock.advance(Math.max(STUCK_AFTER_MS, app.config.ORPHAN_AFTER_MS) + 1);
    handler.inject((transition, attempt) =>
      ['reset', 'defer'].includes(transition) && attempt === 1 ? 'lose-response' : undefined,
    );

    const run = await app.reaper.resetStuckAndRequeueOrphans();
    const requeued = await received(backend, 2, 'the reaper’s messages');

    // Each write landed on its first attempt; the SDK's retry was refused by its condition
    // and a read found the run's own mark, so the run enqueued both at once.
    expect(wire(handler, 'reset')).toEqual(['lose-response', 400]);
    expect(wire(handler, 'defer')).toEqual(['lose-response', 400]);
    expect(run).toEqual({ reset: 1, requeued: 1, examined: 2, failed: 0 });
    expect(requeued.map((message) => JSON.parse(message.Body ?? '{}').id).sort()).toEqual(
      [stuck, orphan].sort(),
    );
    await deleteMessages(backend, requeued);
  });

  it('(c) when retries run out on the reaper’s reset, the run goes on and the next run resets it', async () => {
    const { id } = await app.submissions.acceptSubmission('alice', CONTENT);
    await deleteMessages(backend, await received(backend, 1));
    // A worker claimed it and died: nothing will release the lease.
    await app.store.claim({
      id,
      leaseToken: 'dead-worker',
      now: clock.now().toISOString(),
      leaseExpiresAt: new Date(clock.now().getTime() + STUCK_AFTER_MS).toISOString(),
    });
    const other = await app.submissions.acceptSubmission('bob', CONTENT);
    await deleteMessages(backend, await received(backend, 1));
    clock.advance(STUCK_AFTER_MS + 1);
    handler.inject((transition) => (transition === 'reset' ? 'unavailable' : undefined));

    const failedRun = await app.reaper.resetStuckAndRequeueOrphans();
    const afterOutage = await truth.get(id);
    handler.heal();
    const nextRun = await app.reaper.resetStuckAndRequeueOrphans();
    // The orphan's message from the first run, the stuck submission's from the second.
    const requeued = await received(backend, 2, 'the reaper’s messages');
    const rescued = recordingLogger();
    const rescueFailures = await processBatch(app.processor, asRecords(requeued), rescued.logger);
    await deleteMessages(backend, requeued);

    // The failed reset did not stop the run: the orphan beside it was requeued.
    expect(failedRun).toEqual({ reset: 0, requeued: 1, examined: 2, failed: 1 });
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'reaper could not rescue a submission; a later run will',
        fields: expect.objectContaining({ correlationId: id, error: expect.stringMatching(/unavailable/i) }),
      }),
    );
    expect(wire(handler, 'reset')).toEqual([...exhausted('unavailable'), 200]);
    expect(afterOutage).toMatchObject({ status: 'PROCESSING', leaseToken: 'dead-worker', attempts: 1 });
    expect(nextRun).toEqual({ reset: 1, requeued: 0, examined: 1, failed: 0 });
    expect(rescueFailures).toEqual([]);
    expect(requeued.map((message) => JSON.parse(message.Body ?? '{}').id).sort()).toEqual(
      [id, other.id].sort(),
    );
    expect(rescued.entries).toHaveLength(2);
    expect(rescued.entries).toContainEqual(
      expect.objectContaining({
        message: 'submission decided',
        fields: expect.objectContaining({ correlationId: id, status: 'PASSED', attempts: 2 }),
      }),
    );
    expect(await truth.get(id)).toMatchObject({ status: 'PASSED', attempts: 2 });
    expect(await truth.get(other.id)).toMatchObject({ status: 'PASSED', attempts: 1, orphanRequeues: 1 });
    expect(await backend.approximateDepth()).toBe(0);
  });

  describe('one throttled or failed attempt of each store call', () => {
    const faults = ['throttle', 'throttling', 'internal-error', 'unavailable'] as const;
    const cases = Object.keys(storeCalls).flatMap((call) =>
      faults.map((fault) => ({ call: call as StoreCall, fault })),
    );

    beforeEach(() => {
      // Pins the SDK's full jitter (random × base × 2^retry) at a tenth: the backoff is
      // never drawn as 0 ms, so taking it can be asserted, and the table stays fast.
      vi.spyOn(Math, 'random').mockReturnValue(0.1);
    });
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it.for(cases)('$call rides out one $fault answer', async ({ call, fault }) => {
      const armed = async <T>(act: () => Promise<T>): Promise<T> => {
        handler.forgetCalls();
        retries.length = 0;
        handler.inject((transition, attempt) => (transition === call && attempt === 1 ? fault : undefined));
        try {
          return await act();
        } finally {
          handler.heal();
        }
      };

      await storeCalls[call]({ app, truth, backend, clock, armed });

      // The first attempt met the fault; the SDK retried after a backoff and DynamoDB answered.
      expect(wire(handler, call).slice(0, 2)).toEqual([fault, 200]);
      const retried = retries.find((observed) => observed.transition === call);
      expect(retried).toMatchObject({ attempts: 2 });
      expect(retried).not.toHaveProperty('error');
      expect(retried?.totalRetryDelay).toBeGreaterThan(0);
      // No call gave up; the only errors are conditions refused by design (an idempotent replay).
      expect(
        retries.filter(({ error }) => error !== undefined && error !== 'ConditionalCheckFailedException'),
      ).toEqual([]);
    });
  });
});

interface Harness {
  app: ReturnType<typeof composeForReaper>;
  truth: DynamoDbSubmissionStore;
  backend: TestBackend;
  clock: ManualClock;
  /** Runs the call under test with the fault on its first attempt. */
  armed: <T>(act: () => Promise<T>) => Promise<T>;
}

/** A rule set with a `duplicate` rule, so the processor looks up the earlier decision. */
function withDuplicates(): RuleSet {
  const rules = defaultRuleSet();
  return {
    id: rules.id,
    duplicates: { reuseVerdict: false },
    evaluate: (content, signal, context) => rules.evaluate(content, signal, context),
  };
}

function processorOf({ app, clock }: Harness, ruleSet: RuleSet): SubmissionProcessor {
  return new SubmissionProcessor({
    store: app.store,
    clock,
    ruleSet,
    maxAttempts: app.config.MAX_ATTEMPTS,
    stuckAfterMs: STUCK_AFTER_MS,
    orphanAfterMs: app.config.ORPHAN_AFTER_MS,
  });
}

/** Accepts, processes with the default rules: decided once, as if no fault had happened. */
async function decidesOnce(harness: Harness, processor = harness.app.processor) {
  const { id } = await harness.app.submissions.acceptSubmission('alice', CONTENT);
  const outcome = await harness.armed(() => processor.process(id));
  expect(outcome).toMatchObject({ outcome: 'decided', status: 'PASSED', attempts: 1 });
  expect(await harness.truth.get(id)).toMatchObject({ status: 'PASSED', attempts: 1 });
}

/** An orphaned submission rescued by a reaper run: re-enqueued once, still PENDING. */
async function orphanSweep({ app, truth, clock, armed }: Harness) {
  const { id } = await app.submissions.acceptSubmission('alice', CONTENT);
  clock.advance(ORPHAN_AFTER_MS + 1);
  const report = await armed(() => app.reaper.resetStuckAndRequeueOrphans());
  expect(report).toEqual({ reset: 0, requeued: 1, examined: 1, failed: 0 });
  expect(await truth.get(id)).toMatchObject({ status: 'PENDING', orphanRequeues: 1 });
}

/**
 * Every call the service makes to the store, driven as production drives it, and
 * what it must have left behind (read through a healthy client): nothing lost.
 */
const storeCalls = {
  async create({ app, truth, backend, armed }) {
    const { id } = await armed(() => app.submissions.acceptSubmission('alice', CONTENT));
    expect(await truth.get(id)).toMatchObject({ status: 'PENDING', owner: 'alice', content: CONTENT });
    expect(await backend.scanAll()).toHaveLength(1);
  },
  async createMany({ app, truth, backend, armed }) {
    const accepted = await armed(() => app.submissions.acceptBatch('alice', ['first 1', 'second 2']));
    for (const { id, content } of accepted) {
      expect(await truth.get(id)).toMatchObject({ status: 'PENDING', content });
    }
    expect(await backend.scanAll()).toHaveLength(2);
  },
  async reserveKey({ app, truth, backend, armed }) {
    const first = await armed(() => app.submissions.acceptIdempotently('alice', CONTENT, 'key-1'));
    const replay = await app.submissions.acceptIdempotently('alice', CONTENT, 'key-1');
    expect(first.replayed).toBe(false);
    expect(replay).toEqual({ submission: first.submission, replayed: true });
    expect(await truth.get(first.submission.id)).toMatchObject({ status: 'PENDING' });
    // The key's record and the one submission.
    expect(await backend.scanAll()).toHaveLength(2);
  },
  async get({ app, armed }) {
    const { id } = await app.submissions.acceptSubmission('alice', CONTENT);
    expect(await armed(() => app.submissions.getSubmission('alice', id))).toMatchObject({
      id,
      status: 'PENDING',
    });
  },
  async listByOwner({ app, armed }) {
    const { id } = await app.submissions.acceptSubmission('alice', CONTENT);
    const page = await armed(() => app.submissions.listSubmissions('alice', 10));
    expect(page.items.map((item) => item.id)).toEqual([id]);
  },
  findEarlierDecision: (harness) => decidesOnce(harness, processorOf(harness, withDuplicates())),
  claim: (harness) => decidesOnce(harness),
  complete: (harness) => decidesOnce(harness),
  async release(harness) {
    const failing: RuleSet = {
      id: 'unavailable',
      evaluate: () => Promise.reject(new Error('moderation service unavailable')),
    };
    const { id } = await harness.app.submissions.acceptSubmission('alice', CONTENT);
    const outcome = await harness.armed(() => processorOf(harness, failing).process(id));
    expect(outcome).toMatchObject({ outcome: 'retry', attempts: 1 });
    const released = await harness.truth.get(id);
    expect(released).toMatchObject({
      status: 'PENDING',
      attempts: 1,
      lastError: { code: 'PROCESSING_FAILED' },
    });
    expect(released).not.toHaveProperty('leaseToken');
  },
  // The orphan sweep reads the due items (listDue), then defers each it re-enqueues (defer).
  listDue: orphanSweep,
  async reset({ app, truth, clock, armed }) {
    const { id } = await app.submissions.acceptSubmission('alice', CONTENT);
    const now = clock.now();
    await app.store.claim({
      id,
      leaseToken: 'dead-worker',
      now: now.toISOString(),
      leaseExpiresAt: new Date(now.getTime() + STUCK_AFTER_MS).toISOString(),
    });
    clock.advance(STUCK_AFTER_MS + 1);
    const report = await armed(() => app.reaper.resetStuckAndRequeueOrphans());
    expect(report).toEqual({ reset: 1, requeued: 0, examined: 1, failed: 0 });
    const reset = await truth.get(id);
    expect(reset).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(reset).not.toHaveProperty('leaseToken');
  },
  defer: orphanSweep,
  async requeue({ app, truth, clock, armed }) {
    const { id } = await app.submissions.acceptSubmission('alice', CONTENT);
    const report = await armed(() => requeueSubmission(app, id, clock.now()));
    expect(report).toMatchObject({ id, requeued: true, from: 'PENDING' });
    expect((await truth.get(id))?.history.at(-1)).toMatchObject({ event: 'requeued', from: 'PENDING' });
  },
} satisfies Record<string, (harness: Harness) => Promise<void>>;

type StoreCall = keyof typeof storeCalls & Transition;
