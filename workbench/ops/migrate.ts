import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateScan,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { condition, namesUsedIn } from '../../src/adapters/dynamodb/conditions';
import { conditionally, contentItemOf } from '../../src/adapters/dynamodb/dynamodb-submission-store';
import { activeShardOf, contentIsInline } from '../../src/adapters/dynamodb/table';
import type { HistoryEvent } from '../../src/domain/history';
import type { SubmissionQueue } from '../../src/ports/submission-queue';

/**
 * `npm run ops -- migrate`: moves a stage's submissions from the table of store schema v1
 * (`legacyTableName`) into the v2 table (`tableName`), in v2's shape
 * (docs/operations.md#upgrading-a-stage-to-store-schema-v2):
 *
 * - a decided submission or an idempotency record is copied by a conditional put
 *   (`attribute_not_exists(id)`): never over what v2 already holds;
 * - a PENDING or PROCESSING one is first fenced in v1 (status `MIGRATED`, by a write
 *   conditional on the status and updatedAt just read), so no v1 worker or reaper can
 *   claim, decide, release or reset it any more (each of their writes requires PENDING or
 *   PROCESSING); the fenced item as it was (ALL_OLD) is copied as PENDING, due at once,
 *   and enqueued;
 * - content longer than INLINE_CONTENT_MAX_BYTES goes into its own item, written before
 *   the status item, as the v2 store does.
 *
 * Passes over v1 repeat until one copies nothing, so what an old function wrote during a
 * pass is copied by the next. Safe to re-run (an item fenced by a run that stopped before
 * copying it is copied by the next) and to run twice at once (each write is conditional).
 */

export interface MigrationOptions {
  documents: DynamoDBDocumentClient;
  /** The v1 table (`stageResourceNames(stage).legacyTableName`). */
  legacyTableName: string;
  /** The v2 table (`stageResourceNames(stage).tableName`). */
  tableName: string;
  /** The stage's ACTIVE_INDEX_SHARDS. */
  activeShards: number;
  /** The stage's RETENTION_DAYS: content stored apart expires twice that after its submission. */
  retentionDays: number;
  /** Where copied PENDING submissions are enqueued. */
  queue: SubmissionQueue;
  now?: () => Date;
  /** Passes before giving up while v1 keeps changing (default 10). */
  maxPasses?: number;
}

export interface MigrationReport {
  /** Decided submissions this run copied. */
  copiedTerminal: number;
  /** PENDING or PROCESSING submissions this run copied (each fenced in v1 first), as PENDING. */
  copiedActive: number;
  idempotencyRecords: number;
  /** v1 items this run found in v2 already (copied by an earlier or concurrent run). */
  alreadyThere: number;
  /** Copied PENDING submissions whose message could not be sent: the v2 reaper sends it (they are due). */
  enqueueFailed: number;
  passes: number;
}

/** A v1 item, as Scan or ReturnValues read it. */
type Item = Record<string, unknown> & { id: string };

/** v1's key space of idempotency records (unchanged in v2). */
const IDEMPOTENCY_PREFIX = 'idempotency#';
/** A fenced v1 item's status: no v1 condition accepts it. */
export const MIGRATED = 'MIGRATED';
/** What the fence removes, so the fenced item leaves v1's sparse index and no lease token matches. */
export const FENCE_UPDATE = 'SET #status = :migrated REMOVE #activeShard, #reapAt, #leaseToken';
export const FENCE_CONDITION = '#status = :seenStatus AND #updatedAt = :seenUpdatedAt';
/** Rounds one item gets in a pass while v1 keeps changing it under the fence; then the next pass. */
const FENCE_ROUNDS = 3;
/** Items of a Scan page handled at once. */
const CONCURRENCY = 16;
const DEFAULT_MAX_PASSES = 10;

/** What became of one v1 item in a pass; `changing`: still moving, so the next pass looks again; `gone`: deleted (TTL). */
type Copied = 'terminal' | 'active' | 'idempotency' | 'already-there' | 'changing' | 'gone';

