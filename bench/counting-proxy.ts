/**
 * The bench's counting proxy (one in front of each emulator): forwards every
 * request untouched and keeps a record of each call — operation, table or
 * queue, index, what it returned (items, messages, entries) and whether it
 * wrote a decision. Every process of the stack talks to the emulators through
 * it, so it sees every request of every process; the bench reads its own
 * figures straight from the emulators, never through it.
 *
 * It can also hold a queue's receives (`holdReceives`): a ReceiveMessage for
 * that queue waits, as a long poll on an empty queue would, until `release` or
 * its WaitTimeSeconds (then it is answered empty). That keeps the worker idle
 * while the bench fills its queue or loads the API.
 */
import { type AwsProxy, type ProxiedAnswer, startAwsProxy } from './aws-proxy';

export interface CallRecord {
  operation: string;
  /** Table name (DynamoDB) or queue name (SQS); '' when the request names none. */
  resource: string;
  /** The index a Query read. */
  index?: string;
  statusCode: number;
  /** Items returned (Query `Count`), messages received, or batch entries sent/deleted/written. */
  items: number;
  /** Query `ScannedCount`: the items DynamoDB read (and bills) before any filter. */
  scanned: number;
  /** The submission id an UpdateItem decided (wrote PASSED or FAILED to `:status`), when it succeeded. */
  decided?: string;
  /** A receive the proxy held and answered empty itself: not a call the emulator saw. */
  held?: boolean;
  /**
   * Capacity units the call consumed, on the table and on each index (`table`,
   * `ByOwner`…), when the proxy asked for them (`consumedCapacity`).
   */
  capacity?: Record<string, number>;
  /** When the request arrived and when its answer went back (epoch ms). */
  arrivedAt: number;
  at: number;
}

export interface CountingProxy {
  endpoint: string;
  /** Every call so far, in arrival order of the answers. */
  readonly calls: readonly CallRecord[];
  /** Told of each call as it is recorded. */
  onCall(listener: (call: CallRecord) => void): () => void;
  /**
   * Holds ReceiveMessage calls on `queue` (a queue name) until `release(queue)`;
   * resolves once no receive let through earlier is still waiting at the emulator,
   * so nothing put on the queue from then on reaches a consumer before the release.
   */
  holdReceives(queue: string): Promise<void>;
  release(queue: string): void;
  close(): Promise<void>;
}

type Json = Record<string, any>;

function parse(buffer: Buffer): Json {
  try {
    const value: unknown = JSON.parse(buffer.toString('utf8') || '{}');
    return value !== null && typeof value === 'object' ? (value as Json) : {};
  } catch {
    return {};
  }
}

const queueName = (url: unknown) => (typeof url === 'string' ? (url.split('/').pop() ?? '') : '');

function resourceOf(input: Json): string {
  if (typeof input.TableName === 'string') return input.TableName;
  if (input.RequestItems && typeof input.RequestItems === 'object') {
    return Object.keys(input.RequestItems).join(',');
  }
  return queueName(input.QueueUrl);
}

/** How many items, messages or entries a call carried. */
function itemsOf(operation: string, input: Json, output: Json): number {
  switch (operation) {
    case 'Query':
    case 'Scan':
      return Number(output.Count ?? 0);
    case 'ReceiveMessage':
      return Array.isArray(output.Messages) ? output.Messages.length : 0;
    case 'SendMessageBatch':
    case 'DeleteMessageBatch':
    case 'ChangeMessageVisibilityBatch':
      return Array.isArray(output.Successful) ? output.Successful.length : 0;
    case 'BatchWriteItem':
      return Object.values(input.RequestItems ?? {}).reduce(
        (sum: number, requests) => sum + (Array.isArray(requests) ? requests.length : 0),
        0,
      );
    default:
      return 1;
  }
}

function decidedBy(operation: string, input: Json, statusCode: number): string | undefined {
  if (operation !== 'UpdateItem' || statusCode !== 200) return undefined;
  const status = input.ExpressionAttributeValues?.[':status']?.S;
  return status === 'PASSED' || status === 'FAILED' ? input.Key?.id?.S : undefined;
}

const EMPTY_RECEIVE: ProxiedAnswer = {
  statusCode: 200,
  headers: { 'content-type': 'application/x-amz-json-1.0' },
  body: Buffer.from('{}'),
};

/** Single-item operations and queries: their answer's ConsumedCapacity is one object. */
const CAPACITY_OPERATIONS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query']);

