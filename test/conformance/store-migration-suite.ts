import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createDocumentClient } from '../../src/adapters/dynamodb/dynamodb-client';
import { DynamoDbSubmissionStore } from '../../src/adapters/dynamodb/dynamodb-submission-store';
import {
  activeShardOf,
  CONTENT_KEY_PREFIX,
  INLINE_CONTENT_MAX_BYTES,
} from '../../src/adapters/dynamodb/table';
import { SubmissionProcessor } from '../../src/application/submission-processor';
import { SubmissionService } from '../../src/application/submissions';
import { contentHashOf } from '../../src/domain/content-hash';
import { type HistoryEvent, numberAttempts } from '../../src/domain/history';
import type { SubmissionStatus } from '../../src/domain/submission';
import { systemClock } from '../../src/ports/clock';
import type { StoredSubmission } from '../../src/ports/submission-store';
import { defaultRuleSet } from '../../src/rules/default-rule-set';
import {
  fenceLegacyItems,
  type MigrationOptions,
  type MigrationReport,
  migrate,
} from '../../workbench/ops/migrate';
import { waitFor } from '../../workbench/wait';
import { ManualClock } from '../helpers/manual-clock';
import { scanTable } from '../helpers/test-table';

/**
 * The fixture: a stage deployed from commit 8025eca (store schema v1), its table's raw
 * items. Made by a generator run in a worktree of that commit (not kept: it runs only
 * against that commit's code) with that commit's own DynamoDbSubmissionStore,
 * SubmissionService and SubmissionProcessor on dynalite, from a manual clock starting
 * 2026-12-06T08:00:00Z, then a consistent Scan. It left:
 * - decided: PASSED (5 B to 64 KiB, 128 B exactly), FAILED by verdict, FAILED with an
 *   error (PROCESSING_FAILED; ATTEMPTS_EXHAUSTED after a lease ran out), FAILED as a
 *   duplicate (a rule set with a `duplicate` rule found the earlier one through ByContent),
 *   one accepted through an Idempotency-Key, one of a batch;
 * - PENDING: fresh (5 B, 129 B, 64 KiB), released after an error (lastError, notBefore),
 *   interrupted by a deadline, reset by the reaper, deferred as an orphan, requeued by an
 *   operator, two of a batch, one accepted through an Idempotency-Key;
 * - PROCESSING: lease expired, lease live (for 100 years), second attempt after an error;
 * - idempotency records: of a decided and of a PENDING submission, and of a request that
 *   crashed before storing its submission;
 * - owners alice, bob, carol, dave; multi-byte content throughout.
 * Content over 24 KiB is stored as a marker (`expand` below); `v1Table` is serverless.yml's
 * SubmissionsTable then, which stays unchanged in serverless.yml (checked below).
 */
interface Fixture {
  commit: string;
  cases: Record<string, string>;
  v1Table: Record<string, unknown>;
  items: Record<string, unknown>[];
}
const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'v1-stage.json'), 'utf8'),
) as Fixture;

/** The marker's content: whole code points of `unit` while the next one fits in `bytes`, then '.'. */
function expand({ unit, bytes }: { unit: string; bytes: number }): string {
  const points = [...unit];
  let text = '';
  let size = 0;
  for (let index = 0; ; index += 1) {
    const point = points[index % points.length]!;
    const length = Buffer.byteLength(point);
    if (size + length > bytes) break;
    text += point;
    size += length;
  }
  return text + '.'.repeat(bytes - size);
}

type V1Item = Record<string, unknown> & { id: string };
type V1Submission = V1Item & {
  owner: string;
  content: string;
  status: SubmissionStatus;
  createdAt: string;
  attempts: number;
  history: HistoryEvent[];
};

