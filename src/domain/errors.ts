import type { Submission } from './submission';

/** Base of every error the domain raises on purpose; anything else is a bug or an outage. */
export class SubmissionError extends Error {
  override name = 'SubmissionError';
}

/** A pagination cursor that this service did not issue, or that was altered. */
export class InvalidCursorError extends SubmissionError {
  override name = 'InvalidCursorError';
  constructor() {
    super('The cursor is not valid; start again without it.');
  }
}

/**
 * A batch of which only some items could be stored (DynamoDB kept refusing the rest):
 * the stored ones are accepted (and enqueued), the others must be sent again.
 */
export class BatchPartlyStoredError extends SubmissionError {
  override name = 'BatchPartlyStoredError';
  constructor(
    readonly stored: readonly { index: number; submission: Submission }[],
    readonly notStored: readonly number[],
  ) {
    super(`${notStored.length} of ${stored.length + notStored.length} items were not stored.`);
  }
}

/** An Idempotency-Key reused with a different request body. */
export class IdempotencyConflictError extends SubmissionError {
  override name = 'IdempotencyConflictError';
  constructor() {
    super('This Idempotency-Key was already used with a different body; use a new key for a new submission.');
  }
}
