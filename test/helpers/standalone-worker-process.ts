import { join } from 'node:path';
import { projectRoot } from '../../workbench/local/stack';
import { waitFor } from '../../workbench/wait';
import { structuredLines } from './e2e-stack-log';
import { type KillableProcess, spawnNode } from './fault-process';

/**
 * `npm run worker` in ONE killable process: node with the tsx loader, as
 * package.json runs it (the tsx CLI would put the worker in a grandchild that a
 * signal to the CLI does not reach).
 */
export function spawnStandaloneWorker(env: NodeJS.ProcessEnv, args: string[] = []): KillableProcess {
  return spawnNode(['--import', 'tsx', join(projectRoot, 'src/worker/main.ts'), ...args], env);
}

/** The worker's structured log lines (one JSON object each). */
export function logEntries(worker: KillableProcess): Record<string, unknown>[] {
  return structuredLines(worker.lines.join('\n'));
}

/** Waits for the start-up line (the consumer is polling by then) and returns it. */
export function started(worker: KillableProcess): Promise<Record<string, unknown>> {
  return waitFor(
    `standalone worker ${worker.child.pid} to start`,
    () => {
      if (worker.child.exitCode !== null) throw new Error(`exited early:\n${worker.lines.join('\n')}`);
      return logEntries(worker).find((entry) => entry.message === 'standalone worker started');
    },
    { timeoutMs: 60_000 },
  );
}

/** The ids of the submissions this worker decided (processBatch's "submission decided" lines). */
export function decidedBy(worker: KillableProcess): string[] {
  return decisionsIn(logEntries(worker));
}

export function decisionsIn(entries: Record<string, unknown>[]): string[] {
  return entries
    .filter((entry) => entry.message === 'submission decided')
    .map((entry) => String(entry.correlationId));
}

/** Sends `signal` and waits for the process to be gone. */
export async function stopWith(worker: KillableProcess, signal: NodeJS.Signals = 'SIGTERM') {
  worker.child.kill(signal);
  return worker.exited;
}

/** The environment without the variables that would point a worker elsewhere than the test says. */
export function withoutServiceSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const {
    AWS_ENDPOINT_URL: _endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: _dynamodb,
    AWS_ENDPOINT_URL_SQS: _sqs,
    TABLE_NAME: _table,
    QUEUE_URL: _queue,
    ...rest
  } = env;
  return rest;
}
