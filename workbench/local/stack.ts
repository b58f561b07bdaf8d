import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { requestEnsureResources } from './ensure-again';

/** The repository root (this file is workbench/local/stack.ts). */
export const projectRoot = resolve(__dirname, '..', '..');

export interface RunningProcess {
  readonly child: ChildProcess;
  /** The last lines the process printed, for error reports. */
  readonly output: string[];
  stop(): Promise<void>;
}

export type EmulatorName = 'dynamodb' | 'sqs';

export interface Emulators {
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  /** Where the DynamoDB emulator keeps its tables (LevelDB) across restarts of its process; undefined: in memory. */
  dynamodbDataDir: string | undefined;
  /** Environment that points the AWS SDK (and serverless) at the emulators. */
  env: Record<string, string>;
  /** Current process ids (an emulator started again has a new one), for benches and tests. */
  readonly pids: Record<string, number | undefined>;
  stop(): Promise<void>;
}

export interface LocalStack extends Emulators {
  httpEndpoint: string;
  lambdaEndpoint: string;
}

type Echo = (line: string) => void;

/**
 * Starts a child process and resolves once a line of its output satisfies
 * `ready`; rejects if it exits first or stays silent for `timeoutMs`.
 */
async function startProcess<T>(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; echo?: Echo; timeoutMs: number; name: string; ipc?: boolean },
  ready: (line: string) => T | undefined,
): Promise<{ process: RunningProcess; value: T }> {
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: options.env ?? process.env,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    // A process group of its own: Ctrl-C in a terminal signals the whole foreground group,
    // which would stop the emulators under a running serverless; `stop` takes them down in order.
    detached: true,
  });
  const output: string[] = [];
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const value = await new Promise<T>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      // Not left running: a restart attempt may start another on the same port.
      child.kill('SIGKILL');
      reject(new Error(`${options.name} not ready after ${options.timeoutMs} ms:\n${output.join('\n')}`));
    }, options.timeoutMs);
    const onLine = (line: string) => {
      output.push(line);
      if (output.length > 200) output.shift();
      options.echo?.(line);
      const found = ready(line);
      if (found !== undefined) {
        clearTimeout(timer);
        resolvePromise(found);
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with ${code}:\n${output.join('\n')}`));
    });
  });
  return { process: { child, output, stop }, value };
}

async function startEmulator(name: EmulatorName, port: number, extraArgs: string[], echo?: Echo) {
  const script = join(projectRoot, 'workbench', 'local', 'emulators', `${name}-server.mjs`);
  const { process: running, value } = await startProcess(
    [script, String(port), ...extraArgs],
    { name: `${name} emulator`, timeoutMs: 15_000, echo },
    (line) => {
      try {
        const parsed = JSON.parse(line) as { emulator?: string; port?: number };
        return parsed.emulator === name ? parsed.port : undefined;
      } catch {
        return undefined;
      }
    },
  );
  return { running, port: value };
}

/** Attempts to start a dead emulator again before giving up (e.g. its port was taken meanwhile). */
const RESTART_ATTEMPTS = 3;
/** An emulator that died this often within `CRASH_WINDOW_MS` is left down: it would only die again. */
const MAX_RESTARTS_IN_WINDOW = 5;
const CRASH_WINDOW_MS = 60_000;

interface SupervisedEmulator {
  readonly port: number;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * Starts an emulator and starts it again, on the same port and with the same
 * arguments (so the same data directory), whenever its process exits while the
 * stack runs; then `onRestart` recreates what the emulator lost. stop() ends it
 * for good, without a restart.
 */
async function superviseEmulator(
  name: EmulatorName,
  requestedPort: number,
  extraArgs: string[],
  options: { echo?: Echo; onRestart?: (name: EmulatorName) => Promise<void> },
): Promise<SupervisedEmulator> {
  const log = (message: string) => (options.echo ?? console.error)(`local stack: ${message}`);
  const first = await startEmulator(name, requestedPort, extraArgs, options.echo);
  const port = first.port;
  let current: RunningProcess | undefined = first.running;
  let stopping = false;
  let restarting: Promise<void> = Promise.resolve();
  const restarts: number[] = [];

  const restart = async (pid: number | undefined, code: number | null, signal: string | null) => {
    current = undefined;
    const now = Date.now();
    restarts.push(now);
    while ((restarts[0] ?? now) < now - CRASH_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS_IN_WINDOW) {
      log(
        `the ${name} emulator (pid ${pid}) exited ${restarts.length} times within ${CRASH_WINDOW_MS / 1000} s; ` +
          'not starting it again. Stop the stack (Ctrl-C) and start it again.',
      );
      return;
    }
    log(
      `the ${name} emulator (pid ${pid}) exited (${signal ?? `code ${code}`}); starting it again on port ${port}`,
    );
    for (let attempt = 1; attempt <= RESTART_ATTEMPTS && !stopping; attempt++) {
      let again: Awaited<ReturnType<typeof startEmulator>>;
      try {
        again = await startEmulator(name, port, extraArgs, options.echo);
      } catch (error) {
        const reason = (error instanceof Error ? error.message : String(error))
          .split('\n')
          .slice(0, 3)
          .join(' ');
        log(
          `the ${name} emulator did not start on port ${port} (attempt ${attempt} of ${RESTART_ATTEMPTS}): ${reason}`,
        );
        if (attempt < RESTART_ATTEMPTS) await delay(1000 * attempt);
        continue;
      }
      if (stopping) {
        await again.running.stop();
        return;
      }
      watch(again.running);
      log(`the ${name} emulator runs again on port ${port} (pid ${again.running.child.pid})`);
      // Outside the attempts: a failure here must not start a second process on the port.
      await options.onRestart?.(name);
      return;
    }
    if (!stopping) {
      log(
        `gave up starting the ${name} emulator on port ${port}. Stop the stack (Ctrl-C) and start it again.`,
      );
    }
  };

  const watch = (running: RunningProcess) => {
    current = running;
    running.child.once('exit', (code, signal) => {
      if (stopping) return;
      // Exit code 0 is a requested stop (SIGINT/SIGTERM sent to it, or its parent gone):
      // only a crash or a kill is restarted.
      if (code === 0) {
        current = undefined;
        log(`the ${name} emulator (pid ${running.child.pid}) stopped on request; not starting it again`);
        return;
      }
      restarting = restarting
        .then(() => restart(running.child.pid, code, signal))
        .catch((error: unknown) => {
          log(
            `restarting the ${name} emulator failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        });
    });
  };
  watch(first.running);

  return {
    port,
    get pid() {
      return current?.child.pid;
    },
    stop: async () => {
      stopping = true;
      await current?.stop();
      await restarting;
      await current?.stop();
    },
  };
}

