/**
 * `npm run worker`: the submission worker as a long-running process (see
 * standalone-worker.ts). Started with nothing configured, it joins `npm start`'s
 * emulators; see USAGE in settings.ts. SIGTERM or SIGINT stops it gracefully
 * (WORKER_SHUTDOWN_GRACE_MS), a second one aborts the work in progress at once;
 * either way it exits 0 once every lease it held is decided or released.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createSqsClient, queueUrlByName } from '../adapters/sqs/sqs-client';
import { workerApp } from '../composition-worker';
import { ConfigError } from '../config/env';
import { describeError } from '../ports/logger';
import { loadWorkerSettings, parseWorkerArguments, USAGE, UsageError } from './settings';
import { createStandaloneWorker } from './standalone-worker';
import { endpointOf, workerTarget } from './worker-target';

/** After the grace period, how long aborted work may take to hand its leases back. */
const ABORT_ALLOWANCE_MS = 10_000;

async function main(): Promise<void> {
  const args = parseWorkerArguments(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const target = workerTarget(args.stage, process.env);
  // Before anything builds an SDK client: the clients read endpoints and region from here.
  Object.assign(process.env, target.env);
  const settings = loadWorkerSettings();
  const sqs = createSqsClient();
  if (target.queueName) {
    const hint = target.stage === 'local' ? ' Is `npm start` running?' : '';
    const queueUrl = await queueUrlByName(sqs, target.queueName).catch((error: unknown) => {
      throw new ConfigError(
        `Cannot reach SQS at ${endpointOf('SQS', process.env)}: ${describeError(error)}.${hint}`,
      );
    });
    if (queueUrl === undefined) {
      throw new ConfigError(
        `Queue ${target.queueName} not found on ${endpointOf('SQS', process.env)}.${hint}`,
      );
    }
    process.env.QUEUE_URL = queueUrl;
  }

  const application = workerApp();
  const { config, logger } = application;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: config.QUEUE_URL, AttributeNames: ['QueueArn'] }),
  );
  const worker = createStandaloneWorker({
    application,
    sqs,
    queueArn: Attributes?.QueueArn ?? config.QUEUE_URL,
    region: await sqs.config.region(),
    pollers: settings.WORKER_POLLERS,
    waitTimeSeconds: settings.WORKER_WAIT_TIME_SECONDS,
    shutdownGraceMs: settings.WORKER_SHUTDOWN_GRACE_MS,
  });
  worker.start();
  logger.info('standalone worker started', {
    stage: target.stage ?? '(from TABLE_NAME and QUEUE_URL)',
    table: config.TABLE_NAME,
    queueUrl: config.QUEUE_URL,
    dynamodbEndpoint: endpointOf('DYNAMODB', process.env),
    sqsEndpoint: endpointOf('SQS', process.env),
    pollers: settings.WORKER_POLLERS,
    concurrency: config.WORKER_CONCURRENCY,
    pid: process.pid,
  });

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn(`${signal} again: aborting now`);
      worker.abort();
      return;
    }
    logger.info('standalone worker stopping', { signal, graceMs: settings.WORKER_SHUTDOWN_GRACE_MS });
    setTimeout(() => {
      logger.error('standalone worker did not stop in time; exiting with work outstanding');
      process.exit(1);
    }, settings.WORKER_SHUTDOWN_GRACE_MS + ABORT_ALLOWANCE_MS).unref();
    worker.stop().then(
      () => {
        logger.info('standalone worker stopped');
        // Idle long polls are still open; they hold nothing of ours.
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('standalone worker failed to stop', { error: describeError(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(error instanceof ConfigError ? error.message : describeError(error));
  process.exit(1);
});
