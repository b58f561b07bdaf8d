import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort, projectRoot } from './local/stack';
import { waitFor } from './wait';

const run = promisify(execFile);

/**
 * AWS's DynamoDB Local ships inside this npm package's tarball. Installing the
 * package would pull ~350 MB of dependencies; `npm pack` fetches only the
 * tarball (through npm's own registry settings and cache) and we keep the jar.
 */
const PACKAGE = 'amplify-dynamodb-simulator';
const VERSION = '2.9.30';
const JAR = 'DynamoDBLocal.jar';
const LIB = 'DynamoDBLocal_lib';

/** Where the extracted jar lives between runs (git-ignored), one folder per package version. */
export const dynamoDbLocalCache = join(projectRoot, '.cache', 'dynamodb-local', `${PACKAGE}-${VERSION}`);

/** `java` on PATH, or undefined when it is not installed. */
export async function javaVersion(): Promise<string | undefined> {
  try {
    // `java -version` prints to stderr.
    const { stderr } = await run('java', ['-version']);
    return stderr.split('\n')[0]?.trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export interface JarLocation {
  /** The folder holding DynamoDBLocal.jar and DynamoDBLocal_lib/. */
  directory: string;
  /** Set when this call had to fetch the jar: how long it took and the tarball's size. */
  fetched?: { milliseconds: number; tarballBytes: number };
}

/** Finds the jar in the cache, fetching and extracting it first if missing. */
export async function dynamoDbLocalJar(): Promise<JarLocation> {
  if (existsSync(join(dynamoDbLocalCache, JAR))) return { directory: dynamoDbLocalCache };
  const started = Date.now();
  const cacheParent = join(dynamoDbLocalCache, '..');
  await mkdir(cacheParent, { recursive: true });
  // Scratch beside the cache, on the same file system, so the final rename cannot cross devices.
  const scratch = await mkdtemp(join(cacheParent, '.fetch-'));
  try {
    const { stdout } = await run(
      'npm',
      ['pack', `${PACKAGE}@${VERSION}`, '--pack-destination', scratch, '--json', '--silent'],
      { cwd: projectRoot, maxBuffer: 50_000_000 },
    );
    const [packed] = JSON.parse(stdout) as { filename: string; size: number }[];
    if (!packed) throw new Error(`npm pack ${PACKAGE}@${VERSION} reported no tarball`);
    const staging = join(scratch, 'emulator');
    await mkdir(staging);
    await run('tar', [
      '-xzf',
      join(scratch, packed.filename),
      '-C',
      staging,
      '--strip-components=2',
      `package/emulator/${JAR}`,
      `package/emulator/${LIB}`,
    ]);
    if (!existsSync(join(staging, JAR))) throw new Error(`${PACKAGE}@${VERSION} holds no emulator/${JAR}`);
    // A rename is atomic: a concurrent run either finds the whole folder or none.
    await rename(staging, dynamoDbLocalCache).catch((error: NodeJS.ErrnoException) => {
      if (!existsSync(join(dynamoDbLocalCache, JAR))) throw error;
    });
    return {
      directory: dynamoDbLocalCache,
      fetched: { milliseconds: Date.now() - started, tarballBytes: packed.size },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export interface RunningDynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local in memory (and without telemetry) on a free port and resolves once it answers
 * ListTables; rejects (with its output) if it fails to start or never answers.
 */
export async function startDynamoDbLocal(directory: string): Promise<RunningDynamoDbLocal> {
  const port = await freePort();
  const child = spawn(
    'java',
    [`-Djava.library.path=./${LIB}`, '-jar', JAR, '-inMemory', '-disableTelemetry', '-port', String(port)],
    { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  const remember = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const running = () => spawnError === undefined && child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!running()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    const state = await waitFor(
      'DynamoDB Local to answer ListTables',
      async () => {
        if (!running()) return 'stopped';
        await client.send(new ListTablesCommand({}));
        return 'ready';
      },
      { timeoutMs: 60_000 },
    );
    if (state === 'stopped') {
      throw new Error(
        `DynamoDB Local did not start (${spawnError?.message ?? `exit code ${child.exitCode}`}):\n${output.join('')}`,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, stop };
}
