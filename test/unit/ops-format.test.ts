import { describe, expect, it } from 'vitest';
import type { StoredSubmission } from '../../src/ports/submission-store';
import {
  columns,
  formatDuration,
  formatReap,
  formatRedrive,
  formatRequeue,
  formatStats,
  formatSubmission,
} from '../../workbench/ops/ops-output';
import type { Stats } from '../../workbench/ops/stats';

const NOW = new Date('2026-01-01T00:10:00.000Z');
const ID = '3f2b8c1e-9a4d-4e7b-8c2d-1a2b3c4d5e6f';

function stored(overrides: Partial<StoredSubmission> = {}): StoredSubmission {
  return {
    id: ID,
    owner: 'alice',
    content: 'secret content 42',
    status: 'PENDING',
    attempts: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    history: [{ event: 'accepted', at: '2026-01-01T00:00:00.000Z' }],
    ...overrides,
  };
}

describe('columns', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(
      columns([
        ['a', '1', 'x'],
        ['long', '22', ''],
      ]),
    ).toEqual(['a     1   x', 'long  22']);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [42.9, '42s'],
    [60, '1m'],
    [312, '5m 12s'],
    [3 * 3600 + 59, '3h'],
    [3 * 3600 + 240, '3h 4m'],
    [2 * 86_400 + 3 * 3600 + 7, '2d 3h'],
    [-5, '0s'],
  ])('%d s reads %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('formatStats', () => {
  const stats: Stats = {
    stage: 'local',
    table: 'submissions-local-submissions',
    pending: 3,
    processing: 2,
    processingLeaseExpired: 1,
    oldestPending: { id: ID, waitingSince: '2026-01-01T00:04:48.000Z', ageSeconds: 312 },
    queue: {
      visible: 3,
      inFlight: 2,
      delayed: 0,
      oldestMessageAge: { ageSeconds: 252, at: '2026-01-01T00:08:00.000Z' },
    },
    deadLetterQueue: {
      visible: 1,
      inFlight: 0,
      delayed: 0,
      oldestMessageAge: { unavailable: 'no datapoint in the last 10 min' },
    },
  };

  it('shows counts, the oldest PENDING submission age and both queues with their message ages, aligned', () => {
    // Act
    const lines = formatStats(stats).split('\n');

    // Assess
    expect(lines.slice(0, 7)).toEqual([
      'stage local, table submissions-local-submissions',
      `PENDING       3  oldest PENDING submission age 5m 12s (${ID})`,
      'PROCESSING    2  1 past their lease',
      'queue         3 visible, 2 in flight, 0 delayed',
      '              oldest message age 4m 12s (CloudWatch, minute of 2026-01-01T00:08:00.000Z)',
      'dead letters  1 visible, 0 in flight, 0 delayed',
      '              oldest message age: no datapoint in the last 10 min',
    ]);
    expect(lines.slice(7).join(' ')).toMatch(/ApproximateAgeOfOldestMessage/);
  });

  it('gives the reason when a queue’s message age is unavailable', () => {
    // Prepare
    const unavailable = {
      unavailable: 'unavailable (cannot read CloudWatch: AccessDenied: not authorized)',
    };

    // Act
    const text = formatStats({
      ...stats,
      queue: { ...stats.queue, oldestMessageAge: unavailable },
      deadLetterQueue: { ...stats.deadLetterQueue, oldestMessageAge: unavailable },
    });

    // Assess
    expect(
      text.match(
        /^ +oldest message age: unavailable \(cannot read CloudWatch: AccessDenied: not authorized\)$/gm,
      ),
    ).toHaveLength(2);
    expect(text).toMatch(/^queue +3 visible, 2 in flight, 0 delayed$/m);
  });

  it('leaves the age out when nothing is PENDING', () => {
    expect(formatStats({ ...stats, pending: 0, oldestPending: undefined })).toMatch(/^PENDING +0$/m);
  });
});

