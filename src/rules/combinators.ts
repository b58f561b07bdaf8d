import type { AsyncRule, DuplicatePolicy, EvaluationContext, Rule, RuleSet } from '../domain/rules';
import type { RuleOutcome } from '../domain/submission';
import { costOfRule, type RuleCost, tooCostlyMessage, utf8Length, withinBound } from './cost';
import { RuleCostError } from './rule-set-errors';
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

/** The rules' costs of each rule set built here, for `ruleSetCosts`. */
const costsByRuleSet = new WeakMap<RuleSet, readonly RuleCost[]>();

/**
 * The costs of a rule set's rules (src/rules/cost.ts): `totalUnits(ruleSetCosts(ruleSet), bytes)`
 * is what it predicts on content of `bytes` bytes. Undefined for a rule set not built
 * by `treeRuleSet` (`loadRuleSet`, `allOf`).
 */
export function ruleSetCosts(ruleSet: RuleSet): readonly RuleCost[] | undefined {
  return costsByRuleSet.get(ruleSet);
}

/**
 * A rule set over `tree`; with a version, every result records which rule set decided it.
 * Content its rules could spend more than the bound on (src/rules/cost.ts) is refused
 * before any rule runs, with a `RuleCostError`.
 */
export function treeRuleSet(id: string, version: number | undefined, tree: RuleTree): RuleSet {
  const duplicates = duplicatePolicyOf(tree);
  const costs = leavesOf(tree).map(costOfRule);
  const ruleSet: RuleSet = {
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
      // Content that is not text (a corrupt item) has no cost to model: its rules fail on it as before.
      if (typeof content === 'string' && !withinBound(costs, content)) {
        throw new RuleCostError(tooCostlyMessage(costs, utf8Length(content)));
      }
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
  costsByRuleSet.set(ruleSet, costs);
  return ruleSet;
}

/**
 * The `duplicate` rules of a tree, merged: absent without one; `reuseVerdict`
 * only if every one of them allows it (a rule set should hold at most one).
 */
function duplicatePolicyOf(tree: RuleTree): DuplicatePolicy | undefined {
  const policies = leavesOf(tree).flatMap((rule) =>
    'duplicate' in rule && rule.duplicate ? [rule.duplicate] : [],
  );
  if (policies.length === 0) return undefined;
  return { reuseVerdict: policies.every((policy) => policy.reuseVerdict) };
}

/** The rules of a tree, in document order. */
export function leavesOf(tree: RuleTree): (Rule | AsyncRule)[] {
  return 'rule' in tree ? [tree.rule] : ('all' in tree ? tree.all : tree.any).flatMap(leavesOf);
}

/** Every rule runs (so the result explains every failure); the verdict is PASSED only if all pass. */
export function allOf(id: string, rules: readonly (Rule | AsyncRule)[]): RuleSet {
  return treeRuleSet(id, undefined, { all: rules.map((rule) => ({ rule })) });
}
