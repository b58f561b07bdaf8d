import type { RuleOutcome, ValidationResult } from './submission';

/** A single check on the content. Throwing means "could not decide", never "rejected". */
export interface Rule {
  readonly id: string;
  check(content: string): RuleOutcome;
}

/**
 * A check that calls out (a moderation API, a virus scan). Rejecting — on an
 * error, its timeout or `signal` — means "could not decide", never "rejected".
 */
export interface AsyncRule {
  readonly id: string;
  readonly async: true;
  check(content: string, signal: AbortSignal): Promise<RuleOutcome>;
}

/** The port the processor evaluates content with; `src/rules/` builds them from JSON documents. */
export interface RuleSet {
  readonly id: string;
  /** The document's version, recorded in every result; absent for rule sets built in code. */
  readonly version?: number;
  /**
   * Rejects when a rule could not decide (an async rule failed, timed out or was
   * aborted by `signal`): a processing error, never a verdict.
   */
  evaluate(content: string, signal?: AbortSignal): Promise<ValidationResult>;
}

export { minLength, requireDigit } from '../rules/builders';
export { allOf } from '../rules/combinators';
export { defaultRuleSet } from '../rules/default-rule-set';
export { createRule } from '../rules/loader';
export { codePointLength } from '../rules/text';
