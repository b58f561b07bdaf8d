import { describe, expect, it } from 'vitest';
import { defaultRuleSet } from '../../src/rules/default-rule-set';
import defaultDocument from '../../src/rules/default-rule-set.json';
import { loadRuleSet } from '../../src/rules/loader';
import { RuleSetError } from '../../src/rules/rule-set-errors';

/** A document with `rules` under one `all`. */
function documentOf(...rules: unknown[]) {
  return { id: 'custom', version: 3, rule: { all: rules } };
}

/** Runs loadRuleSet, which must throw a RuleSetError, and returns its message. */
function refusal(document: unknown): string {
  try {
    loadRuleSet(document);
  } catch (error) {
    expect(error).toBeInstanceOf(RuleSetError);
    return (error as RuleSetError).message;
  }
  return expect.unreachable('expected a RuleSetError');
}

describe('loadRuleSet refuses a bad document, naming the rule', () => {
  it.each([
    {
      name: 'an unknown type',
      document: documentOf(
        { id: 'length', type: 'minLength', params: { min: 1 } },
        { id: 'vibe', type: 'goodVibes' },
      ),
      expected: 'rule.all[1] (id "vibe"): type "goodVibes" is unknown',
    },
    {
      name: 'a param of the wrong type',
      document: documentOf(
        { id: 'digit', type: 'requireDigit' },
        { id: 'links', type: 'maxLinks', params: { max: '2' } },
      ),
      expected: 'rule.all[1] (id "links"): params.max must be a number',
    },
    {
      name: 'a missing param',
      document: documentOf({ id: 'length', type: 'minLength' }),
      expected: 'rule.all[0] (id "length"): params.min must be a number',
    },
    {
      name: 'a negative limit',
      document: documentOf({ id: 'length', type: 'maxLength', params: { max: -1 } }),
      expected: 'rule.all[0] (id "length"): params.max must be at least 0',
    },
    {
      name: 'an unknown param',
      document: documentOf({ id: 'length', type: 'minLength', params: { min: 1, minimum: 2 } }),
      expected: 'rule.all[0] (id "length"): params has unknown field "minimum"',
    },
    {
      name: 'a duplicate id, even in another branch',
      document: documentOf(
        { id: 'same', type: 'requireDigit' },
        {
          any: [
            { id: 'other', type: 'requireDigit' },
            { id: 'same', type: 'maxLines', params: { max: 3 } },
          ],
        },
      ),
      expected: 'rule.all[1].any[1] (id "same"): id "same" is used by another rule',
    },
    {
      name: 'a backreference RE2 cannot run',
      document: documentOf({ id: 'repeat', type: 'mustMatch', params: { pattern: '(a)\\1' } }),
      expected:
        'rule.all[0] (id "repeat"): params.pattern is not a regular expression RE2 can run in linear time',
    },
    {
      name: 'a lookahead RE2 cannot run',
      document: documentOf({ id: 'ahead', type: 'mustNotMatch', params: { pattern: 'x(?=y)' } }),
      expected: 'rule.all[0] (id "ahead"): params.pattern is not a regular expression',
    },
    {
      name: 'an unsupported regex flag',
      document: documentOf({ id: 'sticky', type: 'mustMatch', params: { pattern: 'a', flags: 'y' } }),
      expected: 'rule.all[0] (id "sticky"): params.flags must use only the flags ims',
    },
    {
      name: 'an empty banned word list',
      document: documentOf({ id: 'words', type: 'bannedWords', params: { words: [] } }),
      expected: 'rule.all[0] (id "words"): params.words must hold at least one word',
    },
    {
      name: 'an unknown placeholder in a message',
      document: documentOf({
        id: 'length',
        type: 'minLength',
        params: { min: 1 },
        message: 'Too short: {size}',
      }),
      expected: 'rule.all[0] (id "length"): message uses unknown placeholder {size} (available: min, length)',
    },
    {
      name: 'a rule without an id',
      document: documentOf({ type: 'requireDigit' }),
      expected: 'rule.all[0]: id is required',
    },
    {
      name: 'an empty combinator',
      document: documentOf({ any: [] }),
      expected: 'rule.all[0]: any must hold at least one rule',
    },
    {
      name: 'a node that is neither rule nor combinator',
      document: documentOf('minLength'),
      expected: 'rule.all[0]: must be a rule or a combinator',
    },
    {
      name: 'a missing version',
      document: { id: 'custom', rule: { id: 'digit', type: 'requireDigit' } },
      expected: 'version is required',
    },
  ])('$name', ({ document, expected }) => {
    // Act
    const message = refusal(document);

    // Assess
    expect(message).toContain(expected);
  });

  it('lists every problem at once', () => {
    // Act
    const error = (() => {
      try {
        loadRuleSet(documentOf({ id: 'a', type: 'nope' }, { id: 'b', type: 'maxLines', params: { max: 0 } }));
      } catch (caught) {
        return caught as RuleSetError;
      }
      return expect.unreachable('expected a RuleSetError');
    })();

    // Assess
    expect(error.problems).toEqual([
      expect.stringContaining('rule.all[0] (id "a")'),
      'rule.all[1] (id "b"): params.max must be at least 1',
    ]);
  });

  it('refuses trees nested deeper than it will evaluate', () => {
    // Prepare
    let node: unknown = { id: 'leaf', type: 'requireDigit' };
    for (let level = 0; level < 40; level += 1) node = { all: [node] };

    // Act
    const message = refusal({ id: 'deep', version: 1, rule: node });

    // Assess
    expect(message).toMatch(/nests deeper than \d+ levels/);
  });
});