/**
 * Ports handed out by `freePort` lie below Linux's ephemeral range
 * (32768-60999), which outgoing connections draw from: a port taken from that
 * range can be reused by any client socket between the check and the bind
 * (CI saw serverless-offline fail with EADDRINUSE that way).
 */
const PORT_RANGE = { from: 20_000, to: 32_000 } as const;

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => Promise.reject(error)),
    ]);
  } catch {
    return false;
  }
  server.close();
  await once(server, 'close');
  return true;
}

/** A port that is free now, chosen at random outside the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port found between ${PORT_RANGE.from} and ${PORT_RANGE.to}`);
}

export interface EmulatorOptions {
  /**
   * Where the DynamoDB emulator keeps its tables, so they outlive its process.
   * Default: a new temporary directory, removed by stop(). `false`: in memory
   * (an emulator started again then starts empty).
   */
  dynamodbDataDir?: string | false;
  /** Called once an emulator that died runs again, to recreate what it lost (queues, tables). */
  onRestart?: (name: EmulatorName) => Promise<void>;
}

/**
 * Starts the DynamoDB and SQS emulators, each in its own process, and keeps them
 * running: one that dies is started again on its port (see `superviseEmulator`).
 * Port 0 picks free ports.
 */
export async function startEmulators(
  ports: { dynamodb?: number; sqs?: number } = {},
  echo?: Echo,
  options: EmulatorOptions = {},
): Promise<Emulators> {
  const ownDataDir = options.dynamodbDataDir === undefined;
  const dynamodbDataDir =
    options.dynamodbDataDir === false
      ? undefined
      : (options.dynamodbDataDir ?? mkdtempSync(join(tmpdir(), 'submissions-dynamodb-')));
  if (dynamodbDataDir) mkdirSync(dynamodbDataDir, { recursive: true });
  const removeOwnDataDir = () => {
    if (ownDataDir && dynamodbDataDir) rmSync(dynamodbDataDir, { recursive: true, force: true });
  };
  const supervision = { echo, onRestart: options.onRestart };
  const [dynamodb, sqs] = await Promise.allSettled([
    superviseEmulator('dynamodb', ports.dynamodb ?? 0, dynamodbDataDir ? [dynamodbDataDir] : [], supervision),
    superviseEmulator('sqs', ports.sqs ?? 0, [], supervision),
  ]);
  if (dynamodb.status === 'rejected' || sqs.status === 'rejected') {
    await Promise.all(
      [dynamodb, sqs].map((started) => started.status === 'fulfilled' && started.value.stop()),
    );
    removeOwnDataDir();
    throw dynamodb.status === 'rejected' ? dynamodb.reason : (sqs as PromiseRejectedResult).reason;
  }
  const dynamodbEndpoint = `http://127.0.0.1:${dynamodb.value.port}`;
  const sqsEndpoint = `http://127.0.0.1:${sqs.value.port}`;
  return {
    dynamodbEndpoint,
    sqsEndpoint,
    dynamodbDataDir,
    env: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    },
    pids: {
      get dynamodb() {
        return dynamodb.value.pid;
      },
      get sqs() {
        return sqs.value.pid;
      },
    },
    stop: async () => {
      await Promise.all([dynamodb.value.stop(), sqs.value.stop()]);
      removeOwnDataDir();
    },
  };
}