const v1Items: V1Item[] = fixture.items.map((item) => {
  const { content } = item as { content?: unknown };
  return (
    content !== null && typeof content === 'object'
      ? { ...item, content: expand((content as { $expand: { unit: string; bytes: number } }).$expand) }
      : item
  ) as V1Item;
});
const submissions = v1Items.filter((item) => typeof item.status === 'string') as V1Submission[];
const isActive = (item: V1Submission) => item.status === 'PENDING' || item.status === 'PROCESSING';
const active = submissions.filter(isActive);
const decided = submissions.filter((item) => !isActive(item));
const idempotencyRecords = v1Items.filter((item) => item.id.startsWith('idempotency#'));
const owners = [...new Set(submissions.map((item) => item.owner))];
const named = (name: string) => {
  const id = fixture.cases[name];
  if (!id) throw new Error(`no case ${name} in the fixture`);
  return submissions.find((item) => item.id === id)!;
};

/** The stage's settings the migration runs with: not v1's 4 shards nor the default 90 days. */
export const MIGRATION_SETTINGS = { activeShards: 7, retentionDays: 30 } as const;

/** One stage's two tables (and queue) on one DynamoDB implementation. */
export interface MigrationHarness {
  dynamodb: DynamoDBClient;
  /** A client of its own on the same DynamoDB (the race test adds a middleware to it). */
  connect(): DynamoDBClient;
  legacyTableName: string;
  tableName: string;
  /** For migrate() called directly: everything but the client and the clock. */
  options: Omit<MigrationOptions, 'documents' | 'now'>;
  /** `npm run ops -- migrate` as the stage's operator runs it (or migrate() where there is no SQS), at `now`. */
  runMigration(now: Date): Promise<{ report: MigrationReport; text: string }>;
  /** The ids enqueued since the last call. */
  takeQueued(): Promise<string[]>;
  destroy(): Promise<void>;
}

/**
 * The migration from store schema v1 to v2 (`npm run ops -- migrate`,
 * docs/operations.md#upgrading-a-stage-to-store-schema-v2) on one DynamoDB
 * implementation, from the fixture of a v1 stage. `harness` is called in each test,
 * after the globalSetup provided what it needs.
 */
