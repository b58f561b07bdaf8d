/**
 * Figure 2, worker throughput: submissions decided per second by the real
 * worker path (local event source → serverless-offline → handlers/worker.ts →
 * processBatch → SubmissionProcessor) draining a pre-filled queue, against the
 * floor loop (bench/floor-worker.ts) at the same concurrency on the same
 * emulators. Rounds alternate between the two; the medians are compared.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { DynamoDbSubmissionStore } from '../src/adapters/dynamodb/submission-store';
import { SqsSubmissionQueue } from '../src/adapters/sqs/submission-queue';
import { projectRoot } from '../src/local/stack';
import { type BenchStack, NAMES } from './bench-stack';
import { contentFor, watchDecisions } from './calls';

export interface ThroughputResult {
  perRound: number;
  rounds: number;
  /** Decided per second, each round. */
  worker: number[];
  floor: number[];
  workerMedian: number;
  floorMedian: number;
  pollers: number;
  concurrency: number;
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** N PENDING submissions stored and their messages on `queueUrl`, straight to the emulators (not counted). */
async function fill(bench: BenchStack, queueUrl: string, n: number): Promise<Set<string>> {
  const store = new DynamoDbSubmissionStore({
    client: bench.documents,
    tableName: NAMES.table,
    activeShards: Number(bench.settings.ACTIVE_INDEX_SHARDS),
  });
  const createdAt = new Date().toISOString();
  const submissions = Array.from({ length: n }, (_, index) => ({
    id: randomUUID(),
    owner: 'bench',
    content: contentFor(index),
    createdAt,
  }));
  await store.createMany(submissions, new Date(Date.now() + 3_600_000).toISOString());
  const unsent = await new SqsSubmissionQueue({ client: bench.sqs, queueUrl }).enqueueMany(
    submissions.map((submission) => submission.id),
  );
  if (unsent.length > 0) throw new Error(`${unsent.length} messages could not be queued`);
  return new Set(submissions.map((submission) => submission.id));
}

function startFloor(bench: BenchStack, concurrency: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join('bench', 'floor-worker.ts')], {
    cwd: projectRoot,
    env: {
      ...process.env,
      ...bench.stack.env,
      // Through the counting proxies, as the stack's worker is.
      AWS_ENDPOINT_URL_DYNAMODB: bench.dynamodbProxy.endpoint,
      AWS_ENDPOINT_URL_SQS: bench.sqsProxy.endpoint,
      FLOOR_QUEUE_URL: bench.queueUrls.floorQueue,
      TABLE_NAME: NAMES.table,
      FLOOR_POLLERS: String(bench.pollers),
      FLOOR_CONCURRENCY: String(concurrency),
      FLOOR_LEASE_MS: bench.settings.STUCK_AFTER_MS ?? '300000',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`floor worker exited with ${code}`)));
    child.once('message', () => resolve(child));
  });
}

async function workerRound(bench: BenchStack, n: number): Promise<number> {
  bench.sqsProxy.holdReceives(NAMES.queue);
  const ids = await fill(bench, bench.queueUrls.queue, n);
  const decisions = watchDecisions(bench, NAMES.queue);
  const started = Date.now();
  bench.sqsProxy.release(NAMES.queue);
  const { lastDecidedAt } = await decisions.until(ids, Math.max(60_000, n * 100));
  return n / ((lastDecidedAt - started) / 1000);
}

async function floorRound(bench: BenchStack, floor: ChildProcess, n: number): Promise<number> {
  const ids = await fill(bench, bench.queueUrls.floorQueue, n);
  const done = once(floor, 'message');
  const decisions = watchDecisions(bench, NAMES.floorQueue);
  const started = Date.now();
  floor.send({ go: n });
  const { lastDecidedAt } = await decisions.until(ids, Math.max(60_000, n * 100));
  await done;
  return n / ((lastDecidedAt - started) / 1000);
}

export async function measureThroughput(
  bench: BenchStack,
  n: number,
  rounds: number,
  progress: (message: string) => void,
): Promise<ThroughputResult> {
  const concurrency = Number(bench.settings.WORKER_CONCURRENCY);
  const floor = await startFloor(bench, concurrency);
  const worker: number[] = [];
  const floorRates: number[] = [];
  try {
    for (let round = 1; round <= rounds; round += 1) {
      worker.push(await workerRound(bench, n));
      floorRates.push(await floorRound(bench, floor, n));
      progress(
        `throughput round ${round}/${rounds}: worker ${worker.at(-1)!.toFixed(0)}/s, floor ${floorRates.at(-1)!.toFixed(0)}/s`,
      );
    }
  } finally {
    floor.removeAllListeners('exit');
    floor.kill();
  }
  return {
    perRound: n,
    rounds,
    worker,
    floor: floorRates,
    workerMedian: median(worker),
    floorMedian: median(floorRates),
    pollers: bench.pollers,
    concurrency,
  };
}
