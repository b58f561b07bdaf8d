/**
 * `npm run bench`: what the pipeline costs and how fast it goes, each figure
 * against a reference measured in the same run on the same machine (absolute
 * numbers do not travel; ratios do). See docs/benchmarks.md for the figures.
 *
 *   npm run bench                 # everything, N = 1000 (a few minutes on 2 cores)
 *   npm run bench -- --n 300      # smaller N for the call counts and throughput rounds
 *   npm run bench -- --smoke      # CI: N = 100, call counts only, checked exactly against the floor
 *
 * Order: cold starts (before anything else runs), then on one local stack
 * (serverless.bench.cjs, counting proxies in front of the emulators): the
 * reaper on the fresh table, the call counts (ours, then the Powertools peer),
 * worker throughput against the floor, the API against a no-op.
 * Prints markdown tables, the targets, and last the `bench:` summary line;
 * exits 1 when a target is missed, 2 on bad arguments.
 */
import { parseArgs } from 'node:util';
import { measureApi } from './api-load';
import { type BenchStack, startBenchStack } from './bench-stack';
import { differencesFromFloor } from './call-counts';
import { measureOwnCalls, measurePeerCalls } from './calls';
import { measureColdStarts } from './cold-start';
import { measureReaperCost } from './reaper-cost';
import { type BenchResults, report } from './report';
import { measureThroughput } from './throughput';

const { values } = parseArgs({
  options: {
    n: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    'duration-s': { type: 'string', default: '10' },
    'init-samples': { type: 'string', default: '20' },
    'reaper-sizes': { type: 'string', default: '1000,100000' },
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
const reaperSizes = (values['reaper-sizes'] ?? '')
  .split(',')
  .map((size) => wholeNumber('reaper-sizes', size));
if (reaperSizes.some((size, index) => index > 0 && size <= reaperSizes[index - 1]!)) {
  usage('--reaper-sizes must grow, e.g. 1000,100000');
}

/** Stuck submissions planted for each reaper run, and the page the target allows beyond them. */
const STUCK = 10;
const REAPER_PAGE_ALLOWANCE = 100;

const startedAt = Date.now();
const progress = (message: string) =>
  console.error(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${message}`);

/** The handlers serverless.yml deploys, and the peer's worker. */
const BUNDLES = [
  { name: 'api', entry: 'handlers/api.ts' },
  { name: 'worker', entry: 'handlers/worker.ts' },
  { name: 'reaper', entry: 'handlers/reaper.ts' },
  { name: 'ui', entry: 'handlers/ui.ts' },
  { name: 'peer worker', entry: 'bench/peer/worker.ts' },
];

let bench: BenchStack | undefined;
let stopping: Promise<void> | undefined;
const stop = () => {
  stopping ??= bench?.stop() ?? Promise.resolve();
  return stopping;
};

async function main(): Promise<number> {
  progress(`${smoke ? 'smoke: call counts only, ' : ''}N = ${n}`);
  const coldStarts = smoke ? undefined : await measureColdStarts(BUNDLES, initSamples, progress);
  bench = await startBenchStack(progress);
  progress(`stack ready: ${bench.stack.httpEndpoint}; ${bench.pollers} pollers per queue`);
  const reaper = smoke ? undefined : await measureReaperCost(bench, reaperSizes, STUCK, progress);
  const own = await measureOwnCalls(bench, n);
  progress(`calls: ${n} submissions decided in ${own.seconds.toFixed(1)} s`);
  const peer = await measurePeerCalls(bench, n);
  progress(`peer: ${n} submissions decided in ${peer.seconds.toFixed(1)} s`);
  const throughput = smoke ? undefined : await measureThroughput(bench, n, rounds, progress);
  const api = smoke ? undefined : await measureApi(bench, connections, durationSeconds, progress);
  await stop();

  const results: BenchResults = {
    n,
    smoke,
    own,
    floorDifferences: differencesFromFloor(own),
    peer,
    throughput,
    api,
    reaper,
    reaperPageAllowance: REAPER_PAGE_ALLOWANCE,
    coldStarts,
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
