/**
 * `npm run bench`: what the pipeline costs and how fast it goes, each figure
 * against a reference measured in the same run on the same machine (absolute
 * numbers do not travel; ratios do). See docs/benchmarks.md for the figures.
 *
 *   npm run bench                 # everything, N = 1000 (a few minutes on 2 cores)
 *   npm run bench -- --n 300      # smaller N for the call counts and throughput rounds
 *   npm run bench -- --smoke      # CI: N = 100, call counts checked exactly against the floor, billed units
 *                                 #     (short and 64 KiB content, where Java runs DynamoDB Local) against EXPECTED_OURS
 *   npm run bench -- --only api   # the call counts and the named figures only (cold-start, capacity, reaper, throughput, api, verdict)
 *   npm run bench -- --only capacity   # the call counts and the billed units' sweep over content sizes, with its costs
 *   npm run bench -- --only api --offline-worker-threads   # serverless-offline's worker threads instead of in-process
 *
 * Order: cold starts (before anything else runs), the billed units on DynamoDB Local
 * (bench/capacity.ts, a process of its own), then on one local stack
 * (serverless.bench.cjs, counting proxies in front of the emulators): the
 * reaper on the fresh table, the call counts (ours, then the Powertools peer),
 * worker throughput against the floor, the API against the floor (a bare handler making
 * the same calls) and a no-op; then, on a local stack of its own, the page in Chromium:
 * Submit to verdict.
 * Prints markdown tables, the targets, and last the `bench:` summary line;
 * exits 1 when a target is missed, 2 on bad arguments.
 */
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { projectRoot } from '../workbench/local/stack';
import { measureApi } from './api-load';
import { type BenchStack, startBenchStack } from './bench-stack';
import { CONTENT_SIZES, type SizeKey } from './billed-units';
import { differencesFromFloor } from './call-counts';
import { measureOwnCalls, measurePeerCalls } from './calls';
import type { CapacityResult } from './capacity';
import { type BundleSpec, measureColdStarts } from './cold-start';
import { measureReaperCost } from './reaper-cost';
import { type BenchResults, report, SDK_ONLY_FUNCTIONS, sdkOnlyBundle } from './report';
import { measureThroughput } from './throughput';
import { measureVerdict } from './verdict';

const { values } = parseArgs({
  options: {
    n: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '5' },
    'verdict-runs': { type: 'string', default: '9' },
    connections: { type: 'string', default: '10' },
    'duration-s': { type: 'string', default: '10' },
    'init-samples': { type: 'string', default: '20' },
    'reaper-sizes': { type: 'string', default: '1000,100000' },
    only: { type: 'string' },
    'offline-worker-threads': { type: 'boolean', default: false },
  },
});

function usage(problem: string): never {
  console.error(`bench: ${problem}`);
  process.exit(2);
}
const wholeNumber = (name: string, text: string | undefined) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    usage(`--${name} must be a positive whole number, not "${text}"`);
  return value;
};
const smoke = values.smoke ?? false;
if (smoke && values.n !== undefined) usage('--smoke runs N = 100; leave out --n');
const n = wholeNumber('n', values.n ?? (smoke ? '100' : '1000'));
const rounds = wholeNumber('rounds', values.rounds);
const connections = wholeNumber('connections', values.connections);
const durationSeconds = wholeNumber('duration-s', values['duration-s']);
const initSamples = wholeNumber('init-samples', values['init-samples']);
const verdictRuns = wholeNumber('verdict-runs', values['verdict-runs']);
const reaperSizes = (values['reaper-sizes'] ?? '')
  .split(',')
  .map((size) => wholeNumber('reaper-sizes', size));
if (reaperSizes.some((size, index) => index > 0 && size <= reaperSizes[index - 1]!)) {
  usage('--reaper-sizes must grow, e.g. 1000,100000');
}
/** Figures beyond the call counts (which always run); --smoke runs only capacity (SMOKE_CAPACITY). */
const FIGURES = ['cold-start', 'capacity', 'reaper', 'throughput', 'api', 'verdict'] as const;
const only = values.only?.split(',');
const unknown = only?.filter((name) => !(FIGURES as readonly string[]).includes(name)) ?? [];
if (unknown.length > 0) usage(`--only takes ${FIGURES.join(', ')}; not ${unknown.join(', ')}`);
if (smoke && only) usage('--smoke runs the call counts and the billed units only; leave out --only');
const runs = (figure: (typeof FIGURES)[number]) => !smoke && (only === undefined || only.includes(figure));

/** Stuck submissions planted for each reaper run, and the page the target allows beyond them. */
const STUCK = 10;
const REAPER_PAGE_ALLOWANCE = 100;
/** Submissions per content size whose billed units are measured on DynamoDB Local (units do not vary with N). */
const CAPACITY_SUBMISSIONS = 20;
/**
 * What --smoke measures and checks exactly (EXPECTED_OURS): two sizes, four submissions each (two
 * pass, two fail); about 12 s on an idle machine, most of it DynamoDB Local's start and the bundling.
 */
const SMOKE_CAPACITY = { sizes: ['short', '64k'] as readonly SizeKey[], submissions: 4 };

