import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ruleSetCosts } from '../../src/rules/combinators';
import {
  RULE_SET_BOUND,
  type RuleCost,
  totalUnits,
  UNMODELLED_COST,
  unitsOf,
  utf8Length,
  withinBound,
} from '../../src/rules/cost';
import { defaultRuleSet } from '../../src/rules/default-rule-set';
import { createRule, loadRuleSet } from '../../src/rules/loader';
import { BUILT_IN_RULE_TYPES } from '../../src/rules/registry';
import { RuleCostError, RuleSetError } from '../../src/rules/rule-set-errors';
import { defineRuleType } from '../../src/rules/rule-type';

/** Linear for RE2, yet about a second on 64 KiB of "a": 602 instructions live at every character. */
const SLOW = '(?:[a-z]|[a-y]){1,300}[0-9]';
const KIB_64 = 65_536;

/** A rule type that counts its runs, to show which rules ran. */
function countingType() {
  const runs = { count: 0 };
  const type = defineRuleType({
    placeholders: [],
    messages: { passed: 'Seen.', failed: 'Not seen.' },
    params: z.strictObject({}),
    measure() {
      runs.count += 1;
      return { passed: true, measured: 'seen' };
    },
  });
  return { runs, ruleTypes: new Map([['seen', type]]) };
}

/** "No word glued to a number", with a counting rule beside it. */
function gluedDigits(pattern = SLOW) {
  const { runs, ruleTypes } = countingType();
  const ruleSet = loadRuleSet(
    {
      id: 'no-glued-digits',
      version: 1,
      rule: {
        all: [
          { id: 'glued', type: 'mustNotMatch', params: { pattern } },
          { id: 'seen', type: 'seen' },
        ],
      },
    },
    { ruleTypes },
  );
  return { ruleSet, runs };
}

