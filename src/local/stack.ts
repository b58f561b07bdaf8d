import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** The repository root (this file is src/local/stack.ts). */
export const projectRoot = resolve(__dirname, '..', '..');

export interface RunningProcess {
  readonly child: ChildProcess;
  /** The last lines the process printed, for error reports. */
  readonly output: string[];
  stop(): Promise<void>;
}

export interface Emulators {
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  /** Environment that points the AWS SDK (and serverless) at the emulators. */
  env: Record<string, string>;
  /** Process ids, for a bench that measures what each process costs. */
  pids: Record<string, number | undefined>;
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
  options: { env?: NodeJS.ProcessEnv; echo?: Echo; timeoutMs: number; name: string },
  ready: (line: string) => T | undefined,
): Promise<{ process: RunningProcess; value: T }> {
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
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
    const timer = setTimeout(
      () =>
        reject(new Error(`${options.name} not ready after ${options.timeoutMs} ms:\n${output.join('\n')}`)),
      options.timeoutMs,
    );
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

async function startEmulator(name: 'dynamodb' | 'sqs', port: number, echo?: Echo) {
  const script = join(projectRoot, 'src', 'local', 'emulators', `${name}-server.mjs`);
  const { process: running, value } = await startProcess(
    [script, String(port)],
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
  return { running, endpoint: `http://127.0.0.1:${value}` };
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

/** Starts the DynamoDB and SQS emulators, each in its own process. Port 0 picks free ports. */
export async function startEmulators(
  ports: { dynamodb?: number; sqs?: number } = {},
  echo?: Echo,
): Promise<Emulators> {
  const [dynamodb, sqs] = await Promise.all([
    startEmulator('dynamodb', ports.dynamodb ?? 0, echo),
    startEmulator('sqs', ports.sqs ?? 0, echo),
  ]);
  return {
    dynamodbEndpoint: dynamodb.endpoint,
    sqsEndpoint: sqs.endpoint,
    env: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      // The pinned SDK supports Node 20; its warning concerns later releases.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    pids: { dynamodb: dynamodb.running.child.pid, sqs: sqs.running.child.pid },
    stop: async () => {
      await Promise.all([dynamodb.running.stop(), sqs.running.stop()]);
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
}

/**
 * What `npm start` runs: the emulators, then `serverless offline start`, whose
 * local plugin creates the table and queues from serverless.yml and feeds the
 * worker from the queue; serverless-offline serves the API and the schedule.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const emulators = await startEmulators(
    { dynamodb: options.dynamodbPort, sqs: options.sqsPort },
    options.echo,
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
    return {
      ...emulators,
      httpEndpoint: `http://127.0.0.1:${httpPort}`,
      lambdaEndpoint: `http://127.0.0.1:${lambdaPort}`,
      pids: { ...emulators.pids, serverless: serverless.child.pid },
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
