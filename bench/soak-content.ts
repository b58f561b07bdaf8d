/**
 * What the soak submits and the faults it schedules, shared by the soak (which
 * writes it) and its workers (which recognise the slow-rule marker and keep the
 * outage schedule).
 */
import type { RuleSet } from '../src/domain/rules';
import { defaultRuleSet } from '../src/rules/default-rule-set';

/** The rule set the soak's workers decide with, and the soak checks verdicts against. */
export function soakRuleSet(): RuleSet {
  return defaultRuleSet();
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
