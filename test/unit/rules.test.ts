import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src/domain/rules';
import type { RuleOutcome } from '../../src/domain/submission';
import { minLength, requireDigit } from '../../src/rules/builders';
import { allOf } from '../../src/rules/combinators';
import { defaultRuleSet } from '../../src/rules/default-rule-set';
import { codePointLength } from '../../src/rules/text';
import { pick, seededRandom } from './support/seeded-random';

/** U+1F600: one code point, two UTF-16 code units. */
const EMOJI = '😀';
const COMBINING_ACUTE = '\u0301';
const ARABIC_INDIC_THREE = '٣';
const FULLWIDTH_THREE = '３';

describe('codePointLength', () => {
  it.each([
    { name: 'the empty string', text: '', expected: 0 },
    { name: 'ASCII', text: 'abc123', expected: 6 },
    { name: 'an emoji (surrogate pair) once', text: EMOJI, expected: 1 },
    { name: 'several emoji', text: EMOJI.repeat(9), expected: 9 },
    { name: 'a combining mark separately', text: `e${COMBINING_ACUTE}`, expected: 2 },
    { name: 'each part of a ZWJ sequence', text: '👩\u200d💻', expected: 3 },
    { name: 'a lone surrogate once', text: '\ud800', expected: 1 },
  ])('counts $name', ({ text, expected }) => {
    // Act
    const length = codePointLength(text);

    // Assess
    expect(length).toBe(expected);
  });
});

describe('minLength', () => {
  it.each([
    { name: '9 letters', content: 'a'.repeat(9), passed: false },
    { name: '10 letters', content: 'a'.repeat(10), passed: true },
    { name: '11 letters', content: 'a'.repeat(11), passed: true },
    { name: '9 emoji (18 code units)', content: EMOJI.repeat(9), passed: false },
    { name: '10 emoji', content: EMOJI.repeat(10), passed: true },
  ])('minLength(10) on $name → passed=$passed', ({ content, passed }) => {
    // Prepare
    const rule = minLength(10);

    // Act
    const outcome = rule.check(content);

    // Assess
    expect(outcome).toMatchObject({ rule: 'minLength', passed });
  });

  it.each([
    { content: 'abc', measured: 3 },
    { content: 'abcdefghijkl', measured: 12 },
    { content: EMOJI.repeat(4), measured: 4 },
  ])('mentions the measured length $measured in its message', ({ content, measured }) => {
    // Act
    const { message } = minLength(10).check(content);

    // Assess
    expect(message).toMatch(new RegExp(`\\b${measured}\\b`));
  });
});

describe('requireDigit', () => {
  it.each([
    { name: 'no digit', content: 'abcdefghij', passed: false },
    { name: 'a leading 0', content: '0abc', passed: true },
    { name: 'a trailing 9', content: 'abc9', passed: true },
    { name: 'only digits', content: '42', passed: true },
    { name: 'an Arabic-Indic digit', content: `abc${ARABIC_INDIC_THREE}`, passed: false },
    { name: 'a fullwidth digit', content: `abc${FULLWIDTH_THREE}`, passed: false },
    { name: 'a superscript two', content: 'x²', passed: false },
    { name: 'a roman numeral', content: 'Ⅻ', passed: false },
  ])('content with $name → passed=$passed', ({ content, passed }) => {
    // Act
    const outcome = requireDigit().check(content);

    // Assess
    expect(outcome).toMatchObject({ rule: 'requireDigit', passed });
    expect(outcome.message).not.toBe('');
  });
});

describe('allOf', () => {
  function fixedRule(id: string, passed: boolean, calls: string[]): Rule {
    return {
      id,
      check: (content) => {
        calls.push(id);
        return { rule: id, passed, message: `${id} looked at ${content}` };
      },
    };
  }

  it.each([
    { results: [true, true], verdict: 'PASSED' },
    { results: [true, false], verdict: 'FAILED' },
    { results: [false, true], verdict: 'FAILED' },
    { results: [false, false], verdict: 'FAILED' },
  ])('rules $results → $verdict, running every rule in order', async ({ results, verdict }) => {
    // Prepare
    const calls: string[] = [];
    const rules = results.map((passed, index) => fixedRule(`rule${index}`, passed, calls));
    const ruleSet = allOf('pair', rules);

    // Act
    const result = await ruleSet.evaluate('some content');

    // Assess
    expect(result.verdict).toBe(verdict);
    expect(calls).toEqual(['rule0', 'rule1']);
    expect(result.rules.map((outcome) => outcome.passed)).toEqual(results);
  });

  it('keeps the id it was given', () => {
    // Act
    const ruleSet = allOf('strict', []);

    // Assess
    expect(ruleSet.id).toBe('strict');
  });
});

