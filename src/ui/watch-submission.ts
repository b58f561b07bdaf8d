import { isTerminal } from '../domain/submission';
import { type ApiClient, ApiError, type Submission } from './api-client';
import { type Failure, NETWORK_FAILURE } from './failure';
import { nextPollDelay } from './poll-delay';

export interface Watch {
  stop(): void;
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
 * `If-None-Match`, so an unchanged submission costs a bodiless 304.
 */
export function watchSubmission(api: ApiClient, id: string, handlers: WatchHandlers): Watch {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let etag: string | undefined;
  let unchangedPolls = 0;

  const poll = async () => {
    try {
      const answer = await api.getSubmission(id, etag, controller.signal);
      if (controller.signal.aborted) return;
      if (answer.submission) {
        etag = answer.etag ?? undefined;
        unchangedPolls = 0;
        handlers.onUpdate(answer.submission);
        if (isTerminal(answer.submission.status)) return;
      } else {
        unchangedPolls += 1;
      }
      timer = setTimeout(poll, nextPollDelay(answer.retryAfter, unchangedPolls, Date.now()));
    } catch (error) {
      if (controller.signal.aborted) return;
      handlers.onError(error instanceof ApiError ? error.failure : NETWORK_FAILURE);
    }
  };

  void poll();
  return {
    stop() {
      controller.abort();
      clearTimeout(timer);
    },
  };
}