function capacityOf(output: Json): Record<string, number> | undefined {
  const consumed = output.ConsumedCapacity;
  if (!consumed || typeof consumed !== 'object') return undefined;
  const units: Record<string, number> = {
    table: Number(consumed.Table?.CapacityUnits ?? consumed.CapacityUnits ?? 0),
  };
  for (const [index, used] of Object.entries(consumed.GlobalSecondaryIndexes ?? {})) {
    units[index] = Number((used as { CapacityUnits?: number }).CapacityUnits ?? 0);
  }
  return units;
}

/**
 * `consumedCapacity`: asks the emulator for the capacity each item-level call
 * consumes (adds `ReturnConsumedCapacity: INDEXES` to requests that do not ask
 * themselves) and records it. For an emulator that reports index capacity
 * (DynamoDB Local; dynalite does not); the caller never sees the difference.
 */
export async function startCountingProxy(
  target: string,
  options: { consumedCapacity?: boolean } = {},
): Promise<CountingProxy> {
  const calls: CallRecord[] = [];
  const listeners = new Set<(call: CallRecord) => void>();
  /** Per held queue, the receives waiting to be let through. */
  const holds = new Map<string, Set<() => void>>();
  /** Per queue, receives forwarded and not yet answered; and who waits for that to be none. */
  const receiving = new Map<string, number>();
  const idleWaiters = new Map<string, Set<() => void>>();
  const receiveEnded = (queue: string) => {
    const left = (receiving.get(queue) ?? 1) - 1;
    receiving.set(queue, left);
    if (left > 0) return;
    for (const resolve of idleWaiters.get(queue) ?? []) resolve();
    idleWaiters.delete(queue);
  };

  const record = (call: CallRecord) => {
    calls.push(call);
    for (const listener of listeners) listener(call);
  };

  /** Resolves true when released (forward it), false when its long poll ran out first. */
  const waitForRelease = (queue: string, waitSeconds: number) =>
    new Promise<boolean>((resolve) => {
      const waiting = holds.get(queue);
      if (!waiting) return resolve(true);
      const release = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        waiting.delete(release);
        resolve(false);
      }, waitSeconds * 1000);
      waiting.add(release);
    });

  const proxy: AwsProxy = await startAwsProxy({
    target,
    exchange: async ({ operation, body }, forward) => {
      const arrivedAt = Date.now();
      const input = parse(body);
      const resource = resourceOf(input);
      if (operation === 'ReceiveMessage' && holds.has(resource)) {
        const released = await waitForRelease(resource, Number(input.WaitTimeSeconds ?? 0));
        if (!released) {
          record({
            operation,
            resource,
            statusCode: 200,
            items: 0,
            scanned: 0,
            held: true,
            arrivedAt,
            at: Date.now(),
          });
          return EMPTY_RECEIVE;
        }
      }
      if (operation === 'ReceiveMessage') receiving.set(resource, (receiving.get(resource) ?? 0) + 1);
      const askCapacity =
        options.consumedCapacity &&
        CAPACITY_OPERATIONS.has(operation) &&
        input.ReturnConsumedCapacity === undefined;
      const sent = askCapacity
        ? Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'INDEXES' }))
        : undefined;
      const answer = await forward(sent).finally(() => {
        if (operation === 'ReceiveMessage') receiveEnded(resource);
      });
      const output =
        askCapacity || operation === 'ReceiveMessage' || operation.endsWith('Batch') || operation === 'Query'
          ? parse(answer.body)
          : {};
      record({
        operation,
        resource,
        index: typeof input.IndexName === 'string' ? input.IndexName : undefined,
        statusCode: answer.statusCode,
        items: answer.statusCode === 200 ? itemsOf(operation, input, output) : 0,
        scanned: Number(output.ScannedCount ?? 0),
        decided: decidedBy(operation, input, answer.statusCode),
        capacity: askCapacity ? capacityOf(output) : undefined,
        arrivedAt,
        at: Date.now(),
      });
      return answer;
    },
  });

  return {
    endpoint: proxy.endpoint,
    calls,
    onCall: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    holdReceives: (queue) => {
      if (!holds.has(queue)) holds.set(queue, new Set());
      if (!receiving.get(queue)) return Promise.resolve();
      return new Promise((resolve) => {
        const waiting = idleWaiters.get(queue) ?? new Set();
        waiting.add(resolve);
        idleWaiters.set(queue, waiting);
      });
    },
    release: (queue) => {
      const waiting = holds.get(queue);
      holds.delete(queue);
      for (const release of waiting ?? []) release();
    },
    close: () => proxy.close(),
  };
}
