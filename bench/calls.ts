/**
 * Figure 1, AWS calls per submission: N submissions from POST to decision
 * through the real stack, every DynamoDB and SQS request counted by the
 * proxies; then the same job done by the Powertools peer worker.
 */
import { randomUUID } from 'node:crypto';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { SqsSubmissionQueue } from '../src/adapters/sqs/sqs-submission-queue';
import { defaultRuleSet } from '../src/rules/default-rule-set';
import { waitFor } from '../workbench/wait';
import { type BenchStack, NAMES } from './bench-stack';
import { type PipelineCalls, type Tally, tally } from './call-counts';
import type { CallRecord, CountingProxy } from './counting-proxy';
import { createPeerSubmission } from './peer/peer-api';

/** Requests in flight at once from the bench's HTTP client. */
const POST_CONCURRENCY = 16;
const HOUR_MS = 3_600_000;

/** Content that passes the default rule set on even indexes and fails on odd ones. */
export const contentFor = (index: number) =>
  index % 2 === 0 ? `bench submission number ${index}` : `short ${index % 10}`;

/** Runs `work` over 0..count-1 with `lanes` at a time. */
export async function inLanes(count: number, lanes: number, work: (index: number) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < count; index = next++) await work(index);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, count) }, lane));
}

/** Counts what the proxies record from now on; `stop()` returns the records. */
export function recordFrom(proxy: CountingProxy) {
  const start = proxy.calls.length;
  return () => proxy.calls.slice(start);
}

/**
 * Watches the proxies from now on for decision writes and deletes on `queue`;
 * `until(ids)` resolves once every id is decided and as many messages deleted,
 * with the time of the last of those decisions.
 */
export function watchDecisions(bench: BenchStack, queue: string) {
  const decidedAt = new Map<string, number>();
  let deleted = 0;
  const offDynamodb = bench.dynamodbProxy.onCall((call) => {
    if (call.decided) decidedAt.set(call.decided, call.at);
  });
  const offSqs = bench.sqsProxy.onCall((call) => {
    if (call.operation.startsWith('DeleteMessage') && call.resource === queue) deleted += call.items;
  });
  return {
    async until(ids: ReadonlySet<string>, timeoutMs: number): Promise<{ lastDecidedAt: number }> {
      try {
        await waitFor(
          `${ids.size} decisions and deletes on ${queue}`,
          () => ([...ids].every((id) => decidedAt.has(id)) && deleted >= ids.size ? true : undefined),
          { timeoutMs },
        );
      } finally {
        offDynamodb();
        offSqs();
      }
      return { lastDecidedAt: Math.max(...[...ids].map((id) => decidedAt.get(id) ?? 0)) };
    },
  };
}

/** Reads the items of `table` straight from the emulator and checks each verdict against the rule set. */
export async function checkVerdicts(
  bench: BenchStack,
  contents: ReadonlyMap<string, string>,
  table: string = NAMES.table,
): Promise<void> {
  const ruleSet = defaultRuleSet();
  const ids = [...contents.keys()];
  const wrong: string[] = [];
  for (let start = 0; start < ids.length; start += 100) {
    const keys = ids.slice(start, start + 100).map((id) => ({ id }));
    let pending: Record<string, { Keys: Array<{ id: string }>; ConsistentRead: boolean }> | undefined = {
      [table]: { Keys: keys, ConsistentRead: true },
    };
    while (pending && Object.keys(pending).length > 0) {
      const { Responses, UnprocessedKeys } = await bench.documents.send(
        new BatchGetCommand({ RequestItems: pending }),
      );
      for (const item of Responses?.[table] ?? []) {
        const expected = (await ruleSet.evaluate(contents.get(item.id) ?? '')).verdict;
        if (item.status !== expected) wrong.push(`${item.id}: ${item.status}, expected ${expected}`);
      }
      pending = UnprocessedKeys as typeof pending;
    }
  }
  if (wrong.length > 0) throw new Error(`wrong or missing decisions: ${wrong.slice(0, 5).join('; ')}`);
}

/** Calls on `resources`, and the others (idle long polls of other queues aside). */
function splitByResource(calls: readonly CallRecord[], resources: readonly string[]) {
  const mine = calls.filter((call) => resources.includes(call.resource));
  const idlePoll = (call: CallRecord) => call.operation === 'ReceiveMessage' && call.items === 0;
  return {
    mine,
    others: calls.filter((call) => !resources.includes(call.resource) && !idlePoll(call)),
  };
}

