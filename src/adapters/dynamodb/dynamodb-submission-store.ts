import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type HistoryEvent, numberAttempts } from '../../domain/history';
import type { EarlierDecision } from '../../domain/rules';
import type { Submission, SubmissionStatus } from '../../domain/submission';
import { DEFAULT_RETENTION_DAYS, isTerminal } from '../../domain/submission';
import {
  type ActiveSubmission,
  type ClaimOutcome,
  type ClaimRequest,
  type CompleteRequest,
  type FencedOutcome,
  type IdempotencyRecord,
  LISTED_ATTRIBUTES,
  type NewSubmission,
  type ReleaseRequest,
  type RequeueOutcome,
  type RequeueRequest,
  type StoredSubmission,
  type SubmissionPage,
  type SubmissionStore,
  type SubmissionWithoutContent,
} from '../../ports/submission-store';
import { and, condition, namesUsedIn, or } from './conditions';
import { decodeCursor, encodeCursor, type OwnerIndexKey } from './cursor';
import {
  ACTIVE_INDEX,
  activeShardOf,
  CONTENT_INDEX,
  CONTENT_KEY_PREFIX,
  contentIsInline,
  OWNER_INDEX,
} from './table';

export interface DynamoDbSubmissionStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Number of partition-key shards of the sparse index (ACTIVE_INDEX_SHARDS). */
  activeShards: number;
  /**
   * Days a decided submission is kept (RETENTION_DAYS): content stored apart expires twice
   * that long after the submission (docs/design.md#data-model). Default 90.
   */
  retentionDays?: number;
}

type Item = Omit<StoredSubmission, 'history' | 'content'> & {
  /** Inline when short (`contentIsInline`); otherwise in its own item (`contentItemKey`). */
  content?: string;
  activeShard?: string;
  reapAt?: string;
  contentHash?: string;
  /** Absent on an item written before the history existed (and on index projections). */
  history?: HistoryEvent[];
};

/** A status item, without its content, as `getWithoutContent` and `claim` read it. */
function withoutContent(item: Record<string, unknown>): SubmissionWithoutContent {
  const { history = [], content: _content, ...submission } = toSubmission(item) as Item;
  return { ...submission, history: numberAttempts(history, submission.attempts) };
}

/** A status item without the store's own attributes (the content stays if it is inline). */
function toSubmission(item: Record<string, unknown>): Submission {
  const { activeShard: _shard, reapAt: _reapAt, contentHash: _hash, ...submission } = item as unknown as Item;
  return submission as Submission;
}

/** The key of the item that holds a submission's content when it is not inline. */
export const contentItemKey = (id: string) => ({ id: `${CONTENT_KEY_PREFIX}${id}` });

/**
 * The item holding a new submission's content when it is not inline (undefined when it is):
 * written once, never updated, and expiring twice `retentionDays` after the submission.
 */
export function contentItemOf(
  { id, content, createdAt }: Pick<NewSubmission, 'id' | 'content' | 'createdAt'>,
  retentionDays: number,
): Record<string, unknown> | undefined {
  if (contentIsInline(content)) return undefined;
  const expiresAt = Math.floor(Date.parse(createdAt) / 1000) + 2 * retentionDays * 86_400;
  return { ...contentItemKey(id), content, expiresAt };
}

/**
 * Appends one entry to the history within a transition's own UpdateItem: no
 * extra call, and no entry for a write whose condition was refused.
 */
export const APPEND_HISTORY = '#history = list_append(if_not_exists(#history, :noHistory), :historyEntry)';
export const historyValues = (entry: HistoryEvent) => ({ ':noHistory': [], ':historyEntry': [entry] });

/** claim's condition: PENDING whose retry time has come, or PROCESSING whose lease expired. */
export const CLAIMABLE = or(
  and(condition.statusIsPending, condition.retryIsDue),
  and(condition.statusIsProcessing, condition.leaseExpired),
);
/**
 * claim's update: a fresh lease, one more attempt, the transition in the history, no retry
 * time left. It leaves `reapAt` alone, so a claim writes no item of the sparse index (which
 * projects keys only): the reaper reads a claimed item when its reap time comes and resets it
 * once the lease has run out (docs/design.md#data-model).
 */
