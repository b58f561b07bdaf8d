import { InvalidCursorError } from '../../src/domain/errors';
import { type HistoryEvent, numberAttempts } from '../../src/domain/history';
import type { EarlierDecision } from '../../src/domain/rules';
import type { Submission, SubmissionStatus } from '../../src/domain/submission';
import { isTerminal } from '../../src/domain/submission';
import {
  type ActiveSubmission,
  type ClaimOutcome,
  type ClaimRequest,
  type CompleteRequest,
  type FencedOutcome,
  type IdempotencyRecord,
  LISTED_ATTRIBUTES,
  type NewSubmission,
  type ReleaseRequest,
  type RequeueOutcome,
  type RequeueRequest,
  type StoredSubmission,
  type SubmissionPage,
  type SubmissionStore,
  type SubmissionWithoutContent,
} from '../../src/ports/submission-store';

type Stored = Omit<StoredSubmission, 'history'> & {
  reapAt?: string;
  /** Set by a decision made under a `duplicate` rule only (CompleteRequest.contentHash). */
  contentHash?: string;
  history: HistoryEvent[];
};

const copy = <T>(value: T): T => structuredClone(value);

/** `a < b` as a condition expression compares: false when the attribute is absent. */
const before = (value: string | undefined, limit: string): boolean => value !== undefined && value < limit;

/**
 * The submission store in memory: the reference model of every transition's
 * condition, checked by the same conformance suite as the DynamoDB adapter.
 * Each method is atomic (no await between reading and writing), as one
 * conditional write is in DynamoDB. For tests and race exploration.
 */
export class InMemorySubmissionStore implements SubmissionStore {
  readonly #items = new Map<string, Stored>();
  readonly #keys = new Map<string, IdempotencyRecord>();

