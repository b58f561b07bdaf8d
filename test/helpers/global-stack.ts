import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { stageResourceNames } from '../../src/config/stages';
import { freePort, startLocalStack } from '../../workbench/local/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: {
      httpEndpoint: string;
      lambdaEndpoint: string;
      env: Record<string, string>;
      tableName: string;
      queueName: string;
      settings: Record<string, string>;
      /** Everything the stack printed (emulators, serverless offline, the functions' logs), one line each. */
      logFile: string;
    };
  }
}

/** Settings the e2e stack runs with, so scheduled rescues happen within a test's patience. */
export const E2E_SETTINGS = {
  ORPHAN_AFTER_MS: '3000',
  STUCK_AFTER_MS: '5000',
  MAX_CONTENT_BYTES: '65536',
  MAX_ATTEMPTS: '3',
  // A failed attempt's retry waits 0.5 s, then 1 s: within the queue's visibility timeout below.
  RETRY_BACKOFF_MS: '500',
  // Records reported in batchItemFailures come back after 2 s instead of 60 s.
  LOCAL_QUEUE_VISIBILITY_TIMEOUT: '2',
};

/**
 * The whole service started exactly as `npm start` starts it (emulators, then
 * `serverless offline start --stage local` with the local plugin), on free ports.
 */
export default async function setup(project: TestProject) {
  const output: string[] = [];
  const logDirectory = mkdtempSync(join(tmpdir(), 'submissions-e2e-'));
  const logFile = join(logDirectory, 'stack.log');
  const stack = await startLocalStack({
    httpPort: await freePort(),
    lambdaPort: await freePort(),
    env: E2E_SETTINGS,
    echo: (line) => {
      // Synchronous, so a test that reads the file sees every line printed so far.
      appendFileSync(logFile, `${line}\n`);
      output.push(line);
      if (output.length > 500) output.shift();
    },
  });
  project.provide('stack', {
    httpEndpoint: stack.httpEndpoint,
    lambdaEndpoint: stack.lambdaEndpoint,
    env: stack.env,
    tableName: stageResourceNames('local').tableName,
    queueName: stageResourceNames('local').queueName,
    settings: E2E_SETTINGS,
    logFile,
  });
  return async () => {
    await stack.stop();
    if (process.env.E2E_SHOW_STACK_OUTPUT) console.log(output.join('\n'));
    rmSync(logDirectory, { recursive: true, force: true });
  };
}
