import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../workbench/local/stack';
import { waitFor } from '../../workbench/wait';

const LOCK = join(projectRoot, '.esbuild', 'sls-package.lock');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Takes the lock (a directory: creating one is atomic), breaking one whose holder has died. */
async function tryLock(): Promise<true | undefined> {
  try {
    await mkdir(LOCK, { recursive: false });
    await writeFile(join(LOCK, 'pid'), String(process.pid));
    return true;
  } catch {
    const holder = Number(await readFile(join(LOCK, 'pid'), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(holder) && !alive(holder)) await rm(LOCK, { recursive: true, force: true });
    return undefined;
  }
}

/**
 * Runs `run` (a `serverless package`) while no other test file packages: serverless-esbuild
 * stages every run's bundles in the one `.serverless` folder beside serverless.yml, so two
 * runs at once read each other's files. Test files run in parallel; this serialises them.
 */
export async function oneSlsPackageAtATime<T>(run: () => Promise<T>): Promise<T> {
  await mkdir(join(projectRoot, '.esbuild'), { recursive: true });
  await waitFor('the serverless package lock', tryLock, { timeoutMs: 600_000, intervalMs: 100 });
  try {
    return await run();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}