export function storeMigrationSuite(name: string, harness: () => Promise<MigrationHarness>): void {
  describe(`store migration v1 → v2 on ${name}`, () => {
    let stage: MigrationHarness | undefined;
    let documents: DynamoDBDocumentClient;
    let store: DynamoDbSubmissionStore;

    const scan = async (tableName: string) =>
      (await scanTable(documents, tableName)).sort((a, b) => String(a.id).localeCompare(String(b.id)));
    const byId = (items: Record<string, unknown>[]) =>
      new Map(items.map((item) => [item.id as string, item]));

    beforeEach(async () => {
      stage = undefined;
      stage = await harness();
      documents = createDocumentClient(stage.dynamodb);
      store = new DynamoDbSubmissionStore({
        client: documents,
        tableName: stage.tableName,
        ...MIGRATION_SETTINGS,
      });
      for (const item of v1Items) {
        await documents.send(new PutCommand({ TableName: stage.legacyTableName, Item: item }));
      }
    });
    afterEach(() => stage?.destroy());

    /** What `get` returns of a decided v1 submission: the v1 store's own reading of it. */
    function expectedDecided(item: V1Submission): StoredSubmission {
      const { activeShard: _shard, reapAt: _reapAt, contentHash: _hash, history, ...rest } = item;
      return { ...rest, history: numberAttempts(history, item.attempts) } as StoredSubmission;
    }

    /** What `get` returns of a v1 submission fenced and requeued at `at`. */
    function expectedRequeued(item: V1Submission, at: string): StoredSubmission {
      const {
        activeShard: _shard,
        reapAt: _reapAt,
        contentHash: _hash,
        leaseToken: _token,
        leaseExpiresAt: _expires,
        history,
        ...rest
      } = item;
      const from = item.status as 'PENDING' | 'PROCESSING';
      return {
        ...rest,
        status: 'PENDING',
        // Like an operator's requeue: one that was PROCESSING became PENDING now.
        ...(from === 'PROCESSING' ? { updatedAt: at } : {}),
        history: numberAttempts([...history, { event: 'requeued', at, from }], item.attempts),
      } as StoredSubmission;
    }

    /** Every submission of the fixture, as `get` reads it: content byte for byte, the rest deeply. */
    async function expectEverySubmissionReachable(at: string) {
      for (const item of submissions) {
        const got = await store.get(item.id);
        expect(got, item.id).toBeDefined();
        expect(Buffer.from(got!.content).equals(Buffer.from(item.content)), `content of ${item.id}`).toBe(
          true,
        );
        expect(got, item.id).toEqual(isActive(item) ? expectedRequeued(item, at) : expectedDecided(item));
      }
    }

    it('starts from serverless.yml’s v1 table, as the fixture’s stage had it', () => {
      const { TableName: _name, ...definition } = inject('resources').SubmissionsTable?.Properties ?? {};

      expect(definition).toEqual(fixture.v1Table);
      expect(fixture.commit).toBe('8025eca');
    });

    it('copies every submission and idempotency record into v2, in v2’s shape, and says so', async () => {
      // Prepare
      const now = new Date();
      const at = now.toISOString();

      // Act
      const { report, text } = await stage!.runMigration(now);

      // Assess: the report (a second pass found nothing left).
      expect(report).toEqual({
        copiedTerminal: decided.length,
        copiedActive: active.length,
        idempotencyRecords: idempotencyRecords.length,
        alreadyThere: 0,
        enqueueFailed: 0,
        passes: 2,
      });
      expect(text).toBe(
        `migrated: ${decided.length} decided, ${active.length} active (fenced in v1, requeued), ` +
          `${idempotencyRecords.length} idempotency records copied; 0 already there; 2 passes`,
      );
      // Every submission reads as it did, the active ones requeued.
      await expectEverySubmissionReachable(at);
      // v2's items: content inline up to INLINE_CONTENT_MAX_BYTES, else in its own item.
      const v2 = byId(await scan(stage!.tableName));
      const apart = submissions.filter((item) => Buffer.byteLength(item.content) > INLINE_CONTENT_MAX_BYTES);
      expect(apart.length).toBeGreaterThan(0);
      expect(apart.length).toBeLessThan(submissions.length);
      expect(v2.size).toBe(v1Items.length + apart.length);
      for (const item of submissions) {
        const status = v2.get(item.id)!;
        const inline = Buffer.byteLength(item.content) <= INLINE_CONTENT_MAX_BYTES;
        expect(status.content, item.id).toBe(inline ? item.content : undefined);
        const separate = v2.get(`${CONTENT_KEY_PREFIX}${item.id}`);
        const expiresAt =
          Math.floor(Date.parse(item.createdAt) / 1000) + 2 * MIGRATION_SETTINGS.retentionDays * 86_400;
        expect(separate, item.id).toEqual(
          inline ? undefined : { id: `${CONTENT_KEY_PREFIX}${item.id}`, content: item.content, expiresAt },
        );
        if (isActive(item)) {
          // Due now, in the stage's shards; no contentHash until a decision under a duplicate rule.
          expect(status).toMatchObject({
            activeShard: activeShardOf(item.id, MIGRATION_SETTINGS.activeShards),
            reapAt: at,
          });
          expect(status).not.toHaveProperty('contentHash');
          expect(status).not.toHaveProperty('leaseToken');
        } else {
          // In ByContent where v1's lookup found it: decisions with a result.
          expect(status.contentHash, item.id).toBe(item.result === undefined ? undefined : item.contentHash);
          expect(status).not.toHaveProperty('activeShard');
        }
      }
      for (const record of idempotencyRecords) expect(v2.get(record.id)).toEqual(record);
      // v1: decided items untouched, active ones fenced.
      const v1 = byId(await scan(stage!.legacyTableName));
      for (const item of decided) expect(v1.get(item.id)).toEqual(item);
      for (const item of active) {
        const { activeShard: _shard, reapAt: _reapAt, leaseToken: _token, ...kept } = item;
        expect(v1.get(item.id)).toEqual({ ...kept, status: 'MIGRATED' });
      }
    });

    it('leaves every previously active submission due, enqueued once, and decided once by the processor', async () => {
      // Prepare
      const now = new Date();
      await stage!.runMigration(now);
      const processor = new SubmissionProcessor({
        store,
        clock: systemClock,
        ruleSet: defaultRuleSet(),
        maxAttempts: 3,
        stuckAfterMs: 300_000,
        orphanAfterMs: 240_000,
      });
      const activeIds = active.map((item) => item.id).sort();
      const due = async () => {
        const ids: string[] = [];
        for await (const entry of store.listDue(new Date().toISOString())) ids.push(entry.id);
        return ids.sort();
      };

      // Act
      const queued = (await stage!.takeQueued()).sort();
      const dueBefore = await waitFor('the copied submissions in the sparse index', async () => {
        const ids = await due();
        return ids.length === activeIds.length ? ids : undefined;
      });
      const outcomes = await Promise.all(queued.map((id) => processor.process(id)));
      const again = await Promise.all(submissions.map((item) => processor.process(item.id)));

      // Assess
      expect(queued).toEqual(activeIds);
      expect(dueBefore).toEqual(activeIds);
      expect(outcomes.map((outcome) => outcome.outcome)).toEqual(activeIds.map(() => 'decided'));
      expect(again.map((outcome) => outcome.outcome)).toEqual(submissions.map(() => 'skipped'));
      await waitFor('nothing due any more', async () => ((await due()).length === 0 ? true : undefined));
      for (const item of submissions) {
        const got = (await store.get(item.id))!;
        expect(
          got.history.filter((entry) => entry.event === 'decided'),
          item.id,
        ).toHaveLength(1);
        if (!isActive(item)) expect(got, item.id).toEqual(expectedDecided(item));
      }
      // The live lease's holder never decided it: this processor did, after its fence.
      const live = named('processing-live');
      expect((await store.get(live.id))!.decidedBy).not.toBe(live.leaseToken);
    });

    it('lists every owner’s submissions newest first, page by page and by status', async () => {
      // Prepare
      await stage!.runMigration(new Date());
      const list = async (owner: string, status?: SubmissionStatus) => {
        const listed: { id: string; status: SubmissionStatus }[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listByOwner(owner, 2, cursor, status);
          listed.push(...page.items.map(({ id, status }) => ({ id, status })));
          cursor = page.nextCursor;
        } while (cursor);
        return listed;
      };
      const expected = (owner: string, status?: SubmissionStatus) =>
        submissions
          .filter((item) => item.owner === owner)
          .map((item) => ({
            id: item.id,
            createdAt: item.createdAt,
            status: isActive(item) ? 'PENDING' : item.status,
          }))
          .filter((item) => !status || item.status === status)
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
          .map(({ id, status }) => ({ id, status }));

      for (const owner of owners) {
        // Act
        const all = await waitFor(`${owner}'s listing`, async () => {
          const listed = await list(owner);
          return listed.length === expected(owner).length ? listed : undefined;
        });
        const pending = await list(owner, 'PENDING');
        const failed = await list(owner, 'FAILED');

        // Assess
        expect(all).toEqual(expected(owner));
        expect(pending).toEqual(expected(owner, 'PENDING'));
        expect(failed).toEqual(expected(owner, 'FAILED'));
      }
      expect([...owners].sort()).toEqual(['alice', 'bob', 'carol', 'dave']);
    });

    it('keeps v1’s decisions findable by content, and its idempotency keys', async () => {
      // Prepare
      await stage!.runMigration(new Date());
      const [passed, duplicate] = [named('passed-tiny'), named('failed-duplicate')];
      const hash = contentHashOf('alice', passed.content);
      // The keys' records expire a day after the fixture was made: replay them then.
      const clock = new ManualClock('2026-12-06T09:00:00.000Z');
      const service = new SubmissionService({
        store,
        queue: { enqueue: async () => {}, enqueueMany: async () => [] },
        clock,
        orphanAfterMs: 240_000,
      });

      // Act
      const latest = await waitFor('the latest earlier decision', () =>
        store.findEarlierDecision(hash, '2099-01-01T00:00:00.000Z'),
      );
      const before = await store.findEarlierDecision(hash, duplicate.createdAt);
      const decidedKey = await service.acceptIdempotently('alice', 'Idempotent number 1', 'key-passed');
      const pendingKey = await service.acceptIdempotently('bob', 'Idempotent number 2', 'key-pending');
      const crashedKey = await service.acceptIdempotently('carol', 'Never stored number 9', 'key-crashed');

      // Assess
      expect(hash).toBe(passed.contentHash);
      expect(latest).toEqual({ id: duplicate.id, result: duplicate.result });
      expect(before).toEqual({ id: passed.id, result: passed.result });
      expect(decidedKey).toMatchObject({ replayed: true, submission: { id: named('idempotent-passed').id } });
      expect(pendingKey).toMatchObject({
        replayed: true,
        submission: { id: named('idempotent-pending').id, status: 'PENDING' },
      });
      // Reserved by v1 for a submission never stored: the retry stores it under that id.
      expect(crashedKey).toMatchObject({
        replayed: false,
        submission: { id: fixture.cases['idempotent-never-stored'], status: 'PENDING' },
      });
    });

    describe('a v1 worker’s or reaper’s writes (8025eca’s own expressions)', () => {
      const v1 = () => v1Writes(documents, stage!.legacyTableName);

      it('still land before the migration (the control)', async () => {
        expect(await v1().claim(named('pending-fresh-tiny').id)).toBe(true);
        expect(await v1().claim(named('processing-expired').id)).toBe(true);
        expect(await v1().complete(named('processing-live'))).toBe(true);
        expect(await v1().resetStuck(named('processing-second-attempt').id)).toBe(true);
      });

      it('are refused once it has fenced the item', async () => {
        // Prepare
        await stage!.runMigration(new Date());
        const before = await scan(stage!.legacyTableName);

        // Act
        const writes = [
          await v1().claim(named('pending-fresh-tiny').id),
          await v1().claim(named('processing-expired').id),
          await v1().complete(named('processing-live')),
          await v1().resetStuck(named('processing-second-attempt').id),
        ];

        // Assess
        expect(writes).toEqual([false, false, false, false]);
        expect(await scan(stage!.legacyTableName)).toEqual(before);
      });

      it('made during the migration are copied as they landed: a decision, a new submission', async () => {
        // Prepare: the old worker decides the live lease's item just before the fence reaches
        // it; the old API stores a new submission at the same moment (fault injection on the
        // migration's own client: the writes themselves are real).
        const live = named('processing-live');
        const late = {
          id: '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
          owner: 'erin',
          content: 'Late number 12',
          createdAt: '2026-12-06T09:00:00.000Z',
          updatedAt: '2026-12-06T09:00:00.000Z',
          status: 'PENDING',
          attempts: 0,
          history: [{ event: 'accepted', at: '2026-12-06T09:00:00.000Z' }],
          activeShard: activeShardOf('3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f', 4),
          reapAt: '2026-12-06T09:04:00.000Z',
          contentHash: contentHashOf('erin', 'Late number 12'),
        };
        const client = stage!.connect();
        const migrating = createDocumentClient(client);
        let raced = false;
        migrating.middlewareStack.add(
          (next) => async (args) => {
            const input = JSON.stringify(args.input);
            if (!raced && input.includes('MIGRATED') && input.includes(live.id)) {
              raced = true;
              expect(await v1().complete(live)).toBe(true);
              await documents.send(new PutCommand({ TableName: stage!.legacyTableName, Item: late }));
            }
            return next(args);
          },
          { step: 'initialize', name: 'oldFunctionsRace' },
        );
        const now = new Date();

        // Act
        const report = await migrate({ ...stage!.options, documents: migrating, now: () => now }).finally(
          () => client.destroy(),
        );

        // Assess
        expect(raced).toBe(true);
        // One active item fewer (decided), one more (the late one).
        expect(report).toMatchObject({
          copiedTerminal: decided.length + 1,
          copiedActive: active.length,
          alreadyThere: 0,
        });
        expect(await store.get(live.id)).toMatchObject({ status: 'PASSED', decidedBy: live.leaseToken });
        expect((await store.get(live.id))!.history.map((entry) => entry.event)).not.toContain('requeued');
        expect(await store.get(late.id)).toMatchObject({ status: 'PENDING', content: late.content });
        const queued = await stage!.takeQueued();
        expect(queued).toContain(late.id);
        expect(queued).not.toContain(live.id);
      });
    });

    it('writes content stored apart before the status item that needs it', async () => {
      // Prepare: the order of the migration's puts into v2, as they reach DynamoDB.
      const client = stage!.connect();
      const written: string[] = [];
      client.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as { TableName?: string; Item?: { id?: { S?: string } } };
          const result = await next(args);
          if (input.TableName === stage!.tableName && input.Item?.id?.S) written.push(input.Item.id.S);
          return result;
        },
        { step: 'build', name: 'recordPuts' },
      );
      const now = new Date();

      // Act
      await migrate({ ...stage!.options, documents: createDocumentClient(client), now: () => now }).finally(
        () => client.destroy(),
      );

      // Assess
      const apart = submissions.filter((item) => Buffer.byteLength(item.content) > INLINE_CONTENT_MAX_BYTES);
      expect(apart.length).toBeGreaterThan(0);
      for (const item of apart) {
        const content = written.indexOf(`${CONTENT_KEY_PREFIX}${item.id}`);
        expect(content, item.id).toBeGreaterThanOrEqual(0);
        expect(content, item.id).toBeLessThan(written.indexOf(item.id));
      }
    });

    it('copies each item once when two runs race each other', async () => {
      // Prepare
      const now = new Date();
      const run = () => migrate({ ...stage!.options, documents, now: () => now });

      // Act
      const reports = await Promise.all([run(), run()]);

      // Assess
      const total = (key: keyof MigrationReport) => reports[0][key] + reports[1][key];
      expect(total('copiedTerminal')).toBe(decided.length);
      expect(total('copiedActive')).toBe(active.length);
      expect(total('idempotencyRecords')).toBe(idempotencyRecords.length);
      expect((await stage!.takeQueued()).sort()).toEqual(active.map((item) => item.id).sort());
      await expectEverySubmissionReachable(now.toISOString());
    });

    it('changes nothing when run again, and reports everything already there', async () => {
      // Prepare
      await stage!.runMigration(new Date());
      await stage!.takeQueued();
      const [v1Before, v2Before] = [await scan(stage!.legacyTableName), await scan(stage!.tableName)];

      // Act
      const { report, text } = await stage!.runMigration(new Date(Date.now() + 60_000));

      // Assess
      expect(report).toEqual({
        copiedTerminal: 0,
        copiedActive: 0,
        idempotencyRecords: 0,
        alreadyThere: v1Items.length,
        enqueueFailed: 0,
        passes: 1,
      });
      expect(text).toBe(
        `migrated: 0 decided, 0 active (fenced in v1, requeued), 0 idempotency records copied; ` +
          `${v1Items.length} already there; 1 pass`,
      );
      expect(await scan(stage!.legacyTableName)).toEqual(v1Before);
      expect(await scan(stage!.tableName)).toEqual(v2Before);
      expect(await stage!.takeQueued()).toEqual([]);
    });

    it('finishes a run that stopped between its fences and its copies', async () => {
      // Prepare: the first step alone, as a run that crashed right after it leaves things.
      const fenced = await fenceLegacyItems({
        ...stage!.options,
        documents,
      });
      const copiedBefore = await scan(stage!.tableName);
      const now = new Date();

      // Act
      const { report } = await stage!.runMigration(now);

      // Assess
      expect(fenced.map((item) => item.id).sort()).toEqual(active.map((item) => item.id).sort());
      expect(copiedBefore).toEqual([]);
      expect(report).toMatchObject({
        copiedTerminal: decided.length,
        copiedActive: active.length,
        alreadyThere: 0,
      });
      // Each requeue says where it came from, though the fence had overwritten the status.
      await expectEverySubmissionReachable(now.toISOString());
      expect((await stage!.takeQueued()).sort()).toEqual(active.map((item) => item.id).sort());
    });
  });
}

