import type { HistoryEntry, Interruption } from '../domain/history';
import type { EarlierDecision } from '../domain/rules';
import type {
  ProcessingError,
  Submission,
  SubmissionStatus,
  TerminalStatus,
  ValidationResult,
} from '../domain/submission';

/**
 * A submission as the store holds it: what the API shows, plus what only
 * operators read. Never in an HTTP response (see `http/response.ts`).
 */
export interface StoredSubmission extends Submission {
  /** Every transition, oldest first (see `HistoryEvent` for what is recorded and why it is bounded). */
  history: HistoryEntry[];
  /** How often the reaper re-enqueued it as an orphan (counted, not in history: it may repeat). */
  orphanRequeues?: number;
  /** Epoch seconds after which DynamoDB's TTL may delete it; set by the decision only. */
  expiresAt?: number;
  /**
   * Its content, kept apart, expired before a decision (it is kept twice RETENTION_DAYS):
   * `content` is then empty. Only a submission left undecided that long.
   */
  contentExpired?: true;
}

/** A submission without its content: what a status poll reads (one small item, whatever the content's size). */
export type SubmissionWithoutContent = Omit<StoredSubmission, 'content'>;

export interface NewSubmission {
  id: string;
  owner: string;
  content: string;
  createdAt: string;
}

export interface ClaimRequest {
  id: string;
  leaseToken: string;
  now: string;
  leaseExpiresAt: string;
}

/** Why a claim was refused: someone else holds a live lease, the decision is made, or there is no such submission. */
export type ClaimRefusal = 'leased' | 'terminal' | 'missing';

export type ClaimOutcome =
  | { claimed: true; submission: Submission & Pick<StoredSubmission, 'contentExpired'> }
  | { claimed: false; reason: ClaimRefusal }
  /** PENDING, but released with a retry time (`notBefore`) still to come: try again then. */
  | { claimed: false; reason: 'early'; notBefore: string };

/** A verdict on the content, or FAILED because it could not be processed. */
export type Decision =
  | { status: TerminalStatus; result: ValidationResult }
  | { status: 'FAILED'; error: ProcessingError };

export interface CompleteRequest {
  id: string;
  leaseToken: string;
  now: string;
  decision: Decision;
  /** Epoch seconds: the decision time plus the retention (RETENTION_DAYS); the table's TTL attribute. */
  expiresAt: number;
  /**
   * Set when the worker's rule set has a `duplicate` rule: the decision is then indexed under
   * this hash (see `contentHashOf`), so later identical submissions find it.
   */
  contentHash?: string;
}

export type ReleaseRequest = {
  id: string;
  leaseToken: string;
  now: string;
  /** No claim may take the submission before this time (the retry back-off); absent: at once. */
  notBefore?: string;
  /** When the reaper should look at the released submission if no redelivery claims it. */
  reapAt: string;
} & (
  | /** A processing error: the attempt is spent, and the error noted (`lastError`). */ {
      error: ProcessingError;
    }
  | /** The worker was stopped: counted in `interruptions`, the attempt is not spent. */ {
      interrupted: Interruption;
    }
);

export interface RequeueRequest {
  id: string;
  now: string;
  /** When the reaper should look at it again if the new message is lost too. */
  reapAt: string;
}

/**
 * An operator's requeue: a PENDING submission stays PENDING (its new message is
 * the caller's to send); a PROCESSING one whose lease expired is reset to
 * PENDING. A live lease, a decision or a missing item refuse it, changing nothing.
 */
export type RequeueOutcome =
  | { requeued: true; from: 'PENDING' | 'PROCESSING' }
  | { requeued: false; reason: ClaimRefusal };

/** `false` means the caller no longer holds the lease: its write was refused. */
export type FencedOutcome = { written: true; status: SubmissionStatus } | { written: false };

/** A non-terminal submission the reaper may have to act on (from the sparse index). */
export interface ActiveSubmission {
  id: string;
  status: Extract<SubmissionStatus, 'PENDING' | 'PROCESSING'>;
  reapAt: string;
  processingStartedAt?: string;
  /** While PROCESSING: when the lease runs out. */
  leaseExpiresAt?: string;
  /** The last transition; for a PENDING item, when it became PENDING. */
  updatedAt: string;
}

/**
 * A reserved Idempotency-Key: which submission a retry of the same request gets.
 * Stored under a hash of owner and key, never the key itself.
 */