/** The rejection of `promise`, which must be a RuleCostError. */
async function costRefusal(promise: Promise<unknown>): Promise<RuleCostError> {
  const error = await promise.then(
    () => expect.unreachable('expected a RuleCostError'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RuleCostError);
  return error as RuleCostError;
}

/** Params that load, for every built-in rule type. */
const SAMPLE_PARAMS: Record<string, Record<string, unknown>> = {
  minLength: { min: 10 },
  maxLength: { max: 100 },
  requireDigit: {},
  mustMatch: { pattern: '\\b[A-Z]{3}-[0-9]+\\b' },
  mustNotMatch: { pattern: SLOW, flags: 'i' },
  bannedWords: { words: ['casino', 'free money'] },
  maxLinks: { max: 2 },
  maxLines: { max: 20 },
  jsonSchema: {
    schema: {
      definitions: { rating: { type: 'integer', minimum: 1, maximum: 5 } },
      type: 'object',
      properties: { title: { type: 'string', pattern: '^[A-Z]' }, rating: { $ref: '#/definitions/rating' } },
      required: ['title'],
    },
  },
  duplicate: { reuseVerdict: true },
};

describe('a rule set bounds what its rules may cost on a submission', () => {
  it('refuses 64 KiB of "a" for a slow pattern with a RuleCostError, running no rule, and still decides short content', async () => {
    // Prepare
    const { ruleSet, runs } = gluedDigits();

    // Act
    const refusal = await costRefusal(ruleSet.evaluate('a'.repeat(KIB_64)));
    const passing = await ruleSet.evaluate('Order 66 shipped today');
    const failing = await ruleSet.evaluate('code abc123');

    // Assess
    expect(refusal.what).toMatch(
      /^The rule set's checks could take longer than the 150 ms they may spend on one submission, on content of 65536 bytes, so they were not run\. This rule set checks content of up to \d+ bytes\.$/,
    );
    expect(refusal.what).not.toMatch(/instruction|unit|RE2|pattern/i);
    expect(runs.count).toBe(2);
    expect(passing).toMatchObject({ verdict: 'PASSED', rules: [{ rule: 'glued' }, { rule: 'seen' }] });
    expect(failing).toMatchObject({ verdict: 'FAILED', rules: [{ rule: 'glued', passed: false }, {}] });
  });

  it('checks content up to the length its message names, and refuses one byte more', async () => {
    // Prepare
    const { ruleSet } = gluedDigits();
    const { what } = await costRefusal(ruleSet.evaluate('a'.repeat(KIB_64)));
    const largest = Number(/up to (\d+) bytes/.exec(what)?.[1]);

    // Act
    const atLimit = await ruleSet.evaluate('a'.repeat(largest));
    const beyond = await costRefusal(ruleSet.evaluate('a'.repeat(largest + 1)));

    // Assess
    expect(largest).toBeGreaterThan(1000);
    expect(largest).toBeLessThan(KIB_64);
    expect(atLimit.verdict).toBe('PASSED');
    expect(beyond.what).toContain(`on content of ${largest + 1} bytes`);
  });

  it('counts content in bytes of UTF-8, as MAX_CONTENT_BYTES does', async () => {
    // Prepare
    const { ruleSet } = gluedDigits();
    const { what } = await costRefusal(ruleSet.evaluate('a'.repeat(KIB_64)));
    const largest = Number(/up to (\d+) bytes/.exec(what)?.[1]);
    // Fewer UTF-16 units than the limit, more bytes: é is 2 bytes.
    const accented = 'é'.repeat(Math.floor(largest / 2) + 1);

    // Act
    const refusal = await costRefusal(ruleSet.evaluate(accented));

    // Assess
    expect(accented.length).toBeLessThan(largest);
    expect(refusal.what).toContain(`on content of ${utf8Length(accented)} bytes`);
  });

  it('keeps the default rule set far within the bound on 64 KiB of its worst content', async () => {
    // Prepare
    const costs = ruleSetCosts(defaultRuleSet())!;

    // Act
    const digits = await defaultRuleSet().evaluate('0'.repeat(KIB_64));
    const emoji = await defaultRuleSet().evaluate('😀'.repeat(KIB_64 / 4));

    // Assess
    expect(totalUnits(costs, KIB_64)).toBeLessThan(RULE_SET_BOUND / 4);
    expect(digits.verdict).toBe('PASSED');
    expect(emoji.verdict).toBe('FAILED');
  });

  it('refuses at load a rule that would exceed the bound on a single byte', () => {
    // Prepare
    const hungry = defineRuleType({
      placeholders: [],
      messages: { passed: 'Fine.', failed: 'Not fine.' },
      params: z.strictObject({}),
      measure: () => ({ passed: true, measured: 'fine' }),
      cost: (): RuleCost => ({ perByte: RULE_SET_BOUND * 2, basis: 'a test of the limit' }),
    });
    const document = { id: 'hungry', version: 1, rule: { all: [{ id: 'eats', type: 'hungry' }] } };

    // Act
    const load = () => loadRuleSet(document, { ruleTypes: new Map([['hungry', hungry]]) });

    // Assess
    expect(load).toThrow(RuleSetError);
    expect(load).toThrow(
      'rule.all[0] (id "eats"): is too costly to run: on even one byte of content it could take longer than the 150 ms a rule set may spend on a submission (a test of the limit)',
    );
  });
});

describe('the cost model', () => {
  it('has a cost of its own for every built-in rule type', () => {
    // Act
    const costs = Object.fromEntries(
      [...BUILT_IN_RULE_TYPES.keys()].map((type) => [
        type,
        createRule({ id: 'r', type, params: SAMPLE_PARAMS[type] ?? {} }).cost,
      ]),
    );

    // Assess
    expect(Object.keys(SAMPLE_PARAMS).sort()).toEqual([...BUILT_IN_RULE_TYPES.keys()].sort());
    for (const [type, cost] of Object.entries(costs)) {
      expect(cost, type).not.toBe(UNMODELLED_COST);
      expect(Number.isFinite(unitsOf(cost, KIB_64)), type).toBe(true);
      expect(cost.basis, type).not.toBe('');
    }
    // Only the duplicate rule leaves the content alone.
    expect(Object.keys(costs).filter((type) => costs[type]!.perByte === 0)).toEqual(['duplicate']);
  });

  it('prices a pattern by its RE2 program: a larger program costs more per byte', () => {
    // Act
    const small = createRule({ id: 'r', type: 'mustMatch', params: { pattern: '[a-z]{1,10}[0-9]' } }).cost;
    const large = createRule({ id: 'r', type: 'mustMatch', params: { pattern: SLOW } }).cost;

    // Assess
    expect(small.basis).toMatch(/^an RE2 program of \d+ instructions$/);
    expect(large.perByte).toBeGreaterThan(20 * small.perByte);
  });

  it('prices banned phrases by their number and length, and single words by the content alone', () => {
    // Prepare
    const cost = (words: string[]) => createRule({ id: 'r', type: 'bannedWords', params: { words } }).cost;

    // Act
    const oneWord = cost(['spam']);
    const manyWords = cost(Array.from({ length: 1000 }, (_, index) => `spam${index}`));
    const onePhrase = cost(['free money']);
    const manyPhrases = cost(Array.from({ length: 100 }, (_, index) => `free money ${index}`));

    // Assess
    expect(manyWords.perByte).toBe(oneWord.perByte);
    expect(onePhrase.perByte).toBeGreaterThan(oneWord.perByte);
    expect(manyPhrases.perByte).toBeGreaterThan(onePhrase.perByte);
    expect(manyPhrases.basis).toBe('100 banned words, 100 of them phrases of 1290 characters');
  });

  it('expands a JSON Schema’s $refs, so that nested definitions cost per byte, not per byte squared', () => {
    // Prepare
    const schema = {
      definitions: {
        leaf: { type: 'string', maxLength: 1 },
        pair: { allOf: [{ $ref: '#/definitions/leaf' }, { $ref: '#/definitions/leaf' }] },
      },
      type: 'array',
      items: { $ref: '#/definitions/pair' },
    };

    // Act
    const rule = createRule({ id: 'r', type: 'jsonSchema', params: { schema } });
    const outcome = rule.check('[0,"ab","a"]');

    // Assess
    expect(rule.cost.perByteSquared).toBeUndefined();
    expect(rule.cost.basis).toMatch(/^a JSON Schema of \d+ nodes$/);
    expect(outcome).toMatchObject({
      passed: false,
      message: 'Content must be JSON matching the schema: /0 must be string.',
      measured: 'JSON, 4 schema errors',
    });
  });

  it.each([
    {
      name: 'refers to itself',
      schema: { type: 'array', items: { $ref: '#' } },
      reason: 'it refers to itself',
    },
    {
      name: 'has definitions that refer to each other',
      schema: {
        definitions: {
          a: { type: 'array', items: { $ref: '#/definitions/b' } },
          b: { type: 'array', items: { $ref: '#/definitions/a' } },
        },
        $ref: '#/definitions/a',
      },
      reason: 'it refers to itself ($ref "#/definitions/a")',
    },
  ])('refuses at load a JSON Schema that $name, whose cost has no bound', ({ schema, reason }) => {
    // Act
    const load = () => createRule({ id: 'tree', type: 'jsonSchema', params: { schema } });

    // Assess
    expect(load).toThrow(RuleSetError);
    expect(load).toThrow(`params.schema has $refs whose cost cannot be bounded: ${reason}`);
  });

  it('charges uniqueItems per byte squared unless its items are declared scalar', () => {
    // Act
    const pairwise = createRule({
      id: 'r',
      type: 'jsonSchema',
      params: { schema: { type: 'array', uniqueItems: true } },
    }).cost;
    const hashed = createRule({
      id: 'r',
      type: 'jsonSchema',
      params: { schema: { type: 'array', items: { type: 'integer' }, uniqueItems: true } },
    }).cost;

    // Assess
    expect(pairwise.perByteSquared).toBeGreaterThan(0);
    expect(hashed.perByteSquared).toBeUndefined();
  });

  it('is monotone in the length of the content', () => {
    const costs = [...BUILT_IN_RULE_TYPES.keys()].map(
      (type) => createRule({ id: 'r', type, params: SAMPLE_PARAMS[type] ?? {} }).cost,
    );
    const anyCost = fc.record(
      {
        perByte: fc.double({ min: 0, max: 1e6, noNaN: true }),
        perByteSquared: fc.double({ min: 0, max: 10, noNaN: true }),
        readsAtMost: fc.nat({ max: 1 << 20 }),
        basis: fc.constant('generated'),
      },
      { requiredKeys: ['perByte', 'basis'] },
    );

    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...costs), anyCost), { maxLength: 12 }),
        fc.nat({ max: 1 << 20 }),
        fc.nat({ max: 1 << 20 }),
        (chosen, first, second) => {
          const [shorter, longer] = first <= second ? [first, second] : [second, first];
          expect(totalUnits(chosen, shorter)).toBeLessThanOrEqual(totalUnits(chosen, longer));
        },
      ),
    );
  });

  it('decides any content the model allows, and refuses with a RuleCostError exactly what it does not', async () => {
    // Prepare: a limit of about 13 KiB, so that generated content falls on both sides of it.
    const { ruleSet } = gluedDigits('(?:[a-z]|[a-y]){1,100}[0-9]');
    const costs = ruleSetCosts(ruleSet)!;
    let [allowed, refused] = [0, 0];
    // Up to 8,000 repeats of a short run of 1- to 4-byte characters: up to 32 KiB.
    const content = fc
      .tuple(
        fc.array(fc.constantFrom('a', 'é', '€', '😀', ' ', '7'), { minLength: 1, maxLength: 8 }),
        fc.nat({ max: 8_000 }),
      )
      .map(([run, length]) => Array.from({ length }, (_, index) => run[index % run.length]).join(''));

    await fc.assert(
      fc.asyncProperty(content, async (text) => {
        // Act
        const outcome = await ruleSet.evaluate(text).then(
          (result) => result.verdict,
          (error: unknown) => error,
        );

        // Assess
        if (withinBound(costs, text)) {
          allowed += 1;
          expect(['PASSED', 'FAILED']).toContain(outcome);
        } else {
          refused += 1;
          expect(outcome).toBeInstanceOf(RuleCostError);
        }
      }),
      { numRuns: 40 },
    );
    // Both sides of the limit were tried.
    expect(allowed).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
