import { ACTIVE_INDEX, CONTENT_INDEX, OWNER_INDEX } from '../adapters/dynamodb/table';
import { ConfigError } from './env';

/**
 * What `npm start`, `npm run ops` and `npm run worker` share about where a stage
 * lives: serverless.yml's names, `npm start`'s ports, LocalStack's endpoint.
 */

/** serverless.yml's `service`: names are `${service}-${stage}-…`. */
export const SERVICE = 'submissions';

/**
 * The names of a stage's resources: serverless.yml reads them from here (custom.names, through
 * workbench/local/stage-names.cjs), as do `npm start`, `npm run ops` and the standalone worker.
 */
export function stageResourceNames(stage: string) {
  const prefix = `${SERVICE}-${stage}`;
  return {
    /** The submissions table (store schema v2: docs/design.md#data-model). */
    tableName: `${prefix}-submissions-v2`,
    /** The table of store schema v1, kept until `npm run ops -- migrate` has moved its items. */
    legacyTableName: `${prefix}-submissions`,
    queueName: `${prefix}-submissions`,
    deadLetterQueueName: `${prefix}-submissions-dlq`,
    indexes: { active: ACTIVE_INDEX, owner: OWNER_INDEX, content: CONTENT_INDEX },
  };
}

/** Where LocalStack listens (localstack/compose.yml). */
export const LOCALSTACK_ENDPOINT = 'http://localhost:4566';

/** `npm start`'s ports, each overridable by the variable of the same name. */
export const LOCAL_PORTS = {
  HTTP_PORT: 3000,
  LAMBDA_PORT: 3002,
  DYNAMODB_PORT: 8000,
  SQS_PORT: 9324,
} as const;

/** One of `npm start`'s ports under `env`; a value that is not a port is refused by name. */
export function localPort(env: NodeJS.ProcessEnv, name: keyof typeof LOCAL_PORTS): number {
  const value = env[name] ? Number(env[name]) : LOCAL_PORTS[name];
  if (!Number.isInteger(value) || value < 1 || value > 65_535) {
    throw new ConfigError(`Invalid configuration: ${name}: must be a port number, got ${env[name]}`);
  }
  return value;
}

/** Where `npm start`'s emulators listen under `env`. */
export function localEmulatorEndpoints(env: NodeJS.ProcessEnv) {
  return {
    dynamodb: `http://127.0.0.1:${localPort(env, 'DYNAMODB_PORT')}`,
    sqs: `http://127.0.0.1:${localPort(env, 'SQS_PORT')}`,
  };
}
