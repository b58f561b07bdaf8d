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
