import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbSubmissionStore } from '../../src/adapters/dynamodb/submission-store';
import { activeShardOf } from '../../src/adapters/dynamodb/table';
import type { CloudFormationResources } from '../../src/local/resources';
import { createTestTable, type TestTable } from '../helpers/test-table';
import { type StoreUnderTest, submissionStoreConformance } from './submission-store';

/** Enough shards that a dozen submissions land in several of them. */
const ACTIVE_SHARDS = 4;

interface DynamoDbStoreUnderTest extends StoreUnderTest {
  store: DynamoDbSubmissionStore;
  table: TestTable;
}

async function dynamoDbStore(resources: CloudFormationResources, endpoint: string) {
  const table = await createTestTable(resources, endpoint);
  const store = new DynamoDbSubmissionStore({
    client: table.documents,
    tableName: table.tableName,
    activeShards: ACTIVE_SHARDS,
  });
  return { store, table, destroy: () => table.destroy() } satisfies DynamoDbStoreUnderTest;
}

/**
 * The DynamoDB adapter on one DynamoDB implementation (an emulator, DynamoDB
 * Local): the port's conformance suite, then the few checks that only make
 * sense for this adapter's storage layout (the sparse index's attributes).
 * `connection` is read in each test, after the globalSetup provided it.
 */
export function dynamoDbSubmissionStoreSuite(
  name: string,
  connection: () => { resources: CloudFormationResources; endpoint: string },
): void {
  const harness = () => {
    const { resources, endpoint } = connection();
    return dynamoDbStore(resources, endpoint);
  };

  submissionStoreConformance(`DynamoDB on ${name}`, harness);

  describe(`DynamoDB item layout on ${name}`, () => {
    const T0 = '2026-01-01T00:00:00.000Z';
    let underTest: DynamoDbStoreUnderTest | undefined;
    let store: DynamoDbSubmissionStore;
    let table: TestTable;

    beforeEach(async () => {
      // A failed set-up must not make afterEach destroy the previous test's store twice.
      underTest = undefined;
      underTest = await harness();
      ({ store, table } = underTest);
    });
    afterEach(() => underTest?.destroy());

    it('writes a new submission into the sparse index: its shard and reap time', async () => {
      // Prepare
      const id = randomUUID();

      // Act
      await store.create(
        { id, owner: 'alice', content: 'hello 12345', createdAt: T0 },
        '2026-01-01T00:02:00.000Z',
      );

      // Assess
      expect(await table.scanAll()).toEqual([
        expect.objectContaining({
          id,
          activeShard: activeShardOf(id, ACTIVE_SHARDS),
          reapAt: '2026-01-01T00:02:00.000Z',
        }),
      ]);
    });

    it('keeps exactly one item when a create is retried after a lost response', async () => {
      // Prepare
      const submission = { id: randomUUID(), owner: 'alice', content: 'hello 12345', createdAt: T0 };
      await store.create(submission, '2026-01-01T00:02:00.000Z');

      // Act
      const retry = await store.create(submission, '2026-01-01T00:02:00.000Z');

      // Assess
      expect(retry).toBe(true);
      expect(await table.scanAll()).toHaveLength(1);
    });

    it('removes the lease and the index attributes on completion', async () => {
      // Prepare
      const id = randomUUID();
      await store.create(
        { id, owner: 'alice', content: 'hello 12345', createdAt: T0 },
        '2026-01-01T00:02:00.000Z',
      );
      await store.claim({ id, leaseToken: 'lease', now: T0, leaseExpiresAt: '2026-01-01T00:05:00.000Z' });

      // Act
      await store.complete({
        id,
        leaseToken: 'lease',
        now: T0,
        decision: { status: 'FAILED', error: { code: 'PROCESSING_FAILED', message: 'boom' } },
      });

      // Assess
      const [item] = await table.scanAll();
      expect(item).toMatchObject({ id, status: 'FAILED' });
      for (const removed of ['leaseToken', 'leaseExpiresAt', 'activeShard', 'reapAt']) {
        expect(item).not.toHaveProperty(removed);
      }
    });

    it('writes no item for a transition on an unknown id (no upsert)', async () => {
      // Prepare
      const id = randomUUID();

      // Act
      await store.claim({ id, leaseToken: 't', now: T0, leaseExpiresAt: T0 });
      await store.complete({
        id,
        leaseToken: 't',
        now: T0,
        decision: { status: 'FAILED', error: { code: 'PROCESSING_FAILED', message: 'x' } },
      });
      await store.release({
        id,
        leaseToken: 't',
        now: T0,
        reapAt: T0,
        error: { code: 'PROCESSING_FAILED', message: 'x' },
      });
      await store.resetStuck(id, T0, T0, T0);
      await store.deferOrphan(id, T0, T0);

      // Assess
      expect(await table.scanAll()).toEqual([]);
    });
  });
}
