import { randomUUID } from 'node:crypto';
import type { Clock } from '../ports/clock';
import { describeError, type Logger } from '../ports/logger';
import { type MetricsSink, noMetrics } from '../ports/metrics';
import type { SubmissionQueue } from '../ports/submission-queue';
import type { SubmissionStore } from '../ports/submission-store';

const MAX_ORPHAN_INTERVAL_MS = 60 * 60_000;

export interface ReaperOptions {
  store: SubmissionStore;
  queue: SubmissionQueue;
  clock: Clock;
  /** PROCESSING longer than this is stuck (the worker died or stalled). */
  stuckAfterMs: number;
  /** PENDING longer than this has evidently lost its message. */
  orphanAfterMs: number;
  /**
   * One line per submission reset (`stuck submission reset`) or re-enqueued
   * (`orphaned submission requeued`), and a warning per item a run could not
   * rescue (its new reap time brings it back later), each with its `correlationId`.
   */
  logger: Logger;
  /** Where ReaperResets and OrphansRequeued are counted (default: nowhere). */
  metrics?: MetricsSink;
}

export interface ReapReport {
  /** Stuck PROCESSING submissions this run reset to PENDING and re-enqueued. */
  reset: number;
  /** Orphaned PENDING submissions this run re-enqueued. */
  requeued: number;
  /** Items read from the sparse index. */
  examined: number;
  /** Items whose rescue failed (e.g. the enqueue threw); a later run retries them. */
  failed: number;
}

/**
 * Rescues work that a crash stranded. Each rescue is a conditional write first and
 * an enqueue second: when two reapers race, only the one whose write succeeded
 * enqueues; when a reaper dies between the two, the item's new `reapAt` brings it
 * back to a later run.
 */
export class Reaper {
  readonly #options: ReaperOptions;

  constructor(options: ReaperOptions) {
    this.#options = options;
  }

  /**
   * One run: resets stuck PROCESSING submissions to PENDING and re-enqueues them,
   * and re-enqueues orphaned PENDING ones (their message was lost).
   */
  async resetStuckAndRequeueOrphans(): Promise<ReapReport> {
    const { store, clock, stuckAfterMs, orphanAfterMs, logger, metrics = noMetrics } = this.#options;
    const now = clock.now();
    const nowIso = now.toISOString();
    const startedBefore = new Date(now.getTime() - stuckAfterMs).toISOString();
    const nextReapAt = new Date(now.getTime() + orphanAfterMs).toISOString();
    // An orphan still unclaimed after a re-enqueue is most likely waiting behind a
    // backlog, not lost again: look again after as long as it has waited so far
    // (doubling), at most an hour, so a backlog is not re-sent every period.
    const orphanReapAt = (waitingSince: string) => {
      const waited = now.getTime() - Date.parse(waitingSince);
      const interval = Math.min(Math.max(orphanAfterMs, waited), MAX_ORPHAN_INTERVAL_MS);
      return new Date(now.getTime() + interval).toISOString();
    };
    const report: ReapReport = { reset: 0, requeued: 0, examined: 0, failed: 0 };
    // Marks this run's rescues, so a write retried after a lost response knows it landed.
    const run = randomUUID();

    for await (const due of store.listDue(nowIso)) {
      report.examined += 1;
      try {
        if (due.status === 'PROCESSING') {
          if (await store.resetStuck(due.id, startedBefore, nowIso, nextReapAt, run)) {
            await this.#enqueueOrDueAgain(due.id, nextReapAt, nowIso);
            report.reset += 1;
            logger.info('stuck submission reset', { correlationId: due.id });
            metrics.count('ReaperResets');
          }
        } else {
          const reapAt = orphanReapAt(due.updatedAt);
          if (await store.deferOrphan(due.id, due.reapAt, reapAt, run)) {
            await this.#enqueueOrDueAgain(due.id, reapAt, nowIso);
            report.requeued += 1;
            logger.info('orphaned submission requeued', { correlationId: due.id });
            metrics.count('OrphansRequeued');
          }
        }
      } catch (error) {
        // One item's failure must not stop the rescue of the others.
        report.failed += 1;
        logger.warn('reaper could not rescue a submission; a later run will', {
          correlationId: due.id,
          error: describeError(error),
        });
      }
    }
    return report;
  }

  /**
   * Enqueues a rescued submission. When the enqueue fails, the submission is made due
   * again, so the next run retries it instead of waiting for the reap time the rescue
   * wrote (if that write fails too, it comes back then).
   */
  async #enqueueOrDueAgain(id: string, reapAt: string, now: string): Promise<void> {
    const { store, queue } = this.#options;
    try {
      await queue.enqueue(id);
    } catch (error) {
      await store.dueAgain(id, reapAt, now).catch(() => false);
      throw error;
    }
  }
}
