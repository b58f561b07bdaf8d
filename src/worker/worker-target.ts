import { LOCALSTACK_ENDPOINT, localEmulatorEndpoints, stageResourceNames } from '../config/stages';

export interface WorkerTarget {
  /** The stage the names were derived from; undefined when TABLE_NAME/QUEUE_URL came from the environment. */
  stage?: string;
  /** Variables to set before the application is composed: names, endpoints, region, credentials. */
  env: Record<string, string>;
  /** The queue to look up by name, when QUEUE_URL is not set. */
  queueName?: string;
}

const ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SQS'];

/**
 * What the standalone worker connects to. Like a Lambda, it takes TABLE_NAME,
 * QUEUE_URL and the AWS_ENDPOINT_URL_* variables from the environment; what is
 * missing comes from the stage (`--stage`, "local" when neither TABLE_NAME nor
 * QUEUE_URL is set):
 * - names: the stage's table and queue, as serverless.yml names them;
 * - `local`: the `npm start` emulators on 127.0.0.1 (DYNAMODB_PORT, SQS_PORT as
 *   workbench/local/start.ts reads them), so `npm start` and `npm run worker` side by
 *   side just work;
 * - `localstack`: LocalStack at http://localhost:4566;
 * - any other stage: AWS, with the usual credential chain.
 * Endpoints already in the environment always win.
 */
export function workerTarget(requestedStage: string | undefined, env: NodeJS.ProcessEnv): WorkerTarget {
  const stage = requestedStage ?? (env.TABLE_NAME || env.QUEUE_URL ? undefined : 'local');
  if (stage === undefined) return { env: {} };
  const names = stageResourceNames(stage);
  const target: WorkerTarget = { stage, env: {} };
  if (!env.TABLE_NAME) target.env.TABLE_NAME = names.tableName;
  if (!env.QUEUE_URL) target.queueName = names.queueName;
  if (stage !== 'local' && stage !== 'localstack') return target;

  if (!ENDPOINT_VARIABLES.some((name) => env[name])) {
    if (stage === 'local') {
      const emulators = localEmulatorEndpoints(env);
      target.env.AWS_ENDPOINT_URL_DYNAMODB = emulators.dynamodb;
      target.env.AWS_ENDPOINT_URL_SQS = emulators.sqs;
    } else {
      target.env.AWS_ENDPOINT_URL = LOCALSTACK_ENDPOINT;
    }
  }
  // Emulators accept any credentials; these keep the SDK from looking for real ones.
  if (!env.AWS_REGION) target.env.AWS_REGION = 'us-east-1';
  if (!env.AWS_ACCESS_KEY_ID) {
    const dummy = stage === 'local' ? 'local' : 'test';
    target.env.AWS_ACCESS_KEY_ID = dummy;
    target.env.AWS_SECRET_ACCESS_KEY = dummy;
  }
  return target;
}

/** Where the SDK sends one service's calls under `env`, for the start-up line. */
export function endpointOf(service: 'DYNAMODB' | 'SQS', env: NodeJS.ProcessEnv): string {
  return (
    env[`AWS_ENDPOINT_URL_${service}`] ||
    env.AWS_ENDPOINT_URL ||
    `AWS (${env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'region from your profile'})`
  );
}