describe('formatSubmission', () => {
  const decided = stored({
    status: 'FAILED',
    attempts: 2,
    processingStartedAt: '2026-01-01T00:00:03.000Z',
    completedAt: '2026-01-01T00:00:04.000Z',
    updatedAt: '2026-01-01T00:00:04.000Z',
    expiresAt: Date.parse('2026-04-01T00:00:04.000Z') / 1000,
    lastError: { code: 'PROCESSING_FAILED', message: 'rule timed out' },
    result: {
      verdict: 'FAILED',
      ruleSet: { id: 'default', version: 1 },
      rules: [
        { rule: 'minLength', passed: true, message: 'long enough' },
        { rule: 'requireDigit', passed: false, message: 'needs a digit', measured: 'no digit' },
      ],
    },
    history: [
      { event: 'accepted', at: '2026-01-01T00:00:00.000Z' },
      {
        event: 'claimed',
        at: '2026-01-01T00:00:01.000Z',
        leaseExpiresAt: '2026-01-01T00:05:01.000Z',
        attempt: 1,
      },
      {
        event: 'released',
        at: '2026-01-01T00:00:02.000Z',
        error: { code: 'PROCESSING_FAILED', message: 'rule timed out' },
        attempt: 1,
      },
      {
        event: 'claimed',
        at: '2026-01-01T00:00:03.000Z',
        leaseExpiresAt: '2026-01-01T00:05:03.000Z',
        attempt: 2,
      },
      { event: 'decided', at: '2026-01-01T00:00:04.000Z', status: 'FAILED', attempt: 2 },
    ],
  });

  it('shows status, timestamps, retention, rules and the history, but not the content', () => {
    // Act
    const text = formatSubmission(decided, NOW, false);

    // Assess
    expect(text).toContain('status            FAILED');
    expect(text).toContain('expires           2026-04-01T00:00:04.000Z');
    expect(text).toContain('last error        PROCESSING_FAILED: rule timed out');
    expect(text).toContain('result            FAILED by rule set default v1');
    expect(text).toContain(
      '  pass  minLength     long enough\n  FAIL  requireDigit  needs a digit (no digit)',
    );
    expect(text).toContain('content           (hidden; add --content)');
    expect(text).not.toContain('secret content');
    expect(text.split('history\n')[1]?.split('\n')).toEqual([
      '  2026-01-01T00:00:00.000Z  accepted',
      '  2026-01-01T00:00:01.000Z  claimed   attempt 1, lease until 2026-01-01T00:05:01.000Z',
      '  2026-01-01T00:00:02.000Z  released  attempt 1, PROCESSING_FAILED: rule timed out',
      '  2026-01-01T00:00:03.000Z  claimed   attempt 2, lease until 2026-01-01T00:05:03.000Z',
      '  2026-01-01T00:00:04.000Z  decided   attempt 2, FAILED',
    ]);
  });

  it('shows the content, quoted, only when asked', () => {
    expect(formatSubmission(decided, NOW, true)).toContain('content           "secret content 42"');
  });

  it('tells a live lease from an expired one', () => {
    // Prepare
    const leased = (leaseExpiresAt: string) =>
      stored({ status: 'PROCESSING', attempts: 1, leaseToken: 'token', leaseExpiresAt });

    // Act
    const live = formatSubmission(leased('2026-01-01T00:14:10.000Z'), NOW, false);
    const expired = formatSubmission(leased('2026-01-01T00:07:00.000Z'), NOW, false);

    // Assess
    expect(live).toContain('lease             until 2026-01-01T00:14:10.000Z (live, in 4m 10s)');
    expect(expired).toContain('lease             until 2026-01-01T00:07:00.000Z (expired, 3m ago)');
    expect(live).not.toContain('token');
  });

  it('names who reset or requeued, and counts orphan requeues', () => {
    // Prepare
    const submission = stored({
      orphanRequeues: 2,
      history: [
        { event: 'accepted', at: '2026-01-01T00:00:00.000Z' },
        { event: 'reset', at: '2026-01-01T00:06:00.000Z', attempt: 1 },
        { event: 'requeued', at: '2026-01-01T00:07:00.000Z', from: 'PENDING' },
      ],
    });

    // Act
    const text = formatSubmission(submission, NOW, false);

    // Assess
    expect(text).toContain('orphan requeues   2');
    expect(text).toMatch(/reset +attempt 1, by the reaper/);
    expect(text).toMatch(/requeued +by an operator, from PENDING/);
  });
});

describe('formatRequeue', () => {
  it.each([
    [{ id: ID, requeued: true, from: 'PENDING' } as const, /^requeued .*still PENDING/],
    [{ id: ID, requeued: true, from: 'PROCESSING' } as const, /lease had expired, reset to PENDING/],
    [{ id: ID, requeued: false, reason: 'missing' } as const, /^refused: there is no submission/],
    [
      { id: ID, requeued: false, reason: 'terminal', status: 'PASSED' } as const,
      /^refused: .* is already PASSED; nothing changed$/,
    ],
    [
      {
        id: ID,
        requeued: false,
        reason: 'leased',
        status: 'PROCESSING',
        leaseExpiresAt: '2026-01-01T00:12:00.000Z',
      } as const,
      /live lease until 2026-01-01T00:12:00.000Z \(in 2m\); nothing changed/,
    ],
  ])('says what happened to %j', (report, text) => {
    expect(formatRequeue(report, NOW)).toMatch(text);
  });
});

describe('formatRedrive', () => {
  const entries = [
    { messageId: 'm-1', submissionId: ID, status: 'PENDING', action: 'requeued' },
    { messageId: 'm-2', submissionId: ID, status: 'PASSED', action: 'deleted', note: 'already PASSED' },
    { messageId: 'm-3', action: 'left', note: 'malformed message' },
  ] as const;

  it('lists each message and sums up', () => {
    expect(formatRedrive({ dryRun: false, entries: [...entries] }).split('\n')).toEqual([
      'MESSAGE  SUBMISSION                            STATUS   ACTION',
      `m-1      ${ID}  PENDING  requeued`,
      `m-2      ${ID}  PASSED   deleted (already PASSED)`,
      'm-3      -                                     -        left (malformed message)',
      '1 requeued, 1 deleted, 1 left',
    ]);
  });

  it('speaks in the conditional on a dry run', () => {
    const text = formatRedrive({ dryRun: true, entries: [...entries] });
    expect(text).toContain('would requeue');
    expect(text).toContain('would delete (already PASSED)');
    expect(text).toMatch(/dry run, nothing changed: 1 would requeue, 1 would delete, 1 would leave$/);
  });

  it('says so when the DLQ is empty', () => {
    expect(formatRedrive({ dryRun: false, entries: [] })).toBe('the dead-letter queue is empty');
  });
});

describe('formatReap', () => {
  it('shows each count with what it means', () => {
    expect(formatReap({ reset: 1, requeued: 2, examined: 4, failed: 0 }).split('\n')).toEqual([
      'reset     1  stuck PROCESSING submissions reset to PENDING and re-enqueued',
      'requeued  2  orphaned PENDING submissions re-enqueued',
      'examined  4  due items read from the sparse index',
      'failed    0  could not be rescued now; a later run retries them',
    ]);
  });
});
