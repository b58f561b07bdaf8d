/**
 * `npm run fuzz -- [--runs N] [--seed S] [--path P]`: the API fuzz of `npm test`'s
 * fuzz tier, for longer and randomly seeded runs, on a local stack of its own. Callable
 * in-process: `main` returns the exit status instead of exiting.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { FuzzSession, fuzzParameters } from './api-fuzz/fuzz-session';
import { startFuzzStack } from './api-fuzz/fuzz-stack';
import { type CommandLineIo, commandOrExit, EXIT, UsageError } from './command-line';

export const DEFAULT_RUNS = 1000;
const PROGRESS_EVERY = 500;

export const USAGE = `Usage: npm run fuzz -- [options]

Sends random requests to the HTTP API of a local stack it starts for the run (free ports,
no queue consumer, so it can count what each request stored) and checks each answer: no
5xx; every 4xx problem+json with a detail true of the request; the table and the queue
changed by exactly what the answer reports; the answer valid against /openapi.json.
The seed comes first in the output; a failure ends with fast-check's report, whose seed
and path replay it.

Options:
  --runs <n>      requests to send (default ${DEFAULT_RUNS})
  --seed <n>      fast-check's seed, an integer (default: random)
  --path <path>   replay one counterexample: the path of a failure's report, with its --seed
  -h, --help      this text

Exit status: 0 every request passed, 1 a request failed, 2 usage error.`;

export interface FuzzOptions {
  runs: number;
  seed: number;
  path?: string;
}

export type FuzzCommand = { command: 'help' } | { command: 'run'; options: FuzzOptions };

/** Parses `npm run fuzz -- [options]`; throws UsageError for anything it does not know. */
export function parseFuzzArgs(argv: readonly string[], randomSeed = randomInteger): FuzzCommand {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { command: 'help' };
  const runs = values.runs === undefined ? DEFAULT_RUNS : Number(values.runs);
  if (!/^\d+$/.test(values.runs ?? '1') || !Number.isSafeInteger(runs) || runs < 1) {
    throw new UsageError(`--runs must be a whole number above 0, got '${values.runs}'.`);
  }
  const seed = values.seed === undefined ? randomSeed() : Number(values.seed);
  if (!/^-?\d+$/.test(values.seed ?? '0') || !Number.isSafeInteger(seed)) {
    throw new UsageError(`--seed must be an integer, got '${values.seed}'.`);
  }
  if (values.path !== undefined && !/^\d+(:\d+)*$/.test(values.path)) {
    throw new UsageError(`--path must be fast-check's path (e.g. 41:0:2), got '${values.path}'.`);
  }
  return {
    command: 'run',
    options: { runs, seed, ...(values.path ? { path: values.path } : {}) },
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: false,
    strict: true,
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      path: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function randomInteger(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

/** `npm run fuzz -- …`: returns the exit status (0 passed, 1 a request failed, 2 usage error). */
export async function main(argv: readonly string[], io: CommandLineIo): Promise<number> {
  const command = commandOrExit(() => parseFuzzArgs(argv), USAGE, io);
  if (typeof command === 'number') return command;
  const { options } = command;
  io.out(`fuzz: seed ${options.seed}, ${options.path ? `path ${options.path}` : `${options.runs} requests`}`);

  const logDirectory = mkdtempSync(join(tmpdir(), 'submissions-fuzz-'));
  const logFile = join(logDirectory, 'stack.log');
  io.err('fuzz: starting a local stack…');
  const stack = await startFuzzStack((line) => appendFileSync(logFile, `${line}\n`));
  let keepLog = false;
  try {
    const session = await FuzzSession.open({
      target: stack.target,
      stackOutput: () => readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-30),
      onRequest: (sent) => {
        if (sent % PROGRESS_EVERY === 0) io.err(`fuzz: ${sent} requests…`);
      },
    });
    const started = performance.now();
    const details = await fc.check(session.property(), fuzzParameters(options));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    io.out(session.summary());
    session.close();
    if (!details.failed) {
      io.out(`fuzz: passed, ${details.numRuns} random requests in ${seconds} s (seed ${options.seed})`);
      return EXIT.ok;
    }
    keepLog = true;
    io.err(fc.defaultReportMessage(details) ?? 'fuzz: failed');
    const error = details.errorInstance;
    io.err(`\nWhat failed:\n${error instanceof Error ? error.message : String(error)}\n`);
    io.err(
      [
        `fuzz: failed (seed ${details.seed}, path ${details.counterexamplePath}). Replay the shrunk request with`,
        `  npm run fuzz -- --seed ${details.seed} --path ${details.counterexamplePath}`,
        `  FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath} npx vitest run --project fuzz`,
        `or the whole sequence up to it (what it refers to is then there again) with`,
        `  npm run fuzz -- --seed ${details.seed} --runs ${Number(details.counterexamplePath?.split(':')[0] ?? 0) + 1}`,
        `The stack's output is in ${logFile}`,
      ].join('\n'),
    );
    return EXIT.failed;
  } finally {
    await stack.stop();
    if (!keepLog) rmSync(logDirectory, { recursive: true, force: true });
  }
}
