import { describe, expect, it } from 'vitest';
import type { EarlierDecision } from '../../src/domain/rules';
import { defaultRuleSet } from '../../src/rules/default-rule-set';
import { loadRuleSet } from '../../src/rules/loader';
import { RuleSetError } from '../../src/rules/rule-set-errors';

const earlier: EarlierDecision = {
  id: 'first-id',
  result: { verdict: 'PASSED', ruleSet: { id: 'dup', version: 1 }, rules: [] },
};

const document = (params: Record<string, unknown> = {}) => ({
  id: 'dup',
  version: 1,
  rule: {
    all: [
      { id: 'minLength', type: 'minLength', params: { min: 3 } },
      { id: 'dup', type: 'duplicate', params },
    ],
  },
});

describe('duplicate rule type', () => {
  it('passes when no earlier decision of the same content exists', async () => {
    const result = await loadRuleSet(document()).evaluate('hello', undefined, {});

    expect(result.verdict).toBe('PASSED');
    expect(result.rules[1]).toMatchObject({
      rule: 'dup',
      type: 'duplicate',
      passed: true,
      measured: 'no earlier submission with this content',
    });
  });

  it('flags a resubmission, naming the earlier submission', async () => {
    const result = await loadRuleSet(document()).evaluate('hello', undefined, { earlier });

    expect(result.verdict).toBe('FAILED');
    expect(result.rules[1]).toEqual({
      rule: 'dup',
      type: 'duplicate',
      passed: false,
      message: 'The same content was already submitted (first-id).',
      measured: 'duplicate of first-id',
    });
  });

  it('passes without a context: a rule set evaluated outside the processor', async () => {
    expect((await loadRuleSet(document()).evaluate('hello')).verdict).toBe('PASSED');
  });

  it('declares the rule set’s duplicate policy; reuseVerdict defaults to false', () => {
    expect(loadRuleSet(document()).duplicates).toEqual({ reuseVerdict: false });
    expect(loadRuleSet(document({ reuseVerdict: true })).duplicates).toEqual({ reuseVerdict: true });
    expect(defaultRuleSet().duplicates).toBeUndefined();
  });

  it('refuses a bad parameter, naming the rule', () => {
    expect(() => loadRuleSet(document({ reuseVerdict: 'yes' }))).toThrow(RuleSetError);
    expect(() => loadRuleSet(document({ reuseVerdict: 'yes' }))).toThrow(
      /rule\.all\[1\] \(id "dup"\): params\.reuseVerdict must be true or false/,
    );
  });
});
