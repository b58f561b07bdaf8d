import type { TestProject } from 'vitest/node';
import { dynamoDbLocalJar, javaVersion, startDynamoDbLocal } from '../../workbench/dynamodb-local';
import { printResources } from './serverless-resources';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where DynamoDB Local answers, or why its tests are skipped. */
    dynamodbLocal: { endpoint: string } | { skipped: string };
  }
}

/**
 * Without Java: the reason the tier is skipped, so `npm test` still passes on a
 * machine that lacks it; with REQUIRE_DYNAMODB_LOCAL=1 (CI) an error instead.
 */
export function withoutJava(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REQUIRE_DYNAMODB_LOCAL === '1') {
    throw new Error(
      'DynamoDB Local is required (REQUIRE_DYNAMODB_LOCAL=1) but java was not found: install a Java runtime, ' +
        'e.g. apt-get install -y --no-install-recommends openjdk-17-jre-headless',
    );
  }
  return 'DynamoDB Local skipped: java not found';
}

/**
 * One DynamoDB Local (AWS's own emulator, a Java program) for the project's
 * run; tests isolate by unique table names. Without Java the tests are skipped
 * with a message, or the run fails where the tier is required (see `withoutJava`).
 */
export default async function setup(project: TestProject) {
  if (!(await javaVersion())) {
    const reason = withoutJava();
    console.warn(reason);
    project.provide('dynamodbLocal', { skipped: reason });
    return;
  }
  const { directory, fetched } = await dynamoDbLocalJar();
  if (fetched) {
    const megabytes = (fetched.tarballBytes / 1_000_000).toFixed(1);
    console.log(`DynamoDB Local: fetched its jar (${megabytes} MB tarball) in ${fetched.milliseconds} ms`);
  }
  const [local, resources] = await Promise.allSettled([startDynamoDbLocal(directory), printResources()]);
  if (local.status === 'rejected' || resources.status === 'rejected') {
    if (local.status === 'fulfilled') await local.value.stop();
    throw local.status === 'rejected' ? local.reason : (resources as PromiseRejectedResult).reason;
  }
  project.provide('dynamodbLocal', { endpoint: local.value.endpoint });
  project.provide('resources', resources.value);
  return () => local.value.stop();
}
