import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbSubmissionStore } from '../../src/adapters/dynamodb/dynamodb-submission-store';
import { activeShardOf, INLINE_CONTENT_MAX_BYTES } from '../../src/adapters/dynamodb/table';
import type { CloudFormationResources } from '../../workbench/local/resources';
import { createTestTable, type TestTable } from '../helpers/test-table';
import { type StoreUnderTest, submissionStoreConformance } from './submission-store-conformance';

/** The reaper run a rescue is marked with (SubmissionStore.resetStuck, deferOrphan). */
const REAPER_RUN = 'reaper-run-1';

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
        expiresAt: 1_800_000_000,
      });

      // Assess
      const [item] = await table.scanAll();
      expect(item).toMatchObject({ id, status: 'FAILED' });
      for (const removed of ['leaseToken', 'leaseExpiresAt', 'activeShard', 'reapAt']) {
        expect(item).not.toHaveProperty(removed);
      }
    });

    it('stores expiresAt as a Number, the type DynamoDB TTL reads, only on the decided item', async () => {
      // Prepare
      const [decided, open] = [randomUUID(), randomUUID()];
      for (const id of [decided, open]) {
        await store.create({ id, owner: 'alice', content: 'hello 12345', createdAt: T0 }, T0);
        await store.claim({ id, leaseToken: `lease-${id}`, now: T0, leaseExpiresAt: T0 });
      }

      // Act
      await store.complete({
        id: decided,
        leaseToken: `lease-${decided}`,
        now: T0,
        decision: { status: 'PASSED', result: { verdict: 'PASSED', rules: [] } },
        expiresAt: 1_775_000_000,
      });

      // Assess
      const items = new Map((await table.scanAll()).map((item) => [item.id, item]));
      expect(items.get(decided)?.expiresAt).toBe(1_775_000_000);
      expect(items.get(open)).not.toHaveProperty('expiresAt');
    });

    it('starts the history on an item written before it existed, numbering attempts from the count', async () => {
      // Prepare: an item as the store wrote it before histories, claimed twice already.
      const id = randomUUID();
      await table.documents.send(
        new PutCommand({
          TableName: table.tableName,
          Item: {
            id,
            owner: 'alice',
            content: 'hello 12345',
            status: 'PENDING',
            attempts: 2,
            createdAt: T0,
            updatedAt: T0,
            activeShard: activeShardOf(id, ACTIVE_SHARDS),
            reapAt: T0,
          },
        }),
      );

      // Act
      const claim = await store.claim({ id, leaseToken: 'third', now: T0, leaseExpiresAt: T0 });

      // Assess
      expect(claim).toMatchObject({ claimed: true, submission: { attempts: 3 } });
      expect((await store.get(id))?.history).toEqual([
        { event: 'claimed', at: T0, leaseExpiresAt: T0, attempt: 3 },
      ]);
    });

    it('keeps long content in an item of its own that expires twice the retention after the submission', async () => {
      // Prepare
      const id = randomUUID();
      const content = 'x'.repeat(INLINE_CONTENT_MAX_BYTES + 1);

      // Act
      await store.create({ id, owner: 'alice', content, createdAt: T0 }, T0);
      await store.create(
        { id: randomUUID(), owner: 'alice', content: 'x'.repeat(INLINE_CONTENT_MAX_BYTES), createdAt: T0 },
        T0,
      );

      // Assess
      const items = await table.scanAll();
      expect(items.find((item) => item.id === id)).not.toHaveProperty('content');
      expect(items.find((item) => item.id === `content#${id}`)).toEqual({
        id: `content#${id}`,
        content,
        expiresAt: Date.parse(T0) / 1000 + 2 * 90 * 86_400,
      });
      expect(items.filter((item) => typeof item.content === 'string')).toHaveLength(2);
      expect(items).toHaveLength(3);
    });

    it('says when content kept apart has expired, rather than handing out other content', async () => {
      // Prepare
      const id = randomUUID();
      await store.create({ id, owner: 'alice', content: 'y'.repeat(1_000), createdAt: T0 }, T0);
      await table.documents.send(
        new DeleteCommand({ TableName: table.tableName, Key: { id: `content#${id}` } }),
      );

      // Act
      const claim = await store.claim({ id, leaseToken: 'a', now: T0, leaseExpiresAt: T0 });

      // Assess
      expect(claim).toMatchObject({ claimed: true, submission: { id, content: '', contentExpired: true } });
      expect(await store.get(id)).toMatchObject({ content: '', contentExpired: true });
    });

    it('reads every due item of an index page larger than one BatchGetItem (100 keys)', async () => {
      // Prepare: one shard, so all 130 land on one index page.
      const oneShard = new DynamoDbSubmissionStore({
        client: table.documents,
        tableName: table.tableName,
        activeShards: 1,
      });
      const submissions = Array.from({ length: 130 }, (_, index) => ({
        id: randomUUID(),
        owner: 'alice',
        content: `due ${index}`,
        createdAt: T0,
      }));
      expect(await oneShard.createMany(submissions, T0)).toEqual([]);

      // Act
      const due: string[] = [];
      for await (const item of oneShard.listDue('2026-01-01T00:01:00.000Z')) due.push(item.id);

      // Assess
      expect(due.sort()).toEqual(submissions.map(({ id }) => id).sort());
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
        expiresAt: 1_800_000_000,
      });
      await store.release({
        id,
        leaseToken: 't',
        now: T0,
        reapAt: T0,
        error: { code: 'PROCESSING_FAILED', message: 'x' },
      });
      await store.resetStuck(id, T0, T0, T0, REAPER_RUN);
      await store.deferOrphan(id, T0, T0, REAPER_RUN);

      // Assess
      expect(await table.scanAll()).toEqual([]);
    });
  });
}