/** Runs passes until one copies nothing; see the module's comment. */
export async function migrate(options: MigrationOptions): Promise<MigrationReport> {
  const maxPasses = options.maxPasses ?? DEFAULT_MAX_PASSES;
  const copiedIds = new Set<string>();
  const alreadyIds = new Set<string>();
  const report: MigrationReport = {
    copiedTerminal: 0,
    copiedActive: 0,
    idempotencyRecords: 0,
    alreadyThere: 0,
    enqueueFailed: 0,
    passes: 0,
  };
  for (;;) {
    report.passes += 1;
    let progress = 0;
    await forEachLegacyItem(options, async (item) => {
      const outcome = await migrateItem(options, item, report);
      if (outcome === 'gone') return;
      if (outcome === 'already-there') {
        alreadyIds.add(item.id);
        return;
      }
      progress += 1;
      if (outcome === 'changing') return;
      copiedIds.add(item.id);
      if (outcome === 'terminal') report.copiedTerminal += 1;
      else if (outcome === 'active') report.copiedActive += 1;
      else report.idempotencyRecords += 1;
    });
    if (progress === 0) break;
    if (report.passes >= maxPasses) {
      throw new Error(
        `v1 table ${options.legacyTableName} still changed in pass ${report.passes}; ` +
          'stop what still writes to it (functions of the previous release) and run migrate again.',
      );
    }
  }
  report.alreadyThere = [...alreadyIds].filter((id) => !copiedIds.has(id)).length;
  return report;
}

/**
 * The first step alone: fences every PENDING and PROCESSING v1 item, copying nothing.
 * What a run that stopped right after its fences leaves; `migrate` finishes it.
 */
export async function fenceLegacyItems(options: MigrationOptions): Promise<Item[]> {
  const fenced: Item[] = [];
  await forEachLegacyItem(options, async (item) => {
    if (item.status !== 'PENDING' && item.status !== 'PROCESSING') return;
    const old = await fence(options, item);
    if (old) fenced.push(old);
  });
  return fenced;
}

/** One line: what a run did. */
export function formatMigration(report: MigrationReport): string {
  const failed = report.enqueueFailed > 0 ? `, ${report.enqueueFailed} not enqueued (the reaper will)` : '';
  return (
    `migrated: ${report.copiedTerminal} decided, ${report.copiedActive} active (fenced in v1, requeued), ` +
    `${report.idempotencyRecords} idempotency records copied; ${report.alreadyThere} already there; ` +
    `${report.passes} ${report.passes === 1 ? 'pass' : 'passes'}${failed}`
  );
}

async function forEachLegacyItem(options: MigrationOptions, handle: (item: Item) => Promise<void>) {
  const pages = paginateScan(
    { client: options.documents },
    { TableName: options.legacyTableName, ConsistentRead: true },
  );
  for await (const page of pages) {
    const items = (page.Items ?? []) as Item[];
    for (let start = 0; start < items.length; start += CONCURRENCY) {
      await Promise.all(items.slice(start, start + CONCURRENCY).map(handle));
    }
  }
}

/** Copies one v1 item as it is now; fences a non-terminal one first, reading it again while it moves. */
async function migrateItem(options: MigrationOptions, seen: Item, report: MigrationReport): Promise<Copied> {
  let item: Item | undefined = seen;
  for (let round = 0; round < FENCE_ROUNDS && item; round += 1) {
    if (item.id.startsWith(IDEMPOTENCY_PREFIX)) {
      return (await putNew(options, item)) ? 'idempotency' : 'already-there';
    }
    switch (item.status) {
      case 'PASSED':
      case 'FAILED':
        return (await copyDecided(options, item)) ? 'terminal' : 'already-there';
      case MIGRATED:
        return (await copyActive(options, item, fencedFrom(item), report)) ? 'active' : 'already-there';
      case 'PENDING':
      case 'PROCESSING': {
        const old = await fence(options, item);
        if (old) {
          const from = old.status as 'PENDING' | 'PROCESSING';
          return (await copyActive(options, old, from, report)) ? 'active' : 'already-there';
        }
        // It moved since it was read (claimed, released, decided, deferred): look again.
        item = await getLegacy(options, item.id);
        break;
      }
      default:
        throw new Error(
          `v1 item ${item.id} has an unknown status ${String(item.status)}; nothing was changed.`,
        );
    }
  }
  // Deleted in between (TTL), or still moving: the next pass looks again.
  return item ? 'changing' : 'gone';
}

