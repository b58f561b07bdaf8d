import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type FuzzTarget, startFuzzStack } from '../../workbench/api-fuzz/fuzz-stack';

declare module 'vitest' {
  export interface ProvidedContext {
    fuzzTarget: FuzzTarget & {
      /** Everything the fuzz stack printed, one line each. */
      logFile: string;
    };
  }
}

/** The fuzz tier's own stack (workbench/api-fuzz/fuzz-stack.ts): no queue consumer, free ports. */
export default async function setup(project: TestProject) {
  const logDirectory = mkdtempSync(join(tmpdir(), 'submissions-fuzz-'));
  const logFile = join(logDirectory, 'stack.log');
  const stack = await startFuzzStack((line) => appendFileSync(logFile, `${line}\n`));
  project.provide('fuzzTarget', { ...stack.target, logFile });
  return async () => {
    await stack.stop();
    rmSync(logDirectory, { recursive: true, force: true });
  };
}
