import { describe, expect, it } from 'vitest';
import {
  CONTENT_SIZES,
  contentOfSize,
  differencesFromExpected,
  EXPECTED_OURS,
  expectedWrites,
  type SideUnits,
  type SizeUnits,
  sumUnits,
  type Units,
  unitsOf,
} from '../../bench/billed-units';
import type { CallRecord } from '../../bench/counting-proxy';
import { defaultRuleSet } from '../../src/rules/default-rule-set';

const call = (operation: string, resource: string, capacity: Record<string, number>): CallRecord => ({
  operation,
  resource,
  statusCode: 200,
  items: 1,
  scanned: 0,
  arrivedAt: 0,
  at: 0,
  capacity,
});

/** Units with only write units, by target. */
const writes = (byTarget: Record<string, number>): Units => ({
  write: Object.values(byTarget).reduce((sum, units) => sum + units, 0),
  read: 0,
  byTarget: Object.fromEntries(Object.entries(byTarget).map(([name, write]) => [name, { write, read: 0 }])),
});
const poll = (read: number): Units => ({ write: 0, read, byTarget: { submissions: { write: 0, read } } });

/** What our store bills when it is exactly as expected, api and worker split as the store does. */
function asExpected(contentItem: number): SideUnits {
  return {
    api: writes({
      submissions: 1 + contentItem,
      'submissions ActiveSubmissions': 1,
      'submissions ByOwner': 1,
    }),
    worker: writes({ submissions: 2, 'submissions ActiveSubmissions': 1 }),
    poll: poll(1),
  };
}
const sized = (size: SizeUnits['size'], ours: SideUnits): SizeUnits => ({ size, ours, peer: ours });

describe('the capacity sweep’s content', () => {
  it.each(CONTENT_SIZES.filter((size) => size.bytes !== undefined))(
    'is ASCII of exactly $bytes bytes at $label',
    ({ key, bytes }) => {
      for (const index of [0, 1, 2, 19]) {
        const content = contentOfSize(index, key);
        expect(Buffer.byteLength(content, 'utf8')).toBe(bytes);
        expect(content.length).toBe(bytes);
      }
    },
  );

  it.each(CONTENT_SIZES.map((size) => size.key))(
    'passes the default rule set on even indexes and fails it on odd ones (%s)',
    async (size) => {
      const verdicts = await Promise.all(
        [0, 1, 2, 3].map(
          async (index) => (await defaultRuleSet().evaluate(contentOfSize(index, size))).verdict,
        ),
      );
      expect(verdicts).toEqual(['PASSED', 'FAILED', 'PASSED', 'FAILED']);
    },
  );

  it('keeps the bench’s usual content at the short size', () => {
    expect(contentOfSize(4, 'short')).toBe('bench submission number 4');
  });
});

describe('unitsOf', () => {
  it('sums writes and reads per submission, by table and by index, naming each table by its role', () => {
    const calls = [
      call('PutItem', 'capacity-submissions', { table: 1, ByOwner: 1, ActiveSubmissions: 1 }),
      call('PutItem', 'capacity-submissions', { table: 1, ByOwner: 1, ActiveSubmissions: 1 }),
      call('UpdateItem', 'capacity-submissions', { table: 1, ActiveSubmissions: 1 }),
      call('UpdateItem', 'capacity-submissions', { table: 1, ActiveSubmissions: 1 }),
      call('GetItem', 'capacity-submissions', { table: 17 }),
      call('PutItem', 'capacity-idempotency', { table: 1 }),
      call('Query', 'elsewhere', {}),
    ];

    const units = unitsOf(calls, 2, {
      'capacity-submissions': 'submissions',
      'capacity-idempotency': 'peer idempotency',
    });

    expect(units).toEqual({
      write: 5.5,
      read: 8.5,
      byTarget: {
        submissions: { write: 2, read: 8.5 },
        'submissions ByOwner': { write: 1, read: 0 },
        'submissions ActiveSubmissions': { write: 2, read: 0 },
        'peer idempotency': { write: 0.5, read: 0 },
      },
    });
  });

  it('adds phases target by target (sumUnits)', () => {
    const total = sumUnits(writes({ submissions: 1, 'submissions ByOwner': 1 }), poll(2));

    expect(total).toEqual({
      write: 2,
      read: 2,
      byTarget: { submissions: { write: 1, read: 2 }, 'submissions ByOwner': { write: 1, read: 0 } },
    });
  });
});

describe('the billed units --smoke expects of ours', () => {
  it('are 6 WRU for short content and 71 at 64 KiB (the content item’s 65 more), a poll 1 RRU', () => {
    expect(expectedWrites('short')).toBe(6);
    expect(expectedWrites('64k')).toBe(71);
    expect(EXPECTED_OURS.short?.pollReads).toBe(1);
    expect(EXPECTED_OURS['64k']?.pollReads).toBe(1);
    expect(expectedWrites('1k')).toBeUndefined();
  });

  it('finds no difference in exactly the expected units, whatever the reads of the worker', () => {
    const large = asExpected(65);
    large.worker.read = 17;

    expect(differencesFromExpected([sized('short', asExpected(0)), sized('64k', large)])).toEqual([]);
  });

  it('ignores sizes without expected numbers', () => {
    expect(differencesFromExpected([sized('1k', asExpected(7))])).toEqual([]);
  });

  it.each([
    {
      name: 'a claim that writes the sparse index again',
      change: (side: SideUnits) => {
        side.worker = writes({ submissions: 2, 'submissions ActiveSubmissions': 3 });
      },
      expected: [
        'short: submissions ActiveSubmissions 4 WRU, expected 2',
        'short: 8 WRU per submission, expected 6',
      ],
    },
    {
      name: 'a write of an index not expected (ByContent at the decision)',
      change: (side: SideUnits) => {
        side.worker = writes({
          submissions: 2,
          'submissions ActiveSubmissions': 1,
          'submissions ByContent': 1,
        });
      },
      expected: ['short: submissions ByContent 1 WRU, expected 0', 'short: 7 WRU per submission, expected 6'],
    },
    {
      name: 'a status item over 1 KB',
      change: (side: SideUnits) => {
        side.api = writes({ submissions: 2, 'submissions ActiveSubmissions': 1, 'submissions ByOwner': 1 });
      },
      expected: ['short: submissions 4 WRU, expected 3', 'short: 7 WRU per submission, expected 6'],
    },
    {
      name: 'a poll that reads the content too',
      change: (side: SideUnits) => {
        side.poll = poll(2);
      },
      expected: ['short: a status poll 2 RRU + 0 WRU, expected 1 RRU'],
    },
    {
      name: 'fewer units than expected',
      change: (side: SideUnits) => {
        side.api = writes({ submissions: 1, 'submissions ActiveSubmissions': 1 });
      },
      expected: ['short: submissions ByOwner 0 WRU, expected 1', 'short: 5 WRU per submission, expected 6'],
    },
  ])('reports $name', ({ change, expected }) => {
    const side = asExpected(0);
    change(side);

    expect(differencesFromExpected([sized('short', side)])).toEqual(expected);
  });

  it('reports a 64 KiB content item billed at a unit more than expected', () => {
    expect(differencesFromExpected([sized('64k', asExpected(66))])).toEqual([
      '64 KiB: submissions 69 WRU, expected 68',
      '64 KiB: 72 WRU per submission, expected 71',
    ]);
  });
});
