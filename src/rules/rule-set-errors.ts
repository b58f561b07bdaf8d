/** A rule set document that cannot be used; the message names every bad rule by path and id. */
export class RuleSetError extends Error {
  override name = 'RuleSetError';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid rule set: ${problems.join('; ')}`);
  }
}

/** A rule could not decide (an async rule failed, timed out or was aborted): a processing error. */
export class RuleCheckError extends Error {
  override name = 'RuleCheckError';

  constructor(
    readonly rule: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`Rule ${JSON.stringify(rule)} ${message}`, options);
  }
}
