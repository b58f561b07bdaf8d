import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DynamoDbSubmissionStore } from '../../src/adapters/dynamodb/dynamodb-submission-store';
import { processBatch } from '../../src/application/process-batch';
import {
  SubmissionProcessor,
  type SubmissionProcessorOptions,
} from '../../src/application/submission-processor';
import { SubmissionService } from '../../src/application/submissions';
import type { Rule, RuleSet } from '../../src/domain/rules';
import type { Logger } from '../../src/ports/logger';
import { encodeSubmissionMessage } from '../../src/ports/submission-message';
import { allOf } from '../../src/rules/combinators';
import { defaultRuleSet } from '../../src/rules/default-rule-set';
import { loadRuleSet } from '../../src/rules/loader';
import { waitFor } from '../../workbench/wait';
import { hangs, moderationType, ruleTypes, scriptedType } from '../helpers/async-rules';
import { createTestBackend, storeOn, type TestBackend } from '../helpers/backend';
import { recordingLogger } from '../helpers/fault-queue';
import { awsError, storeWith } from '../helpers/faults';
import { ManualClock } from '../helpers/manual-clock';

const LEASE_MS = 300_000;
const MAX_ATTEMPTS = 3;
const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** A rule that throws: "could not decide", as a crashing dependency would. */
const throwingRule: Rule = {
  id: 'flaky',
  check: () => {
    throw new Error('moderation service unavailable');
  },
};

