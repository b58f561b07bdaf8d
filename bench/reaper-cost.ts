/**
 * Figure 4, the reaper's cost against table size: with 1,000 and then 100,000
 * terminal submissions in the table and 10 stuck ones each time, what the
 * reaper Lambda (invoked through serverless-offline) reads from the sparse
 * index — the proxy sums `Count` and `ScannedCount` of its queries — and how
 * long it takes. Run first, on the fresh table, so the sizes are exact.
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { activeShardOf } from '../src/adapters/dynamodb/table';
import { invokeThroughOffline } from '../src/adapters/sqs/event-source';
import { contentHashOf } from '../src/domain/content-hash';
import { type BenchStack, NAMES } from './bench-stack';
import { inLanes, recordFrom, watchDecisions } from './calls';

/** BatchWriteItem's limit, and requests in flight at once while seeding. */
const BATCH = 25;
const SEED_LANES = 16;

export interface ReaperRun {
  terminal: number;
  stuck: number;
  /** Queries of the sparse index (one per shard, more if a shard's result spans pages). */
  queries: number;
  /** Items the queries read (ScannedCount), and returned (Count). */
  scanned: number;
  returned: number;
  /** The reaper invocation, end to end (query, 10 resets, 10 enqueues). */
  ms: number;
}

export interface ReaperCost {
  runs: ReaperRun[];
  /** Seconds spent writing the terminal items, and how many per second. */
  seedSeconds: number;
  seedRate: number;
}

async function writeAll(bench: BenchStack, items: Array<Record<string, unknown>>): Promise<void> {
  await inLanes(Math.ceil(items.length / BATCH), SEED_LANES, async (chunk) => {
    let requests = items.slice(chunk * BATCH, (chunk + 1) * BATCH).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const { UnprocessedItems } = await bench.documents.send(
        new BatchWriteCommand({ RequestItems: { [NAMES.table]: requests } }),
      );
      requests = (UnprocessedItems?.[NAMES.table] ?? []) as typeof requests;
    }
  });
}

const terminalItem = (index: number, decidedAt: string) => {
  const content = `seeded submission ${index}`;
  return {
    id: randomUUID(),
    owner: 'bench',
    content,
    status: 'PASSED',
    attempts: 1,
    createdAt: decidedAt,
    updatedAt: decidedAt,
    completedAt: decidedAt,
    contentHash: contentHashOf('bench', content),
    result: { verdict: 'PASSED', rules: [] },
  };
};

/** PROCESSING since twice STUCK_AFTER ago: its lease (and reapAt) ran out long since. */
function stuckItem(shards: number, stuckAfterMs: number) {
  const id = randomUUID();
  const started = new Date(Date.now() - 2 * stuckAfterMs).toISOString();
  const leaseExpiredAt = new Date(Date.now() - stuckAfterMs).toISOString();
  const content = `stuck submission ${id.slice(0, 8)}`;
  return {
    id,
    owner: 'bench',
    content,
    status: 'PROCESSING',
    attempts: 1,
    leaseToken: randomUUID(),
    createdAt: started,
    updatedAt: started,
    processingStartedAt: started,
    leaseExpiresAt: leaseExpiredAt,
    reapAt: leaseExpiredAt,
    activeShard: activeShardOf(id, shards),
    contentHash: contentHashOf('bench', content),
  };
}

export async function measureReaperCost(
  bench: BenchStack,
  sizes: readonly number[],
  stuckCount: number,
  progress: (message: string) => void,
): Promise<ReaperCost> {
  const shards = Number(bench.settings.ACTIVE_INDEX_SHARDS);
  const stuckAfterMs = Number(bench.settings.STUCK_AFTER_MS);
  const invoke = invokeThroughOffline(bench.stack.lambdaEndpoint, NAMES.reaperFunction);
  const reap = async () => {
    const calls = recordFrom(bench.dynamodbProxy);
    const started = performance.now();
    const result = await invoke({});
    const ms = performance.now() - started;
    if (!result.ok) throw new Error(`reaper failed: ${result.error}`);
    const queries = calls().filter(
      (call) => call.operation === 'Query' && call.index === 'ActiveSubmissions',
    );
    return {
      ms,
      queries: queries.length,
      scanned: queries.reduce((sum, call) => sum + call.scanned, 0),
      returned: queries.reduce((sum, call) => sum + call.items, 0),
    };
  };

  /** Plants `count` stuck submissions, runs the reaper, and waits until the worker has decided them again. */
  const rescue = async (count: number) => {
    const stuck = Array.from({ length: count }, () => stuckItem(shards, stuckAfterMs));
    await writeAll(bench, stuck);
    const rescued = watchDecisions(bench, NAMES.queue);
    const run = await reap();
    // The reaper resets and re-enqueues them; once decided, they leave the index for the next run.
    await rescued.until(new Set(stuck.map((item) => item.id)), 60_000);
    return run;
  };

  // A first run with one stuck submission loads the reaper's bundle and warms its clients
  // (the query, the reset, the enqueue), so no measured run pays for that.
  await rescue(1);
  const runs: ReaperRun[] = [];
  let terminal = 0;
  let seedMs = 0;
  for (const size of sizes) {
    const decidedAt = new Date(Date.now() - 86_400_000).toISOString();
    const seedStarted = performance.now();
    await writeAll(
      bench,
      Array.from({ length: size - terminal }, (_, index) => terminalItem(terminal + index, decidedAt)),
    );
    seedMs += performance.now() - seedStarted;
    progress(`reaper: ${size} terminal submissions in the table`);
    terminal = size;
    runs.push({ terminal, stuck: stuckCount, ...(await rescue(stuckCount)) });
  }
  return { runs, seedSeconds: seedMs / 1000, seedRate: (terminal / seedMs) * 1000 };
}
