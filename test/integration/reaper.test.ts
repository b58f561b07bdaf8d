import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Reaper } from '../../src/application/reaper-sweep';
import { SubmissionProcessor } from '../../src/application/submission-processor';
import { SubmissionService } from '../../src/application/submissions';
import type { RuleSet } from '../../src/domain/rules';
import type { ValidationResult } from '../../src/domain/submission';
import type { SubmissionStore } from '../../src/ports/submission-store';
import { minLength } from '../../src/rules/builders';
import { allOf } from '../../src/rules/combinators';
import { defaultRuleSet } from '../../src/rules/default-rule-set';
import { createTestBackend, type TestBackend } from '../helpers/backend';
import { storeWith } from '../helpers/faults';
import { ManualClock } from '../helpers/manual-clock';
import { captureOutput } from '../helpers/output-capture';
import {
  composeForReaper,
  idsInActiveIndex,
  messageFor,
  ORPHAN_AFTER_MS,
  queuedBodies,
  recordingDynamoDbClient,
  STUCK_AFTER_MS,
  sameReadingFor,
  silentLogger,
  stallingCompletes,
  UnreachableQueue,
} from '../helpers/reaper-fixtures';

const nothingToDo = { reset: 0, requeued: 0, examined: 0, failed: 0 };

describe('Reaper against the DynamoDB and SQS emulators', () => {
  let backend: TestBackend;
  let clock: ManualClock;
  let app: ReturnType<typeof composeForReaper>;

  beforeEach(async () => {
    backend = await createTestBackend();
    clock = new ManualClock();
    app = composeForReaper(backend, clock);
  });
  afterEach(() => backend.destroy());

  /** Accepts `count` submissions and drains their creation messages, so the queue then holds only the reaper's. */
  async function accepted(count: number, content = (index: number) => `submission number ${index}`) {
    const submissions = await Promise.all(
      Array.from({ length: count }, (_, index) => app.submissions.acceptSubmission('alice', content(index))),
    );
    expect(await backend.receiveAll()).toHaveLength(count);
    return submissions.map((submission) => submission.id);
  }

  /** A worker claims the submission now and then dies: exactly the processor's claim, never completed. */
  async function claimedByDeadWorker(id: string, leaseToken = `dead-worker-${id}`) {
    const now = clock.now();
    const outcome = await app.store.claim({
      id,
      leaseToken,
      now: now.toISOString(),
      leaseExpiresAt: new Date(now.getTime() + STUCK_AFTER_MS).toISOString(),
    });
    expect(outcome.claimed).toBe(true);
    return leaseToken;
  }

  describe('stuck PROCESSING submissions', () => {
    it('resets only those whose processing started more than STUCK_AFTER ago, and re-enqueues exactly those', async () => {
      const [over, under] = (await accepted(2)) as [string, string];
      await claimedByDeadWorker(over);
      clock.advance(1_000);
      const underToken = await claimedByDeadWorker(under);
      clock.advance(STUCK_AFTER_MS - 500); // `over` started STUCK_AFTER + 500 ms ago, `under` STUCK_AFTER − 500 ms ago

      const report = await app.reaper.resetStuckAndRequeueOrphans();

      // Both are due (a claim keeps the reap time set when they were accepted); one is stuck.
      expect(report).toEqual({ reset: 1, requeued: 0, examined: 2, failed: 0 });
      const reset = await app.store.get(over);
      expect(reset).toMatchObject({ status: 'PENDING', attempts: 1, updatedAt: clock.now().toISOString() });
      expect(reset).not.toHaveProperty('leaseToken');
      expect(await app.store.get(under)).toMatchObject({ status: 'PROCESSING', leaseToken: underToken });
      expect(await queuedBodies(backend)).toEqual([messageFor(over)]);
    });

    it('does not reset at exactly STUCK_AFTER: the index says due, the conditional write says not yet', async () => {
      const [id] = (await accepted(1)) as [string];
      const token = await claimedByDeadWorker(id);
      clock.advance(STUCK_AFTER_MS);

      const report = await app.reaper.resetStuckAndRequeueOrphans();

      expect(report).toEqual({ reset: 0, requeued: 0, examined: 1, failed: 0 });
      expect(await app.store.get(id)).toMatchObject({ status: 'PROCESSING', leaseToken: token });
      expect(await queuedBodies(backend)).toEqual([]);
    });

    it('neither resets nor enqueues a submission its worker completed between the index read and the reset', async () => {
      const [id] = (await accepted(1)) as [string];
      const token = await claimedByDeadWorker(id);
      clock.advance(STUCK_AFTER_MS + 1);
      const verdict: ValidationResult = await defaultRuleSet().evaluate('submission number 0');
      // Race injection: the slow worker's completion lands right after the reaper read the index.
      const racingStore = storeWith(app.store, {
        async *listDue(now) {
          for await (const due of app.store.listDue(now)) {
            await app.store.complete({
              id: due.id,
              leaseToken: token,
              now,
              decision: { status: 'PASSED', result: verdict },
              expiresAt: 1_800_000_000,
            });
            yield due;
          }
        },
      });
      const reaper = new Reaper({
        store: racingStore,
        queue: app.queue,
        clock,
        stuckAfterMs: STUCK_AFTER_MS,
        orphanAfterMs: ORPHAN_AFTER_MS,
        logger: silentLogger,
      });

      const report = await reaper.resetStuckAndRequeueOrphans();

      expect(report).toEqual({ reset: 0, requeued: 0, examined: 1, failed: 0 });
      expect(await app.store.get(id)).toMatchObject({ status: 'PASSED', result: verdict });
      expect(await queuedBodies(backend)).toEqual([]);
    });
  });

  it('fences a zombie: after the reset another worker claims and decides, and the stalled worker’s late result is refused', async () => {
    const content = 'zombie content 42';
    const [id] = (await accepted(1, () => content)) as [string];
    const worker = (name: string, store: SubmissionStore, ruleSet: RuleSet) =>
      new SubmissionProcessor({
        store,
        clock,
        ruleSet,
        maxAttempts: app.config.MAX_ATTEMPTS,
        stuckAfterMs: STUCK_AFTER_MS,
        orphanAfterMs: ORPHAN_AFTER_MS,
        newLeaseToken: () => `token-${name}`,
      });
    const stallA = stallingCompletes(app.store);
    const stallB = stallingCompletes(app.store);
    // A's rules reach a different verdict from B's, so the stored verdict says who wrote it.
    const zombieRun = worker('A', stallA.store, allOf('strict', [minLength(1_000)])).process(id);
    expect(await stallA.reached).toMatchObject({ leaseToken: 'token-A', decision: { status: 'FAILED' } });
    clock.advance(STUCK_AFTER_MS + 1);

    const report = await app.reaper.resetStuckAndRequeueOrphans();
    const redelivered = await queuedBodies(backend);
    clock.advance(1_000);
    const secondRun = worker('B', stallB.store, defaultRuleSet()).process(id);
    await stallB.reached;
    const whileBHoldsTheLease = await app.store.get(id);
    stallA.resume(); // A's write lands while B holds the lease: only the fencing token can refuse it.
    const zombieOutcome = await zombieRun;
    const afterZombieWrite = await app.store.get(id);
    stallB.resume();
    const second = await secondRun;
    const lateRetry = await app.store.complete({
      id,
      leaseToken: 'token-A',
      now: clock.now().toISOString(),
      decision: { status: 'FAILED', error: { code: 'PROCESSING_FAILED', message: 'zombie retry' } },
      expiresAt: 1_800_000_000,
    });

    expect(report).toEqual({ reset: 1, requeued: 0, examined: 1, failed: 0 });
    expect(redelivered).toEqual([messageFor(id)]);
    expect(whileBHoldsTheLease).toMatchObject({ status: 'PROCESSING', leaseToken: 'token-B', attempts: 2 });
    expect(await stallA.written).toEqual({ written: false });
    expect(zombieOutcome).toEqual({ outcome: 'lease-lost' });
    expect(afterZombieWrite).toEqual(whileBHoldsTheLease);
    expect(second).toMatchObject({ outcome: 'decided', status: 'PASSED', attempts: 2 });
    expect(lateRetry).toEqual({ written: false });
    const stored = await app.store.get(id);
    expect(stored).toMatchObject({
      status: 'PASSED',
      attempts: 2,
      result: await defaultRuleSet().evaluate(content),
      completedAt: clock.now().toISOString(),
    });
    expect(stored).not.toHaveProperty('error');
  });

  it('re-enqueues a PENDING submission whose enqueue failed, once per ORPHAN_AFTER while unclaimed', async () => {
    const unreachable = new UnreachableQueue();
    const enqueueFailures: string[] = [];
    // Fault injection: the API's service with a queue that refuses every send.
    const service = new SubmissionService({
      store: app.store,
      queue: unreachable,
      clock,
      orphanAfterMs: ORPHAN_AFTER_MS,
      onEnqueueFailed: (failedId) => enqueueFailures.push(failedId),
    });
    const { id } = await service.acceptSubmission('alice', 'orphaned content 7');
    expect(enqueueFailures).toEqual([id]);
    expect(unreachable.attempted).toEqual([id]);
    expect(await app.store.get(id)).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(await backend.approximateDepth()).toBe(0);

    clock.advance(ORPHAN_AFTER_MS - 1);
    const early = await app.reaper.resetStuckAndRequeueOrphans();
    const queuedEarly = await queuedBodies(backend);
    clock.advance(1);
    const due = await app.reaper.resetStuckAndRequeueOrphans();
    const queuedWhenDue = await queuedBodies(backend);
    const rightAfter = await app.reaper.resetStuckAndRequeueOrphans();
    const queuedRightAfter = await queuedBodies(backend);
    clock.advance(ORPHAN_AFTER_MS);
    const nextPeriod = await app.reaper.resetStuckAndRequeueOrphans();
    const queuedNextPeriod = await queuedBodies(backend);

    expect(early).toEqual(nothingToDo);
    expect(queuedEarly).toEqual([]);
    expect(due).toEqual({ reset: 0, requeued: 1, examined: 1, failed: 0 });
    expect(queuedWhenDue).toEqual([messageFor(id)]);
    expect(rightAfter).toEqual(nothingToDo);
    expect(queuedRightAfter).toEqual([]);
    expect(nextPeriod).toEqual({ reset: 0, requeued: 1, examined: 1, failed: 0 });
    expect(queuedNextPeriod).toEqual([messageFor(id)]);

    const processed = await app.processor.process(id);
    clock.advance(10 * ORPHAN_AFTER_MS);
    const afterDecision = await app.reaper.resetStuckAndRequeueOrphans();

    expect(processed).toMatchObject({ outcome: 'decided', status: 'PASSED', attempts: 1 });
    expect(await app.store.get(id)).toMatchObject({ status: 'PASSED' });
    expect(afterDecision).toEqual(nothingToDo);
    expect(await queuedBodies(backend)).toEqual([]);
  });

  it('goes on rescuing the others when one enqueue fails, and rescues that one on the next run', async () => {
    const ids = await accepted(3);
    for (const id of ids) await claimedByDeadWorker(id);
    clock.advance(STUCK_AFTER_MS + 1);
    const [unlucky] = ids as [string];
    const failures: string[] = [];
    // Fault injection: SQS refuses the send for one id (the emulator cannot fail one send on demand).
    const flakyQueue = {
      enqueue: async (id: string) => {
        if (id === unlucky) throw new Error('send failed (injected fault)');
        await app.queue.enqueue(id);
      },
      enqueueMany: async () => [],
    };
    const reaper = new Reaper({
      store: app.store,
      queue: flakyQueue,
      clock,
      stuckAfterMs: STUCK_AFTER_MS,
      orphanAfterMs: ORPHAN_AFTER_MS,
      logger: { ...silentLogger, warn: (_message, fields) => failures.push(String(fields?.correlationId)) },
    });

    const report = await reaper.resetStuckAndRequeueOrphans();
    const queued = await queuedBodies(backend);
    for (const id of ids.filter((id) => id !== unlucky)) await app.processor.process(id); // a worker takes those
    clock.advance(60_000); // the next scheduled run, long before ORPHAN_AFTER_MS
    const later = await app.reaper.resetStuckAndRequeueOrphans();

    expect(report).toEqual({ reset: 2, requeued: 0, examined: 3, failed: 1 });
    expect(failures).toEqual([unlucky]);
    expect(queued.sort()).toEqual(
      ids
        .filter((id) => id !== unlucky)
        .map(messageFor)
        .sort(),
    );
    expect(await app.store.get(unlucky)).toMatchObject({ status: 'PENDING' });
    expect(later).toEqual({ reset: 0, requeued: 1, examined: 1, failed: 0 });
    expect(await queuedBodies(backend)).toEqual([messageFor(unlucky)]);
  });

  it('backs off for an orphan that stays unclaimed (a backlog), doubling the wait up to an hour', async () => {
    // Fault injection: the API's service with a queue that refuses every send.
    const service = new SubmissionService({
      store: app.store,
      queue: new UnreachableQueue(),
      clock,
      orphanAfterMs: ORPHAN_AFTER_MS,
    });
    const { id } = await service.acceptSubmission('alice', 'waiting in a backlog 7');
    const requeuedAt: number[] = [];

    // Walk the clock in ORPHAN_AFTER steps for 16 periods and note when the reaper re-sends.
    for (let period = 1; period <= 16; period += 1) {
      clock.advance(ORPHAN_AFTER_MS);
      const report = await app.reaper.resetStuckAndRequeueOrphans();
      if (report.requeued > 0) requeuedAt.push(period);
    }

    expect(requeuedAt).toEqual([1, 2, 4, 8, 16]);
    expect(await queuedBodies(backend)).toEqual(Array.from({ length: 5 }, () => messageFor(id)));
    expect(await app.store.get(id)).toMatchObject({ status: 'PENDING', attempts: 0 });
  });

  describe('two reapers at the same moment', () => {
    async function raceTwoReapers() {
      const store = sameReadingFor(app.store, 2);
      const reapers = [1, 2].map(
        () =>
          new Reaper({
            store,
            queue: app.queue,
            clock,
            stuckAfterMs: STUCK_AFTER_MS,
            orphanAfterMs: ORPHAN_AFTER_MS,
            logger: silentLogger,
          }),
      );
      return Promise.all(reapers.map((reaper) => reaper.resetStuckAndRequeueOrphans()));
    }
    const reaper = () =>
      new Reaper({
        store: app.store,
        queue: app.queue,
        clock,
        stuckAfterMs: STUCK_AFTER_MS,
        orphanAfterMs: ORPHAN_AFTER_MS,
        logger: silentLogger,
      });

    it('reset and re-enqueue each stuck submission exactly once between them', async () => {
      const ids = await accepted(8);
      for (const id of ids) await claimedByDeadWorker(id);
      clock.advance(STUCK_AFTER_MS + 1);

      const reports = await Promise.all([
        reaper().resetStuckAndRequeueOrphans(),
        reaper().resetStuckAndRequeueOrphans(),
      ]);

      expect(reports.reduce((sum, report) => sum + report.reset, 0)).toBe(8);
      expect(reports.reduce((sum, report) => sum + report.requeued, 0)).toBe(0);
      expect(await queuedBodies(backend)).toEqual(ids.map(messageFor).sort());
      const stored = await Promise.all(ids.map((id) => app.store.get(id)));
      expect(stored.map((submission) => submission?.status)).toEqual(ids.map(() => 'PENDING'));
    });

    it.each([
      ['stuck PROCESSING', 'reset', STUCK_AFTER_MS + 1],
      ['orphaned PENDING', 'requeued', ORPHAN_AFTER_MS],
    ] as const)(
      'act on %s submissions once between them even when both read the same due items',
      async (kind, counter, wait) => {
        // The creation messages are drained: to the reaper the PENDING ones look exactly like lost messages.
        const ids = await accepted(8);
        if (kind === 'stuck PROCESSING') for (const id of ids) await claimedByDeadWorker(id);
        clock.advance(wait);

        const reports = await raceTwoReapers();

        expect(reports.map((report) => report.examined)).toEqual([8, 8]);
        expect(reports.reduce((sum, report) => sum + report[counter], 0)).toBe(8);
        expect(reports.reduce((sum, report) => sum + report.reset + report.requeued, 0)).toBe(8);
        expect(await queuedBodies(backend)).toEqual(ids.map(messageFor).sort());
      },
    );
  });

  it('never touches terminal submissions, which are not in the sparse index; examined counts only due items', async () => {
    const ids = await accepted(23, (index) =>
      index % 2 === 0 ? `content with digit ${index}` : 'no digits here at all',
    );
    const terminal = ids.slice(0, 20);
    const stuck = ids.slice(20);
    const outcomes = await Promise.all(terminal.map((id) => app.processor.process(id)));
    expect(new Set(outcomes.map((outcome) => outcome.outcome === 'decided' && outcome.status))).toEqual(
      new Set(['PASSED', 'FAILED']),
    );
    for (const id of stuck) await claimedByDeadWorker(id);
    expect(await idsInActiveIndex(backend)).toEqual([...stuck].sort());
    const terminalBefore = await Promise.all(terminal.map((id) => app.store.get(id)));
    clock.advance(STUCK_AFTER_MS + 1);

    const report = await app.reaper.resetStuckAndRequeueOrphans();

    expect(report).toEqual({ reset: 3, requeued: 0, examined: 3, failed: 0 });
    expect(await Promise.all(terminal.map((id) => app.store.get(id)))).toEqual(terminalBefore);
    expect(await queuedBodies(backend)).toEqual(stuck.map(messageFor).sort());
  });

  it('finds due work through the sparse index: one Query per shard, then its due items read together, never a Scan', async () => {
    const recorder = recordingDynamoDbClient();
    app = composeForReaper(backend, clock, { dynamodb: recorder.client });
    const [stuck, orphan, done] = (await accepted(3)) as [string, string, string];
    await claimedByDeadWorker(stuck);
    expect(await app.processor.process(done)).toMatchObject({ outcome: 'decided' });
    clock.advance(STUCK_AFTER_MS + 1);
    recorder.commands.length = 0;

    const report = await app.reaper.resetStuckAndRequeueOrphans();

    expect(report).toEqual({ reset: 1, requeued: 1, examined: 2, failed: 0 });
    const reads = recorder.commands.filter(
      ({ commandName }) => !/^(UpdateItem|PutItem)Command$/.test(commandName),
    );
    const queries = reads.filter(({ commandName }) => commandName === 'QueryCommand');
    expect(queries).toHaveLength(app.config.ACTIVE_INDEX_SHARDS);
    expect(queries.every(({ input }) => input.IndexName === 'ActiveSubmissions')).toBe(true);
    // The index holds keys only: the due items are read whole, a page at a time, and no other.
    const itemReads = reads.filter(({ commandName }) => commandName !== 'QueryCommand');
    expect(itemReads.every(({ commandName }) => commandName === 'BatchGetItemCommand')).toBe(true);
    const keysRead = itemReads.flatMap(({ input }) =>
      Object.values(input.RequestItems as Record<string, { Keys: { id: string }[] }>).flatMap(
        ({ Keys }) => Keys,
      ),
    );
    expect(keysRead.map(({ id }) => id).sort()).toEqual([stuck, orphan].sort());
    expect(recorder.commands.map(({ commandName }) => commandName)).not.toContain('ScanCommand');
    expect(recorder.commands.filter(({ commandName }) => commandName === 'UpdateItemCommand')).toHaveLength(
      2,
    );
    expect(await queuedBodies(backend)).toEqual([messageFor(stuck), messageFor(orphan)].sort());
  });

  describe('through handlers/reaper.ts', () => {
    const variables = ['TABLE_NAME', 'QUEUE_URL', 'STUCK_AFTER_MS', 'ORPHAN_AFTER_MS'] as const;
    let saved: Partial<Record<(typeof variables)[number], string>>;

    beforeEach(() => {
      saved = Object.fromEntries(variables.map((name) => [name, process.env[name]]));
    });
    afterEach(() => {
      for (const name of variables) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
      vi.restoreAllMocks();
    });

    it('composes from the environment and resets a stuck submission on the real clock', async () => {
      // Staged past its reap time (ORPHAN_AFTER_MS, 4 min by default, after it was accepted),
      // so the handler's system clock sees it due, and stuck.
      clock = new ManualClock(new Date(Date.now() - 5 * 60_000).toISOString());
      app = composeForReaper(backend, clock);
      const [id] = (await accepted(1)) as [string];
      const start = clock.now();
      const claim = await app.store.claim({
        id,
        leaseToken: 'crashed-worker',
        now: start.toISOString(),
        leaseExpiresAt: new Date(start.getTime() + 1_000).toISOString(),
      });
      expect(claim.claimed).toBe(true);
      Object.assign(process.env, {
        TABLE_NAME: backend.tableName,
        QUEUE_URL: backend.queueUrl,
        STUCK_AFTER_MS: '1000',
      });
      delete process.env.ORPHAN_AFTER_MS;
      const output = captureOutput();
      vi.resetModules();
      const { handler } = await import('../../handlers/reaper');

      await handler(undefined, {} as Context); // no Lambda context: what middy passes on when given none

      const stored = await app.store.get(id);
      expect(stored).toMatchObject({ status: 'PENDING', attempts: 1 });
      expect(stored).not.toHaveProperty('leaseToken');
      expect(await queuedBodies(backend)).toEqual([messageFor(id)]);
      expect(output.logs()).toEqual([
        expect.objectContaining({ message: 'stuck submission reset', correlationId: id }),
        expect.objectContaining({ message: 'reaper run', reset: 1, requeued: 0, examined: 1, failed: 0 }),
      ]);
      expect(output.emf()).toEqual([expect.objectContaining({ function: 'reaper', ReaperResets: 1 })]);
    });
  });
});
