import type { Rule, RuleSet } from '../domain/rules';
import type { RuleOutcome } from '../domain/submission';

/** A compiled rule set: rules at the leaves, `all` / `any` above them. */
export type RuleTree =
  | { readonly rule: Rule }
  | { readonly all: readonly RuleTree[] }
  | { readonly any: readonly RuleTree[] };

/**
 * Whether `content` passes `tree`: `all` passes iff every child passes, `any`
 * iff at least one does. Every rule runs, never short-circuited, and appends its
 * outcome in document order, so the result explains every rule.
 */
export function evaluateTree(tree: RuleTree, content: string, outcomes: RuleOutcome[]): boolean {
  if ('rule' in tree) {
    const outcome = tree.rule.check(content);
    outcomes.push(outcome);
    return outcome.passed;
  }
  if ('all' in tree) return tree.all.map((child) => evaluateTree(child, content, outcomes)).every(Boolean);
  return tree.any.map((child) => evaluateTree(child, content, outcomes)).some(Boolean);
}

/** A rule set over `tree`; with a version, every result records which rule set decided it. */
export function treeRuleSet(id: string, version: number | undefined, tree: RuleTree): RuleSet {
  return {
    id,
    ...(version === undefined ? {} : { version }),
    evaluate(content) {
      const rules: RuleOutcome[] = [];
      const passed = evaluateTree(tree, content, rules);
      return {
        verdict: passed ? 'PASSED' : 'FAILED',
        ...(version === undefined ? {} : { ruleSet: { id, version } }),
        rules,
      };
    },
  };
}

/** Every rule runs (so the result explains every failure); the verdict is PASSED only if all pass. */
export function allOf(id: string, rules: readonly Rule[]): RuleSet {
  return treeRuleSet(id, undefined, { all: rules.map((rule) => ({ rule })) });
}
