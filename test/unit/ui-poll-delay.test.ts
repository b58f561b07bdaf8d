import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  DEFAULT_DECISION_MS,
  decisionTimes,
  nextPollDelay,
  retryAfterMs,
} from '../../src/ui/poll-delay';

const NOW = Date.parse('2026-11-29T10:00:00Z');

describe('the page’s polling delay', () => {
  it.each([
    ['1', 1_000],
    ['0', 0],
    [' 3 ', 3_000],
    ['Sun, 29 Nov 2026 10:00:05 GMT', 5_000],
    ['Sun, 29 Nov 2026 09:59:00 GMT', 0], // a date in the past: now
  ])('reads Retry-After %j as %i ms', (header, expected) => {
    expect(retryAfterMs(header, NOW)).toBe(expected);
  });

  it.each([[null], ['soon'], ['-1'], ['1.5']])(
    'ignores a missing or unreadable Retry-After (%j)',
    (header) => {
      expect(retryAfterMs(header, NOW)).toBeUndefined();
    },
  );

  it('backs off exponentially up to a ceiling when the server gives no hint', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((attempt) => backoffMs(attempt))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  it('follows Retry-After when present, however many polls changed nothing', () => {
    expect(nextPollDelay('2', 0, NOW)).toBe(2_000);
    expect(nextPollDelay('2', 7, NOW)).toBe(2_000);
  });

  it('keeps a Retry-After within bounds: never a busy loop, never more than a minute', () => {
    expect(nextPollDelay('0', 0, NOW)).toBe(250);
    expect(nextPollDelay('3600', 0, NOW)).toBe(60_000);
  });

  it('backs off when there is no Retry-After', () => {
    expect(nextPollDelay(null, 0, NOW)).toBe(500);
    expect(nextPollDelay(null, 3, NOW)).toBe(4_000);
  });

  it('expects the service to decide in the median of the decisions it has seen, with a margin, each counted once', () => {
    const times = decisionTimes();
    expect(times.expectedMs()).toBe(DEFAULT_DECISION_MS);

    const decided = (id: string, ms: number) => ({
      id,
      createdAt: '2026-11-29T10:00:00.000Z',
      completedAt: new Date(Date.parse('2026-11-29T10:00:00.000Z') + ms).toISOString(),
    });
    times.record(decided('a', 80));
    times.record(decided('b', 60));
    times.record(decided('c', 4_000));
    for (let again = 0; again < 5; again += 1) times.record(decided('c', 4_000));
    times.record({ id: 'd', createdAt: '2026-11-29T10:00:00.000Z' });

    // Median of 60, 80 and 4,000 is 80; with a quarter more, 100.
    expect(times.expectedMs()).toBe(100);
  });

  it('keeps the expected decision time between 50 ms and 2 s', () => {
    const fast = decisionTimes();
    fast.record({ id: 'a', createdAt: '2026-11-29T10:00:00.000Z', completedAt: '2026-11-29T10:00:00.001Z' });
    const slow = decisionTimes();
    slow.record({ id: 'a', createdAt: '2026-11-29T10:00:00.000Z', completedAt: '2026-11-29T10:05:00.000Z' });

    expect(fast.expectedMs()).toBe(50);
    expect(slow.expectedMs()).toBe(2_000);
  });
});
