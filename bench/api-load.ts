/**
 * Figure 3, the API under load: autocannon (in a process of its own) against
 * POST /submissions and GET /submissions/{id}, and against the no-op function
 * (bench/noop.ts) on the same serverless-offline, each after a warm-up ramp,
 * with fixed connections and duration. The worker's receives are held
 * meanwhile, so it does not share the stack's CPU with the API (on AWS it runs
 * in Lambdas of its own); the queue is purged afterwards. p50 and p99 are taken
 * from every 2xx/3xx response time of the measured run (autocannon's own histogram
 * keeps whole milliseconds only); req/s is autocannon's.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { projectRoot } from '../workbench/local/stack';
import { type BenchStack, NAMES } from './bench-stack';
import { type CpuSample, cpuUsedBetween, residentMiB, sampleCpu } from './cpu';

export interface LoadResult {
  name: string;
  requestsPerSecond: number;
  /** ms, sub-millisecond: nearest-rank percentiles of `latencySamples` response times (`percentiles`). */
  p50: number;
  p99: number;
  /** The 2xx/3xx responses of the measured run whose times p50 and p99 are taken from. */
  latencySamples: number;
  /** Responses other than the expected status, errors and timeouts. */
  unexpected: number;
  /** CPU ms per request of each process of the stack (and `bench`: the counting proxies). */
  cpu: CpuSample;
}

export interface ApiResult {
  connections: number;
  durationSeconds: number;
  post: LoadResult;
  get: LoadResult;
  noopPost: LoadResult;
  noopGet: LoadResult;
  /** The same AWS calls from a bare handler (bench/api-floor.ts). */
  floorPost: LoadResult;
  floorGet: LoadResult;
  /** Resident memory of the serverless-offline process after the runs. */
  serverlessMiB?: number;
}

/** What the bench reads of autocannon's result. */
export interface AutocannonOutput {
  requests: { average: number };
  statusCodeStats?: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
}

/**
 * The p-th percentiles (0 < p ≤ 100) of `values` by nearest rank: for each p, the smallest
 * value that at least p % of the values do not exceed — one of the values itself, exact, never
 * interpolated or rounded. NaN for each when there are no values; `values` is left unsorted.
 */
export function percentiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => {
    if (!(p > 0 && p <= 100)) throw new RangeError(`a percentile is in (0, 100], not ${p}`);
    return sorted.length === 0 ? Number.NaN : sorted[Math.ceil((p * sorted.length) / 100) - 1]!;
  });
}

const AUTOCANNON = join(projectRoot, 'node_modules', 'autocannon');
/** Windows of half the duration each, per route and side, ours and the floor taken in turn. */
const API_ROUNDS = 4;
const BODY = JSON.stringify({ content: 'a benchmark submission 42' });

/**
 * Run by `node -e` in a process of its own: one autocannon run (argv: autocannon's path, its
 * options as JSON), keeping each 2xx/3xx response's time (ms from process.hrtime, as
 * autocannon's `response` event gives it) in a Float64Array that doubles when full; then prints
 * autocannon's result and the times, as base64 of their float64 bytes, on one JSON line.
 */
const RUNNER = `
const autocannon = require(process.argv[1]);
let times = new Float64Array(16384);
let count = 0;
const instance = autocannon(JSON.parse(process.argv[2]), (error, result) => {
  if (error) throw error;
  const bytes = Buffer.from(times.buffer, 0, count * 8).toString('base64');
  process.stdout.write(JSON.stringify({ result, times: bytes }));
});
instance.on('response', (client, statusCode, resBytes, responseTime) => {
  const status = Number(statusCode);
  if (status < 200 || status >= 400) return;
  if (count === times.length) {
    const grown = new Float64Array(times.length * 2);
    grown.set(times);
    times = grown;
  }
  times[count++] = responseTime;
});
`;

/** One autocannon run in a process of its own: its result, and every 2xx/3xx response time (ms). */
export async function runAutocannon(
  url: string,
  method: 'GET' | 'POST',
  connections: number,
  seconds: number,
): Promise<{ output: AutocannonOutput; times: Float64Array }> {
  const options = {
    url,
    method,
    connections,
    duration: seconds,
    ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: BODY } : {}),
  };
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-e', RUNNER, AUTOCANNON, JSON.stringify(options)],
    { maxBuffer: 100_000_000 },
  );
  const { result, times } = JSON.parse(stdout) as { result: AutocannonOutput; times: string };
  const bytes = Buffer.from(times, 'base64');
  const decoded = new Float64Array(bytes.length / 8);
  new Uint8Array(decoded.buffer).set(bytes);
  return { output: result, times: decoded };
}

interface Load {
  name: string;
  url: string;
  method: 'GET' | 'POST';
  expectedStatus: number;
}

/** One measured window of a route: its answers, response times and the stack's CPU meanwhile. */
interface Window {
  output: AutocannonOutput;
  times: Float64Array;
  cpu: Record<string, number | undefined>;
  answered: number;
}

async function measureWindow(
  { url, method }: Load,
  connections: number,
  seconds: number,
  pids: Record<string, number | undefined>,
): Promise<Window> {
  // The ramp: one connection, then half, then all, a second each, unmeasured.
  for (const warm of [1, Math.max(1, Math.floor(connections / 2)), connections]) {
    await runAutocannon(url, method, warm, 1);
  }
  const before = sampleCpu(pids);
  const { output, times } = await runAutocannon(url, method, connections, seconds);
  const cpu = cpuUsedBetween(before, sampleCpu(pids));
  const answered = Object.values(output.statusCodeStats ?? {}).reduce((sum, stat) => sum + stat.count, 0);
  return { output, times, cpu, answered };
}

