/**
 * Figure 2, worker throughput: submissions decided per second by the real
 * worker path (local event source → serverless-offline → handlers/worker.ts →
 * processBatch → SubmissionProcessor) draining a pre-filled queue, against the
 * floor loop (bench/floor-worker.ts) at the same concurrency on the same
 * emulators. After a warm-up round of each, each round runs both back to back
 * (which goes first alternates); the figure is the median of the rounds' ratios.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { DynamoDbSubmissionStore } from '../src/adapters/dynamodb/dynamodb-submission-store';
import { SqsSubmissionQueue } from '../src/adapters/sqs/sqs-submission-queue';
import { projectRoot } from '../workbench/local/stack';
import { type BenchStack, NAMES } from './bench-stack';
import { contentFor, watchDecisions } from './calls';
import { addCpu, type CpuSample, cpuUsedBetween, sampleCpu } from './cpu';

export interface ThroughputResult {
  perRound: number;
  rounds: number;
  /** Decided per second, each round. */
  worker: number[];
  floor: number[];
  workerMedian: number;
  floorMedian: number;
  /**
   * The median of each round's worker/floor ratio: the two halves of a round run
   * back to back, so a burst of load from elsewhere on the machine hits a round's
   * ratio less than it hits the medians of the rates.
   */
  ratio: number;
  pollers: number;
  concurrency: number;
  /**
   * CPU ms per submission each process spent during the rounds: `serverless`
   * (the worker path) or `floor`, the emulators, and `bench` (the counting proxies).
   */
  cpu: { worker: CpuSample; floor: CpuSample };
}

/** Submissions of the unmeasured first round of each path. */
const WARM_UP = 300;

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

interface Round {
  rate: number;
  cpu: CpuSample;
}

/** Fills `queue` (held from the worker), then times `start()` until every submission is decided. */
async function round(
  bench: BenchStack,
  queue: string,
  queueUrl: string,
  n: number,
  pids: Record<string, number | undefined>,
  start: () => void,
): Promise<Round> {
  const decisions = watchDecisions(bench, queue);
  const ids = await fill(bench, queueUrl, n);
  const before = sampleCpu(pids);
  const started = Date.now();
  start();
  const { lastDecidedAt } = await decisions.until(ids, Math.max(60_000, n * 100));
  return { rate: n / ((lastDecidedAt - started) / 1000), cpu: cpuUsedBetween(before, sampleCpu(pids)) };
}

export async function measureThroughput(
  bench: BenchStack,
  n: number,
  rounds: number,
  progress: (message: string) => void,
): Promise<ThroughputResult> {
  const concurrency = Number(bench.settings.WORKER_CONCURRENCY);
  const floor = await startFloor(bench, concurrency);
  const { dynamodb, sqs, serverless } = bench.stack.pids;
  const worker: number[] = [];
  const floorRates: number[] = [];
  let workerCpu: CpuSample = {};
  let floorCpu: CpuSample = {};
  const workerRound = async (size: number) => {
    await bench.sqsProxy.holdReceives(NAMES.queue);
    return round(bench, NAMES.queue, bench.queueUrls.queue, size, { serverless, dynamodb, sqs }, () =>
      bench.sqsProxy.release(NAMES.queue),
    );
  };
  const floorRound = async (size: number) => {
    const done = once(floor, 'message');
    const result = await round(
      bench,
      NAMES.floorQueue,
      bench.queueUrls.floorQueue,
      size,
      { floor: floor.pid, dynamodb, sqs },
      () => floor.send({ go: size }),
    );
    await done;
    return result;
  };
  /** One round of each, back to back, the worker first or last by turns (so drift favours neither). */
  const pair = async (size: number, workerFirst: boolean) => {
    if (workerFirst) return { ours: await workerRound(size), theirs: await floorRound(size) };
    const theirs = await floorRound(size);
    return { ours: await workerRound(size), theirs };
  };
  try {
    // Unmeasured: both paths compiled and optimised by V8 before they are timed.
    await pair(WARM_UP, true);
    for (let index = 1; index <= rounds; index += 1) {
      const { ours, theirs } = await pair(n, index % 2 === 1);
      worker.push(ours.rate);
      floorRates.push(theirs.rate);
      workerCpu = addCpu(workerCpu, ours.cpu);
      floorCpu = addCpu(floorCpu, theirs.cpu);
      progress(
        `throughput round ${index}/${rounds}: worker ${ours.rate.toFixed(0)}/s, floor ${theirs.rate.toFixed(0)}/s`,
      );
    }
  } finally {
    floor.removeAllListeners('exit');
    floor.kill();
  }
  const perSubmission = (cpu: CpuSample) =>
    Object.fromEntries(
      Object.entries(cpu).map(([name, ms]) => [name, ms === undefined ? ms : ms / (n * rounds)]),
    );
  return {
    cpu: { worker: perSubmission(workerCpu), floor: perSubmission(floorCpu) },
    perRound: n,
    rounds,
    worker,
    floor: floorRates,
    workerMedian: median(worker),
    floorMedian: median(floorRates),
    ratio: median(worker.map((rate, index) => rate / floorRates[index]!)),
    pollers: bench.pollers,
    concurrency,
  };
}
