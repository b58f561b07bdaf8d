/** A rule set document that cannot be used; the message names every bad rule by path and id. */
export class RuleSetError extends Error {
  override name = 'RuleSetError';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid rule set: ${problems.join('; ')}`);
  }
}
