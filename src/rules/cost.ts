import type { AsyncRule, Rule } from '../domain/rules';

/**
 * What a rule set may cost: a deterministic model of the CPU its synchronous rules can
 * spend on one submission, computed when the rule set is loaded and checked before each
 * evaluation (see `treeRuleSet` in combinators.ts). Rules run on the worker's event loop,
 * where nothing can interrupt them, so the check comes first: content the model says could
 * take longer than `RULE_SET_BUDGET_MS` is not evaluated at all, and the submission fails
 * with `RuleCostError` (the processor records `RULES_TOO_COSTLY`, without retrying).
 *
 * The unit of cost is one step of one re2js thread over one character: the work RE2's
 * NFA does, at worst, per instruction of a pattern's program per character of content.
 * Every rule type states its worst case in these units per byte of UTF-8 content (see
 * each type in ./types/): a pattern by its program's size, banned words by their number
 * and length, and so on. A character is at least one byte, so a cost per byte bounds the
 * work per character too, and a rule set within its bound on `MAX_CONTENT_BYTES` of content
 * is within it on any content the API accepts.
 *
 * `COST_UNIT_NS` turns units into time. It is measured, with worst-case inputs for every
 * rule type, by `npm run bench:rule-cost`,
 * which prints each case's predicted and measured time; re-run it when re2js, Ajv or Node
 * change, or to calibrate on other hardware, and keep `COST_UNIT_NS` at or above the
 * largest measured ns per unit it reports.
 */

/**
 * Nanoseconds of CPU one cost unit may take. Measured by bench/rule-cost.ts on the
 * reference machine (2 vCPU AMD EPYC, Node 24.21, re2js 2.10.0, Ajv 8.20.0): at most 29.7 ns
 * a unit over its worst-case patterns (`(?:[a-z]|[a-y]){1,300}[0-9]` under `i`, run first in
 * a fresh thread; 12–20 ns once warm; 28–30 ns over repeated runs), so 50 leaves room for a
 * slower or busier machine.
 */
export const COST_UNIT_NS = 50;

/**
 * The most a rule set may spend on one submission. Rules block the worker's event loop,
 * deadline timer included, for as long as they run, so it is kept far below the worker's
 * safety margin (WORKER_SAFETY_MARGIN_MS, 2000 ms by default): even all ten records of a
 * batch (WORKER_CONCURRENCY) evaluated back to back stay below it.
 */
export const RULE_SET_BUDGET_MS = 150;

/** `RULE_SET_BUDGET_MS` in cost units: the bound a rule set's cost on a submission must stay within. */
export const RULE_SET_BOUND = (RULE_SET_BUDGET_MS * 1_000_000) / COST_UNIT_NS;

/**
 * Time every evaluation is charged besides its rules' per-byte work: the first one in a new
 * worker compiles the engines' code as it goes (up to 8 ms of CPU measured by
 * bench/rule-cost.ts on 1 KiB), where later ones spend well under a millisecond on what does
 * not grow with the content.
 */
export const FIXED_MS = 10;
const FIXED_UNITS = (FIXED_MS * 1_000_000) / COST_UNIT_NS;

/** A compiled rule's worst case, in cost units, as a function of the content's length in bytes of UTF-8. */
export interface RuleCost {
  /** Units per byte. */
  readonly perByte: number;
  /** Units per byte squared: for work that can grow with the square of the content (jsonSchema's `uniqueItems`). */
  readonly perByteSquared?: number;
  /** Bytes beyond which the rule reads no further (a pattern looks at the first 64 KiB only). */
  readonly readsAtMost?: number;
  /** What the figure is derived from, for a person, e.g. "an RE2 program of 602 instructions". */
  readonly basis: string;
}

/** A rule that does no work on the content (e.g. `duplicate`, or an async rule, which waits rather than computes). */
export const NO_COST: RuleCost = { perByte: 0, basis: 'no work on the content' };

/**
 * A synchronous rule type defined without a `cost` (a plug-in's own): assumed to read the
 * content once, cheaply. Every built-in type states its own.
 */
export const UNMODELLED_COST: RuleCost = {
  perByte: 1,
  basis: 'not modelled by its rule type: assumed one pass over the content',
};

