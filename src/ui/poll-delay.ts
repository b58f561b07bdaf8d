/**
 * When to poll again. The server's `Retry-After` wins when it sends one (kept within
 * sane bounds); otherwise the delay doubles with every poll that changed nothing.
 */

export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const POLL_BACKOFF: Backoff = { initialMs: 500, maxMs: 10_000, factor: 2 };

const RETRY_AFTER_BOUNDS_MS = { min: 250, max: 60_000 };

/** The HTTP date format (IMF-fixdate, RFC 9110); Date.parse alone would also take "-1" or "1.5". */
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (!HTTP_DATE.test(value)) return undefined;
  return Math.max(0, Date.parse(value) - now);
}

/** `attempt` 0, 1, 2, … → initial, initial × factor, … up to the maximum. */
export function backoffMs(attempt: number, backoff: Backoff = POLL_BACKOFF): number {
  return Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** attempt);
}

export function nextPollDelay(retryAfter: string | null, unchangedPolls: number, now: number): number {
  const hinted = retryAfterMs(retryAfter, now);
  if (hinted === undefined) return backoffMs(unchangedPolls);
  return Math.min(RETRY_AFTER_BOUNDS_MS.max, Math.max(RETRY_AFTER_BOUNDS_MS.min, hinted));
}

/**
 * The first polls after a submission is accepted, sized to how long the service takes
 * to decide (`expectedDecisionMs`): the first then, each next one twice as late, as long
 * as that is sooner than what `Retry-After` asks. A submission decided as fast as the
 * service usually decides is seen on the first poll; one that takes minutes costs a few
 * polls more (log₂ of Retry-After over the expected time) before Retry-After paces them.
 */
export function eagerPollDelay(expectedDecisionMs: number, pollsSoFar: number): number {
  return expectedDecisionMs * 2 ** pollsSoFar;
}

/** The decision time assumed before the page has seen the service decide anything. */
export const DEFAULT_DECISION_MS = 150;
const DECISION_MS_BOUNDS = { min: 50, max: 2_000 };
const DECISION_SAMPLES = 10;

/**
 * How long the service takes from accepting a submission to deciding it, as this page
 * has seen it (`completedAt − createdAt`, both the service's clock): the median of the
 * latest decisions, with a margin, kept within bounds.
 */
export function decisionTimes() {
  const samples: number[] = [];
  const seen = new Set<string>();
  return {
    /** Notes a decided submission's decision time, once per submission; an undecided one is ignored. */
    record({ id, createdAt, completedAt }: { id: string; createdAt: string; completedAt?: string }): void {
      if (completedAt === undefined || seen.has(id)) return;
      const ms = Date.parse(completedAt) - Date.parse(createdAt);
      if (!Number.isFinite(ms) || ms < 0) return;
      seen.add(id);
      samples.push(ms);
      if (samples.length > DECISION_SAMPLES) samples.shift();
    },
    /** When to send the first poll after a submission is accepted. */
    expectedMs(): number {
      if (samples.length === 0) return DEFAULT_DECISION_MS;
      const sorted = [...samples].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? DEFAULT_DECISION_MS;
      return Math.min(DECISION_MS_BOUNDS.max, Math.max(DECISION_MS_BOUNDS.min, Math.ceil(median * 1.25)));
    },
  };
}

export type DecisionTimes = ReturnType<typeof decisionTimes>;
