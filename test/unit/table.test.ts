import { describe, expect, it } from 'vitest';
import { activeShardOf } from '../../src/adapters/dynamodb/table';
import { seededRandom, seededUuid } from './support/seeded-random';

const uuids = (count: number, seed: number) => {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => seededUuid(random));
};

describe('activeShardOf', () => {
  it('gives the same shard for the same id every time', () => {
    // Prepare
    const ids = uuids(50, 1);

    // Act
    const first = ids.map((id) => activeShardOf(id, 4));
    const second = ids.map((id) => activeShardOf(id, 4));

    // Assess
    expect(second).toEqual(first);
  });

  it.each([1, 2, 4, 7, 100])('always returns a whole number in [0, %i)', (shards) => {
    // Prepare
    const ids = [...uuids(200, shards), '', 'x', 'z'.repeat(1000), '😀'.repeat(50)];

    // Act
    const assigned = ids.map((id) => activeShardOf(id, shards));

    // Assess
    for (const shard of assigned) {
      expect(shard).toMatch(/^\d+$/);
      expect(Number(shard)).toBeLessThan(shards);
    }
  });

  it('spreads 1,000 random UUIDs over 4 shards with at least 150 in each', () => {
    // Prepare
    const ids = uuids(1000, 20_250_101);

    // Act
    const counts = new Map<string, number>();
    for (const id of ids) {
      const shard = activeShardOf(id, 4);
      counts.set(shard, (counts.get(shard) ?? 0) + 1);
    }

    // Assess
    expect([...counts.keys()].sort()).toEqual(['0', '1', '2', '3']);
    for (const count of counts.values()) expect(count).toBeGreaterThanOrEqual(150);
  });
});
