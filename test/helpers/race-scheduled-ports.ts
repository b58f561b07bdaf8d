import type fc from 'fast-check';
import type { SubmissionQueue } from '../../src/ports/submission-queue';
import type { FencedOutcome, SubmissionStore } from '../../src/ports/submission-store';

/** A queue that only records what it was sent; the test delivers the messages itself. */
export class RecordingQueue implements SubmissionQueue {
  readonly received: string[] = [];
  #delivered = 0;

  async enqueue(id: string): Promise<void> {
    this.received.push(id);
  }

  async enqueueMany(ids: readonly string[]): Promise<string[]> {
    this.received.push(...ids);
    return [];
  }

  /** Messages sent since the last call, now handed to a consumer. */
  takeUndelivered(): string[] {
    const batch = this.received.slice(this.#delivered);
    this.#delivered = this.received.length;
    return batch;
  }
}

/** `00:05:00.001` for an ISO timestamp: short enough for a schedule log. */
const timeOf = (iso: string) => iso.slice(11, 23);

const fenced = (outcome: FencedOutcome) => (outcome.written ? `written (${outcome.status})` : 'refused');

/**
 * Hands both ends of every call to the scheduler: the request (when the atomic
 * write happens) and the response (when the caller learns the outcome and
 * carries on). fast-check picks which pending end goes next, so each generated
 * schedule is one interleaving of the actors' atomic steps. (`s.scheduleFunction`
 * would not do: it calls the function at once and delays only its result, so the
 * writes would still happen in call order.)
 */
function gateFor(s: fc.Scheduler, actor: string) {
  return async <T>(call: string, run: () => Promise<T>, describe: (outcome: T) => string): Promise<T> => {
    await s.schedule(Promise.resolve(), `${actor} → ${call}`);
    const outcome = await run();
    await s.schedule(Promise.resolve(), `${actor} ← ${call}: ${describe(outcome)}`);
    return outcome;
  };
}

/** `store` as seen by one actor, every call going through the scheduler. */
export function scheduledStore(store: SubmissionStore, s: fc.Scheduler, actor: string): SubmissionStore {
  const gate = gateFor(s, actor);
  return {
    create: (submission, reapAt) =>
      gate(
        'create',
        () => store.create(submission, reapAt),
        (created) => String(created),
      ),
    findEarlierDecision: (contentHash, before) =>
      gate(
        'findEarlierDecision',
        () => store.findEarlierDecision(contentHash, before),
        (earlier) => earlier?.id ?? 'none',
      ),
    get: (id) =>
      gate(
        'get',
        () => store.get(id),
        (item) => item?.status ?? 'missing',
      ),
    getWithoutContent: (id) =>
      gate(
        'getWithoutContent',
        () => store.getWithoutContent(id),
        (item) => item?.status ?? 'missing',
      ),
    claim: (request) =>
      gate(
        `claim(${request.leaseToken}) at ${timeOf(request.now)}`,
        () => store.claim(request),
        (outcome) =>
          outcome.claimed
            ? `claimed (attempts ${outcome.submission.attempts})`
            : `refused (${outcome.reason})`,
      ),
    complete: (request) =>
      gate(
        `complete(${request.leaseToken}, ${request.decision.status})`,
        () => store.complete(request),
        fenced,
      ),
    release: (request) => gate(`release(${request.leaseToken})`, () => store.release(request), fenced),
    resetStuck: (id, startedBefore, now, reapAt, by) =>
      gate(
        `resetStuck(started before ${timeOf(startedBefore)})`,
        () => store.resetStuck(id, startedBefore, now, reapAt, by),
        (reset) => (reset ? 'reset' : 'refused'),
      ),
    requeue: (request) =>
      gate(
        `requeue at ${timeOf(request.now)}`,
        () => store.requeue(request),
        (outcome) => (outcome.requeued ? `requeued from ${outcome.from}` : `refused (${outcome.reason})`),
      ),
    deferOrphan: (id, seenReapAt, reapAt, by) =>
      gate(
        'deferOrphan',
        () => store.deferOrphan(id, seenReapAt, reapAt, by),
        (deferred) => (deferred ? 'deferred' : 'refused'),
      ),
    dueAgain: (id, seenReapAt, now) =>
      gate(
        'dueAgain',
        () => store.dueAgain(id, seenReapAt, now),
        (due) => (due ? 'due again' : 'refused'),
      ),
    async *listDue(now) {
      const due = await gate(
        `listDue(${timeOf(now)})`,
        async () => {
          const items = [];
          for await (const item of store.listDue(now)) items.push(item);
          return items;
        },
        (items) => items.map((item) => item.status).join(', ') || 'nothing due',
      );
      yield* due;
    },
    listByOwner: (owner, limit, cursor) =>
      gate(
        'listByOwner',
        () => store.listByOwner(owner, limit, cursor),
        (page) => `${page.items.length} items`,
      ),
    createMany: (submissions, reapAt) =>
      gate(
        'createMany',
        () => store.createMany(submissions, reapAt),
        (notStored) => (notStored.length === 0 ? 'stored' : `${notStored.length} not stored`),
      ),
    reserveIdempotencyKey: (record, nowEpochSeconds) =>
      gate(
        'reserveIdempotencyKey',
        () => store.reserveIdempotencyKey(record, nowEpochSeconds),
        (live) => live.submissionId,
      ),
  };
}

/** `queue` as seen by one actor: the send is a scheduled step too. */
export function scheduledQueue(queue: SubmissionQueue, s: fc.Scheduler, actor: string): SubmissionQueue {
  const gate = gateFor(s, actor);
  return {
    enqueue: (id) =>
      gate(
        'enqueue',
        () => queue.enqueue(id),
        () => 'sent',
      ),
    enqueueMany: (ids) =>
      gate(
        'enqueueMany',
        () => queue.enqueueMany(ids),
        (failed) => `${ids.length - failed.length} sent`,
      ),
  };
}