export interface OwnCalls extends PipelineCalls {
  /** Queries of the sparse index (the reaper's); none expected while the bench holds the schedule off. */
  reaperQueries: number;
  /** Requests on anything but the service's table and queue, idle long polls aside (there should be none). */
  elsewhere: Tally;
  seconds: number;
}

/** N POSTs through the API, then every decision; counts what it took. */
export async function measureOwnCalls(bench: BenchStack, n: number): Promise<OwnCalls> {
  const dynamodbCalls = recordFrom(bench.dynamodbProxy);
  const sqsCalls = recordFrom(bench.sqsProxy);
  const decisions = watchDecisions(bench, NAMES.queue);
  const started = Date.now();
  const contents = new Map<string, string>();
  const failures: string[] = [];
  await inLanes(n, POST_CONCURRENCY, async (index) => {
    const content = contentFor(index);
    const response = await fetch(`${bench.stack.httpEndpoint}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content }),
    });
    const body = await response.text();
    if (response.status !== 202) failures.push(`${response.status} ${body.slice(0, 200)}`);
    else contents.set((JSON.parse(body) as { id: string }).id, content);
  });
  if (failures.length > 0)
    throw new Error(`${failures.length} POSTs failed: ${failures.slice(0, 3).join('; ')}`);
  await decisions.until(new Set(contents.keys()), Math.max(60_000, n * 100));
  const seconds = (Date.now() - started) / 1000;
  const dynamodb = splitByResource(dynamodbCalls(), [NAMES.table]);
  const sqs = splitByResource(sqsCalls(), [NAMES.queue]);
  await checkVerdicts(bench, contents);
  const reaper = dynamodb.mine.filter(
    (call) => call.operation === 'Query' && call.index === 'ActiveSubmissions',
  );
  const receives = sqs.mine.filter((call) => call.operation === 'ReceiveMessage' && !call.held);
  return {
    submissions: n,
    dynamodb: tally(dynamodb.mine.filter((call) => !reaper.includes(call))),
    sqs: tally(sqs.mine),
    nonEmptyReceives: receives.filter((call) => call.items > 0).length,
    emptyReceives: receives.filter((call) => call.items === 0).length,
    reaperQueries: reaper.length,
    elsewhere: tally([...dynamodb.others, ...sqs.others]),
    seconds,
  };
}

export interface PeerCalls extends PipelineCalls {
  seconds: number;
}

/**
 * The same job for the Powertools peer (bench/peer/peer-worker.ts), on its own table (store
 * schema v1's definition). The bench stands in for the API (direct to the emulators, not
 * counted: the API is the same for both, one PutItem of the item), so what is counted is
 * the peer worker's work alone.
 */
export async function measurePeerCalls(bench: BenchStack, n: number): Promise<PeerCalls> {
  const activeShards = Number(bench.settings.ACTIVE_INDEX_SHARDS);
  const queue = new SqsSubmissionQueue({ client: bench.sqs, queueUrl: bench.queueUrls.peerQueue });
  const dynamodbCalls = recordFrom(bench.dynamodbProxy);
  const sqsCalls = recordFrom(bench.sqsProxy);
  const decisions = watchDecisions(bench, NAMES.peerQueue);
  const started = Date.now();
  const contents = new Map<string, string>();
  // What the API does for each POST, at the same concurrency: store the item, then enqueue its id.
  await inLanes(n, POST_CONCURRENCY, async (index) => {
    const id = randomUUID();
    const content = contentFor(index);
    const createdAt = new Date().toISOString();
    const reapAt = new Date(Date.now() + HOUR_MS).toISOString();
    await createPeerSubmission(
      bench.documents,
      NAMES.peerTable,
      { id, owner: 'bench', content, createdAt, reapAt },
      activeShards,
    );
    contents.set(id, content);
    await queue.enqueue(id);
  });
  await decisions.until(new Set(contents.keys()), Math.max(60_000, n * 100));
  const seconds = (Date.now() - started) / 1000;
  await checkVerdicts(bench, contents, NAMES.peerTable);
  const dynamodb = dynamodbCalls().filter(
    (call) => call.resource === NAMES.peerTable || call.resource === NAMES.peerIdempotencyTable,
  );
  const sqs = sqsCalls().filter((call) => call.resource === NAMES.peerQueue && !call.held);
  const receives = sqs.filter((call) => call.operation === 'ReceiveMessage');
  return {
    submissions: n,
    dynamodb: tally(dynamodb),
    sqs: tally(sqs),
    nonEmptyReceives: receives.filter((call) => call.items > 0).length,
    emptyReceives: receives.filter((call) => call.items === 0).length,
    seconds,
  };
}
