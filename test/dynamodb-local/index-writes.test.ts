import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { DynamoDbSubmissionStore } from '../../src/adapters/dynamodb/dynamodb-submission-store';
import { INLINE_CONTENT_MAX_BYTES } from '../../src/adapters/dynamodb/table';
import type { ValidationResult } from '../../src/domain/submission';
import { defaultRuleSet } from '../../src/rules/default-rule-set';
import { createTestTable, type TestTable } from '../helpers/test-table';

/** The reaper run a rescue is marked with (SubmissionStore.resetStuck, deferOrphan). */
const REAPER_RUN = 'reaper-run-1';

const local = inject('dynamodbLocal');

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
const passed: ValidationResult = {
  verdict: 'PASSED',
  rules: [{ rule: 'minLength', passed: true, message: 'ok' }],
};

/**
 * DynamoDB bills a write again on every index item it adds, changes or removes, and a table
 * write by the larger of the item's sizes before and after, per started KB.
 * Only DynamoDB Local reports that (dynalite reports no index capacity), so the
 * store's writes are sent through its real client with `ReturnConsumedCapacity:
 * INDEXES` added by an SDK middleware, and each answer's indexes are recorded.
 */
describe.skipIf('skipped' in local)('index writes per transition (DynamoDB Local)', () => {
  let table: TestTable;
  let store: DynamoDbSubmissionStore;
  /** Per write, in order: the command, and the write units it used on the table and on each index it wrote. */
  let writes: { command: string; units: Record<string, number> }[];

  beforeEach(async () => {
    table = await createTestTable(inject('resources'), 'endpoint' in local ? local.endpoint : '');
    writes = [];
    table.documents.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { ReturnConsumedCapacity?: string };
        input.ReturnConsumedCapacity = 'INDEXES';
        const result = await next(args);
        type Consumed = {
          Table?: { CapacityUnits?: number };
          GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
        };
        const answered = (result.output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
        // A batch answers a list, one entry per table: this test's is the only one.
        const consumed = Array.isArray(answered) ? answered[0] : answered;
        if (context.commandName !== 'GetItemCommand') {
          writes.push({
            command: context.commandName ?? '',
            units: {
              table: consumed?.Table?.CapacityUnits ?? 0,
              ...Object.fromEntries(
                Object.entries(consumed?.GlobalSecondaryIndexes ?? {}).map(([index, used]) => [
                  index,
                  used.CapacityUnits ?? 0,
                ]),
              ),
            },
          });
        }
        return result;
      },
      { step: 'initialize', name: 'recordIndexWrites' },
    );
    store = new DynamoDbSubmissionStore({
      client: table.documents,
      tableName: table.tableName,
      activeShards: 4,
    });
  });
  afterEach(() => table.destroy());

  /** Create, claim, complete: the path of nearly every submission. */
  async function decidedOnce(content: string, contentHash?: string) {
    const id = randomUUID();
    await store.create({ id, owner: 'alice', content, createdAt: at(0) }, at(120));
    await store.claim({ id, leaseToken: 'first', now: at(1), leaseExpiresAt: at(301) });
    await store.complete({
      id,
      leaseToken: 'first',
      now: at(2),
      decision: { status: 'PASSED', result: passed },
      expiresAt: 1_800_000_000,
      ...(contentHash === undefined ? {} : { contentHash }),
    });
    return id;
  }

  const total = () =>
    writes.reduce((sum, { units }) => sum + Object.values(units).reduce((a, b) => a + b, 0), 0);

  it('costs 6 write units from create to decision: a claim writes no index, ByContent is not written', async () => {
    // Act
    await decidedOnce('hello 12345');

    // Assess
    expect(writes).toEqual([
      { command: 'PutItemCommand', units: { table: 1, ActiveSubmissions: 1, ByOwner: 1 } },
      { command: 'UpdateItemCommand', units: { table: 1 } },
      { command: 'UpdateItemCommand', units: { table: 1, ActiveSubmissions: 1 } },
    ]);
    expect(total()).toBe(6);
  });

  it('keeps the longest inline content within one write unit, with the default rule set’s verdict', async () => {
    // Prepare: content of the inline limit, in 2-byte characters, with a digit (so it passes).
    const content = `78${'é'.repeat((INLINE_CONTENT_MAX_BYTES - 2) / 2)}`;
    const verdict = await defaultRuleSet().evaluate(content);
    expect(Buffer.byteLength(content)).toBe(INLINE_CONTENT_MAX_BYTES);
    const id = randomUUID();

    // Act
    await store.create({ id, owner: 'a-32-character-owner-from-a-jwt!', content, createdAt: at(0) }, at(120));
    await store.claim({ id, leaseToken: randomUUID(), now: at(1), leaseExpiresAt: at(301) });
    const [, claim] = writes;
    await store.complete({
      id,
      leaseToken: (await store.getWithoutContent(id))!.leaseToken!,
      now: at(2),
      decision: { status: verdict.verdict, result: verdict },
      expiresAt: 1_800_000_000,
    });

    // Assess
    expect(verdict.verdict).toBe('PASSED');
    expect(claim?.units.table).toBe(1);
    expect(writes.map(({ units }) => units.table)).toEqual([1, 1, 1]);
  });

  it('reads a listing page of 20 for 10.5 read units: 0.5 of the keys-only index, then 0.5 an item', async () => {
    // Prepare: 25 decided submissions of one owner.
    for (let index = 0; index < 25; index += 1) await decidedOnce(`listed submission ${index}`);
    writes = [];

    // Act
    const page = await store.listByOwner('alice', 20);

    // Assess: what a listing pays, so that no transition writes ByOwner (3 write units fewer
    // per submission than schema v1, whose index projected status: there a page was 1 read unit).
    expect(page.items).toHaveLength(20);
    expect(writes.map(({ command, units }) => [command, units])).toEqual([
      ['QueryCommand', { table: 0, ByOwner: 0.5 }],
      ['BatchGetItemCommand', { table: 10 }],
    ]);
  });

  it('writes ByContent once, with the decision, when a duplicate rule asks for it', async () => {
    // Act
    await decidedOnce('hello 12345', 'a-content-hash');

    // Assess
    expect(writes.at(-1)).toEqual({
      command: 'UpdateItemCommand',
      units: { table: 1, ActiveSubmissions: 1, ByContent: 1 },
    });
  });

  it('pays for 64 KiB of content once: its own item, then the same 6 units as short content', async () => {
    // Act
    await decidedOnce('x'.repeat(65_536));

    // Assess
    const [content, ...rest] = writes;
    expect(content).toEqual({ command: 'PutItemCommand', units: { table: 65 } });
    expect(rest).toEqual([
      { command: 'PutItemCommand', units: { table: 1, ActiveSubmissions: 1, ByOwner: 1 } },
      { command: 'UpdateItemCommand', units: { table: 1 } },
      { command: 'UpdateItemCommand', units: { table: 1, ActiveSubmissions: 1 } },
    ]);
  });

  it('writes the sparse index only when a release or a reset moves the reap time', async () => {
    // Prepare
    const id = randomUUID();

    // Act: create, claim, release (an error), claim again, reset by the reaper, claim, decide.
    await store.create({ id, owner: 'alice', content: 'hello 12345', createdAt: at(0) }, at(120));
    await store.claim({ id, leaseToken: 'first', now: at(1), leaseExpiresAt: at(301) });
    await store.release({
      id,
      leaseToken: 'first',
      now: at(2),
      reapAt: at(122),
      error: { code: 'PROCESSING_FAILED', message: 'boom' },
    });
    await store.claim({ id, leaseToken: 'second', now: at(3), leaseExpiresAt: at(303) });
    expect(await store.resetStuck(id, at(4), at(400), at(520), REAPER_RUN)).toBe(true);
    await store.claim({ id, leaseToken: 'third', now: at(401), leaseExpiresAt: at(701) });
    await store.complete({
      id,
      leaseToken: 'third',
      now: at(402),
      decision: { status: 'PASSED', result: passed },
      expiresAt: 1_800_000_000,
    });

    // Assess: a moved range key is a delete and a put in the index (2 units).
    expect(writes.map(({ units: { table: _table, ...indexes } }) => indexes)).toEqual([
      { ActiveSubmissions: 1, ByOwner: 1 },
      {},
      { ActiveSubmissions: 2 },
      {},
      { ActiveSubmissions: 2 },
      {},
      { ActiveSubmissions: 1 },
    ]);
  });
});
