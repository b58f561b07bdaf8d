import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CloudFormationResources } from '../../workbench/local/resources';
import { projectRoot } from '../../workbench/local/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    /** serverless.yml's `resources.Resources`, resolved by serverless itself for stage `test`. */
    resources: CloudFormationResources;
    /** serverless.yml's `provider.environment` for stage `test`: what every function's process sees. */
    functionEnvironment: Record<string, unknown>;
  }
}

/**
 * serverless.yml's resources as serverless resolves them (variables, params,
 * stage), for a globalSetup to provide: tests create their tables and queues
 * from the service's own definitions.
 */
export async function printResources(env: Record<string, string> = {}): Promise<CloudFormationResources> {
  return (await printService(env)).resources;
}

/** serverless.yml as serverless resolves it for stage `test`: its resources and its functions' environment. */
export async function printService(env: Record<string, string> = {}): Promise<{
  resources: CloudFormationResources;
  functionEnvironment: Record<string, unknown>;
}> {
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
  const printed = JSON.parse(stdout) as {
    resources: { Resources: CloudFormationResources };
    provider: { environment?: Record<string, unknown> };
  };
  return { resources: printed.resources.Resources, functionEnvironment: printed.provider.environment ?? {} };
}
