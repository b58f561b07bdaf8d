/**
 * What the soak submits and the faults it schedules, shared by the soak (which
 * writes it) and its workers (which recognise the slow-rule marker and keep the
 * outage schedule).
 */
import type { RuleSet } from '../src/domain/rules';
import { ruleSetCosts } from '../src/rules/combinators';
import { largestWithin } from '../src/rules/cost';
import document from '../src/rules/default-rule-set.json';
import { loadRuleSet } from '../src/rules/loader';
import { RuleCostError } from '../src/rules/rule-set-errors';

let soakRules: RuleSet | undefined;

/**
 * The rule set the soak's workers decide with, and the soak checks verdicts against: the
 * default rules, and a costly pattern that never matches accepted content (it needs a
 * control character), so verdicts are the default's while long content costs more than a
 * rule set may spend (src/rules/cost.ts).
 */
export function soakRuleSet(): RuleSet {
  soakRules ??= loadRuleSet({
    ...document,
    id: 'soak',
    rule: {
      all: [
        ...document.rule.all,
        { id: 'costlyPattern', type: 'mustNotMatch', params: { pattern: '(?:[a-z]|[a-y]){1,300}\\x01' } },
      ],
    },
  });
  return soakRules;
}

/** What the soak's rule set should decide: its verdict, or RULES_TOO_COSTLY when it would not run. */
export async function expectedOutcome(content: string): Promise<'PASSED' | 'FAILED' | 'RULES_TOO_COSTLY'> {
  try {
    return (await soakRuleSet().evaluate(content)).verdict;
  } catch (error) {
    if (error instanceof RuleCostError) return 'RULES_TOO_COSTLY';
    throw error;
  }
}

/** The longest content, in bytes, the soak's rule set evaluates. */
function largestEvaluated(): number {
  return largestWithin(ruleSetCosts(soakRuleSet()) ?? []);
}

/** What the soak tells a running worker: when the shared outage schedule starts. */
export type SoakCommand = { type: 'outage-epoch'; epoch: number };

/**
 * The dependency outages every worker shares: `outageMs` at the start of each `everyMs`,
 * from `epoch` (none before it, nor while it is unknown).
 */
export function outageAt(now: number, epoch: number, everyMs: number, outageMs: number): boolean {
  return everyMs > 0 && outageMs > 0 && now >= epoch && (now - epoch) % everyMs < outageMs;
}

/** Content carrying this marker makes the soak worker's rule stall past its lease on the first attempt. */
export const SLOW_RULE_MARKER = '[slow-rule]';

/** One submission in 33 (~3 %) carries the slow-rule marker. */
const SLOW_EVERY = 33;
/** Two submissions in 50 are long: one just within the rule set's cost bound, one beyond it. */
const COSTLY_EVERY = 50;

export function isSlowRuleContent(content: string): boolean {
  return content.includes(SLOW_RULE_MARKER);
}

/** 0 → "a", 25 → "z", 26 → "ab": a unique word without digits. */
function letters(index: number): string {
  let word = '';
  let rest = index;
  do {
    word += String.fromCharCode(97 + (rest % 26));
    rest = Math.floor(rest / 26);
  } while (rest > 0);
  return word;
}

/**
 * The content of submission `index`: a deterministic mix of verdicts and the
 * rule's edge cases (9 and 10 code points, emoji counted once, non-ASCII digits,
 * tabs and newlines), with ~3 % slow-rule submissions.
 */
export function contentFor(index: number): string {
  // Slow rules: one in 50 is just within what the rule set may spend (its rules run for
  // tens of ms on the worker's event loop); one in 50 is beyond it, so none runs.
  if (index % COSTLY_EVERY === 10)
    return `near the rule set's bound ${index} `.padEnd(largestEvaluated(), 'a');
  if (index % COSTLY_EVERY === 35)
    return `beyond the rule set's bound ${index} `.padEnd(largestEvaluated() + 1, 'a');
  if (index % SLOW_EVERY === SLOW_EVERY - 1)
    return `${SLOW_RULE_MARKER} submission ${index} outlives its lease`;
  const digit = String(index % 10);
  switch (index % 8) {
    case 0:
      return `soak submission ${index}\nsecond line\twith a tab`;
    case 1:
      return letters(index).slice(0, 9);
    case 2:
      return `no digits here, only ${letters(index)}`;
    case 3:
      return `${digit}${letters(index)}`.padEnd(9, 'x').slice(0, 9);
    case 4:
      return `${digit}${letters(index)}`.padEnd(10, 'x').slice(0, 10);
    case 5:
      return `${'🙂'.repeat(8)}${digit}`;
    case 6:
      return `🙂 emoji and ${index}`;
    default:
      return `arabic-indic digits ١٢٣ ${letters(index)}`;
  }
}
