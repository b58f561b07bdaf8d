import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { contentHashOf } from '../domain/content-hash';
import type { Interruption } from '../domain/history';
import type { RuleSet } from '../domain/rules';
import {
  DEFAULT_RETENTION_DAYS,
  expiryOf,
  type ProcessingError,
  type Submission,
  type TerminalStatus,
  type ValidationResult,
} from '../domain/submission';
import type { Clock } from '../ports/clock';
import { describeError as describe } from '../ports/logger';
import type { ClaimRefusal, Decision, SubmissionStore } from '../ports/submission-store';
import { RuleCheckError, RuleCostError } from '../rules/rule-set-errors';

export interface SubmissionProcessorOptions {
  store: SubmissionStore;
  ruleSet: RuleSet;
  clock: Clock;
  /** Attempts allowed before a submission that keeps erroring is finalised FAILED (MAX_ATTEMPTS). */
  maxAttempts: number;
  /**
   * After a failed attempt no claim may take the submission for this long, doubling after
   * each further one (RETRY_BACKOFF_MS), however many messages it has. Default 0: no spacing.
   */
  retryBackoffMs?: number;
  /**
   * Claims a deadline or shutdown may stop (spending no attempt) before it is finalised
   * FAILED (MAX_INTERRUPTIONS). Default: no bound.
   */
  maxInterruptions?: number;
  /** Lease length of a claim (STUCK_AFTER): after it, another claim or the reaper may take over. */
  stuckAfterMs: number;
  /** After a release, when the reaper should re-enqueue if no redelivery claims it first. */
  orphanAfterMs: number;
  /** Simulated work before the rules run. */
  processingDelayMs?: number;
  /** Days a decided submission is kept (its `expiresAt`); RETENTION_DAYS, 90 by default. */
  retentionDays?: number;
  newLeaseToken?: () => string;
}

export type ProcessOutcome =
  /**
   * This call wrote the terminal status, at `decidedAt`, of a submission created
   * at `createdAt`; `error` when it was FAILED because it could not be processed.
   */
  | {
      outcome: 'decided';
      status: TerminalStatus;
      attempts: number;
      createdAt: string;
      decidedAt: string;
      error?: ProcessingError;
      /** The cause of `error`, for the logs: never stored, never shown to users. */
      cause?: string;
    }
  /** Nothing to do: a duplicate or late delivery, or an id that does not exist. */
  | { outcome: 'skipped'; reason: ClaimRefusal }
  /** Released with a retry time still to come: the driver returns the message until `retryAt`. */
  | { outcome: 'early'; retryAt: string }
  /** We were a zombie: our lease was reset or taken over, and our result was refused. */
  | { outcome: 'lease-lost' }
  /**
   * Processing failed and the lease was released; the driver should let the message come
   * back, at `retryAt` where it can say when (no claim succeeds before).
   */
  | { outcome: 'retry'; error: ProcessingError; attempts: number; retryAt: string; cause?: string }
  /** `signal` stopped the work before a decision; released at no attempt's cost, claimable at once. */
  | { outcome: 'interrupted'; by: Interruption; attempts: number };

/**
 * Drives one submission through PENDING → PROCESSING → PASSED | FAILED.
 * Knows nothing of Lambda or SQS: any driver passes an id and acts on the outcome.
 *
 * Lease rules: a claim writes a fresh token; complete and release succeed only
 * with that token while the status is PROCESSING. So a worker that stalled past
 * its lease (and was reset or taken over) cannot write its result.
 *
 * @example
 * const outcome = await processor.process(id);
 * if (outcome.outcome === 'retry') reportBatchItemFailure(messageId);
 */
export class SubmissionProcessor {
  readonly #options: Required<SubmissionProcessorOptions>;

