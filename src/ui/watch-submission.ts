import { isTerminal } from '../domain/submission';
import { type ApiClient, ApiError, type Submission } from './api-client';
import { type Failure, NETWORK_FAILURE } from './failure';
import { eagerPollDelay, nextPollDelay } from './poll-delay';

export interface Watch {
  /** Polls at once (another part of the page saw it move on), then as before. */
  pollNow(): void;
  stop(): void;
}

export interface WatchOptions {
  /**
   * Just accepted: the page already holds its `PENDING` representation, so the first poll
   * waits this long (how long the service takes to decide), and the next ones double it
   * while that is sooner than `Retry-After`. Absent: the first poll goes at once.
   */
  expectedDecisionMs?: number;
}

export interface WatchHandlers {
  /** Every new representation (a 304 is not one). */
  onUpdate(submission: Submission): void;
  /** Polling stopped on a failure; watch again to resume. */
  onError(failure: Failure): void;
}

/**
 * Polls `GET /submissions/{id}` until the status is terminal: after the delay the
 * server asks for in `Retry-After`, or backing off when it gives none; with
 * `If-None-Match`, so an unchanged submission costs a bodiless 304. A submission just
 * accepted is first polled when the service is expected to have decided it
 * (`options.expectedDecisionMs`), then twice as late each time, until `Retry-After` is sooner.
 */
export function watchSubmission(
  api: ApiClient,
  id: string,
  handlers: WatchHandlers,
  options: WatchOptions = {},
): Watch {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let etag: string | undefined;
  let unchangedPolls = 0;
  let polls = 0;
  let inFlight = false;
  let done = false;
  const { expectedDecisionMs } = options;

  const schedule = (delay: number) => {
    clearTimeout(timer);
    timer = setTimeout(poll, delay);
  };

  const poll = async () => {
    if (inFlight || done) return;
    inFlight = true;
    polls += 1;
    try {
      const answer = await api.getSubmission(id, etag, controller.signal);
      if (controller.signal.aborted) return;
      if (answer.submission) {
        etag = answer.etag ?? undefined;
        unchangedPolls = 0;
        handlers.onUpdate(answer.submission);
        if (isTerminal(answer.submission.status)) {
          done = true;
          return;
        }
      } else {
        unchangedPolls += 1;
      }
      const paced = nextPollDelay(answer.retryAfter, unchangedPolls, Date.now());
      const eager = expectedDecisionMs === undefined ? paced : eagerPollDelay(expectedDecisionMs, polls);
      schedule(Math.min(eager, paced));
    } catch (error) {
      if (controller.signal.aborted) return;
      done = true;
      handlers.onError(error instanceof ApiError ? error.failure : NETWORK_FAILURE);
    } finally {
      inFlight = false;
    }
  };

  if (expectedDecisionMs === undefined) void poll();
  else schedule(expectedDecisionMs);
  return {
    pollNow() {
      if (!inFlight && !done) void poll();
    },
    stop() {
      done = true;
      controller.abort();
      clearTimeout(timer);
    },
  };
}