/** The fence: returns the item as it was when fenced, or undefined when it had moved on. */
async function fence(options: MigrationOptions, item: Item): Promise<Item | undefined> {
  let old: Item | undefined;
  const fenced = await conditionally(async () => {
    ({ Attributes: old } = (await options.documents.send(
      new UpdateCommand({
        TableName: options.legacyTableName,
        Key: { id: item.id },
        UpdateExpression: FENCE_UPDATE,
        ConditionExpression: FENCE_CONDITION,
        ExpressionAttributeNames: namesUsedIn(FENCE_UPDATE, FENCE_CONDITION),
        ExpressionAttributeValues: {
          ':migrated': MIGRATED,
          ':seenStatus': item.status,
          ':seenUpdatedAt': item.updatedAt,
        },
        ReturnValues: 'ALL_OLD',
      }),
    )) as { Attributes?: Item });
  });
  return fenced ? old : undefined;
}

/**
 * A fenced item whose copy did not happen (the run stopped in between) no longer says its
 * status. v1 sets `leaseExpiresAt` with every claim and removes it with every release,
 * reset, requeue and decision, and the fence leaves it: so it was PROCESSING iff it has one.
 */
const fencedFrom = (item: Item): 'PENDING' | 'PROCESSING' =>
  item.leaseExpiresAt === undefined ? 'PENDING' : 'PROCESSING';

/** A decided submission in v2's shape; contentHash stays where v1's ByContent could find it (a result). */
async function copyDecided(options: MigrationOptions, item: Item): Promise<boolean> {
  const { content, contentHash, activeShard: _shard, reapAt: _reapAt, ...rest } = item;
  await putContentApart(options, item);
  return putNew(options, {
    ...rest,
    ...inline(content),
    ...(contentHash !== undefined && rest.result !== undefined ? { contentHash } : {}),
  });
}

/**
 * A fenced submission as PENDING in v2, due now and enqueued: its lease is gone (the fence
 * refuses the holder's writes anyway), the rest of it kept, and the requeue in its history.
 * Like an operator's requeue, one that was PROCESSING became PENDING now (`updatedAt`).
 */
async function copyActive(
  options: MigrationOptions,
  item: Item,
  from: 'PENDING' | 'PROCESSING',
  report: MigrationReport,
): Promise<boolean> {
  const now = (options.now?.() ?? new Date()).toISOString();
  const {
    content,
    contentHash: _hash,
    activeShard: _shard,
    reapAt: _reapAt,
    leaseToken: _token,
    leaseExpiresAt: _expires,
    history = [],
    ...rest
  } = item;
  const requeued: HistoryEvent = { event: 'requeued', at: now, from };
  await putContentApart(options, item);
  const copied = await putNew(options, {
    ...rest,
    ...inline(content),
    status: 'PENDING',
    ...(from === 'PROCESSING' ? { updatedAt: now } : {}),
    history: [...(history as HistoryEvent[]), requeued],
    activeShard: activeShardOf(item.id, options.activeShards),
    reapAt: now,
  });
  if (!copied) return false;
  try {
    await options.queue.enqueue(item.id);
  } catch {
    report.enqueueFailed += 1;
  }
  return true;
}

const inline = (content: unknown) =>
  typeof content === 'string' && contentIsInline(content) ? { content } : {};

/** Content too long to be inline gets its own item, before the status item that needs it. */
async function putContentApart(options: MigrationOptions, item: Item): Promise<void> {
  const { content, createdAt } = item;
  if (typeof content !== 'string') {
    throw new Error(`v1 submission ${item.id} has no content; nothing was changed for it.`);
  }
  const apart = contentItemOf({ id: item.id, content, createdAt: String(createdAt) }, options.retentionDays);
  // Written once: a copy already there (an earlier run) is the same content.
  if (apart) await putNew(options, apart);
}

/** A put into v2 only where nothing with that id is; false when something is. */
function putNew(options: MigrationOptions, item: Record<string, unknown>): Promise<boolean> {
  return conditionally(() =>
    options.documents.send(
      new PutCommand({
        TableName: options.tableName,
        Item: item,
        ConditionExpression: condition.isNew,
        ExpressionAttributeNames: namesUsedIn(condition.isNew),
      }),
    ),
  );
}

async function getLegacy(options: MigrationOptions, id: string): Promise<Item | undefined> {
  const { Item } = await options.documents.send(
    new GetCommand({ TableName: options.legacyTableName, Key: { id }, ConsistentRead: true }),
  );
  return Item as Item | undefined;
}
