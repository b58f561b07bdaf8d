import type { AsyncRule, DuplicatePolicy, EvaluationContext, Rule, RuleSet } from '../domain/rules';
import type { RuleOutcome } from '../domain/submission';
import { reusedResult } from './types/duplicate';

/** A compiled rule set: rules at the leaves, `all` / `any` above them. */
export type RuleTree =
  | { readonly rule: Rule | AsyncRule }
  | { readonly all: readonly RuleTree[] }
  | { readonly any: readonly RuleTree[] };

interface TreeOutcome {
  passed: boolean;
  /** Every leaf's outcome, in document order. */
  outcomes: RuleOutcome[];
}

/**
 * Whether `content` passes `tree`: `all` passes iff every child passes, `any`
 * iff at least one does. Every rule runs, never short-circuited (async rules
 * concurrently), and outcomes keep document order, so the result explains every rule.
 * Rejects as soon as a rule cannot decide.
 */
export async function evaluateTree(
  tree: RuleTree,
  content: string,
  signal: AbortSignal,
  context: EvaluationContext = {},
): Promise<TreeOutcome> {
  if ('rule' in tree) {
    const { rule } = tree;
    const outcome = 'async' in rule ? await rule.check(content, signal) : rule.check(content, context);
    return { passed: outcome.passed, outcomes: [outcome] };
  }
  const children = await Promise.all(
    ('all' in tree ? tree.all : tree.any).map((child) => evaluateTree(child, content, signal, context)),
  );
  const passed =
    'all' in tree ? children.every((child) => child.passed) : children.some((child) => child.passed);
  return { passed, outcomes: children.flatMap((child) => child.outcomes) };
}

/** A rule set over `tree`; with a version, every result records which rule set decided it. */
export function treeRuleSet(id: string, version: number | undefined, tree: RuleTree): RuleSet {
  const duplicates = duplicatePolicyOf(tree);
  return {
    id,
    ...(version === undefined ? {} : { version }),
    ...(duplicates === undefined ? {} : { duplicates }),
    // Only a versioned rule set can tell that an earlier result was its own.
    ...(duplicates?.reuseVerdict && version !== undefined
      ? {
          reusedVerdict: (earlier) => {
            const decidedBy = earlier.result.ruleSet;
            return decidedBy?.id === id && decidedBy.version === version ? reusedResult(earlier) : undefined;
          },
        }
      : {}),
    async evaluate(content, signal, context) {
      // One rule failing aborts the others still calling out: the result is discarded anyway.
      const evaluation = new AbortController();
      const scope = signal === undefined ? evaluation.signal : AbortSignal.any([signal, evaluation.signal]);
      try {
        const { passed, outcomes } = await evaluateTree(tree, content, scope, context);
        return {
          verdict: passed ? 'PASSED' : 'FAILED',
          ...(version === undefined ? {} : { ruleSet: { id, version } }),
          rules: outcomes,
        };
      } finally {
        evaluation.abort();
      }
    },
  };
}

/**
 * The `duplicate` rules of a tree, merged: absent without one; `reuseVerdict`
 * only if every one of them allows it (a rule set should hold at most one).
 */
function duplicatePolicyOf(tree: RuleTree): DuplicatePolicy | undefined {
  const leaves = (node: RuleTree): (Rule | AsyncRule)[] =>
    'rule' in node ? [node.rule] : ('all' in node ? node.all : node.any).flatMap(leaves);
  const policies = leaves(tree).flatMap((rule) =>
    'duplicate' in rule && rule.duplicate ? [rule.duplicate] : [],
  );
  if (policies.length === 0) return undefined;
  return { reuseVerdict: policies.every((policy) => policy.reuseVerdict) };
}

/** Every rule runs (so the result explains every failure); the verdict is PASSED only if all pass. */
export function allOf(id: string, rules: readonly (Rule | AsyncRule)[]): RuleSet {
  return treeRuleSet(id, undefined, { all: rules.map((rule) => ({ rule })) });
}
