import type { TestProject } from 'vitest/node';
import { startEmulators } from '../../workbench/local/stack';
import { printService } from './serverless-resources';

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorEnv: Record<string, string>;
  }
}

/** One pair of emulators for the whole integration run; tests isolate by unique table and queue names. */
export default async function setup(project: TestProject) {
  const emulators = await startEmulators();
  try {
    project.provide('emulatorEnv', emulators.env);
    const service = await printService(emulators.env);
    project.provide('resources', service.resources);
    project.provide('functionEnvironment', service.functionEnvironment);
  } catch (error) {
    await emulators.stop();
    throw error;
  }
  return () => emulators.stop();
}
