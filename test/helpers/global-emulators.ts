import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import type { CloudFormationResources } from '../../src/local/resources';
import { projectRoot, startEmulators } from '../../src/local/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorEnv: Record<string, string>;
    /** serverless.yml's `resources.Resources`, resolved by serverless itself for stage `test`. */
    resources: CloudFormationResources;
  }
}

/** serverless.yml's resources as serverless resolves them (variables, params, stage). */
async function printResources(env: Record<string, string>): Promise<CloudFormationResources> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      join(projectRoot, 'node_modules/serverless/bin/serverless.js'),
      'print',
      '--stage',
      'test',
      '--format',
      'json',
    ],
    { cwd: projectRoot, env: { ...process.env, ...env, SLS_TELEMETRY_DISABLED: '1' }, maxBuffer: 10_000_000 },
  );
  return (JSON.parse(stdout) as { resources: { Resources: CloudFormationResources } }).resources.Resources;
}

/** One pair of emulators for the whole integration run; tests isolate by unique table and queue names. */
export default async function setup(project: TestProject) {
  const emulators = await startEmulators();
  try {
    project.provide('emulatorEnv', emulators.env);
    project.provide('resources', await printResources(emulators.env));
  } catch (error) {
    await emulators.stop();
    throw error;
  }
  return () => emulators.stop();
}
