import type { Application } from '../../src/composition';
import type { SubmissionStatus } from '../../src/domain/submission';

export type RequeueReport =
  | { id: string; requeued: true; from: 'PENDING' | 'PROCESSING' }
  | {
      id: string;
      requeued: false;
      reason: 'missing' | 'terminal' | 'leased';
      status?: SubmissionStatus;
      leaseExpiresAt?: string;
    };

/**
 * The operator's requeue: the store's conditional `requeue` write (recorded in
 * the history), then a new message. Safe to repeat: a duplicate message finds
 * the submission claimed or decided and is dropped by the claim's condition.
 * If the send fails after the write, the new reap time brings the reaper back
 * to it after ORPHAN_AFTER_MS.
 */
export async function requeueSubmission(app: Application, id: string, now: Date): Promise<RequeueReport> {
  const outcome = await app.store.requeue({
    id,
    now: now.toISOString(),
    reapAt: new Date(now.getTime() + app.config.ORPHAN_AFTER_MS).toISOString(),
  });
  if (!outcome.requeued) {
    const current = outcome.reason === 'missing' ? undefined : await app.store.get(id);
    return {
      id,
      requeued: false,
      reason: outcome.reason,
      ...(current ? { status: current.status } : {}),
      ...(current?.leaseExpiresAt ? { leaseExpiresAt: current.leaseExpiresAt } : {}),
    };
  }
  try {
    await app.queue.enqueue(id);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Recorded the requeue of ${id}, but sending its message failed (${reason}); ` +
        'the reaper sends it after ORPHAN_AFTER_MS, or run requeue again.',
    );
  }
  return { id, requeued: true, from: outcome.from };
}