export const CLAIM_UPDATE =
  'SET #status = :processing, #leaseToken = :leaseToken, #processingStartedAt = :now, ' +
  `#leaseExpiresAt = :leaseExpiresAt, #updatedAt = :now, ${APPEND_HISTORY} ` +
  'ADD #attempts :one REMOVE #notBefore';

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/**
 * Runs one conditional write; `false` when its condition was refused. Every
 * other error (throttling, outage, validation) is rethrown for the caller's
 * retry policy.
 */
export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** The submission store on one DynamoDB table; see `conditions.ts` for each transition's condition. */
export class DynamoDbSubmissionStore implements SubmissionStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #shards: number;
  readonly #retentionDays: number;

  constructor(options: DynamoDbSubmissionStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#shards = options.activeShards;
    this.#retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  }

  async create(submission: NewSubmission, reapAt: string): Promise<boolean> {
    const item = this.#newItem(submission, reapAt);
    // Content stored apart goes first, so no status item ever points at content not yet
    // written. A retry writes the identical item; other content under this id is refused.
    const apart = contentItemOf(submission, this.#retentionDays);
    if (apart) {
      const ours = or(condition.isNew, condition.sameContent);
      const written = await conditionally(() =>
        this.#client.send(
          new PutCommand({
            TableName: this.#table,
            Item: apart,
            ConditionExpression: ours,
            ExpressionAttributeNames: namesUsedIn(ours),
            ExpressionAttributeValues: { ':content': submission.content },
          }),
        ),
      );
      if (!written) return false;
    }
    const written = await conditionally(() =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: item,
          ConditionExpression: condition.isNew,
          ExpressionAttributeNames: namesUsedIn(condition.isNew),
        }),
      ),
    );
    if (written) return true;
    // Refused: either the id is taken, or this very write succeeded and only its
    // response was lost, so the SDK's retry found it. Only the latter is ours.
    const current = await this.get(submission.id);
    return (
      current?.owner === submission.owner &&
      current.createdAt === submission.createdAt &&
      current.content === submission.content
    );
  }

  async get(id: string): Promise<StoredSubmission | undefined> {
    const item = await this.#statusItem(id);
    return item ? this.#withContent(item) : undefined;
  }

  async getWithoutContent(id: string): Promise<SubmissionWithoutContent | undefined> {
    const item = await this.#statusItem(id);
    return item ? withoutContent(item) : undefined;
  }

  async #statusItem(id: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { id }, ConsistentRead: true }),
    );
    return Item;
  }

  /** The submission of a status item, with its content: inline, or read from its own item. */
  async #withContent(item: Record<string, unknown>): Promise<StoredSubmission> {
    const submission = withoutContent(item);
    // Inline whenever the item has it (what it holds is the rule set's to judge: a corrupt,
    // non-string value fails the checks as before, rather than passing for content kept apart).
    if (item.content !== undefined) return { ...submission, content: item.content as string };
    // Content never changes, so an eventually consistent read (half the read units) is right
    // whenever it finds the item; only one that misses it asks again, consistently.
    const read = (ConsistentRead: boolean) =>
      this.#client.send(
        new GetCommand({ TableName: this.#table, Key: contentItemKey(submission.id), ConsistentRead }),
      );
    let { Item } = await read(false);
    if (Item === undefined) ({ Item } = await read(true));
    // Written before the status item and kept twice the retention: only a submission left
    // undecided for that long finds it gone.
    if (typeof Item?.content !== 'string') return { ...submission, content: '', contentExpired: true };
    return { ...submission, content: Item.content };
  }

  async claim({ id, leaseToken, now, leaseExpiresAt }: ClaimRequest): Promise<ClaimOutcome> {
    const claimable = CLAIMABLE;
    const update = CLAIM_UPDATE;
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { id },
          UpdateExpression: update,
          ConditionExpression: claimable,
          ExpressionAttributeNames: namesUsedIn(update, claimable),
          ExpressionAttributeValues: {
            ':pending': 'PENDING',
            ':processing': 'PROCESSING',
            ':now': now,
            ':leaseToken': leaseToken,
            ':leaseExpiresAt': leaseExpiresAt,
            ':one': 1,
            ...historyValues({ event: 'claimed', at: now, leaseExpiresAt }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { claimed: true, submission: await this.#withContent(Attributes ?? {}) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    // Refused: read once to say why. Only duplicates, late or early deliveries and retries
    // of a claim whose response was lost (the lease is then ours) get here.
    const item = await this.#statusItem(id);
    if (!item) return { claimed: false, reason: 'missing' };
    const current = withoutContent(item);
    if (current.status === 'PROCESSING' && current.leaseToken === leaseToken) {
      return { claimed: true, submission: await this.#withContent(item) };
    }
    if (current.status === 'PENDING' && current.notBefore !== undefined) {
      return { claimed: false, reason: 'early', notBefore: current.notBefore };
    }
    return { claimed: false, reason: isTerminal(current.status) ? 'terminal' : 'leased' };
  }

  async complete({
    id,
    leaseToken,
    now,
    decision,
    expiresAt,
    contentHash,
  }: CompleteRequest): Promise<FencedOutcome> {
    const outcome = 'result' in decision ? '#result' : '#error';
    // Indexed by content (ByContent) only when a `duplicate` rule will look it up.
    const indexed = contentHash === undefined ? '' : '#contentHash = :contentHash, ';
    const written = await this.#transition(
      id,
      `SET #status = :status, ${outcome} = :outcome, #decidedBy = :leaseToken, #completedAt = :now, ` +
        `#updatedAt = :now, #expiresAt = :expiresAt, ${indexed}${APPEND_HISTORY} ` +
        'REMOVE #leaseToken, #leaseExpiresAt, #activeShard, #reapAt',
      and(condition.statusIsProcessing, condition.leaseIsOurs),
      {
        ':leaseToken': leaseToken,
        ':status': decision.status,
        ':outcome': 'result' in decision ? decision.result : decision.error,
        ':now': now,
        ':expiresAt': expiresAt,
        ...(contentHash === undefined ? {} : { ':contentHash': contentHash }),
        ...historyValues({
          event: 'decided',
          at: now,
          status: decision.status,
          ...('error' in decision ? { errorCode: decision.error.code } : {}),
        }),
      },
    );
    if (written) return { written, status: decision.status };
    // Refused: a retry of our own write whose response was lost finds our token as the decider.
    const current = await this.getWithoutContent(id);
    return current?.decidedBy === leaseToken ? { written: true, status: current.status } : { written };
  }

  async release(request: ReleaseRequest): Promise<FencedOutcome> {
    const { id, leaseToken, now, notBefore, reapAt } = request;
    const [noted, entry]: [string, HistoryEvent] =
      'error' in request
        ? ['#lastError = :error', { event: 'released', at: now, error: request.error }]
        : [
            '#interruptions = if_not_exists(#interruptions, :zero) + :one',
            {
              event: 'interrupted',
              at: now,
              by: request.interrupted,
            },
          ];
    const written = await this.#transition(
      id,
      `SET #status = :pending, ${noted}, #releasedBy = :leaseToken, #updatedAt = :now, ` +
        `${notBefore === undefined ? '' : '#notBefore = :notBefore, '}#reapAt = :reapAt, ${APPEND_HISTORY} ` +
        'REMOVE #leaseToken, #leaseExpiresAt',
      and(condition.statusIsProcessing, condition.leaseIsOurs),
      {
        ':leaseToken': leaseToken,
        ...('error' in request ? { ':error': request.error } : { ':zero': 0, ':one': 1 }),
        ':now': now,
        ...(notBefore === undefined ? {} : { ':notBefore': notBefore }),
        ':reapAt': reapAt,
        ...historyValues(entry),
      },
    );
    if (written) return { written, status: 'PENDING' };
    // Refused: a retry of our own release whose response was lost finds our token as the releaser.
    const current = await this.getWithoutContent(id);
    return current?.releasedBy === leaseToken ? { written: true, status: 'PENDING' } : { written };
  }

  async resetStuck(
    id: string,
    startedBefore: string,
    now: string,
    reapAt: string,
    by: string,
  ): Promise<boolean> {
    const written = await this.#transition(
      id,
      `SET #status = :pending, #updatedAt = :now, #reapAt = :reapAt, #rescuedBy = :by, ${APPEND_HISTORY} ` +
        'REMOVE #leaseToken, #leaseExpiresAt',
      and(condition.statusIsProcessing, condition.startedBefore),
      {
        ':startedBefore': startedBefore,
        ':now': now,
        ':reapAt': reapAt,
        ':by': by,
        ...historyValues({ event: 'reset', at: now }),
      },
    );
    return written || (await this.#rescuedBy(id, by));
  }

  /** Whether a refused reset or deferral is our own, retried after its response was lost. */
  async #rescuedBy(id: string, by: string): Promise<boolean> {
    const current = await this.getWithoutContent(id);
    return current?.status === 'PENDING' && current.rescuedBy === by;
  }

  async requeue({ id, now, reapAt }: RequeueRequest): Promise<RequeueOutcome> {
    // Read, then the write for what was read; a write refused because the item
    // moved on in between (a claim, a release, a decision) looks again.
    for (let round = 0; round < REQUEUE_ROUNDS; round += 1) {
      const current = await this.getWithoutContent(id);
      if (!current) return { requeued: false, reason: 'missing' };
      if (isTerminal(current.status)) return { requeued: false, reason: 'terminal' };
      if (current.status === 'PENDING') {
        // Still waiting: the reap time moves and a retry back-off ends (the operator asks for
        // it now); updatedAt keeps when it became PENDING.
        const requeued = await this.#transition(
          id,
          `SET #reapAt = :reapAt, ${APPEND_HISTORY} REMOVE #notBefore`,
          condition.statusIsPending,
          { ':reapAt': reapAt, ...historyValues({ event: 'requeued', at: now, from: 'PENDING' }) },
        );
        if (requeued) return { requeued, from: 'PENDING' };
        continue;
      }
      if (!(current.leaseExpiresAt !== undefined && current.leaseExpiresAt < now)) {
        return { requeued: false, reason: 'leased' };
      }
      const reset = await this.#transition(
        id,
        `SET #status = :pending, #updatedAt = :now, #reapAt = :reapAt, ${APPEND_HISTORY} ` +
          'REMOVE #leaseToken, #leaseExpiresAt',
        and(condition.statusIsProcessing, condition.leaseExpired),
        {
          ':now': now,
          ':reapAt': reapAt,
          ...historyValues({ event: 'requeued', at: now, from: 'PROCESSING' }),
        },
      );
      if (reset) return { requeued: reset, from: 'PROCESSING' };
    }
    // Still moving after several looks: a worker is busy with it.
    return { requeued: false, reason: 'leased' };
  }

  async deferOrphan(id: string, seenReapAt: string, reapAt: string, by: string): Promise<boolean> {
    const written = await this.#transition(
      id,
      'SET #reapAt = :reapAt, #rescuedBy = :by ADD #orphanRequeues :one',
      and(condition.statusIsPending, condition.reapAtUnchanged),
      { ':seenReapAt': seenReapAt, ':reapAt': reapAt, ':by': by, ':one': 1 },
    );
    return written || (await this.#rescuedBy(id, by));
  }

  async dueAgain(id: string, seenReapAt: string, now: string): Promise<boolean> {
    return this.#transition(
      id,
      'SET #reapAt = :now',
      and(condition.statusIsPending, condition.reapAtUnchanged),
      {
        ':seenReapAt': seenReapAt,
        ':now': now,
      },
    );
  }

  async *listDue(now: string): AsyncIterable<ActiveSubmission> {
    const due = '#activeShard = :shard AND #reapAt <= :now';
    for (let shard = 0; shard < this.#shards; shard += 1) {
      const pages = paginateQuery(
        { client: this.#client },
        {
          TableName: this.#table,
          IndexName: ACTIVE_INDEX,
          KeyConditionExpression: due,
          ExpressionAttributeNames: namesUsedIn(due),
          ExpressionAttributeValues: { ':shard': String(shard), ':now': now },
        },
      );
      for await (const page of pages) {
        // The index holds keys only (so no transition but entering and leaving writes it):
        // a page's due items are read together, and one that moved on since is passed over.
        const ids = (page.Items ?? []).map((item) => item.id as string);
        const items = await this.#statusItems(ids, DUE_ATTRIBUTES, { consistent: true });
        for (const id of ids) {
          const item = items.get(id);
          if (item?.reapAt === undefined || (item.reapAt as string) > now) continue;
          const { status, reapAt, updatedAt, processingStartedAt, leaseExpiresAt } = item as Item;
          yield {
            id,
            status: status as ActiveSubmission['status'],
            reapAt: reapAt as string,
            updatedAt,
            ...(processingStartedAt === undefined ? {} : { processingStartedAt }),
            ...(leaseExpiresAt === undefined ? {} : { leaseExpiresAt }),
          };
        }
      }
    }
  }

  async listByOwner(
    owner: string,
    limit: number,
    cursor?: string,
    status?: SubmissionStatus,
  ): Promise<SubmissionPage> {
    // ByOwner projects keys only, so no transition rewrites it: a page is the index's ids,
    // newest first, then their status items read together (reads cost a fifth of writes).
    const keyCondition = '#owner = :owner';
    const { Items, LastEvaluatedKey } = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: OWNER_INDEX,
        KeyConditionExpression: keyCondition,
        ExpressionAttributeNames: namesUsedIn(keyCondition),
        ExpressionAttributeValues: { ':owner': owner },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: cursor ? decodeCursor(cursor, owner) : undefined,
      }),
    );
    const ids = (Items ?? []).map((item) => item.id as string);
    const found = await this.#statusItems(ids, LISTED_ATTRIBUTES, { consistent: false });
    return {
      items: ids
        .map((id) => found.get(id))
        .filter((item): item is Record<string, unknown> => item !== undefined)
        .filter((item) => !status || item.status === status)
        .map((item) => listed(toSubmission(item))),
      nextCursor: LastEvaluatedKey ? encodeCursor(LastEvaluatedKey as OwnerIndexKey) : undefined,
    };
  }

  /**
   * Status items by id, only `attributes` of each (never the content), with BatchGetItem:
   * up to MAX_BATCH_GET keys a request, retrying what the service leaves unprocessed.
   */
  async #statusItems(
    ids: readonly string[],
    attributes: readonly string[],
    { consistent }: { consistent: boolean },
  ): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    for (let start = 0; start < ids.length; start += MAX_BATCH_GET) {
      let keys = ids.slice(start, start + MAX_BATCH_GET).map((id) => ({ id }));
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt === BATCH_WRITE_ATTEMPTS) throw new Error('BatchGetItem kept leaving keys unprocessed.');
        if (attempt > 0) await sleep(BATCH_WRITE_BACKOFF_MS * 2 ** attempt);
        const { Responses, UnprocessedKeys } = await this.#client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.#table]: {
                Keys: keys,
                ConsistentRead: consistent,
                ProjectionExpression: attributes.map((name) => `#${name}`).join(', '),
                ExpressionAttributeNames: Object.fromEntries(attributes.map((name) => [`#${name}`, name])),
              },
            },
          }),
        );
        for (const item of Responses?.[this.#table] ?? []) found.set(item.id as string, item);
        keys = (UnprocessedKeys?.[this.#table]?.Keys ?? []) as { id: string }[];
      }
    }
    return found;
  }

  async createMany(submissions: NewSubmission[], reapAt: string): Promise<string[]> {
    // Content stored apart first: a status item is written only once its content is.
    const apart = submissions.flatMap((submission) => {
      const item = contentItemOf(submission, this.#retentionDays);
      return item ? [item] : [];
    });
    const contentMissing = new Set(
      (await this.#writeAll(apart)).map((id) => id.slice(CONTENT_KEY_PREFIX.length)),
    );
    const unstored = await this.#writeAll(
      submissions
        .filter((submission) => !contentMissing.has(submission.id))
        .map((submission) => this.#newItem(submission, reapAt)),
    );
    return submissions.map(({ id }) => id).filter((id) => contentMissing.has(id) || unstored.includes(id));
  }

  /** BatchWriteItem of fresh items, retrying what the service leaves unprocessed; returns the ids never written. */
  async #writeAll(items: readonly Record<string, unknown>[]): Promise<string[]> {
    let pending = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt === BATCH_WRITE_ATTEMPTS)
        return pending.map(({ PutRequest }) => PutRequest.Item.id as string);
      if (attempt > 0) await sleep(BATCH_WRITE_BACKOFF_MS * 2 ** attempt);
      const chunks = [];
      for (let start = 0; start < pending.length; start += MAX_BATCH_WRITE) {
        chunks.push(pending.slice(start, start + MAX_BATCH_WRITE));
      }
      const results = await Promise.all(
        chunks.map((chunk) =>
          this.#client.send(new BatchWriteCommand({ RequestItems: { [this.#table]: chunk } })),
        ),
      );
      pending = results.flatMap((result) => (result.UnprocessedItems?.[this.#table] ?? []) as typeof pending);
    }
    return [];
  }

  async reserveIdempotencyKey(
    record: IdempotencyRecord,
    nowEpochSeconds: number,
  ): Promise<IdempotencyRecord> {
    const id = `${IDEMPOTENCY_PREFIX}${record.keyHash}`;
    const free = or(condition.isNew, condition.keyExpired);
    const reserved = await conditionally(() =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { id, ...record },
          ConditionExpression: free,
          ExpressionAttributeNames: namesUsedIn(free),
          ExpressionAttributeValues: { ':nowEpoch': nowEpochSeconds },
        }),
      ),
    );
    if (reserved) return record;
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { id }, ConsistentRead: true }),
    );
    const { id: _id, ...live } = Item as IdempotencyRecord & { id: string };
    return live;
  }

  async findEarlierDecision(contentHash: string, before: string): Promise<EarlierDecision | undefined> {
    // Newest first; items without a result (still open, or a processing error) are
    // filtered out, so a page may be empty while more follow.
    const keyCondition = '#contentHash = :contentHash AND #createdAt < :before';
    const filter = 'attribute_exists(#result)';
    const pages = paginateQuery(
      { client: this.#client },
      {
        TableName: this.#table,
        IndexName: CONTENT_INDEX,
        KeyConditionExpression: keyCondition,
        FilterExpression: filter,
        ExpressionAttributeNames: namesUsedIn(keyCondition, filter),
        ExpressionAttributeValues: { ':contentHash': contentHash, ':before': before },
        ScanIndexForward: false,
      },
    );
    for await (const page of pages) {
      const [item] = (page.Items ?? []) as Item[];
      if (item?.result) return { id: item.id, result: item.result };
    }
    return undefined;
  }

  /** One conditional UpdateItem; false when its condition was refused. */
  #transition(
    id: string,
    update: string,
    conditionExpression: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    return conditionally(() =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { id },
          UpdateExpression: update,
          ConditionExpression: conditionExpression,
          ExpressionAttributeNames: namesUsedIn(update, conditionExpression),
          ExpressionAttributeValues: { ...statusesUsedIn(update, conditionExpression), ...values },
        }),
      ),
    );
  }

  /** A new submission's status item: the content inline only when it is short. */
  #newItem(submission: NewSubmission, reapAt: string): Item {
    const { content, ...rest } = submission;
    return {
      ...rest,
      ...(contentIsInline(content) ? { content } : {}),
      history: [{ event: 'accepted', at: submission.createdAt }],
      status: 'PENDING',
      attempts: 0,
      updatedAt: submission.createdAt,
      activeShard: activeShardOf(submission.id, this.#shards),
      reapAt,
    };
  }
}