/**
 * Writes of a v1 worker and reaper, with the expressions of commit 8025eca's
 * DynamoDbSubmissionStore (claim, complete, resetStuck), copied literally: what old
 * functions still running after the deploy send to the v1 table.
 */
function v1Writes(documents: DynamoDBDocumentClient, tableName: string) {
  const history = '#history = list_append(if_not_exists(#history, :noHistory), :historyEntry)';
  const send = async (input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>) => {
    try {
      await documents.send(new UpdateCommand({ TableName: tableName, ...input }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  };
  const now = new Date().toISOString();
  return {
    claim: (id: string) =>
      send({
        Key: { id },
        UpdateExpression:
          'SET #status = :processing, #leaseToken = :leaseToken, #processingStartedAt = :now, ' +
          `#leaseExpiresAt = :leaseExpiresAt, #reapAt = :leaseExpiresAt, #updatedAt = :now, ${history} ` +
          'ADD #attempts :one REMOVE #notBefore',
        ConditionExpression:
          '((#status = :pending) AND (attribute_not_exists(#notBefore) OR #notBefore <= :now)) OR ' +
          '((#status = :processing) AND (#leaseExpiresAt < :now))',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#leaseToken': 'leaseToken',
          '#processingStartedAt': 'processingStartedAt',
          '#leaseExpiresAt': 'leaseExpiresAt',
          '#reapAt': 'reapAt',
          '#updatedAt': 'updatedAt',
          '#history': 'history',
          '#attempts': 'attempts',
          '#notBefore': 'notBefore',
        },
        ExpressionAttributeValues: {
          ':pending': 'PENDING',
          ':processing': 'PROCESSING',
          ':now': now,
          ':leaseToken': 'a-v1-worker',
          ':leaseExpiresAt': new Date(Date.now() + 300_000).toISOString(),
          ':one': 1,
          ':noHistory': [],
          ':historyEntry': [{ event: 'claimed', at: now, leaseExpiresAt: now }],
        },
      }),
    complete: (item: V1Item) =>
      send({
        Key: { id: item.id },
        UpdateExpression:
          'SET #status = :status, #result = :outcome, #decidedBy = :leaseToken, #completedAt = :now, ' +
          `#updatedAt = :now, #expiresAt = :expiresAt, ${history} ` +
          'REMOVE #leaseToken, #leaseExpiresAt, #activeShard, #reapAt',
        ConditionExpression: '(#status = :processing) AND (#leaseToken = :leaseToken)',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#result': 'result',
          '#decidedBy': 'decidedBy',
          '#completedAt': 'completedAt',
          '#updatedAt': 'updatedAt',
          '#expiresAt': 'expiresAt',
          '#history': 'history',
          '#leaseToken': 'leaseToken',
          '#leaseExpiresAt': 'leaseExpiresAt',
          '#activeShard': 'activeShard',
          '#reapAt': 'reapAt',
        },
        ExpressionAttributeValues: {
          ':processing': 'PROCESSING',
          ':leaseToken': item.leaseToken,
          ':status': 'PASSED',
          ':outcome': { verdict: 'PASSED', rules: [] },
          ':now': now,
          ':expiresAt': Math.floor(Date.now() / 1000) + 90 * 86_400,
          ':noHistory': [],
          ':historyEntry': [{ event: 'decided', at: now, status: 'PASSED' }],
        },
      }),
    resetStuck: (id: string) =>
      send({
        Key: { id },
        UpdateExpression:
          `SET #status = :pending, #updatedAt = :now, #reapAt = :reapAt, #rescuedBy = :by, ${history} ` +
          'REMOVE #leaseToken, #leaseExpiresAt',
        ConditionExpression: '(#status = :processing) AND (#processingStartedAt < :startedBefore)',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#updatedAt': 'updatedAt',
          '#reapAt': 'reapAt',
          '#rescuedBy': 'rescuedBy',
          '#history': 'history',
          '#leaseToken': 'leaseToken',
          '#leaseExpiresAt': 'leaseExpiresAt',
          '#processingStartedAt': 'processingStartedAt',
        },
        ExpressionAttributeValues: {
          ':pending': 'PENDING',
          ':processing': 'PROCESSING',
          ':startedBefore': now,
          ':now': now,
          ':reapAt': now,
          ':by': 'a-v1-reaper',
          ':noHistory': [],
          ':historyEntry': [{ event: 'reset', at: now }],
        },
      }),
  };
}
