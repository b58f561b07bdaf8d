import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SubmissionStatus } from '../../src/domain/submission';
import { type ApiClient, ApiError, type PollAnswer, type Submission } from '../../src/ui/api-client';
import { describeResponseFailure } from '../../src/ui/failure';
import { watchSubmission } from '../../src/ui/watch-submission';

const ID = '6b0e6f0e-5d7c-4f55-9a7e-0a4c1f0b9b1d';

const submission = (status: SubmissionStatus): Submission => ({
  id: ID,
  status,
  attempts: status === 'PENDING' ? 0 : 1,
  createdAt: '2026-11-29T10:00:00.000Z',
  updatedAt: '2026-11-29T10:00:00.000Z',
});

const changed = (status: SubmissionStatus, retryAfter: string | null): PollAnswer => ({
  submission: submission(status),
  etag: `W/"${status}"`,
  retryAfter,
});
const unchanged = (etag: string, retryAfter: string | null): PollAnswer => ({ etag, retryAfter });

/** A server that answers the polls in order, recording what each one sent. */
function scriptedApi(answers: (PollAnswer | Error)[]) {
  const polls: { etag: string | undefined; at: number }[] = [];
  const api: ApiClient = {
    createSubmission: () => Promise.reject(new Error('not used')),
    listSubmissions: () => Promise.reject(new Error('not used')),
    getSubmission: async (id, etag) => {
      expect(id).toBe(ID);
      polls.push({ etag, at: Date.now() });
      const answer = answers.shift();
      if (!answer) throw new Error('polled after the script ended');
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { api, polls };
}

describe('watchSubmission (the page’s poller)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits as Retry-After says, sends If-None-Match with the last ETag, and stops at a terminal status', async () => {
    // Prepare
    const { api, polls } = scriptedApi([
      changed('PENDING', '2'),
      unchanged('W/"PENDING"', '2'),
      changed('PROCESSING', '1'),
      changed('PASSED', null),
    ]);
    const seen: SubmissionStatus[] = [];

    // Act
    watchSubmission(api, ID, { onUpdate: (s) => seen.push(s.status), onError: () => {} });
    await vi.runAllTimersAsync();

    // Assess
    expect(seen).toEqual(['PENDING', 'PROCESSING', 'PASSED']);
    expect(polls).toEqual([
      { etag: undefined, at: 0 },
      { etag: 'W/"PENDING"', at: 2_000 },
      { etag: 'W/"PENDING"', at: 4_000 },
      { etag: 'W/"PROCESSING"', at: 5_000 },
    ]);
  });

  it('backs off while nothing changes and the server gives no Retry-After', async () => {
    const { api, polls } = scriptedApi([
      changed('PENDING', null),
      unchanged('W/"PENDING"', null),
      unchanged('W/"PENDING"', null),
      changed('FAILED', null),
    ]);

    watchSubmission(api, ID, { onUpdate: () => {}, onError: () => {} });
    await vi.runAllTimersAsync();

    // 500 ms after a change, then 1 s and 2 s after each poll that changed nothing.
    expect(polls.map((poll) => poll.at)).toEqual([0, 500, 1_500, 3_500]);
  });

  it('stops and reports a failure in words, for the page to offer Retry', async () => {
    const failure = describeResponseFailure(503, undefined);
    const { api, polls } = scriptedApi([changed('PENDING', '1'), new ApiError(failure)]);
    const errors: unknown[] = [];

    watchSubmission(api, ID, { onUpdate: () => {}, onError: (error) => errors.push(error) });
    await vi.runAllTimersAsync();

    expect(errors).toEqual([failure]);
    expect(polls).toHaveLength(2);
  });

  it('polls a just-accepted submission first when the service is expected to decide, then twice as late until Retry-After is sooner', async () => {
    const { api, polls } = scriptedApi([
      changed('PENDING', '1'),
      unchanged('W/"PENDING"', '1'),
      unchanged('W/"PENDING"', '1'),
      unchanged('W/"PENDING"', '1'),
      changed('PASSED', null),
    ]);

    watchSubmission(api, ID, { onUpdate: () => {}, onError: () => {} }, { expectedDecisionMs: 120 });
    await vi.runAllTimersAsync();

    // 120, then 240, 480 and 960 ms later; then the 1 s Retry-After is sooner than 1,920.
    expect(polls.map((poll) => poll.at)).toEqual([120, 360, 840, 1_800, 2_800]);
  });

  it('polls at once when asked (another part of the page saw it move on), then as before', async () => {
    const { api, polls } = scriptedApi([changed('PENDING', '5'), changed('PASSED', null)]);
    const seen: SubmissionStatus[] = [];

    const watch = watchSubmission(api, ID, { onUpdate: (s) => seen.push(s.status), onError: () => {} });
    await vi.advanceTimersByTimeAsync(100);
    watch.pollNow();
    await vi.runAllTimersAsync();

    expect(polls.map((poll) => poll.at)).toEqual([0, 100]);
    expect(seen).toEqual(['PENDING', 'PASSED']);
  });

  it('polls no more once stopped', async () => {
    const { api, polls } = scriptedApi([changed('PENDING', '1'), changed('PASSED', null)]);

    const watch = watchSubmission(api, ID, { onUpdate: () => {}, onError: () => {} });
    await vi.advanceTimersByTimeAsync(10);
    watch.stop();
    await vi.runAllTimersAsync();

    expect(polls).toHaveLength(1);
  });
});