describe('SubmissionProcessor against the emulators', () => {
  let backend: TestBackend;
  let store: DynamoDbSubmissionStore;
  let clock: ManualClock;
  let submissions: SubmissionService;

  const processor = (overrides: Partial<SubmissionProcessorOptions> = {}) =>
    new SubmissionProcessor({
      store,
      clock,
      ruleSet: defaultRuleSet(),
      maxAttempts: MAX_ATTEMPTS,
      stuckAfterMs: LEASE_MS,
      orphanAfterMs: 120_000,
      ...overrides,
    });

  const accept = async (content: string) => (await submissions.acceptSubmission('alice', content)).id;

  /** A processor that stops just before its completing write until the test resumes it
   * (fault injection: a stall the emulator cannot produce on demand). */
  function pausedBeforeWrite(ruleSet: RuleSet) {
    let resume!: () => void;
    let paused!: () => void;
    const gate = new Promise<void>((resolve) => (resume = resolve));
    const reachedWrite = new Promise<void>((resolve) => (paused = resolve));
    const pausedProcessor = processor({
      ruleSet,
      store: storeWith(store, {
        complete: async (request) => {
          paused();
          await gate;
          return store.complete(request);
        },
      }),
    });
    return { processor: pausedProcessor, reachedWrite, resume: () => resume() };
  }

  beforeEach(async () => {
    backend = await createTestBackend();
    clock = new ManualClock();
    store = storeOn(backend);
    submissions = new SubmissionService({
      store,
      queue: { enqueue: async () => {}, enqueueMany: async () => [] },
      clock,
      orphanAfterMs: 120_000,
    });
  });
  afterEach(() => backend.destroy());

  it.each([
    ['This contains number 42', 'PASSED'],
    ['1234567890', 'PASSED'],
    ['123456789', 'FAILED'],
    ['no digits here at all', 'FAILED'],
    ['short', 'FAILED'],
  ] as const)('decides %j as %s with every rule explained', async (content, expected) => {
    const id = await accept(content);

    const outcome = await processor().process(id);

    expect(outcome).toMatchObject({ outcome: 'decided', status: expected, attempts: 1 });
    const stored = await store.get(id);
    expect(stored).toMatchObject({ status: expected, attempts: 1, result: { verdict: expected } });
    expect(stored?.result?.rules.map((rule) => rule.rule)).toEqual(['minLength', 'requireDigit']);
    expect(stored?.error).toBeUndefined();
  });

  it('gives the decided submission expiresAt = decision time + retention days, in epoch seconds', async () => {
    const [passing, exhausted] = [await accept('This contains number 42'), await accept('any content 1')];
    clock.advance(1_500);
    const decidedAt = Math.floor(clock.now().getTime() / 1000);

    await processor({ retentionDays: 7 }).process(passing);
    await processor({
      retentionDays: 7,
      ruleSet: allOf('flaky-only', [throwingRule]),
      maxAttempts: 1,
    }).process(exhausted);

    expect(await store.get(passing)).toMatchObject({ status: 'PASSED', expiresAt: decidedAt + 7 * 86_400 });
    expect(await store.get(exhausted)).toMatchObject({
      status: 'FAILED',
      error: { code: 'PROCESSING_FAILED' },
      expiresAt: decidedAt + 7 * 86_400,
    });
  });

  it('keeps decisions 90 days when no retention is given (RETENTION_DAYS default)', async () => {
    const id = await accept('This contains number 42');

    await processor().process(id);

    expect((await store.get(id))?.expiresAt).toBe(Math.floor(clock.now().getTime() / 1000) + 90 * 86_400);
  });

  it('decides a submission whose content kept apart expired as a processing error, never on other content', async () => {
    // Prepare: content too long to be inline, its item gone (expired after twice the retention).
    const id = await accept(`${'long content 42 '.repeat(20)}`);
    await backend.documents.send(
      new DeleteCommand({ TableName: backend.tableName, Key: { id: `content#${id}` } }),
    );

    // Act
    const outcome = await processor().process(id);

    // Assess
    expect(outcome).toMatchObject({ outcome: 'decided', status: 'FAILED' });
    expect(await store.get(id)).toMatchObject({
      status: 'FAILED',
      error: { code: 'PROCESSING_FAILED', message: expect.stringMatching(/content expired/) },
    });
    expect(await store.get(id)).not.toHaveProperty('result');
  });

  it('treats a redelivery after the decision as a no-op', async () => {
    const id = await accept('This contains number 42');
    await processor().process(id);
    const decided = await store.get(id);
    clock.advance(10 * LEASE_MS);

    const again = await processor().process(id);

    expect(again).toEqual({ outcome: 'skipped', reason: 'terminal' });
    expect(await store.get(id)).toEqual(decided);
  });

  it('lets exactly one of two simultaneous deliveries decide', async () => {
    const id = await accept('This contains number 42');

    const outcomes = await Promise.all([processor().process(id), processor().process(id)]);

    expect(outcomes.filter((outcome) => outcome.outcome === 'decided')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.outcome === 'skipped')).toHaveLength(1);
    expect(await store.get(id)).toMatchObject({ status: 'PASSED', attempts: 1 });
  });

  it('skips a delivery while another worker holds a live lease', async () => {
    const id = await accept('This contains number 42');
    await store.claim({
      id,
      leaseToken: 'other',
      now: clock.now().toISOString(),
      leaseExpiresAt: new Date(clock.now().getTime() + LEASE_MS).toISOString(),
    });

    const outcome = await processor().process(id);

    expect(outcome).toEqual({ outcome: 'skipped', reason: 'leased' });
    expect(await store.get(id)).toMatchObject({ status: 'PROCESSING', leaseToken: 'other' });
  });

  it('skips an id that does not exist, writing nothing', async () => {
    const outcome = await processor().process('0b1c2d3e-0000-4000-8000-000000000000');

    expect(outcome).toEqual({ outcome: 'skipped', reason: 'missing' });
    expect(await backend.scanAll()).toHaveLength(0);
  });

  it('never lets a worker that lost its lease overwrite the decision (zombie after takeover)', async () => {
    const id = await accept('This contains number 42');
    // Worker A decides, then stalls before its write until its lease is long gone.
    const zombie = pausedBeforeWrite(
      allOf('says-no', [{ id: 'no', check: () => ({ rule: 'no', passed: false, message: 'A says no' }) }]),
    );
    const zombieRun = zombie.processor.process(id);
    await zombie.reachedWrite;

    clock.advance(LEASE_MS + 1);
    const takeover = await processor().process(id);
    zombie.resume();
    const zombieOutcome = await zombieRun;

    expect(takeover).toMatchObject({ outcome: 'decided', status: 'PASSED', attempts: 2 });
    expect(zombieOutcome).toEqual({ outcome: 'lease-lost' });
    const stored = await store.get(id);
    expect(stored).toMatchObject({ status: 'PASSED', result: { verdict: 'PASSED' } });
    expect(JSON.stringify(stored)).not.toContain('A says no');
  });

  it('refuses a zombie’s write while the new lease holder is still working (fencing token)', async () => {
    const id = await accept('This contains number 42');
    const zombie = pausedBeforeWrite(
      allOf('says-no', [{ id: 'no', check: () => ({ rule: 'no', passed: false, message: 'A says no' }) }]),
    );
    const successor = pausedBeforeWrite(defaultRuleSet());
    const zombieRun = zombie.processor.process(id);
    await zombie.reachedWrite;
    clock.advance(LEASE_MS + 1);
    const successorRun = successor.processor.process(id);
    await successor.reachedWrite;

    zombie.resume();
    const zombieOutcome = await zombieRun;
    const whileSuccessorWorks = await store.get(id);
    successor.resume();

    expect(zombieOutcome).toEqual({ outcome: 'lease-lost' });
    expect(whileSuccessorWorks).toMatchObject({ status: 'PROCESSING', attempts: 2 });
    expect(await successorRun).toMatchObject({ outcome: 'decided', status: 'PASSED', attempts: 2 });
  });

  it('releases the lease when a rule throws, and finalises FAILED with a processing error after MAX_ATTEMPTS', async () => {
    const id = await accept('This contains number 42');
    const broken = processor({ ruleSet: allOf('broken', [throwingRule]) });

    const first = await broken.process(id);
    const afterFirst = await store.get(id);
    const second = await broken.process(id);
    const third = await broken.process(id);

    expect(first).toMatchObject({ outcome: 'retry', attempts: 1, error: { code: 'PROCESSING_FAILED' } });
    expect(afterFirst).toMatchObject({
      status: 'PENDING',
      attempts: 1,
      lastError: { code: 'PROCESSING_FAILED' },
    });
    expect(afterFirst).not.toHaveProperty('leaseToken');
    expect(second).toMatchObject({ outcome: 'retry', attempts: 2 });
    expect(third).toMatchObject({ outcome: 'decided', status: 'FAILED', attempts: 3 });
    const stored = await store.get(id);
    expect(stored).toMatchObject({
      status: 'FAILED',
      attempts: 3,
      error: {
        code: 'PROCESSING_FAILED',
        message: 'A check of the content could not run. Gave up after 3 attempts.',
      },
    });
    expect(stored).not.toHaveProperty('result');
  });

  it('spaces retries by time, not by messages: copies that come during the back-off wait for it', async () => {
    // Three queued copies of one submission while its dependency is down (issue 15 §1).
    const id = await accept('This contains number 42');
    const broken = processor({ ruleSet: allOf('broken', [throwingRule]), retryBackoffMs: 30_000 });
    const start = clock.now().getTime();
    const later = (ms: number) => new Date(start + ms).toISOString();

    const first = await broken.process(id);
    const copies = [await broken.process(id), await broken.process(id)];
    const afterCopies = await store.get(id);
    clock.advance(30_000);
    const second = await broken.process(id);
    const early = await broken.process(id);
    clock.advance(60_000);
    const third = await broken.process(id);

    expect(first).toMatchObject({ outcome: 'retry', attempts: 1, retryAt: later(30_000) });
    expect(copies).toEqual([
      { outcome: 'early', retryAt: later(30_000) },
      { outcome: 'early', retryAt: later(30_000) },
    ]);
    expect(afterCopies).toMatchObject({ status: 'PENDING', attempts: 1, notBefore: later(30_000) });
    // The back-off doubles: the second failure waits 60 s.
    expect(second).toMatchObject({ outcome: 'retry', attempts: 2, retryAt: later(90_000) });
    expect(early).toEqual({ outcome: 'early', retryAt: later(90_000) });
    expect(third).toMatchObject({ outcome: 'decided', status: 'FAILED', attempts: 3 });
    expect(await store.get(id)).toMatchObject({ completedAt: later(90_000) });
  });

  it('does not spend an attempt on a claim stopped by a deadline or a shutdown, even the last one', async () => {
    const id = await accept('This contains number 42');
    const broken = processor({ ruleSet: allOf('broken', [throwingRule]) });
    await broken.process(id);
    await broken.process(id);

    // The third claim would be the last attempt; a shutdown stops it before the rules run.
    const stopped = await broken.process(id, AbortSignal.abort());
    const afterStop = await store.get(id);
    const decided = await processor().process(id);

    expect(stopped).toEqual({ outcome: 'interrupted', by: 'shutdown', attempts: 3 });
    expect(afterStop).toMatchObject({ status: 'PENDING', attempts: 3, interruptions: 1 });
    expect(afterStop).not.toHaveProperty('error');
    expect(decided).toMatchObject({ outcome: 'decided', status: 'PASSED', attempts: 4 });
  });

  it('finalises INTERRUPTED_TOO_OFTEN once MAX_INTERRUPTIONS claims were stopped, saying so', async () => {
    const id = await accept('This contains number 42');
    const stopping = processor({ maxInterruptions: 2 });
    const deadline = () => AbortSignal.abort(new DOMException('out of time', 'TimeoutError'));

    const outcomes = [await stopping.process(id, deadline()), await stopping.process(id, deadline())];
    const last = await stopping.process(id);

    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['interrupted', 'interrupted']);
    expect(last).toMatchObject({ outcome: 'decided', status: 'FAILED', attempts: 3 });
    const stored = await store.get(id);
    expect(stored).toMatchObject({
      status: 'FAILED',
      error: {
        code: 'INTERRUPTED_TOO_OFTEN',
        message: 'Gave up after the worker was stopped 2 times before deciding.',
      },
    });
    expect(stored?.history.map((entry) => entry.event)).toEqual([
      'accepted',
      'claimed',
      'interrupted',
      'claimed',
      'interrupted',
      'claimed',
      'decided',
    ]);
  });

  it('finalises ATTEMPTS_EXHAUSTED when earlier claims died without releasing', async () => {
    const id = await accept('This contains number 42');
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      // A worker claims and is killed: the lease simply runs out.
      const now = clock.now();
      await store.claim({
        id,
        leaseToken: `crashed-${attempt}`,
        now: now.toISOString(),
        leaseExpiresAt: new Date(now.getTime() + LEASE_MS).toISOString(),
      });
      clock.advance(LEASE_MS + 1);
    }

    const outcome = await processor().process(id);

    expect(outcome).toMatchObject({ outcome: 'decided', status: 'FAILED', attempts: MAX_ATTEMPTS + 1 });
    expect(await store.get(id)).toMatchObject({ status: 'FAILED', error: { code: 'ATTEMPTS_EXHAUSTED' } });
  });

  it('says only what is true when attempts ran out: two failed, the last one died', async () => {
    const id = await accept('This contains number 42');
    const broken = processor({ ruleSet: allOf('broken', [throwingRule]) });
    await broken.process(id);
    await broken.process(id);
    // The third attempt's worker is killed: its lease simply runs out.
    const now = clock.now();
    await store.claim({
      id,
      leaseToken: 'killed',
      now: now.toISOString(),
      leaseExpiresAt: new Date(now.getTime() + LEASE_MS).toISOString(),
    });
    clock.advance(LEASE_MS + 1);

    await processor().process(id);

    expect(await store.get(id)).toMatchObject({
      status: 'FAILED',
      error: {
        code: 'ATTEMPTS_EXHAUSTED',
        message: 'Gave up after 3 attempts; the last one did not finish.',
      },
    });
  });

  it('hands the lease back when the store fails while completing, so a redelivery can claim at once', async () => {
    const id = await accept('This contains number 42');
    // Fault injection: DynamoDB cannot throttle or fail on demand, so this store's
    // complete throws as an outage would; claim and release reach the emulator.
    const failing = storeWith(store, {
      complete: async () => {
        throw awsError('ServiceUnavailable', 'Service unavailable');
      },
    });

    await expect(processor({ store: failing }).process(id)).rejects.toThrow('Service unavailable');
    const afterOutage = await store.get(id);
    const retried = await processor().process(id);

    expect(afterOutage).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(retried).toMatchObject({ outcome: 'decided', status: 'PASSED', attempts: 2 });
  });

  it('is PROCESSING while the simulated processing delay runs', async () => {
    const id = await accept('This contains number 42');

    const running = processor({ processingDelayMs: 200 }).process(id);
    const during = await waitFor('the claim', async () => {
      const current = await store.get(id);
      return current?.status === 'PROCESSING' ? current : undefined;
    });

    expect(during.leaseToken).toBeDefined();
    expect(await running).toMatchObject({ outcome: 'decided', status: 'PASSED' });
  });

  it('words what users read of a processing error itself; the cause goes to the log with the correlation id', async () => {
    // Prepare: a dependency whose error names internal hosts and an account's role.
    const leaky = 'AccessDenied: arn:aws:iam::123456789012:role/secret-role at moderation.internal:8443';
    const id = await accept('This contains number 42');
    const echoed = `${leaky} for "This contains number 42"`;
    const broken = processor({
      ruleSet: { id: 'leaky', evaluate: async () => Promise.reject(new Error(echoed)) },
      maxAttempts: 2,
    });
    const log = recordingLogger();

    // Act
    await processBatch(broken, [{ messageId: 'm-1', body: encodeSubmissionMessage(id) }], log.logger);
    const afterFirst = await store.get(id);
    await processBatch(broken, [{ messageId: 'm-2', body: encodeSubmissionMessage(id) }], log.logger);
    const decided = await store.get(id);
    const listed = await store.listByOwner('alice', 10);

    // Assess
    expect(afterFirst?.lastError).toEqual({
      code: 'PROCESSING_FAILED',
      message: 'A check of the content could not run. It will be tried again.',
    });
    expect(decided?.error).toEqual({
      code: 'PROCESSING_FAILED',
      message: 'A check of the content could not run. Gave up after 2 attempts.',
    });
    expect(JSON.stringify([afterFirst, decided, listed])).not.toMatch(/123456789012|internal|secret/);
    // The cause is logged, with the content it echoed taken out (content is never logged).
    const logged = { correlationId: id, cause: `Error: ${leaky} for "[content]"` };
    expect(log.entries.filter((entry) => JSON.stringify(entry).includes(leaky))).toEqual([
      expect.objectContaining({ fields: expect.objectContaining(logged) }),
      expect.objectContaining({ fields: expect.objectContaining(logged) }),
    ]);
    expect(JSON.stringify(log.entries)).not.toContain('This contains number 42');
  });

  describe('processBatch (the worker’s batch driver)', () => {
    it('reports only retryable records as failures and drops messages that are not ours', async () => {
      const good = await accept('This contains number 42');
      const rejected = await accept('short');
      const flaky = await accept('This one throws 1');
      const ruleSet: RuleSet = {
        id: 'mixed',
        evaluate: async (content) => {
          if (content.includes('throws')) throw new Error('boom');
          return defaultRuleSet().evaluate(content);
        },
      };
      const log = recordingLogger();
      const unknown = '0b1c2d3e-0000-4000-8000-000000000000';

      const failures = await processBatch(
        processor({ ruleSet }),
        [
          { messageId: 'm-good', body: encodeSubmissionMessage(good) },
          { messageId: 'm-rejected', body: encodeSubmissionMessage(rejected) },
          { messageId: 'm-flaky', body: encodeSubmissionMessage(flaky) },
          { messageId: 'm-not-json', body: 'not json' },
          { messageId: 'm-wrong-shape', body: JSON.stringify({ submissionId: good }) },
          { messageId: 'm-unknown', body: encodeSubmissionMessage(unknown) },
        ],
        log.logger,
      );

      expect(failures).toEqual(['m-flaky']);
      // Each dropped message says why; the body itself is not logged.
      expect(log.entries.filter((entry) => entry.level === 'warn')).toEqual([
        {
          level: 'warn',
          message: 'dropped malformed message',
          fields: { messageId: 'm-not-json', reason: 'not-json' },
        },
        {
          level: 'warn',
          message: 'dropped malformed message',
          fields: {
            messageId: 'm-wrong-shape',
            reason: 'wrong-shape',
            detail: expect.stringMatching(/^id: .*; .*submissionId/),
          },
        },
      ]);
      // A well-formed message naming no submission is skipped by the claim, which says so.
      expect(log.entries).toContainEqual({
        level: 'info',
        message: 'submission skipped',
        fields: { correlationId: unknown, messageId: 'm-unknown', reason: 'missing' },
      });
      expect(await store.get(good)).toMatchObject({ status: 'PASSED' });
      expect(await store.get(rejected)).toMatchObject({ status: 'FAILED' });
      expect(await store.get(flaky)).toMatchObject({ status: 'PENDING', attempts: 1 });
    });

    it('reports a record whose processing threw (an outage) for retry', async () => {
      const id = await accept('This contains number 42');
      // Fault injection: the emulator cannot throttle, so claim throws as throttling would.
      const failing = storeWith(store, {
        claim: async () => {
          throw awsError('ProvisionedThroughputExceededException', 'Rate exceeded');
        },
      });

      const failures = await processBatch(
        processor({ store: failing }),
        [{ messageId: 'm1', body: encodeSubmissionMessage(id) }],
        silent,
      );

      expect(failures).toEqual(['m1']);
      expect(await store.get(id)).toMatchObject({ status: 'PENDING', attempts: 0 });
    });
  });

  describe('a rule set that cannot afford the content (issue 15 §3)', () => {
    // A pattern RE2 runs in linear time can still take about a second on 64 KiB; the rule set
    // refuses such content before running any rule, and the processor fails that submission
    // at once, leaving the rest of the batch to be decided as usual.
    const ruleSet: RuleSet = loadRuleSet({
      id: 'no-glued-digits',
      version: 1,
      rule: {
        all: [
          { id: 'glued', type: 'mustNotMatch', params: { pattern: '(?:[a-z]|[a-y]){1,300}[0-9]' } },
          { id: 'digit', type: 'requireDigit' },
        ],
      },
    });

    it('fails the costly one with RULES_TOO_COSTLY and decides the others by their content, retrying none', async () => {
      // Prepare
      const costlyContent = 'a'.repeat(65_536);
      const costly = await accept(costlyContent);
      const passing = await accept('Order 66 shipped today');
      const rejected = await accept('code abc123');
      const log = recordingLogger();

      // Act
      const retried = await processBatch(
        processor({ ruleSet }),
        [
          { messageId: 'm-costly', body: encodeSubmissionMessage(costly) },
          { messageId: 'm-passing', body: encodeSubmissionMessage(passing) },
          { messageId: 'm-rejected', body: encodeSubmissionMessage(rejected) },
        ],
        log.logger,
      );

      // Assess
      expect(retried).toEqual([]);
      const costlyStored = await store.get(costly);
      expect(costlyStored).toMatchObject({
        status: 'FAILED',
        attempts: 1,
        error: { code: 'RULES_TOO_COSTLY' },
      });
      expect(costlyStored?.result).toBeUndefined();
      // The message is the rule set's own, in our words.
      const refusal = await ruleSet.evaluate(costlyContent).then(
        () => expect.unreachable('the rule set should refuse 64 KiB'),
        (error: { what: string }) => error.what,
      );
      expect(costlyStored?.error?.message).toBe(refusal);
      expect(refusal).toMatch(
        /^The rule set's checks could take longer than the 150 ms they may spend on one submission, on content of 65536 bytes, so they were not run\. This rule set checks content of up to \d+ bytes\.$/,
      );
      expect(await store.get(passing)).toMatchObject({ status: 'PASSED', result: { verdict: 'PASSED' } });
      expect(await store.get(rejected)).toMatchObject({
        status: 'FAILED',
        result: {
          verdict: 'FAILED',
          rules: [
            { rule: 'glued', passed: false },
            { rule: 'digit', passed: true },
          ],
        },
      });
      expect((await store.get(rejected))?.error).toBeUndefined();
      expect(log.entries).toContainEqual(
        expect.objectContaining({
          message: 'submission decided',
          fields: expect.objectContaining({ correlationId: costly, errorCode: 'RULES_TOO_COSTLY' }),
        }),
      );
    });
  });

  describe('async rules (a dependency that calls out)', () => {
    const hungRuleSet = (timeoutMs: number) => {
      const hung = scriptedType(hangs);
      const ruleSet = loadRuleSet(
        {
          id: 'moderated',
          version: 1,
          rule: {
            all: [
              { id: 'digit', type: 'requireDigit' },
              { id: 'moderation', type: 'hung', params: { timeoutMs } },
            ],
          },
        },
        { ruleTypes: ruleTypes({ hung: hung.type }) },
      );
      return { ruleSet, signals: hung.signals };
    };

    it('retries a rule that times out, then finalises FAILED with PROCESSING_FAILED, never a verdict', async () => {
      const id = await accept('This contains number 42');
      const { ruleSet, signals } = hungRuleSet(20);
      const moderated = processor({ ruleSet });

      const first = await moderated.process(id);
      const afterFirst = await store.get(id);
      const second = await moderated.process(id);
      const third = await moderated.process(id);

      expect(first).toMatchObject({
        outcome: 'retry',
        attempts: 1,
        error: { code: 'PROCESSING_FAILED', message: expect.stringContaining('"moderation" timed out') },
      });
      expect(afterFirst).toMatchObject({
        status: 'PENDING',
        attempts: 1,
        lastError: { code: 'PROCESSING_FAILED' },
      });
      expect(afterFirst).not.toHaveProperty('leaseToken');
      expect(second).toMatchObject({ outcome: 'retry', attempts: 2 });
      expect(third).toMatchObject({ outcome: 'decided', status: 'FAILED', attempts: MAX_ATTEMPTS });
      const stored = await store.get(id);
      expect(stored).toMatchObject({
        status: 'FAILED',
        attempts: MAX_ATTEMPTS,
        error: {
          code: 'PROCESSING_FAILED',
          message: `The check "moderation" timed out after 20 ms. Gave up after ${MAX_ATTEMPTS} attempts.`,
        },
      });
      expect(stored).not.toHaveProperty('result');
      expect(signals.map((signal) => signal.aborted)).toEqual([true, true, true]);
    });

    it('releases the lease when the worker deadline aborts a slow async rule, spending no attempt', async () => {
      const id = await accept('This contains number 42');
      const { ruleSet, signals } = hungRuleSet(60_000);
      const deadline = new AbortController();

      const processing = processor({ ruleSet }).process(id, deadline.signal);
      await waitFor('the async rule to start', () => signals[0]);
      deadline.abort(new DOMException('out of time', 'TimeoutError'));
      const outcome = await processing;

      expect(outcome).toEqual({ outcome: 'interrupted', by: 'deadline', attempts: 1 });
      expect(signals[0]?.aborted).toBe(true);
      const stored = await store.get(id);
      expect(stored).toMatchObject({ status: 'PENDING', attempts: 1, interruptions: 1 });
      expect(stored).not.toHaveProperty('leaseToken');
      expect(stored).not.toHaveProperty('result');
      expect(stored).not.toHaveProperty('lastError');
    });

    it('decides with the async rule’s outcome when it answers in time', async () => {
      const id = await accept('This is spam number 42');
      const ruleSet = loadRuleSet(
        {
          id: 'moderated',
          version: 1,
          rule: { id: 'moderation', type: 'moderation', params: { word: 'spam' } },
        },
        { ruleTypes: ruleTypes({ moderation: moderationType }) },
      );

      const outcome = await processor({ ruleSet }).process(id);

      expect(outcome).toMatchObject({ outcome: 'decided', status: 'FAILED', attempts: 1 });
      expect(await store.get(id)).toMatchObject({
        status: 'FAILED',
        result: {
          verdict: 'FAILED',
          rules: [{ rule: 'moderation', passed: false, measured: 'flagged spam' }],
        },
      });
    });
  });
});