const startedAt = Date.now();
const progress = (message: string) =>
  console.error(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${message}`);

/**
 * The handlers serverless.yml deploys, each function's AWS SDK clients alone (the baseline its
 * init is held to), the peer's worker, and the worker as serverless.yml ships it.
 */
const BUNDLES: BundleSpec[] = [
  { name: 'api', entry: 'handlers/api.ts' },
  { name: 'worker', entry: 'handlers/worker.ts' },
  { name: 'reaper', entry: 'handlers/reaper.ts' },
  { name: 'ui', entry: 'handlers/ui.ts' },
  ...SDK_ONLY_FUNCTIONS.map((name) => ({
    name: sdkOnlyBundle(name),
    entry: `bench/sdk-only/sdk-only-${name}.ts`,
  })),
  { name: 'peer worker', entry: 'bench/peer/peer-worker.ts' },
  { name: 'peer worker, no logs or metrics', entry: 'bench/peer/worker-bare.ts' },
  { name: 'worker as deployed', entry: 'handlers/worker.ts', deployed: { sourceMaps: false } },
  {
    name: 'worker as deployed with sourceMaps: true',
    entry: 'handlers/worker.ts',
    deployed: { sourceMaps: true },
  },
];

/** Runs bench/capacity.ts in a process of its own and reads its last line. */
async function measureCapacity(
  submissions: number,
  sizes: readonly SizeKey[],
  report: (message: string) => void,
): Promise<CapacityResult> {
  report(
    `capacity: ${submissions} submissions of each size (${sizes.join(', ')}) on DynamoDB Local, ours and the peer's`,
  );
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join('bench', 'capacity.ts'), String(submissions), sizes.join(',')],
    { cwd: projectRoot, maxBuffer: 50_000_000 },
  );
  const line = stdout.split('\n').find((text) => text.startsWith('capacity: '));
  if (!line) throw new Error(`bench/capacity.ts printed no result:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice('capacity: '.length)) as CapacityResult;
}

let bench: BenchStack | undefined;
let stopping: Promise<void> | undefined;
const stop = () => {
  stopping ??= bench?.stop() ?? Promise.resolve();
  return stopping;
};

async function main(): Promise<number> {
  progress(`${smoke ? 'smoke: call counts and billed units only, ' : ''}N = ${n}`);
  const coldStarts = runs('cold-start') ? await measureColdStarts(BUNDLES, initSamples, progress) : undefined;
  const capacity = smoke
    ? await measureCapacity(SMOKE_CAPACITY.submissions, SMOKE_CAPACITY.sizes, progress)
    : runs('capacity')
      ? await measureCapacity(
          CAPACITY_SUBMISSIONS,
          CONTENT_SIZES.map((size) => size.key),
          progress,
        )
      : undefined;
  if (capacity && 'skipped' in capacity)
    progress(`capacity: not measured, so not checked (${capacity.skipped})`);
  // serverless.bench.cjs reads it: serverless-offline's default mode, to compare with useInProcess.
  const workerThreads: Record<string, string> = values['offline-worker-threads']
    ? { BENCH_OFFLINE_WORKER_THREADS: 'true' }
    : {};
  bench = await startBenchStack(progress, workerThreads);
  progress(`stack ready: ${bench.stack.httpEndpoint}; ${bench.pollers} pollers per queue`);
  const reaper = runs('reaper') ? await measureReaperCost(bench, reaperSizes, STUCK, progress) : undefined;
  const own = await measureOwnCalls(bench, n);
  progress(`calls: ${n} submissions decided in ${own.seconds.toFixed(1)} s`);
  const peer = await measurePeerCalls(bench, n);
  progress(`peer: ${n} submissions decided in ${peer.seconds.toFixed(1)} s`);
  const throughput = runs('throughput') ? await measureThroughput(bench, n, rounds, progress) : undefined;
  const api = runs('api') ? await measureApi(bench, connections, durationSeconds, progress) : undefined;
  await stop();
  const verdict = runs('verdict') ? await measureVerdict(verdictRuns, progress) : undefined;

  const results: BenchResults = {
    n,
    smoke,
    setup:
      `Run: ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}; ` +
      `serverless-offline ${values['offline-worker-threads'] ? 'worker threads' : 'useInProcess'}, ` +
      `${bench.pollers} SQS pollers × batch 10, WORKER_CONCURRENCY ${bench.settings.WORKER_CONCURRENCY}, ` +
      `ACTIVE_INDEX_SHARDS ${bench.settings.ACTIVE_INDEX_SHARDS}.`,
    own,
    floorDifferences: differencesFromFloor(own),
    peer,
    throughput,
    api,
    reaper,
    reaperPageAllowance: REAPER_PAGE_ALLOWANCE,
    coldStarts,
    capacity,
    verdict,
  };
  const { text, missed } = report(results);
  progress(`done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s; stack output was in ${bench.logFile}`);
  console.log(text);
  return missed.length > 0 ? 1 : 0;
}

process.once('SIGINT', () => {
  progress('interrupted; stopping the stack');
  void stop().finally(() => process.exit(130));
});

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    await stop().catch(() => undefined);
    console.log(`bench: FAILED: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    process.exit(1);
  },
);
