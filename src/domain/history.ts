import type { ProcessingError, ProcessingErrorCode, TerminalStatus } from './submission';

/** What stopped a worker before it decided: the invocation's deadline, or the process shutting down. */
export type Interruption = 'deadline' | 'shutdown';

/**
 * One transition of a submission, appended to its `history` by the very
 * conditional write that made the transition, so the record cannot miss a
 * transition nor hold one that did not happen.
 *
 * Bounded by the state machine: one `accepted`, one `claimed` per attempt (the
 * processor decides FAILED once the spent attempts exceed MAX_ATTEMPTS or the
 * interruptions reach MAX_INTERRUPTIONS), after each claim at most one `released`,
 * `interrupted` or `reset`, one `decided`, plus the requeues an
 * operator asks for. The reaper's re-enqueues of orphans may repeat without
 * limit, so they are only counted (`orphanRequeues`), never appended.
 */
export type HistoryEvent =
  | { event: 'accepted'; at: string }
  | { event: 'claimed'; at: string; leaseExpiresAt: string }
  | { event: 'released'; at: string; error: ProcessingError }
  /** The worker was stopped before deciding and released it; no attempt was spent. */
  | { event: 'interrupted'; at: string; by: Interruption }
  | { event: 'decided'; at: string; status: TerminalStatus; errorCode?: ProcessingErrorCode }
  /** The reaper reset a PROCESSING submission stuck past STUCK_AFTER. */
  | { event: 'reset'; at: string }
  /** An operator requeued it (`npm run ops -- requeue`). */
  | { event: 'requeued'; at: string; from: 'PENDING' | 'PROCESSING' };

/** A history entry as read: a claim and what ended it carry the attempt's number. */
export type HistoryEntry = HistoryEvent & { attempt?: number };

/**
 * Adds attempt numbers to a stored history. They are not stored: a claim's
 * write cannot know the count it is incrementing. Every claim adds one to
 * `attempts` and appends one `claimed` entry, so the count is recovered here;
 * an item whose first claims predate the history is offset by the difference.
 */
export function numberAttempts(history: readonly HistoryEvent[], attempts: number): HistoryEntry[] {
  const claims = history.filter((entry) => entry.event === 'claimed').length;
  let attempt = Math.max(0, attempts - claims);
  return history.map((entry) => {
    if (entry.event === 'claimed') attempt += 1;
    const numbered =
      ['claimed', 'released', 'interrupted', 'decided', 'reset'].includes(entry.event) && attempt > 0;
    return numbered ? { ...entry, attempt } : { ...entry };
  });
}
