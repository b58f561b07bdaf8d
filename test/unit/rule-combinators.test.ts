import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultRuleSet } from '../../src/rules/default-rule-set';
import { loadRuleSet } from '../../src/rules/loader';

/** Rules whose verdict does not depend on the content: min 0 always passes, min huge never does. */
const ALWAYS = { type: 'minLength', params: { min: 0 } };
const NEVER = { type: 'minLength', params: { min: 1_000_000 } };

type Tree = boolean | { all: Tree[] } | { any: Tree[] };

/** The reference semantics: plain boolean logic. */
function reference(tree: Tree): boolean {
  if (typeof tree === 'boolean') return tree;
  return 'all' in tree ? tree.all.every(reference) : tree.any.some(reference);
}

function leaves(tree: Tree): boolean[] {
  if (typeof tree === 'boolean') return [tree];
  return ('all' in tree ? tree.all : tree.any).flatMap(leaves);
}

/** The tree as a rule set document, numbering the leaves in document order. */
function documentOf(tree: Tree) {
  let next = 0;
  const node = (subtree: Tree): unknown => {
    if (typeof subtree === 'boolean') return { id: `leaf${next++}`, ...(subtree ? ALWAYS : NEVER) };
    return 'all' in subtree ? { all: subtree.all.map(node) } : { any: subtree.any.map(node) };
  };
  return { id: 'tree', version: 1, rule: node(tree) };
}

const trees = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.boolean(),
    fc.record({ all: fc.array(tie('tree'), { minLength: 1, maxLength: 4 }) }),
    fc.record({ any: fc.array(tie('tree'), { minLength: 1, maxLength: 4 }) }),
  ),
})).tree;

describe('combinators', () => {
  it.each([
    { name: 'all of pass, pass', tree: { all: [true, true] }, verdict: 'PASSED' },
    { name: 'all of pass, fail', tree: { all: [true, false] }, verdict: 'FAILED' },
    { name: 'any of fail, pass', tree: { any: [false, true] }, verdict: 'PASSED' },
    { name: 'any of fail, fail', tree: { any: [false, false] }, verdict: 'FAILED' },
    {
      name: 'all of pass and any(fail, pass)',
      tree: { all: [true, { any: [false, true] }] },
      verdict: 'PASSED',
    },
    {
      name: 'any of fail and all(pass, fail)',
      tree: { any: [false, { all: [true, false] }] },
      verdict: 'FAILED',
    },
  ] satisfies { name: string; tree: Tree; verdict: string }[])(
    '$name → $verdict',
    async ({ tree, verdict }) => {
      // Act
      const result = await loadRuleSet(documentOf(tree)).evaluate('content');

      // Assess
      expect(result.verdict).toBe(verdict);
    },
  );

  it('write "length ≥ 10 and (a digit or a code pattern)" as an operator would', async () => {
    // Prepare
    const ruleSet = loadRuleSet({
      id: 'codes',
      version: 2,
      rule: {
        all: [
          { id: 'length', type: 'minLength', params: { min: 10 } },
          {
            any: [
              { id: 'digit', type: 'requireDigit' },
              { id: 'code', type: 'mustMatch', params: { pattern: '\\b[A-Z]{3}-[A-Z]{3}\\b' } },
            ],
          },
        ],
      },
    });

    // Act
    const results = await Promise.all(
      ['order ABC-XYZ', 'order number 7', 'order ABC-xyz', 'ABC-XYZ'].map((content) =>
        ruleSet.evaluate(content),
      ),
    );
    const verdicts = results.map((result) => result.verdict);

    // Assess
    expect(verdicts).toEqual(['PASSED', 'PASSED', 'FAILED', 'FAILED']);
  });

  it('obey boolean logic over random trees, running every rule in document order', async () => {
    await fc.assert(
      fc.asyncProperty(trees, async (tree) => {
        // Act
        const result = await loadRuleSet(documentOf(tree)).evaluate('content');

        // Assess
        expect(result.verdict).toBe(reference(tree) ? 'PASSED' : 'FAILED');
        expect(result.rules.map((outcome) => outcome.passed)).toEqual(leaves(tree));
        expect(result.rules.map((outcome) => outcome.rule)).toEqual(
          leaves(tree).map((_, index) => `leaf${index}`),
        );
      }),
    );
  });
});

describe('the default rule set', () => {
  it('agrees with the reference predicate on random Unicode strings', async () => {
    // Prepare
    const ruleSet = defaultRuleSet();
    const reference = (text: string) => Array.from(text).length >= 10 && /[0-9]/.test(text);
    const texts = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.string({ unit: fc.constantFrom('a', '1', '٣', '３', '😀', '\u0301', ' '), maxLength: 16 }),
    );

    // Act + Assess
    await fc.assert(
      fc.asyncProperty(texts, async (text) => {
        expect((await ruleSet.evaluate(text)).verdict).toBe(reference(text) ? 'PASSED' : 'FAILED');
      }),
      { numRuns: 1000 },
    );
  });
});