  async create(submission: NewSubmission, reapAt: string): Promise<boolean> {
    const current = this.#items.get(submission.id);
    if (current) {
      return (
        current.owner === submission.owner &&
        current.createdAt === submission.createdAt &&
        current.content === submission.content
      );
    }
    this.#items.set(submission.id, {
      ...copy(submission),
      status: 'PENDING',
      attempts: 0,
      updatedAt: submission.createdAt,
      reapAt,
      history: [{ event: 'accepted', at: submission.createdAt }],
    });
    return true;
  }

  async get(id: string): Promise<StoredSubmission | undefined> {
    const item = this.#items.get(id);
    if (!item) return undefined;
    const { reapAt: _reapAt, contentHash: _hash, history, ...submission } = copy(item);
    return { ...submission, history: numberAttempts(history, submission.attempts) };
  }

  async getWithoutContent(id: string): Promise<SubmissionWithoutContent | undefined> {
    const whole = await this.get(id);
    if (!whole) return undefined;
    const { content: _content, ...withoutContent } = whole;
    return withoutContent;
  }

  async claim({ id, leaseToken, now, leaseExpiresAt }: ClaimRequest): Promise<ClaimOutcome> {
    const item = this.#items.get(id);
    if (!item) return { claimed: false, reason: 'missing' };
    const retryIsDue = item.notBefore === undefined || item.notBefore <= now;
    const claimable =
      (item.status === 'PENDING' && retryIsDue) ||
      (item.status === 'PROCESSING' && before(item.leaseExpiresAt, now));
    if (!claimable) {
      if (item.status === 'PROCESSING' && item.leaseToken === leaseToken) {
        return { claimed: true, submission: (await this.get(id))! };
      }
      if (item.status === 'PENDING' && item.notBefore !== undefined) {
        return { claimed: false, reason: 'early', notBefore: item.notBefore };
      }
      return { claimed: false, reason: isTerminal(item.status) ? 'terminal' : 'leased' };
    }
    Object.assign(item, {
      status: 'PROCESSING',
      leaseToken,
      processingStartedAt: now,
      leaseExpiresAt,
      updatedAt: now,
      attempts: item.attempts + 1,
    });
    delete item.notBefore;
    item.history.push({ event: 'claimed', at: now, leaseExpiresAt });
    return { claimed: true, submission: (await this.get(id))! };
  }

  async complete({
    id,
    leaseToken,
    now,
    decision,
    expiresAt,
    contentHash,
  }: CompleteRequest): Promise<FencedOutcome> {
    const item = this.#items.get(id);
    if (!item) return { written: false };
    if (item.status !== 'PROCESSING' || item.leaseToken !== leaseToken) {
      return item.decidedBy === leaseToken ? { written: true, status: item.status } : { written: false };
    }
    item.status = decision.status;
    if ('result' in decision) item.result = copy(decision.result);
    else item.error = copy(decision.error);
    Object.assign(item, { decidedBy: leaseToken, completedAt: now, updatedAt: now, expiresAt });
    if (contentHash !== undefined) item.contentHash = contentHash;
    item.history.push({
      event: 'decided',
      at: now,
      status: decision.status,
      ...('error' in decision ? { errorCode: decision.error.code } : {}),
    });
    delete item.leaseToken;
    delete item.leaseExpiresAt;
    delete item.reapAt;
    return { written: true, status: decision.status };
  }

  async release(request: ReleaseRequest): Promise<FencedOutcome> {
    const { id, leaseToken, now, notBefore, reapAt } = request;
    const item = this.#items.get(id);
    if (!item) return { written: false };
    if (item.status !== 'PROCESSING' || item.leaseToken !== leaseToken) {
      return item.releasedBy === leaseToken ? { written: true, status: 'PENDING' } : { written: false };
    }
    Object.assign(item, { status: 'PENDING', releasedBy: leaseToken, updatedAt: now, reapAt });
    if (notBefore !== undefined) item.notBefore = notBefore;
    if ('error' in request) {
      item.lastError = copy(request.error);
      item.history.push({ event: 'released', at: now, error: copy(request.error) });
    } else {
      item.interruptions = (item.interruptions ?? 0) + 1;
      item.history.push({ event: 'interrupted', at: now, by: request.interrupted });
    }
    delete item.leaseToken;
    delete item.leaseExpiresAt;
    return { written: true, status: 'PENDING' };
  }

  async resetStuck(
    id: string,
    startedBefore: string,
    now: string,
    reapAt: string,
    by: string,
  ): Promise<boolean> {
    const item = this.#items.get(id);
    if (item?.status !== 'PROCESSING' || !before(item.processingStartedAt, startedBefore)) {
      return item?.status === 'PENDING' && item.rescuedBy === by;
    }
    Object.assign(item, { status: 'PENDING', updatedAt: now, reapAt, rescuedBy: by });
    item.history.push({ event: 'reset', at: now });
    delete item.leaseToken;
    delete item.leaseExpiresAt;
    return true;
  }

  async requeue({ id, now, reapAt }: RequeueRequest): Promise<RequeueOutcome> {
    const item = this.#items.get(id);
    if (!item) return { requeued: false, reason: 'missing' };
    if (item.status === 'PENDING') {
      // Still waiting: the reap time moves and a retry back-off ends (the operator asks for
      // it now); updatedAt keeps when it became PENDING.
      item.reapAt = reapAt;
      delete item.notBefore;
      item.history.push({ event: 'requeued', at: now, from: 'PENDING' });
      return { requeued: true, from: 'PENDING' };
    }
    if (item.status === 'PROCESSING' && before(item.leaseExpiresAt, now)) {
      Object.assign(item, { status: 'PENDING', updatedAt: now, reapAt });
      item.history.push({ event: 'requeued', at: now, from: 'PROCESSING' });
      delete item.leaseToken;
      delete item.leaseExpiresAt;
      return { requeued: true, from: 'PROCESSING' };
    }
    return { requeued: false, reason: isTerminal(item.status) ? 'terminal' : 'leased' };
  }

  async deferOrphan(id: string, seenReapAt: string, reapAt: string, by: string): Promise<boolean> {
    const item = this.#items.get(id);
    if (item?.status !== 'PENDING' || item.reapAt !== seenReapAt) {
      return item?.status === 'PENDING' && item.rescuedBy === by;
    }
    item.reapAt = reapAt;
    item.rescuedBy = by;
    item.orphanRequeues = (item.orphanRequeues ?? 0) + 1;
    return true;
  }

  async dueAgain(id: string, seenReapAt: string, now: string): Promise<boolean> {
    const item = this.#items.get(id);
    if (item?.status !== 'PENDING' || item.reapAt !== seenReapAt) return false;
    item.reapAt = now;
    return true;
  }

  async *listDue(now: string): AsyncIterable<ActiveSubmission> {
    const due = [...this.#items.values()]
      .filter((item) => item.reapAt !== undefined && item.reapAt <= now)
      .map(
        (item): ActiveSubmission => ({
          id: item.id,
          status: item.status as ActiveSubmission['status'],
          reapAt: item.reapAt as string,
          updatedAt: item.updatedAt,
          ...(item.processingStartedAt ? { processingStartedAt: item.processingStartedAt } : {}),
          ...(item.leaseExpiresAt ? { leaseExpiresAt: item.leaseExpiresAt } : {}),
        }),
      );
    yield* due;
  }

  async listByOwner(
    owner: string,
    limit: number,
    cursor?: string,
    status?: SubmissionStatus,
  ): Promise<SubmissionPage> {
    // DynamoDB answers a Limit below 1 with a ValidationException: a caller's bug, not an empty page.
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a whole number ≥ 1, got ${limit}`);
    const mine = [...this.#items.values()]
      .filter((item) => item.owner === owner)
      .sort((a, b) =>
        a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt),
      );
    let start = 0;
    if (cursor) {
      const after = mine.findIndex((item) => Buffer.from(item.id).toString('base64url') === cursor);
      if (after < 0) throw new InvalidCursorError();
      start = after + 1;
    }
    // As in DynamoDB, the limit counts items read; the status filter applies after it.
    const page = mine.slice(start, start + limit);
    const last = page.at(-1);
    return {
      items: page
        .filter((item) => !status || item.status === status)
        .map(
          (item) =>
            Object.fromEntries(
              LISTED_ATTRIBUTES.filter((name) => item[name] !== undefined).map((name) => [
                name,
                copy(item[name]),
              ]),
            ) as unknown as Submission,
        ),
      ...(last && start + limit < mine.length
        ? { nextCursor: Buffer.from(last.id).toString('base64url') }
        : {}),
    };
  }

  async createMany(submissions: NewSubmission[], reapAt: string): Promise<string[]> {
    for (const submission of submissions) await this.create(submission, reapAt);
    return [];
  }

  async reserveIdempotencyKey(
    record: IdempotencyRecord,
    nowEpochSeconds: number,
  ): Promise<IdempotencyRecord> {
    const live = this.#keys.get(record.keyHash);
    if (live && !(live.expiresAt < nowEpochSeconds)) return copy(live);
    this.#keys.set(record.keyHash, copy(record));
    return copy(record);
  }

  async findEarlierDecision(contentHash: string, before: string): Promise<EarlierDecision | undefined> {
    const latest = [...this.#items.values()]
      .filter((item) => item.contentHash === contentHash && item.createdAt < before && item.result)
      .sort((a, b) =>
        a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt),
      )[0];
    return latest?.result ? { id: latest.id, result: copy(latest.result) } : undefined;
  }
}
