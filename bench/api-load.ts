/**
 * Figure 3, the API under load: autocannon (in a process of its own) against
 * POST /submissions and GET /submissions/{id}, and against the no-op function
 * (bench/noop.ts) on the same serverless-offline, each after a warm-up ramp,
 * with fixed connections and duration. The worker's receives are held
 * meanwhile, so it does not share the stack's CPU with the API (on AWS it runs
 * in Lambdas of its own); the queue is purged afterwards.
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
  p50: number;
  p99: number;
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

interface AutocannonOutput {
  requests: { average: number };
  latency: { p50: number; p99: number };
  statusCodeStats?: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
}

const AUTOCANNON = join(projectRoot, 'node_modules', 'autocannon', 'autocannon.js');
const BODY = JSON.stringify({ content: 'a benchmark submission 42' });

async function autocannon(
  url: string,
  method: 'GET' | 'POST',
  connections: number,
  seconds: number,
): Promise<AutocannonOutput> {
  const args = [AUTOCANNON, '--json', '-c', String(connections), '-d', String(seconds), '-m', method];
  if (method === 'POST') args.push('-H', 'content-type=application/json', '-b', BODY);
  const { stdout } = await promisify(execFile)(process.execPath, [...args, url], { maxBuffer: 10_000_000 });
  return JSON.parse(stdout) as AutocannonOutput;
}

interface Load {
  name: string;
  url: string;
  method: 'GET' | 'POST';
  expectedStatus: number;
}

async function load(
  { name, url, method, expectedStatus }: Load,
  connections: number,
  seconds: number,
  pids: Record<string, number | undefined>,
): Promise<LoadResult> {
  // The ramp: one connection, then half, then all, a second each, unmeasured.
  for (const warm of [1, Math.max(1, Math.floor(connections / 2)), connections]) {
    await autocannon(url, method, warm, 1);
  }
  const before = sampleCpu(pids);
  const output = await autocannon(url, method, connections, seconds);
  const cpu = cpuUsedBetween(before, sampleCpu(pids));
  const expected = output.statusCodeStats?.[String(expectedStatus)]?.count ?? 0;
  const answered = Object.values(output.statusCodeStats ?? {}).reduce((sum, stat) => sum + stat.count, 0);
  return {
    name,
    requestsPerSecond: output.requests.average,
    p50: output.latency.p50,
    p99: output.latency.p99,
    unexpected: answered - expected + output.errors + output.timeouts,
    cpu: Object.fromEntries(
      Object.entries(cpu).map(([process, ms]) => [
        process,
        ms === undefined ? ms : ms / Math.max(1, answered),
      ]),
    ),
  };
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
    const run = async (name: string, path: string, method: 'GET' | 'POST', expectedStatus: number) => {
      const target = { name, url: `${api}${path}`, method, expectedStatus };
      const result = await load(target, connections, seconds, bench.stack.pids);
      progress(
        `api ${result.name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms`,
      );
      return result;
    };
    const post = await run('POST /submissions', '/submissions', 'POST', 202);
    const noopPost = await run('POST no-op', '/bench/noop', 'POST', 200);
    const floorPost = await run('POST floor', '/bench/floor', 'POST', 202);
    const get = await run('GET /submissions/{id}', `/submissions/${id}`, 'GET', 200);
    const noopGet = await run('GET no-op', `/bench/noop/${id}`, 'GET', 200);
    const floorGet = await run('GET floor', `/bench/floor/${id}`, 'GET', 200);
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
