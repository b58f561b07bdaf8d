import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DynamoDbSubmissionStore } from '../../src/adapters/dynamodb/dynamodb-submission-store';
import { processBatch } from '../../src/application/process-batch';
import { SubmissionProcessor } from '../../src/application/submission-processor';
import { SubmissionService } from '../../src/application/submissions';
import type { RuleSet } from '../../src/domain/rules';
import { encodeSubmissionMessage } from '../../src/ports/submission-message';
import { loadRuleSet } from '../../src/rules/loader';
import { createTestBackend, storeOn, type TestBackend } from '../helpers/backend';
import { recordingLogger } from '../helpers/fault-queue';
import { ManualClock } from '../helpers/manual-clock';

/**
 * Issue 15 §3: a content rule must not block the worker. A pattern RE2 runs in linear
 * time can still take about a second on 64 KiB; the rule set refuses such content before
 * running any rule, and the processor fails that submission at once, leaving the rest of
 * the batch to be decided as usual.
 */
const SLOW = '(?:[a-z]|[a-y]){1,300}[0-9]';

describe('a batch holding a submission its rule set cannot afford, against the emulators', () => {
  let backend: TestBackend;
  let store: DynamoDbSubmissionStore;
  let clock: ManualClock;
  let submissions: SubmissionService;

  const ruleSet: RuleSet = loadRuleSet({
    id: 'no-glued-digits',
    version: 1,
    rule: {
      all: [
        { id: 'glued', type: 'mustNotMatch', params: { pattern: SLOW } },
        { id: 'digit', type: 'requireDigit' },
      ],
    },
  });

  const processor = () =>
    new SubmissionProcessor({
      store,
      clock,
      ruleSet,
      maxAttempts: 3,
      stuckAfterMs: 300_000,
      orphanAfterMs: 120_000,
    });

  const accept = async (content: string) => (await submissions.acceptSubmission('alice', content)).id;

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

  it('fails the costly one with RULES_TOO_COSTLY and decides the others by their content, retrying none', async () => {
    // Prepare
    const costlyContent = 'a'.repeat(65_536);
    const costly = await accept(costlyContent);
    const passing = await accept('Order 66 shipped today');
    const rejected = await accept('code abc123');
    const log = recordingLogger();

    // Act
    const retried = await processBatch(
      processor(),
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
