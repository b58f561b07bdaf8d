import { isDeepStrictEqual } from 'node:util';
import type { EarlierDecision } from '../../src/domain/rules';
import { isTerminal, type Submission } from '../../src/domain/submission';
import type {
  ActiveSubmission,
  ClaimOutcome,
  ClaimRequest,
  CompleteRequest,
  FencedOutcome,
  IdempotencyRecord,
  NewSubmission,
  ReleaseRequest,
  RequeueOutcome,
  RequeueRequest,
  StoredSubmission,
  SubmissionPage,
  SubmissionStore,
  SubmissionWithoutContent,
} from '../../src/ports/submission-store';

/** What a terminal write fixes for good (invariant 2). */
type Decision = Pick<Submission, 'status' | 'completedAt' | 'decidedBy' | 'result' | 'error'>;

const decisionOf = ({ status, completedAt, decidedBy, result, error }: Submission): Decision => ({
  status,
  completedAt,
  decidedBy,
  result,
  error,
});

/** One write the store accepted or refused, with the item as the write found and left it. */
export interface StoreEvent {
  operation:
    | 'create'
    | 'claim'
    | 'complete'
    | 'release'
    | 'resetStuck'
    | 'requeue'
    | 'deferOrphan'
    | 'dueAgain';
  id: string;
  leaseToken?: string;
  before: Submission | undefined;
  after: Submission | undefined;
  /** The write changed the item. */
  changed: boolean;
  /** The store reported success (true, `claimed` or `written`). */
  accepted: boolean;
}

/**
 * The store under test, wrapped with the checks of invariants 2 (decided once) and
 * 3 (fenced). Calls are serialised and each one reads the item right before and
 * right after delegating, so a check sees exactly the state the write saw (the
 * inner store's methods are atomic; serialising also keeps a multi-step test
 * double atomic). Violations are collected rather than thrown, so the code under
 * test runs exactly as it would without the checks.
 */
export class CheckedSubmissionStore implements SubmissionStore {
  readonly violations: string[] = [];
  readonly events: StoreEvent[] = [];
  readonly #inner: SubmissionStore;
  readonly #decisions = new Map<string, Decision>();
  #tail: Promise<unknown> = Promise.resolve();

  constructor(inner: SubmissionStore) {
    this.#inner = inner;
  }

  /** Accepted complete() calls that moved the item to a terminal status: the decisions made. */
  get terminalWrites(): StoreEvent[] {
    return this.events.filter(
      (event) =>
        event.operation === 'complete' && event.accepted && event.changed && isTerminal(event.after!.status),
    );
  }