/** A route's result over its windows: percentiles of every time pooled, rates averaged, CPU per request. */
export function pooled(name: string, expectedStatus: number, windows: readonly Window[]): LoadResult {
  const times = new Float64Array(windows.reduce((sum, window) => sum + window.times.length, 0));
  let offset = 0;
  for (const window of windows) {
    times.set(window.times, offset);
    offset += window.times.length;
  }
  const [p50, p99] = percentiles(times, [50, 99]);
  const answered = windows.reduce((sum, window) => sum + window.answered, 0);
  const expected = windows.reduce(
    (sum, { output }) => sum + (output.statusCodeStats?.[String(expectedStatus)]?.count ?? 0),
    0,
  );
  const failed = windows.reduce((sum, { output }) => sum + output.errors + output.timeouts, 0);
  const processes = new Set(windows.flatMap((window) => Object.keys(window.cpu)));
  return {
    name,
    requestsPerSecond:
      windows.reduce((sum, { output }) => sum + output.requests.average, 0) / Math.max(1, windows.length),
    p50: p50!,
    p99: p99!,
    latencySamples: times.length,
    unexpected: answered - expected + failed,
    cpu: Object.fromEntries(
      [...processes].map((process) => {
        const used = windows.map((window) => window.cpu[process]);
        return [
          process,
          used.some((ms) => ms === undefined)
            ? undefined
            : used.reduce((sum: number, ms) => sum + ms!, 0) / Math.max(1, answered),
        ];
      }),
    ),
  };
}

/**
 * Ours and the floor in `rounds` windows of `seconds` each, taken in turn, the one going first
 * alternating: what a run does to the stack over time (its tables and queue grow, the process
 * warms and collects garbage) falls on both alike, so their ratio is not decided by order.
 */
async function loadInTurn(
  ours: Load,
  floor: Load,
  rounds: number,
  connections: number,
  seconds: number,
  pids: Record<string, number | undefined>,
): Promise<[LoadResult, LoadResult]> {
  const windows: [Window[], Window[]] = [[], []];
  for (let round = 0; round < rounds; round += 1) {
    for (const side of round % 2 === 0 ? [0, 1] : [1, 0]) {
      windows[side]!.push(await measureWindow(side === 0 ? ours : floor, connections, seconds, pids));
    }
  }
  return [
    pooled(ours.name, ours.expectedStatus, windows[0]),
    pooled(floor.name, floor.expectedStatus, windows[1]),
  ];
}

async function load(
  target: Load,
  connections: number,
  seconds: number,
  pids: Record<string, number | undefined>,
): Promise<LoadResult> {
  return pooled(target.name, target.expectedStatus, [
    await measureWindow(target, connections, seconds, pids),
  ]);
}

export async function measureApi(
  bench: BenchStack,
  connections: number,
  seconds: number,
  progress: (message: string) => void,
): Promise<ApiResult> {
  const api = bench.stack.httpEndpoint;
  const created = await fetch(`${api}/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
  });
  const { id } = (await created.json()) as { id: string };
  await bench.sqsProxy.holdReceives(NAMES.queue);
  try {
    const target = (name: string, path: string, method: 'GET' | 'POST', expectedStatus: number): Load => ({
      name,
      url: `${api}${path}`,
      method,
      expectedStatus,
    });
    const shown = (result: LoadResult) => {
      progress(
        `api ${result.name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`,
      );
      return result;
    };
    const inTurn = async (ours: Load, floor: Load): Promise<[LoadResult, LoadResult]> => {
      const [oursResult, floorResult] = await loadInTurn(
        ours,
        floor,
        API_ROUNDS,
        connections,
        seconds / 2,
        bench.stack.pids,
      );
      return [shown(oursResult), shown(floorResult)];
    };
    const [post, floorPost] = await inTurn(
      target('POST /submissions', '/submissions', 'POST', 202),
      target('POST floor', '/bench/floor', 'POST', 202),
    );
    const noopPost = shown(
      await load(target('POST no-op', '/bench/noop', 'POST', 200), connections, seconds, bench.stack.pids),
    );
    const [get, floorGet] = await inTurn(
      target('GET /submissions/{id}', `/submissions/${id}`, 'GET', 200),
      target('GET floor', `/bench/floor/${id}`, 'GET', 200),
    );
    const noopGet = shown(
      await load(
        target('GET no-op', `/bench/noop/${id}`, 'GET', 200),
        connections,
        seconds,
        bench.stack.pids,
      ),
    );
    const serverlessMiB = residentMiB(bench.stack.pids.serverless);
    return {
      connections,
      durationSeconds: seconds,
      post,
      get,
      noopPost,
      noopGet,
      floorPost,
      floorGet,
      serverlessMiB,
    };
  } finally {
    // What the POSTs enqueued is not the bench's business: drop it rather than drain it.
    await bench.sqs.send(new PurgeQueueCommand({ QueueUrl: bench.queueUrls.queue }));
    bench.sqsProxy.release(NAMES.queue);
  }
}