export interface IdempotencyRecord {
  keyHash: string;
  submissionId: string;
  /** Hash of the request body; the same key with another body is refused. */
  requestHash: string;
  /** The submission's createdAt, so every retry creates the identical item. */
  createdAt: string;
  /** Epoch seconds; after it the key may be used again (also the table's TTL attribute). */
  expiresAt: number;
}

/** What a listing shows of each submission: no content, none of the lease's internals. */
export const LISTED_ATTRIBUTES = [
  'id',
  'owner',
  'createdAt',
  'status',
  'attempts',
  'updatedAt',
  'processingStartedAt',
  'completedAt',
  'result',
  'error',
] as const satisfies readonly (keyof Submission)[];

export interface SubmissionPage {
  items: Submission[];
  /** Opaque to callers; undefined on the last page. */
  nextCursor?: string;
}

/**
 * The persistence port. Every method that changes a submission is ONE conditional
 * write; a refused condition is reported as an outcome, any other failure is thrown.
 */
export interface SubmissionStore {
  /** create: only if no submission with this id exists. Returns false if one does. */
  create(submission: NewSubmission, reapAt: string): Promise<boolean>;
  /** The whole submission, content included (a second read when the content is stored apart). */
  get(id: string): Promise<StoredSubmission | undefined>;
  /** The submission without its content: one small read, the same at every content size. */
  getWithoutContent(id: string): Promise<SubmissionWithoutContent | undefined>;
  /**
   * claim: PENDING whose `notBefore` (if any) has come, or PROCESSING with an expired lease.
   * Fresh token, attempts + 1, `notBefore` removed.
   */
  claim(request: ClaimRequest): Promise<ClaimOutcome>;
  /** complete: PROCESSING and the lease token is ours. Terminal afterwards. */
  complete(request: CompleteRequest): Promise<FencedOutcome>;
  /**
   * release: PROCESSING and the lease token is ours. Back to PENDING, not claimable before
   * `notBefore`; an interrupted release adds one to `interruptions` instead of noting an error.
   */
  release(request: ReleaseRequest): Promise<FencedOutcome>;
  /**
   * reset: PROCESSING and started before `startedBefore`. Back to PENDING, marked as
   * rescued `by` the reaper run: a retry of this write whose response was lost finds
   * the mark and is told it landed.
   */
  resetStuck(id: string, startedBefore: string, now: string, reapAt: string, by: string): Promise<boolean>;
  /**
   * requeue (operator): PENDING, or PROCESSING with an expired lease (then reset
   * to PENDING). Recorded in the history; the caller enqueues afterwards.
   */
  requeue(request: RequeueRequest): Promise<RequeueOutcome>;
  /**
   * Pushes an orphaned PENDING submission's reap time forward, if nobody else did; counts
   * it, and marks it rescued `by` the reaper run (a retry after a lost response finds it).
   */
  deferOrphan(id: string, seenReapAt: string, reapAt: string, by: string): Promise<boolean>;
  /**
   * Makes a PENDING submission whose reap time is still `seenReapAt` due at `now`: the
   * reaper's rescue wrote that reap time but could not enqueue it, so the next run retries.
   */
  dueAgain(id: string, seenReapAt: string, now: string): Promise<boolean>;
  /** Non-terminal submissions whose reap time is at or before `now`, from the sparse index. */
  listDue(now: string): AsyncIterable<ActiveSubmission>;
  /** An owner's submissions, newest first; `status` filters (pages may then be short). */
  listByOwner(
    owner: string,
    limit: number,
    cursor?: string,
    status?: SubmissionStatus,
  ): Promise<SubmissionPage>;
  /** Stores fresh PENDING submissions together (batch submit). Ids are new UUIDs. */
  createMany(submissions: NewSubmission[], reapAt: string): Promise<string[]>;
  /**
   * Reserves an idempotency key: stores `record` if the key is free or expired
   * (one conditional write) and returns it; otherwise returns the live record.
   */
  reserveIdempotencyKey(record: IdempotencyRecord, nowEpochSeconds: number): Promise<IdempotencyRecord>;
  /**
   * The latest submission with this content hash (see `contentHashOf`) created strictly
   * before `before` that was decided with a `result` while the rule set had a `duplicate`
   * rule (`CompleteRequest.contentHash`) — a processing error is no decision. From the
   * `ByContent` index, so eventually consistent.
   */
  findEarlierDecision(contentHash: string, before: string): Promise<EarlierDecision | undefined>;
}