  create(submission: NewSubmission, reapAt: string): Promise<boolean> {
    return this.#write(
      'create',
      submission.id,
      undefined,
      () => this.#inner.create(submission, reapAt),
      Boolean,
    );
  }

  get(id: string): Promise<StoredSubmission | undefined> {
    return this.#serialised(() => this.#inner.get(id));
  }

  getWithoutContent(id: string): Promise<SubmissionWithoutContent | undefined> {
    return this.#serialised(() => this.#inner.getWithoutContent(id));
  }

  claim(request: ClaimRequest): Promise<ClaimOutcome> {
    return this.#write(
      'claim',
      request.id,
      request.leaseToken,
      () => this.#inner.claim(request),
      (outcome) => outcome.claimed,
    );
  }

  complete(request: CompleteRequest): Promise<FencedOutcome> {
    return this.#write(
      'complete',
      request.id,
      request.leaseToken,
      () => this.#inner.complete(request),
      (outcome) => outcome.written,
    );
  }

  release(request: ReleaseRequest): Promise<FencedOutcome> {
    return this.#write(
      'release',
      request.id,
      request.leaseToken,
      () => this.#inner.release(request),
      (outcome) => outcome.written,
    );
  }

  resetStuck(id: string, startedBefore: string, now: string, reapAt: string, by: string): Promise<boolean> {
    return this.#write(
      'resetStuck',
      id,
      undefined,
      () => this.#inner.resetStuck(id, startedBefore, now, reapAt, by),
      Boolean,
    );
  }

  requeue(request: RequeueRequest): Promise<RequeueOutcome> {
    return this.#write(
      'requeue',
      request.id,
      undefined,
      () => this.#inner.requeue(request),
      (outcome) => outcome.requeued,
    );
  }

  deferOrphan(id: string, seenReapAt: string, reapAt: string, by: string): Promise<boolean> {
    return this.#write(
      'deferOrphan',
      id,
      undefined,
      () => this.#inner.deferOrphan(id, seenReapAt, reapAt, by),
      Boolean,
    );
  }

  dueAgain(id: string, seenReapAt: string, now: string): Promise<boolean> {
    return this.#write('dueAgain', id, undefined, () => this.#inner.dueAgain(id, seenReapAt, now), Boolean);
  }

  async *listDue(now: string): AsyncIterable<ActiveSubmission> {
    const due = await this.#serialised(async () => {
      const items: ActiveSubmission[] = [];
      for await (const item of this.#inner.listDue(now)) items.push(item);
      return items;
    });
    yield* due;
  }

  createMany(submissions: NewSubmission[], reapAt: string): Promise<string[]> {
    return this.#serialised(() => this.#inner.createMany(submissions, reapAt));
  }

  reserveIdempotencyKey(record: IdempotencyRecord, nowEpochSeconds: number): Promise<IdempotencyRecord> {
    return this.#serialised(() => this.#inner.reserveIdempotencyKey(record, nowEpochSeconds));
  }

  findEarlierDecision(contentHash: string, before: string): Promise<EarlierDecision | undefined> {
    return this.#serialised(() => this.#inner.findEarlierDecision(contentHash, before));
  }

  listByOwner(owner: string, limit: number, cursor?: string): Promise<SubmissionPage> {
    return this.#serialised(() => this.#inner.listByOwner(owner, limit, cursor));
  }

  #serialised<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(step);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #write<T>(
    operation: StoreEvent['operation'],
    id: string,
    leaseToken: string | undefined,
    write: () => Promise<T>,
    accepted: (outcome: T) => boolean,
  ): Promise<T> {
    return this.#serialised(async () => {
      const before = await this.#inner.get(id);
      const outcome = await write();
      const after = await this.#inner.get(id);
      const event: StoreEvent = {
        operation,
        id,
        ...(leaseToken === undefined ? {} : { leaseToken }),
        before,
        after,
        changed: !isDeepStrictEqual(before, after),
        accepted: accepted(outcome),
      };
      this.events.push(event);
      this.#checkFenced(event);
      this.#checkDecidedOnce(event);
      return outcome;
    });
  }

  /**
   * Invariant 3: complete and release succeed only for the current lease holder.
   * The one exception is complete() retried by the holder that already decided
   * (its first response was lost): `written: true`, nothing changed.
   */
  #checkFenced({ operation, leaseToken, before, after, accepted }: StoreEvent): void {
    if ((operation !== 'complete' && operation !== 'release') || !accepted) return;
    const holder = before?.status === 'PROCESSING' && before.leaseToken === leaseToken;
    const retryOfOwnDecision =
      operation === 'complete' &&
      before !== undefined &&
      isTerminal(before.status) &&
      before.decidedBy === leaseToken &&
      isDeepStrictEqual(before, after);
    if (holder || retryOfOwnDecision) return;
    this.violations.push(
      `fenced: ${operation}(${leaseToken}) was accepted while the item was ${before?.status ?? 'missing'} ` +
        `with lease ${before?.leaseToken ?? 'none'} (decidedBy ${before?.decidedBy ?? 'none'})`,
    );
  }

  /** Invariant 2: the first terminal state is made by an accepted complete() and never changes. */
  #checkDecidedOnce({ operation, id, leaseToken, before, after, accepted }: StoreEvent): void {
    const first = this.#decisions.get(id);
    if (first) {
      if (!after || !isDeepStrictEqual(decisionOf(after), first)) {
        this.violations.push(
          `decided once: ${operation}(${leaseToken ?? ''}) changed the decision ` +
            `${JSON.stringify(first)} into ${JSON.stringify(after && decisionOf(after))}`,
        );
      }
      return;
    }
    if (!after || !isTerminal(after.status)) return;
    this.#decisions.set(id, decisionOf(after));
    if (operation !== 'complete' || !accepted || before?.status !== 'PROCESSING') {
      this.violations.push(
        `decided once: ${operation}(${leaseToken ?? ''}) made the item ${after.status} ` +
          `from ${before?.status ?? 'nothing'} (accepted: ${accepted})`,
      );
    }
  }
}