describe('loaded rule sets', () => {
  it('record the rule set id and version, and each rule’s id, type, message and measured value', async () => {
    // Prepare
    const ruleSet = loadRuleSet(
      documentOf(
        { id: 'length', type: 'minLength', params: { min: 10 } },
        {
          id: 'links',
          type: 'maxLinks',
          params: { max: 0 },
          message: 'No links please (found {links}, allowed {max}).',
        },
      ),
    );

    // Act
    const result = await ruleSet.evaluate('see www.a.io');

    // Assess
    expect(result).toEqual({
      verdict: 'FAILED',
      ruleSet: { id: 'custom', version: 3 },
      rules: [
        {
          rule: 'length',
          type: 'minLength',
          passed: true,
          message: 'Content is 12 characters long (minimum 10).',
          measured: 'length 12, minimum 10',
        },
        {
          rule: 'links',
          type: 'maxLinks',
          passed: false,
          message: 'No links please (found 1, allowed 0).',
          measured: 'links 1, maximum 0',
        },
      ],
    });
  });

  it('fill passed and failed templates from params and measured values', async () => {
    // Prepare
    const ruleSet = loadRuleSet({
      id: 'codes',
      version: 1,
      rule: {
        id: 'code',
        type: 'mustMatch',
        params: { pattern: '^[A-Z]{3}-[0-9]+$' },
        message: 'Expected a code like {pattern}.',
        passedMessage: 'A code ({pattern}{flags}).',
      },
    });

    // Act
    const failed = await ruleSet.evaluate('abc');
    const passed = await ruleSet.evaluate('ABC-1');

    // Assess
    expect(failed.rules[0]?.message).toBe('Expected a code like ^[A-Z]{3}-[0-9]+$.');
    expect(passed.rules[0]?.message).toBe('A code (^[A-Z]{3}-[0-9]+$).');
  });

  it('default to all of the rules when the root is a single rule', async () => {
    // Prepare
    const ruleSet = loadRuleSet({ id: 'one', version: 1, rule: { id: 'digit', type: 'requireDigit' } });

    // Act
    const results = await Promise.all([ruleSet.evaluate('no'), ruleSet.evaluate('yes 1')]);
    const verdicts = results.map((result) => result.verdict);

    // Assess
    expect(verdicts).toEqual(['FAILED', 'PASSED']);
  });
});

describe('the bundled default rule set', () => {
  it('is default-rule-set.json, version 1, with the origin’s two rules', async () => {
    // Act
    const result = await defaultRuleSet().evaluate('abc');

    // Assess
    expect(defaultDocument).toMatchObject({ id: 'default', version: 1 });
    expect(result).toEqual({
      verdict: 'FAILED',
      ruleSet: { id: 'default', version: 1 },
      rules: [
        {
          rule: 'minLength',
          type: 'minLength',
          passed: false,
          message: 'Content must be at least 10 characters long; it is 3.',
          measured: 'length 3, minimum 10',
        },
        {
          rule: 'requireDigit',
          type: 'requireDigit',
          passed: false,
          message: 'Content must contain at least one digit (0-9).',
          measured: 'digits (0-9) 0, minimum 1',
        },
      ],
    });
  });
});

describe('jsonSchema in a document', () => {
  it('refuses a schema Ajv rejects at load, naming the rule by path and id', () => {
    // Act
    const load = () =>
      loadRuleSet(
        documentOf(
          { id: 'digit', type: 'requireDigit' },
          { id: 'review', type: 'jsonSchema', params: { schema: { type: 'nonsense' } } },
        ),
      );

    // Assess
    expect(load).toThrow('rule.all[1] (id "review"): params.schema is not a JSON Schema Ajv accepts');
  });
});
