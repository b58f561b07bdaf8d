import { randomUUID } from 'node:crypto';
import type { Submission } from '../domain/submission';
import type { Clock } from '../ports/clock';
import type { SubmissionQueue } from '../ports/submission-queue';
import type { SubmissionPage, SubmissionStore } from '../ports/submission-store';

export interface SubmissionServiceOptions {
  store: SubmissionStore;
  queue: SubmissionQueue;
  clock: Clock;
  /** A PENDING submission not claimed within this time is re-enqueued by the reaper. */
  orphanAfterMs: number;
  newId?: () => string;
  /** Told when the enqueue after a successful write fails; the reaper will enqueue later. */
  onEnqueueFailed?: (id: string, error: unknown) => void;
}

/** The API's use cases: accept a submission, read one, list an owner's. */
export class SubmissionService {
  readonly #options: SubmissionServiceOptions;
  readonly #newId: () => string;

  constructor(options: SubmissionServiceOptions) {
    this.#options = options;
    this.#newId = options.newId ?? randomUUID;
  }

  /**
   * Stores the submission as PENDING, then enqueues its id. Once the write has
   * succeeded the submission is accepted: if the enqueue fails, the reaper's
   * orphan sweep enqueues it after `orphanAfterMs`, so the caller still gets it.
   */
  async acceptSubmission(owner: string, content: string): Promise<Submission> {
    const { store, queue, clock, orphanAfterMs } = this.#options;
    const now = clock.now();
    const submission: Submission = {
      id: this.#newId(),
      owner,
      content,
      status: 'PENDING',
      attempts: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const reapAt = new Date(now.getTime() + orphanAfterMs).toISOString();
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

  /** The owner's submission, or undefined when it does not exist or belongs to someone else. */
  async getSubmission(owner: string, id: string): Promise<Submission | undefined> {
    const submission = await this.#options.store.get(id);
    return submission?.owner === owner ? submission : undefined;
  }

  async listSubmissions(owner: string, limit: number, cursor?: string): Promise<SubmissionPage> {
    return this.#options.store.listByOwner(owner, limit, cursor);
  }
}