/** The status placeholders (`:pending`, `:processing`) an expression mentions; DynamoDB rejects unused ones. */
function statusesUsedIn(...expressions: string[]): Record<string, string> {
  const text = expressions.join(' ');
  return Object.fromEntries(
    Object.entries({ ':pending': 'PENDING', ':processing': 'PROCESSING' }).filter(([placeholder]) =>
      new RegExp(`${placeholder}\\b`).test(text),
    ),
  );
}

const listed = (submission: Submission): Submission =>
  Object.fromEntries(
    LISTED_ATTRIBUTES.filter((name) => submission[name] !== undefined).map((name) => [
      name,
      submission[name],
    ]),
  ) as unknown as Submission;

/** Idempotency records share the table under their own key space (never a UUID). */
const IDEMPOTENCY_PREFIX = 'idempotency#';
const MAX_BATCH_WRITE = 25;
const MAX_BATCH_GET = 100;
/** What the reaper reads of a due item (ActiveSubmission). */
const DUE_ATTRIBUTES = [
  'id',
  'status',
  'reapAt',
  'updatedAt',
  'processingStartedAt',
  'leaseExpiresAt',
] as const satisfies readonly (keyof Item)[];
/** Reads and writes one requeue tries while the item keeps changing under it. */
const REQUEUE_ROUNDS = 3;
const BATCH_WRITE_ATTEMPTS = 5;
const BATCH_WRITE_BACKOFF_MS = 25;