/** The units `cost` predicts on content of `bytes` bytes; monotone in `bytes`. */
export function unitsOf(cost: RuleCost, bytes: number): number {
  const read = Math.min(bytes, cost.readsAtMost ?? bytes);
  return cost.perByte * read + (cost.perByteSquared ?? 0) * read * read;
}

/**
 * The units a rule set predicts on content of `bytes` bytes: `FIXED_MS`, and every rule's
 * cost, since every rule runs, never short-circuited. Monotone in `bytes`.
 */
export function totalUnits(costs: readonly RuleCost[], bytes: number): number {
  let total = FIXED_UNITS;
  for (const cost of costs) total += unitsOf(cost, bytes);
  return total;
}

/** Milliseconds `units` may take on the reference machine. */
export function millisecondsOf(units: number): number {
  return (units * COST_UNIT_NS) / 1_000_000;
}

/** Length in bytes of UTF-8, without encoding (a lone surrogate counts as the 3 bytes of U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit < 0x80) continue;
    if (unit < 0x800) bytes += 1;
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(index + 1))) {
      bytes += 2; // 2 units, 4 bytes
      index += 1;
    } else bytes += 2;
  }
  return bytes;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * Per instruction per character, an RE2 step over a program of one instruction; the
 * steps' own overhead (reading the input, swapping queues) adds `REGEX_STEP_UNITS`.
 */
const REGEX_STEP_UNITS = 3;

/**
 * A compiled re2js pattern run over the content: at worst every instruction of its
 * program is a live thread at every character (the NFA's bound, and the backtracker's,
 * which visits each instruction at each position at most once).
 */
export function patternCost(programSize: number, readsAtMost?: number): RuleCost {
  return {
    perByte: programSize + REGEX_STEP_UNITS,
    ...(readsAtMost === undefined ? {} : { readsAtMost }),
    basis: `an RE2 program of ${programSize} instructions`,
  };
}

/**
 * Cost units for work measured in nanoseconds (a rule type's own worst case per byte,
 * from bench/rule-cost.ts), so that every rule's cost adds up in one unit.
 */
export function unitsFromNs(nanoseconds: number): number {
  return nanoseconds / COST_UNIT_NS;
}

/** A rule that passes over the content a fixed number of times: at most `nsPerByte` a byte. */
export function linearCost(nsPerByte: number, basis: string): RuleCost {
  return { perByte: unitsFromNs(nsPerByte), basis };
}

/**
 * The largest content, in bytes, the costs allow within the bound (found by bisection:
 * `totalUnits` is monotone); 0 when even one byte is too much.
 */
export function largestWithin(costs: readonly RuleCost[], bound = RULE_SET_BOUND, limit = 1 << 30): number {
  if (totalUnits(costs, limit) <= bound) return limit;
  let low = 0;
  let high = limit;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (totalUnits(costs, middle) <= bound) low = middle;
    else high = middle;
  }
  return low;
}

/** A rule compiled from a rule type, with the most it may spend on content. */
export type CostedRule = Rule & { readonly cost: RuleCost };

/** A rule's cost: its own when it has one, none for an async rule (it waits rather than computes). */
export function costOfRule(rule: Rule | AsyncRule): RuleCost {
  if ('async' in rule) return NO_COST;
  return 'cost' in rule ? (rule as CostedRule).cost : UNMODELLED_COST;
}

/**
 * Whether the costs stay within the bound on `content`. Its length in bytes is counted only
 * when it matters: a UTF-16 unit is 1 to 3 bytes of UTF-8.
 */
export function withinBound(costs: readonly RuleCost[], content: string, bound = RULE_SET_BOUND): boolean {
  if (totalUnits(costs, 3 * content.length) <= bound) return true;
  if (totalUnits(costs, content.length) > bound) return false;
  return totalUnits(costs, utf8Length(content)) <= bound;
}

/** What a person is told when a rule set does not run on content of `bytes` bytes: true, and in our words. */
export function tooCostlyMessage(costs: readonly RuleCost[], bytes: number): string {
  const largest = largestWithin(costs);
  return (
    `The rule set's checks could take longer than the ${RULE_SET_BUDGET_MS} ms they may spend on one ` +
    `submission, on content of ${bytes} bytes, so they were not run. ` +
    (largest === 0
      ? 'This rule set cannot check any content.'
      : `This rule set checks content of up to ${largest} bytes.`)
  );
}
