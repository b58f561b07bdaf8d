import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { DynamoDbSubmissionStore } from '../../src/adapters/dynamodb/dynamodb-submission-store';
import { SubmissionProcessor } from '../../src/application/submission-processor';
import { SubmissionService } from '../../src/application/submissions';
import type { RuleSet } from '../../src/domain/rules';
import { loadRuleSet } from '../../src/rules/loader';
import { defineRuleType } from '../../src/rules/rule-type';
import { createTestBackend, storeOn, type TestBackend } from '../helpers/backend';
import { ManualClock } from '../helpers/manual-clock';

describe('SubmissionProcessor with a duplicate rule, against the emulators', () => {
  let backend: TestBackend;
  let store: DynamoDbSubmissionStore;
  let clock: ManualClock;
  let submissions: SubmissionService;
  /** Calls of the "expensive" rule, e.g. a moderation call. */
  let expensiveCalls: number;

  const expensiveType = defineRuleType({
    placeholders: [],
    messages: { passed: 'Looks fine.', failed: 'Looks bad.' },
    params: z.strictObject({}),
    measure(_params, content) {
      expensiveCalls += 1;
      return { passed: !content.includes('bad'), measured: 'inspected' };
    },
  });

  const ruleSet = (reuseVerdict: boolean, version = 1) =>
    loadRuleSet(
      {
        id: 'dedup',
        version,
        rule: {
          all: [
            { id: 'expensive', type: 'expensive' },
            { id: 'dup', type: 'duplicate', params: { reuseVerdict } },
          ],
        },
      },
      { ruleTypes: new Map([['expensive', expensiveType]]) },
    );

  const process = (rules: RuleSet, id: string) =>
    new SubmissionProcessor({
      store,
      clock,
      ruleSet: rules,
      maxAttempts: 3,
      stuckAfterMs: 300_000,
      orphanAfterMs: 120_000,
    }).process(id);

  /** Accepts and processes one submission, a second later than the previous one. */
  const submitted = async (rules: RuleSet, content: string, owner = 'alice') => {
    clock.advance(1000);
    const { id } = await submissions.acceptSubmission(owner, content);
    expect(await process(rules, id)).toMatchObject({ outcome: 'decided' });
    return (await store.get(id))!;
  };

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
    expensiveCalls = 0;
  });
  afterEach(() => backend.destroy());

  it('flags a resubmission of identical content, naming the earlier one', async () => {
    const first = await submitted(ruleSet(false), 'my essay 2026');
    const again = await submitted(ruleSet(false), 'my essay 2026');

    expect(first.status).toBe('PASSED');
    expect(again.status).toBe('FAILED');
    expect(again.result?.rules.find((rule) => rule.rule === 'dup')).toMatchObject({
      passed: false,
      measured: `duplicate of ${first.id}`,
    });
    expect(again.result).not.toHaveProperty('reusedFrom');
    expect(expensiveCalls).toBe(2);
  });

  it('flags the later of two identical contents of one batch, decided in order', async () => {
    const [first, again] = await submissions.acceptBatch('alice', ['my essay 2026', 'my essay 2026']);
    const rules = ruleSet(false);

    for (const { id } of [first!, again!])
      expect(await process(rules, id)).toMatchObject({ outcome: 'decided' });

    expect(again!.createdAt > first!.createdAt).toBe(true);
    expect(await store.get(first!.id)).toMatchObject({ status: 'PASSED' });
    expect(await store.get(again!.id)).toMatchObject({
      status: 'FAILED',
      result: {
        rules: expect.arrayContaining([expect.objectContaining({ measured: `duplicate of ${first!.id}` })]),
      },
    });
  });

  it('does not flag another owner’s identical content', async () => {
    await submitted(ruleSet(false), 'my essay 2026');
    const bobs = await submitted(ruleSet(false), 'my essay 2026', 'bob');

    expect(bobs.status).toBe('PASSED');
  });

  it('with reuseVerdict, completes a resubmission with the earlier result without running the rules', async () => {
    const rules = ruleSet(true);
    const first = await submitted(rules, 'bad essay 2026');
    expect(expensiveCalls).toBe(1);

    const again = await submitted(rules, 'bad essay 2026');

    expect(expensiveCalls).toBe(1);
    expect(again.status).toBe(first.status);
    expect(first.result?.rules[1]).toMatchObject({ message: 'Content was not submitted before.' });
    expect(again.result).toEqual({
      ...first.result,
      rules: [
        first.result?.rules[0],
        {
          rule: 'dup',
          type: 'duplicate',
          passed: true,
          message: `Same content as ${first.id}: its verdict was reused.`,
          measured: `duplicate of ${first.id}, verdict reused`,
        },
      ],
      reusedFrom: first.id,
    });
  });

  it('with reuseVerdict, a copy of a copy names the submission it was copied from', async () => {
    const rules = ruleSet(true);
    await submitted(rules, 'my essay 2026');
    const second = await submitted(rules, 'my essay 2026');

    const third = await submitted(rules, 'my essay 2026');

    expect(third.result?.reusedFrom).toBe(second.id);
    expect(third.result?.rules.find((rule) => rule.rule === 'dup')).toMatchObject({
      message: `Same content as ${second.id}: its verdict was reused.`,
      measured: `duplicate of ${second.id}, verdict reused`,
    });
  });

  it('with reuseVerdict, evaluates (and flags) when the earlier result came from another version', async () => {
    const first = await submitted(ruleSet(true, 1), 'my essay 2026');
    const again = await submitted(ruleSet(true, 2), 'my essay 2026');

    expect(expensiveCalls).toBe(2);
    expect(again.status).toBe('FAILED');
    expect(again.result).toMatchObject({ ruleSet: { id: 'dedup', version: 2 } });
    expect(again.result?.rules.find((rule) => rule.rule === 'dup')?.measured).toBe(
      `duplicate of ${first.id}`,
    );
  });
});
