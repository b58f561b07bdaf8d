/**
 * A DynamoDB fault proxy for the soak (`bench/soak.ts`): a plain HTTP server on
 * 127.0.0.1 that forwards the DynamoDB JSON protocol to the emulator, breaks a
 * share of item-level requests, and keeps its own record of every write.
 *
 * Faults, on `faultRate` of item-level requests (table management is never
 * broken, so the stack can start):
 * - half are answered without forwarding: throttled (400
 *   ProvisionedThroughputExceededException), 500 or 503 InternalServerError —
 *   the write did not happen;
 * - half are forwarded and then answered 500 — a lost response: the write
 *   happened but the caller cannot know.
 *
 * The record is the proxy's own view of what the emulator did, independent of
 * what the service believes: for every write, the submission id, which
 * transition it was, its lease token and the emulator's answer.
 */
import { type Exchange, errorAnswer, startAwsProxy } from './aws-proxy';

const ERROR_PREFIX = 'com.amazonaws.dynamodb.v20120810#';

/** Operations on items; only these get faults. */
const ITEM_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);

export type WriteKind = 'create' | 'claim' | 'complete' | 'release' | 'reset' | 'defer' | 'other';

/** What the emulator answered; `not-forwarded` when the proxy refused the request itself. */
export type WriteAnswer = 'written' | 'refused' | 'not-forwarded' | `error ${number}`;

export interface WriteRecord {
  id: string;
  kind: WriteKind;
  /** The caller's lease token (claim, complete, release). */
  leaseToken?: string;
  /** The status a complete writes: PASSED or FAILED. */
  status?: string;
  answer: WriteAnswer;
  /** The emulator's answer was replaced by a 500 (a lost response). */
  responseLost: boolean;
  at: number;
}

export interface FaultCounts {
  requests: number;
  itemRequests: number;
  throttled: number;
  internalErrors: number;
  unavailable: number;
  lostResponses: number;
}

export interface WriteAnalysis {
  /** Successful terminal writes (complete), counting a token once per id. */
  terminalWrites: number;
  /** Ids with successful terminal writes under more than one lease token. */
  decidedTwice: string[];
  /** Terminal writes refused by their condition, from a token that never decided the id: fenced zombies. */
  zombieWritesRefused: number;
  /** Terminal writes refused because the same token had already decided (a retry after a lost response). */
  ownRetriesRefused: number;
}

export interface FaultProxy {
  endpoint: string;
  readonly counts: FaultCounts;
  /** Every write the proxy saw, by submission id, in arrival order. */
  readonly writes: ReadonlyMap<string, WriteRecord[]>;
  analyse(): WriteAnalysis;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /** The emulator, e.g. http://127.0.0.1:8000. */
  target: string;
  /** Share of item-level requests that get a fault (0.02 = 2 %). */
  faultRate: number;
  /** Source of randomness in [0, 1); seeded by the soak for reproducible runs. */
  random?: () => number;
}

type AttributeValue = { S?: string; N?: string };
interface WriteInput {
  Key?: { id?: AttributeValue };
  Item?: { id?: AttributeValue };
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

function classify(operation: string, input: WriteInput): Omit<WriteRecord, 'answer' | 'responseLost' | 'at'> {
  if (operation === 'PutItem') return { id: input.Item?.id?.S ?? '', kind: 'create' };
  const values = input.ExpressionAttributeValues ?? {};
  const id = input.Key?.id?.S ?? '';
  const leaseToken = values[':leaseToken']?.S;
  const status = values[':status']?.S;
  if (status === 'PASSED' || status === 'FAILED') return { id, kind: 'complete', leaseToken, status };
  if (values[':one'] && values[':leaseExpiresAt']) return { id, kind: 'claim', leaseToken };
  if (values[':startedBefore']) return { id, kind: 'reset' };
  if (values[':seenReapAt']) return { id, kind: 'defer' };
  if (values[':error'] && leaseToken) return { id, kind: 'release', leaseToken };
  return { id, kind: 'other', leaseToken };
}

function answerOf(statusCode: number, body: string): WriteAnswer {
  if (statusCode === 200) return 'written';
  if (body.includes('ConditionalCheckFailedException')) return 'refused';
  return `error ${statusCode}`;
}

const dynamodbError = (statusCode: number, type: string, message: string) =>
  errorAnswer(statusCode, `${ERROR_PREFIX}${type}`, message);

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const random = options.random ?? Math.random;
  const counts: FaultCounts = {
    requests: 0,
    itemRequests: 0,
    throttled: 0,
    internalErrors: 0,
    unavailable: 0,
    lostResponses: 0,
  };
  const writes = new Map<string, WriteRecord[]>();

  const exchange: Exchange = async ({ operation, body }, forward) => {
    counts.requests += 1;
    const isItemOperation = ITEM_OPERATIONS.has(operation);
    const isWrite = operation === 'PutItem' || operation === 'UpdateItem';
    let record: WriteRecord | undefined;
    if (isWrite) {
      try {
        const described = classify(operation, JSON.parse(body.toString('utf8')) as WriteInput);
        record = { ...described, answer: 'not-forwarded', responseLost: false, at: Date.now() };
        const list = writes.get(record.id) ?? [];
        list.push(record);
        writes.set(record.id, list);
      } catch {
        // Not JSON: let the emulator say what is wrong with it.
      }
    }

    const roll = isItemOperation ? random() : 1;
    if (isItemOperation) counts.itemRequests += 1;
    if (roll < options.faultRate / 2) {
      // Refused before the emulator saw it: nothing was written.
      const kind = Math.floor((roll / (options.faultRate / 2)) * 3);
      if (kind === 0) {
        counts.throttled += 1;
        return dynamodbError(400, 'ProvisionedThroughputExceededException', 'Rate exceeded');
      }
      if (kind === 1) {
        counts.internalErrors += 1;
        return dynamodbError(500, 'InternalServerError', 'Internal server error');
      }
      counts.unavailable += 1;
      return dynamodbError(503, 'InternalServerError', 'Service unavailable');
    }

    const answer = await forward();
    if (record) record.answer = answerOf(answer.statusCode, answer.body.toString('utf8'));
    if (roll < options.faultRate) {
      // The emulator did the work; the caller hears only that it failed.
      counts.lostResponses += 1;
      if (record) record.responseLost = true;
      return dynamodbError(500, 'InternalServerError', 'Internal server error');
    }
    return answer;
  };

  const proxy = await startAwsProxy({ target: options.target, exchange });
  return {
    endpoint: proxy.endpoint,
    counts,
    writes,
    analyse: () => analyseWrites(writes),
    close: () => proxy.close(),
  };
}

/** Reads the write record: who decided each id, and how many late writes the fence refused. */
export function analyseWrites(writes: ReadonlyMap<string, readonly WriteRecord[]>): WriteAnalysis {
  const analysis: WriteAnalysis = {
    terminalWrites: 0,
    decidedTwice: [],
    zombieWritesRefused: 0,
    ownRetriesRefused: 0,
  };
  for (const [id, records] of writes) {
    const completes = records.filter((record) => record.kind === 'complete');
    const deciders = new Set(
      completes.filter((record) => record.answer === 'written').map((record) => record.leaseToken),
    );
    analysis.terminalWrites += deciders.size;
    if (deciders.size > 1) analysis.decidedTwice.push(id);
    for (const record of completes) {
      if (record.answer !== 'refused') continue;
      if (deciders.has(record.leaseToken)) analysis.ownRetriesRefused += 1;
      else analysis.zombieWritesRefused += 1;
    }
  }
  return analysis;
}
