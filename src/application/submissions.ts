import { createHash, randomUUID } from 'node:crypto';
import { BatchPartlyStoredError, IdempotencyConflictError } from '../domain/errors';
import type { Submission, SubmissionStatus } from '../domain/submission';
import type { Clock } from '../ports/clock';
import type { SubmissionQueue } from '../ports/submission-queue';
import type { SubmissionPage, SubmissionStore, SubmissionWithoutContent } from '../ports/submission-store';

export interface SubmissionServiceOptions {
  store: SubmissionStore;
  queue: SubmissionQueue;
  clock: Clock;
  /** A PENDING submission not claimed within this time is re-enqueued by the reaper. */
  orphanAfterMs: number;
  /** How long an Idempotency-Key is remembered (default 24 h). */
  idempotencyTtlSeconds?: number;
  newId?: () => string;
  /** Told when the enqueue after a successful write fails; the reaper will enqueue later. */
  onEnqueueFailed?: (id: string, error: unknown) => void;
}

/** What a status poll shows of a submission: everything but its content. */
export type SubmissionState = Omit<Submission, 'content'>;

/** A submission's content, as it was accepted; it never changes. */
export interface SubmissionContent {
  id: string;
  content: string;
}

/** The API's use cases: accept a submission, read its state or its content, list an owner's. */
export class SubmissionService {
  readonly #options: SubmissionServiceOptions;
  readonly #newId: () => string;

  constructor(options: SubmissionServiceOptions) {
    this.#options = options;
    this.#newId = options.newId ?? randomUUID;
  }

  /** Stores a new submission as PENDING and enqueues it (see #store). */
  async acceptSubmission(owner: string, content: string): Promise<Submission> {
    return this.#store(owner, content, this.#newId(), this.#options.clock.now().toISOString());
  }

  /**
   * acceptSubmission, safe to retry with the same Idempotency-Key: the first
   * request reserves the key for a submission id, and every retry with the same
   * body gets that submission; another body is refused. A retry that finds the key
   * reserved but the submission not yet stored (the first request is still running,
   * or crashed) stores it itself, identically, so either way exactly one submission
   * exists. `replayed` says this request found it stored: one that stored it is an
   * acceptance, not a replay.
   */
  async acceptIdempotently(
    owner: string,
    content: string,
    key: string,
  ): Promise<{ submission: SubmissionState; replayed: boolean }> {
    const { store, clock, idempotencyTtlSeconds = 86_400 } = this.#options;
    const now = clock.now();
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const proposal = {
      keyHash: sha256(`${owner}\n${key}`),
      submissionId: this.#newId(),
      requestHash: sha256(content),
      createdAt: now.toISOString(),
      expiresAt: nowSeconds + idempotencyTtlSeconds,
    };
    const live = await store.reserveIdempotencyKey(proposal, nowSeconds);
    if (live.requestHash !== proposal.requestHash) throw new IdempotencyConflictError();
    // A replay reads the small item only: the answer never carries the content.
    const stored =
      live.submissionId === proposal.submissionId
        ? undefined
        : await store.getWithoutContent(live.submissionId);
    if (stored) return { submission: withoutOperatorFields(stored), replayed: true };
    const { content: _content, ...created } = await this.#store(
      owner,
      content,
      live.submissionId,
      live.createdAt,
    );
    return { submission: created, replayed: false };
  }

  /**
   * Stores several submissions with one batch write and enqueues them in batches. Each
   * is created a millisecond after the one before it, so the batch keeps its order
   * (newest first in a listing) and the duplicate rule finds an earlier identical item.
   * When DynamoDB keeps refusing some items, the stored ones are still enqueued and a
   * BatchPartlyStoredError says which were stored and which must be sent again.
   */
  async acceptBatch(owner: string, contents: readonly string[]): Promise<Submission[]> {
    const { store, queue, clock, orphanAfterMs } = this.#options;
    const now = clock.now();
    const submissions = contents.map((content, index) =>
      this.#pending(owner, content, this.#newId(), new Date(now.getTime() + index).toISOString()),
    );
    const notStored = new Set(
      await store.createMany(submissions, new Date(now.getTime() + orphanAfterMs).toISOString()),
    );
    const stored = submissions.filter((submission) => !notStored.has(submission.id));
    const unsent = await queue.enqueueMany(stored.map((submission) => submission.id));
    for (const id of unsent)
      this.#options.onEnqueueFailed?.(id, new Error('SendMessageBatch refused the entry'));
    if (notStored.size > 0) {
      const indexed = submissions.map((submission, index) => ({ index, submission }));
      throw new BatchPartlyStoredError(
        indexed.filter(({ submission }) => !notStored.has(submission.id)),
        indexed.filter(({ submission }) => notStored.has(submission.id)).map(({ index }) => index),
      );
    }
    return submissions;
  }

  /**
   * Stores the submission as PENDING, then enqueues its id. Once the write has
   * succeeded the submission is accepted: if the enqueue fails, the reaper's
   * orphan sweep enqueues it after `orphanAfterMs`, so the caller still gets it.
   */
  async #store(owner: string, content: string, id: string, createdAt: string): Promise<Submission> {
    const { store, queue, orphanAfterMs } = this.#options;
    const submission = this.#pending(owner, content, id, createdAt);
    const reapAt = new Date(Date.parse(createdAt) + orphanAfterMs).toISOString();
    if (!(await store.create(submission, reapAt))) {
      throw new Error(`Submission id already taken: ${submission.id}`);
    }
    try {
      await queue.enqueue(submission.id);
    } catch (error) {
      this.#options.onEnqueueFailed?.(submission.id, error);
    }
    return submission;
  }

  #pending(owner: string, content: string, id: string, createdAt: string): Submission {
    return { id, owner, content, status: 'PENDING', attempts: 0, createdAt, updatedAt: createdAt };
  }

  /**
   * The owner's submission without its content (one small read, whatever the content's
   * size), or undefined when it does not exist or belongs to someone else.
   */
  async getSubmission(owner: string, id: string): Promise<SubmissionState | undefined> {
    const stored = await this.#options.store.getWithoutContent(id);
    return stored?.owner === owner ? withoutOperatorFields(stored) : undefined;
  }

  /**
   * The owner's submission's content; undefined exactly when getSubmission is, and `expired`
   * when the content, kept apart, expired before a decision (see `StoredSubmission`).
   */
  async getSubmissionContent(owner: string, id: string): Promise<SubmissionContent | 'expired' | undefined> {
    const stored = await this.#options.store.get(id);
    if (stored?.owner !== owner) return undefined;
    return stored.contentExpired ? 'expired' : { id: stored.id, content: stored.content };
  }

  async listSubmissions(
    owner: string,
    limit: number,
    cursor?: string,
    status?: SubmissionStatus,
  ): Promise<SubmissionPage> {
    return this.#options.store.listByOwner(owner, limit, cursor, status);
  }
}

function withoutOperatorFields<T extends SubmissionWithoutContent>(
  stored: T,
): Omit<T, 'history' | 'orphanRequeues' | 'expiresAt'> {
  const { history: _history, orphanRequeues: _orphanRequeues, expiresAt: _expiresAt, ...submission } = stored;
  return submission;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
