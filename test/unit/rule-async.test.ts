import { describe, expect, it } from 'vitest';
import { loadRuleSet } from '../../src/rules/loader';
import { RuleCheckError } from '../../src/rules/rule-set-errors';
import { hangs, moderationType, ruleTypes, scriptedType } from '../helpers/async-rules';

const withModeration = { ruleTypes: ruleTypes({ moderation: moderationType }) };

const documentOf = (...rules: unknown[]) => ({ id: 'async', version: 1, rule: { all: rules } });

describe('async rules', () => {
  it.each([
    {
      content: 'a friendly post 1',
      passed: true,
      message: 'Moderation found nothing.',
      measured: 'not flagged',
    },
    {
      content: 'buy SPAM now 1',
      passed: false,
      message: 'Moderation flagged spam.',
      measured: 'flagged spam',
    },
  ])(
    'pass or fail by their check: $content → passed=$passed',
    async ({ content, passed, message, measured }) => {
      // Prepare
      const ruleSet = loadRuleSet(
        documentOf(
          { id: 'digit', type: 'requireDigit' },
          { id: 'mod', type: 'moderation', params: { word: 'spam', delayMs: 5 } },
        ),
        withModeration,
      );

      // Act
      const result = await ruleSet.evaluate(content);

      // Assess
      expect(result.verdict).toBe(passed ? 'PASSED' : 'FAILED');
      expect(result.rules).toEqual([
        expect.objectContaining({ rule: 'digit', passed: true }),
        { rule: 'mod', type: 'moderation', passed, message, measured },
      ]);
    },
  );

  it('reject, naming the rule and "timed out", when the check outlives timeoutMs', async () => {
    // Prepare
    const ruleSet = loadRuleSet(
      documentOf({ id: 'mod', type: 'moderation', params: { word: 'spam', delayMs: 10_000, timeoutMs: 20 } }),
      withModeration,
    );
    const started = Date.now();

    // Act
    const evaluation = ruleSet.evaluate('a post');

    // Assess
    await expect(evaluation).rejects.toThrow(RuleCheckError);
    await expect(evaluation).rejects.toThrow('Rule "mod" timed out after 20 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('abort the signal given to the check on timeout, even when the check ignores it', async () => {
    // Prepare
    const { type, signals } = scriptedType(() => new Promise(() => {}));
    const ruleSet = loadRuleSet(documentOf({ id: 'hung', type: 'scripted', params: { timeoutMs: 20 } }), {
      ruleTypes: ruleTypes({ scripted: type }),
    });

    // Act
    const evaluation = ruleSet.evaluate('a post');

    // Assess
    await expect(evaluation).rejects.toThrow('Rule "hung" timed out after 20 ms');
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
  });

  it('reject, naming the rule and the cause, when the check throws', async () => {
    // Prepare
    const ruleSet = loadRuleSet(
      documentOf({ id: 'mod', type: 'moderation', params: { word: 'spam', unavailable: true } }),
      withModeration,
    );

    // Act
    const evaluation = ruleSet.evaluate('a post');

    // Assess
    await expect(evaluation).rejects.toThrow('Rule "mod" failed: moderation service unavailable');
  });

  it('are aborted by the caller’s signal (the worker ran out of time)', async () => {
    // Prepare
    const { type, signals } = scriptedType(hangs);
    const ruleSet = loadRuleSet(documentOf({ id: 'hung', type: 'scripted' }), {
      ruleTypes: ruleTypes({ scripted: type }),
    });
    const deadline = new AbortController();

    // Act
    const evaluation = ruleSet.evaluate('a post', deadline.signal);
    setTimeout(() => deadline.abort(new Error('worker deadline')), 10);

    // Assess
    await expect(evaluation).rejects.toThrow('Rule "hung" was aborted');
    expect(signals[0]?.aborted).toBe(true);
  });

  it('do not start when the caller’s signal is already aborted', async () => {
    // Prepare
    const { type, signals } = scriptedType(async () => ({ passed: true, measured: 'ok' }));
    const ruleSet = loadRuleSet(documentOf({ id: 'late', type: 'scripted' }), {
      ruleTypes: ruleTypes({ scripted: type }),
    });

    // Act
    const evaluation = ruleSet.evaluate('a post', AbortSignal.abort());

    // Assess
    await expect(evaluation).rejects.toThrow('Rule "late" was aborted');
    expect(signals).toEqual([]);
  });

  it('abort the other rules still calling out once one cannot decide', async () => {
    // Prepare
    const hung = scriptedType(hangs);
    const ruleSet = loadRuleSet(
      documentOf(
        { id: 'hung', type: 'hung' },
        { id: 'mod', type: 'moderation', params: { word: 'spam', unavailable: true } },
      ),
      { ruleTypes: ruleTypes({ hung: hung.type, moderation: moderationType }) },
    );

    // Act
    const evaluation = ruleSet.evaluate('a post');

    // Assess
    await expect(evaluation).rejects.toThrow('Rule "mod" failed');
    expect(hung.signals[0]?.aborted).toBe(true);
  });

  it('run concurrently, keeping outcomes in document order', async () => {
    // Prepare
    const ruleSet = loadRuleSet(
      documentOf(
        { id: 'slow', type: 'moderation', params: { word: 'x', delayMs: 60 } },
        { any: [{ id: 'fast', type: 'moderation', params: { word: 'y', delayMs: 0 } }] },
      ),
      withModeration,
    );

    // Act
    const result = await ruleSet.evaluate('a post');

    // Assess
    expect(result.rules.map((outcome) => outcome.rule)).toEqual(['slow', 'fast']);
  });

  it.each([
    { timeoutMs: 0, expected: 'rule.all[0] (id "mod"): params.timeoutMs must be at least 1' },
    { timeoutMs: 'soon', expected: 'rule.all[0] (id "mod"): params.timeoutMs must be a number' },
    { timeoutMs: 600_000, expected: 'rule.all[0] (id "mod"): params.timeoutMs must be at most 60000' },
  ])('refuse a bad timeoutMs ($timeoutMs) at load, naming the rule', ({ timeoutMs, expected }) => {
    // Act
    const load = () =>
      loadRuleSet(
        documentOf({ id: 'mod', type: 'moderation', params: { word: 'spam', timeoutMs } }),
        withModeration,
      );

    // Assess
    expect(load).toThrow(expected);
  });

  it("refuse a timeoutMs that is not below the worker's timeout, naming both, when the worker's timeout is known", () => {
    // Prepare
    const document = documentOf({
      id: 'mod',
      type: 'moderation',
      params: { word: 'spam', timeoutMs: 30_000 },
    });

    // Act
    const load = (workerTimeoutSeconds: number) => () =>
      loadRuleSet(document, { ...withModeration, workerTimeoutSeconds });

    // Assess
    expect(load(30)).toThrow(
      'rule.all[0] (id "mod"): params.timeoutMs 30000 must be below the worker\'s timeout, WORKER_TIMEOUT_SECONDS=30',
    );
    expect(load(31)).not.toThrow();
  });

  it('are unknown to a rule set loaded without their type', () => {
    // Act
    const load = () => loadRuleSet(documentOf({ id: 'mod', type: 'moderation', params: { word: 'spam' } }));

    // Assess
    expect(load).toThrow('rule.all[0] (id "mod"): type "moderation" is unknown');
  });
});