export interface LocalStackOptions {
  stage?: string;
  /** A serverless config other than serverless.yml (in the project root, as serverless v3 requires). */
  config?: string;
  httpPort?: number;
  lambdaPort?: number;
  dynamodbPort?: number;
  sqsPort?: number;
  /** Extra environment for the service (e.g. STUCK_AFTER_MS for tests). */
  env?: Record<string, string>;
  /** Where the stack's output goes, line by line. */
  echo?: Echo;
  /** Where the DynamoDB emulator keeps its tables (see EmulatorOptions). */
  dynamodbDataDir?: string | false;
}

/**
 * What `npm start` runs: the emulators, then `serverless offline start`, whose
 * local plugin creates the table and queues from serverless.yml and feeds the
 * worker from the queue; serverless-offline serves the API and the schedule.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  // Set once serverless runs: before that, its plugin creates the resources anyway.
  let serverlessChild: ChildProcess | undefined;
  const emulators = await startEmulators(
    { dynamodb: options.dynamodbPort, sqs: options.sqsPort },
    options.echo,
    {
      dynamodbDataDir: options.dynamodbDataDir,
      onRestart: async (name) => {
        if (!serverlessChild) return;
        await requestEnsureResources(serverlessChild, name);
        (options.echo ?? console.error)(
          `local stack: resources ensured again after the ${name} emulator restarted`,
        );
      },
    },
  );
  const httpPort = options.httpPort ?? 3000;
  const lambdaPort = options.lambdaPort ?? 3002;
  const stage = options.stage ?? 'local';
  try {
    const { process: serverless } = await startProcess(
      [
        join(projectRoot, 'node_modules', 'serverless', 'bin', 'serverless.js'),
        'offline',
        'start',
        '--stage',
        stage,
        ...(options.config ? ['--config', options.config] : []),
      ],
      {
        name: 'serverless offline',
        timeoutMs: 120_000,
        echo: options.echo,
        ipc: true,
        env: {
          ...process.env,
          ...emulators.env,
          HTTP_PORT: String(httpPort),
          LAMBDA_PORT: String(lambdaPort),
          // Separate build folders let a test stack run beside `npm start`.
          ESBUILD_WORK_FOLDER: `.esbuild/${stage}-${httpPort}`,
          SLS_TELEMETRY_DISABLED: '1',
          SLS_NOTIFICATIONS_MODE: 'off',
          ...options.env,
        },
      },
      (line) => (line.includes('local stack: ready') ? true : undefined),
    );
    serverlessChild = serverless.child;
    return {
      ...emulators,
      httpEndpoint: `http://127.0.0.1:${httpPort}`,
      lambdaEndpoint: `http://127.0.0.1:${lambdaPort}`,
      pids: {
        get dynamodb() {
          return emulators.pids.dynamodb;
        },
        get sqs() {
          return emulators.pids.sqs;
        },
        serverless: serverless.child.pid,
      },
      stop: async () => {
        await serverless.stop();
        await emulators.stop();
      },
    };
  } catch (error) {
    await emulators.stop();
    throw error;
  }
}