  constructor(options: SubmissionProcessorOptions) {
    this.#options = {
      processingDelayMs: 0,
      retryBackoffMs: 0,
      maxInterruptions: Number.POSITIVE_INFINITY,
      retentionDays: DEFAULT_RETENTION_DAYS,
      newLeaseToken: randomUUID,
      ...options,
    };
  }

  /**
   * @param signal aborts the work between claim and decision (the driver is out of
   *   time, or shutting down): the lease is released, spending no attempt, so another
   *   delivery can take over at once.
   */
  async process(id: string, signal?: AbortSignal): Promise<ProcessOutcome> {
    const { store, clock, stuckAfterMs, maxAttempts, maxInterruptions } = this.#options;
    const now = clock.now();
    const leaseToken = this.#options.newLeaseToken();
    const claim = await store.claim({
      id,
      leaseToken,
      now: now.toISOString(),
      leaseExpiresAt: new Date(now.getTime() + stuckAfterMs).toISOString(),
    });
    if (!claim.claimed) {
      return claim.reason === 'early'
        ? { outcome: 'early', retryAt: claim.notBefore }
        : { outcome: 'skipped', reason: claim.reason };
    }

    const { submission } = claim;
    if (submission.contentExpired) {
      return this.#finish(submission, leaseToken, {
        code: 'PROCESSING_FAILED',
        message: 'Its content expired before it could be checked: content is kept twice RETENTION_DAYS.',
      });
    }
    const interruptions = submission.interruptions ?? 0;
    // This claim included: claims stopped by a deadline or a shutdown spent no attempt.
    const spent = submission.attempts - interruptions;
    if (spent > maxAttempts) {
      // The last attempt ended without a release or a decision (its worker was killed, or
      // hung past the lease); earlier ones may have failed with an error, or died too.
      return this.#finish(submission, leaseToken, {
        code: 'ATTEMPTS_EXHAUSTED',
        message: `Gave up after ${maxAttempts} attempts; the last one did not finish.`,
      });
    }
    if (interruptions >= maxInterruptions) {
      return this.#finish(submission, leaseToken, {
        code: 'INTERRUPTED_TOO_OFTEN',
        message: `Gave up after the worker was stopped ${interruptions} times before deciding.`,
      });
    }

    let verdict: ValidationResult;
    try {
      if (this.#options.processingDelayMs > 0) {
        await sleep(this.#options.processingDelayMs, undefined, { signal });
      }
      signal?.throwIfAborted();
      verdict = await this.#decide(submission, signal);
    } catch (cause) {
      if (cause instanceof RuleCostError) {
        // The same content would cost the same on every attempt: fail it now, and say why.
        return this.#finish(submission, leaseToken, { code: 'RULES_TOO_COSTLY', message: cause.what });
      }
      if (signal?.aborted) return this.#interrupt(submission, leaseToken, interruptionOf(signal));
      const last = spent >= maxAttempts;
      const error: ProcessingError = {
        code: 'PROCESSING_FAILED',
        message: `${whatFailed(cause)} ${last ? `Gave up after ${spent} attempts.` : 'It will be tried again.'}`,
      };
      // Logged, so a dependency that echoes the content must not carry it into the logs.
      const logged = describe(cause).replaceAll(submission.content, '[content]');
      return last
        ? this.#finish(submission, leaseToken, error, logged)
        : this.#release(submission, leaseToken, spent, error, logged);
    }

    try {
      return await this.#complete(submission, leaseToken, { status: verdict.verdict, result: verdict });
    } catch (cause) {
      // The store failed (throttling, outage). Hand the lease back so a redelivery
      // can claim after the back-off; if even that fails, the reaper resets it after the lease.
      await this.#release(submission, leaseToken, spent, {
        code: 'PROCESSING_FAILED',
        message: 'The decision could not be saved. It will be tried again.',
      }).catch(() => undefined);
      throw cause;
    }
  }

  /**
   * Evaluates the rule set. One with a `duplicate` rule first gets the owner's
   * latest earlier decision of identical content; when the rule set answers it with
   * a reused verdict (`reuseVerdict`, same id and version), no rule runs.
   */
  async #decide(submission: Submission, signal: AbortSignal | undefined): Promise<ValidationResult> {
    const { ruleSet, store } = this.#options;
    if (ruleSet.duplicates === undefined) return ruleSet.evaluate(submission.content, signal);
    const earlier = await store.findEarlierDecision(
      contentHashOf(submission.owner, submission.content),
      submission.createdAt,
    );
    signal?.throwIfAborted();
    const reused = earlier === undefined ? undefined : ruleSet.reusedVerdict?.(earlier);
    if (reused !== undefined) return reused;
    return ruleSet.evaluate(submission.content, signal, earlier === undefined ? {} : { earlier });
  }

  /** A processing error that ends the submission: FAILED with `error`, never retried; `cause` is for the logs. */
  async #finish(
    submission: Submission,
    leaseToken: string,
    error: ProcessingError,
    cause?: string,
  ): Promise<ProcessOutcome> {
    const outcome = await this.#complete(submission, leaseToken, { status: 'FAILED', error });
    return outcome.outcome === 'decided' && cause !== undefined ? { ...outcome, cause } : outcome;
  }

  /** Writes the decision under our lease; refused when the lease was lost. */
  async #complete(submission: Submission, leaseToken: string, decision: Decision): Promise<ProcessOutcome> {
    const decidedAt = this.#options.clock.now();
    const written = await this.#options.store.complete({
      id: submission.id,
      leaseToken,
      now: decidedAt.toISOString(),
      decision,
      expiresAt: expiryOf(decidedAt, this.#options.retentionDays),
      // Only a rule set with a `duplicate` rule looks decisions up by content: only it indexes them.
      ...(this.#options.ruleSet.duplicates === undefined
        ? {}
        : { contentHash: contentHashOf(submission.owner, submission.content) }),
    });
    if (!written.written) return { outcome: 'lease-lost' };
    return {
      outcome: 'decided',
      status: decision.status,
      attempts: submission.attempts,
      createdAt: submission.createdAt,
      decidedAt: decidedAt.toISOString(),
      ...('error' in decision ? { error: decision.error } : {}),
    };
  }

  /**
   * Hands the lease back after a failed attempt (the `spent`th): no claim may take the
   * submission for RETRY_BACKOFF_MS × 2^(spent − 1), however many messages it has.
   */
  async #release(
    submission: Submission,
    leaseToken: string,
    spent: number,
    error: ProcessingError,
    cause?: string,
  ): Promise<ProcessOutcome> {
    const now = this.#options.clock.now().getTime();
    const notBefore = new Date(now + this.#options.retryBackoffMs * 2 ** (spent - 1)).toISOString();
    const released = await this.#options.store.release({
      id: submission.id,
      leaseToken,
      now: new Date(now).toISOString(),
      error,
      notBefore,
      reapAt: new Date(Date.parse(notBefore) + this.#options.orphanAfterMs).toISOString(),
    });
    if (!released.written) return { outcome: 'lease-lost' };
    const attempts = submission.attempts;
    return {
      outcome: 'retry',
      error,
      attempts,
      retryAt: notBefore,
      ...(cause === undefined ? {} : { cause }),
    };
  }

  /** Hands the lease back when `signal` stopped the work: no attempt spent, claimable at once. */
  async #interrupt(submission: Submission, leaseToken: string, by: Interruption): Promise<ProcessOutcome> {
    const now = this.#options.clock.now();
    const released = await this.#options.store.release({
      id: submission.id,
      leaseToken,
      now: now.toISOString(),
      interrupted: by,
      reapAt: new Date(now.getTime() + this.#options.orphanAfterMs).toISOString(),
    });
    if (!released.written) return { outcome: 'lease-lost' };
    return { outcome: 'interrupted', by, attempts: submission.attempts };
  }
}

/** A deadline aborts with a TimeoutError, as AbortSignal.timeout does; a shutdown with a reason of its own. */
export function interruptionOf(signal: AbortSignal): Interruption {
  return (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError' ? 'deadline' : 'shutdown';
}

/**
 * What users read of a processing error: our words only. A rule's own failure names the
 * rule and what happened to it; anything else (a dependency's or the SDK's error, which
 * may name hosts, accounts or roles) is said in general, its text left to the logs.
 */
function whatFailed(cause: unknown): string {
  if (cause instanceof RuleCheckError) return `The check ${JSON.stringify(cause.rule)} ${cause.what}.`;
  return 'A check of the content could not run.';
}
