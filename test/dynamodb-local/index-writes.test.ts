import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { DynamoDbSubmissionStore } from '../../src/adapters/dynamodb/dynamodb-submission-store';
import type { ValidationResult } from '../../src/domain/submission';
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
 * DynamoDB bills a write again on every index item it adds, changes or removes.
 * Only DynamoDB Local reports that (dynalite reports no index capacity), so the
 * store's writes are sent through its real client with `ReturnConsumedCapacity:
 * INDEXES` added by an SDK middleware, and each answer's indexes are recorded.
 */
describe.skipIf('skipped' in local)('index writes per transition (DynamoDB Local)', () => {
  let table: TestTable;
  let store: DynamoDbSubmissionStore;
  /** Per write, in order: the command and the indexes it wrote. */
  let writes: { command: string; indexes: string[] }[];

  beforeEach(async () => {
    table = await createTestTable(inject('resources'), 'endpoint' in local ? local.endpoint : '');
    writes = [];
    table.documents.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { ReturnConsumedCapacity?: string };
        input.ReturnConsumedCapacity = 'INDEXES';
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: { GlobalSecondaryIndexes?: object } })
          .ConsumedCapacity;
        if (context.commandName !== 'GetItemCommand') {
          writes.push({
            command: context.commandName ?? '',
            indexes: Object.keys(consumed?.GlobalSecondaryIndexes ?? {}).sort(),
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

  it('writes ByContent on create and decision only: claims, releases and resets leave it alone', async () => {
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

    // Assess
    const all = ['ActiveSubmissions', 'ByContent', 'ByOwner'];
    const withoutContent = ['ActiveSubmissions', 'ByOwner'];
    expect(writes).toEqual([
      { command: 'PutItemCommand', indexes: all },
      { command: 'UpdateItemCommand', indexes: withoutContent },
      { command: 'UpdateItemCommand', indexes: withoutContent },
      { command: 'UpdateItemCommand', indexes: withoutContent },
      { command: 'UpdateItemCommand', indexes: withoutContent },
      { command: 'UpdateItemCommand', indexes: withoutContent },
      { command: 'UpdateItemCommand', indexes: all },
    ]);
  });
});
