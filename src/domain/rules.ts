import type { RuleOutcome, ValidationResult } from './submission';

/** The latest earlier decided submission of the same owner with identical content. */
export interface EarlierDecision {
  id: string;
  result: ValidationResult;
}

/**
 * What the processor knows about a submission beyond its content, for rules that
 * need it (the `duplicate` rule). Rules that look only at the content ignore it.
 */
export interface EvaluationContext {
  /** Looked up only when the rule set has a `duplicate` rule (see `RuleSet.duplicates`). */
  earlier?: EarlierDecision;
}

/** What a rule set's `duplicate` rule allows: reusing the earlier verdict instead of evaluating. */
export interface DuplicatePolicy {
  readonly reuseVerdict: boolean;
}

/** A single check on the content. Throwing means "could not decide", never "rejected". */
export interface Rule {
  readonly id: string;
  /** Set on a `duplicate` rule: the rule set then needs the earlier decision in its context. */
  readonly duplicate?: DuplicatePolicy;
  check(content: string, context?: EvaluationContext): RuleOutcome;
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
   * Present when the rule set has a `duplicate` rule: the processor then looks up
   * the earlier decision (passed in `context`), and with `reuseVerdict` completes a
   * resubmission with a copy of it (see `reusedVerdict`) when it was decided by this
   * same id and version.
   */
  readonly duplicates?: DuplicatePolicy;
  /**
   * The verdict to complete a resubmission with instead of evaluating: a copy of
   * `earlier`'s result, marked `reusedFrom`, when `duplicates.reuseVerdict` allows it
   * and `earlier` was decided by this same id and version; undefined to evaluate.
   * Absent on rule sets that never reuse a verdict.
   */
  reusedVerdict?(earlier: EarlierDecision): ValidationResult | undefined;
  /**
   * Rejects when a rule could not decide (an async rule failed, timed out or was
   * aborted by `signal`): a processing error, never a verdict.
   */
  evaluate(content: string, signal?: AbortSignal, context?: EvaluationContext): Promise<ValidationResult>;
}
