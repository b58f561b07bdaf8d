/** A rule set document that cannot be used; the message names every bad rule by path and id. */
export class RuleSetError extends Error {
  override name = 'RuleSetError';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid rule set: ${problems.join('; ')}`);
  }
}

/**
 * A rule could not decide (an async rule failed, timed out or was aborted): a processing
 * error. `what` happened is in our words and may be shown to users; the message adds the
 * cause's own text (`detail`), which is for the logs only.
 */
export class RuleCheckError extends Error {
  override name = 'RuleCheckError';

  constructor(
    readonly rule: string,
    readonly what: string,
    options?: ErrorOptions,
    detail?: string,
  ) {
    super(`Rule ${JSON.stringify(rule)} ${what}${detail === undefined ? '' : `: ${detail}`}`, options);
  }
}

/**
 * The rule set would spend more than its bound on this content (see src/rules/cost.ts):
 * not run, and the submission fails at once, since another attempt would cost the same.
 * `what` is in our words and may be shown to users.
 */
export class RuleCostError extends Error {
  override name = 'RuleCostError';

  constructor(readonly what: string) {
    super(what);
  }
}