describe('defaultRuleSet', () => {
  it.each([
    { name: '9 characters with a digit', content: 'abcdefgh1', verdict: 'FAILED' },
    { name: '10 characters with a digit', content: 'abcdefghi1', verdict: 'PASSED' },
    { name: '10 letters and no digit', content: 'abcdefghij', verdict: 'FAILED' },
    { name: '10 digits', content: '1234567890', verdict: 'PASSED' },
    { name: '9 digits', content: '123456789', verdict: 'FAILED' },
    { name: '9 emoji and a digit (10 code points)', content: `${EMOJI.repeat(9)}1`, verdict: 'PASSED' },
    {
      name: '8 emoji and a digit (9 code points, 17 code units)',
      content: `${EMOJI.repeat(8)}1`,
      verdict: 'FAILED',
    },
    {
      name: '4 letters with combining marks and 2 digits (10 code points)',
      content: `${`e${COMBINING_ACUTE}`.repeat(4)}12`,
      verdict: 'PASSED',
    },
    {
      name: '4 letters with combining marks and 1 digit (9 code points)',
      content: `${`e${COMBINING_ACUTE}`.repeat(4)}1`,
      verdict: 'FAILED',
    },
    { name: '10 Arabic-Indic digits', content: ARABIC_INDIC_THREE.repeat(10), verdict: 'FAILED' },
    { name: '10 fullwidth digits', content: FULLWIDTH_THREE.repeat(10), verdict: 'FAILED' },
    { name: '9 spaces and a digit', content: `${' '.repeat(9)}1`, verdict: 'PASSED' },
  ])('$name → $verdict', async ({ content, verdict }) => {
    // Act
    const result = await defaultRuleSet().evaluate(content);

    // Assess
    expect(result.verdict).toBe(verdict);
  });

  it.each(['', 'abc', 'abcdefghij', '123456789', '1234567890'])(
    'lists every rule with an outcome and a message for %j',
    async (content) => {
      // Act
      const result = await defaultRuleSet().evaluate(content);

      // Assess
      expect(result.rules.map((outcome) => outcome.rule)).toEqual(['minLength', 'requireDigit']);
      for (const outcome of result.rules) {
        expect(typeof outcome.passed).toBe('boolean');
        expect(outcome.message.trim()).not.toBe('');
      }
      const allPassed = result.rules.every((outcome) => outcome.passed);
      expect(result.verdict).toBe(allPassed ? 'PASSED' : 'FAILED');
    },
  );

  it('explains both failures when content is short and has no digit', async () => {
    // Act
    const result = await defaultRuleSet().evaluate('abc');

    // Assess
    const byRule = new Map<string, RuleOutcome>(result.rules.map((outcome) => [outcome.rule, outcome]));
    expect(byRule.get('minLength')).toMatchObject({ passed: false, message: expect.stringMatching(/\b3\b/) });
    expect(byRule.get('requireDigit')).toMatchObject({ passed: false });
  });

  it('agrees with an independent reference predicate on 500 seeded random strings', async () => {
    // Prepare
    const alphabet = [
      'a',
      'Z',
      ' ',
      '\t',
      'é',
      '0',
      '5',
      '9',
      EMOJI,
      '🎉',
      COMBINING_ACUTE,
      '\u0308',
      ARABIC_INDIC_THREE,
      FULLWIDTH_THREE,
    ];
    const random = seededRandom(20_240_601);
    const samples = Array.from({ length: 500 }, () =>
      Array.from({ length: Math.floor(random() * 16) }, () => pick(random, alphabet)).join(''),
    );
    const reference = (text: string) =>
      Array.from(text).length >= 10 && /[0-9]/.test(text) ? 'PASSED' : 'FAILED';
    const ruleSet = defaultRuleSet();

    // Act
    const results = await Promise.all(samples.map((text) => ruleSet.evaluate(text)));
    const disagreements = samples.filter((text, index) => results[index]?.verdict !== reference(text));

    // Assess
    expect(disagreements).toEqual([]);
    const verdicts = new Set(samples.map(reference));
    expect(verdicts).toEqual(new Set(['PASSED', 'FAILED']));
  });
});
