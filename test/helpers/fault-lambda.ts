import type { Message } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { vi } from 'vitest';

/** An SQS event as the event source mapping builds it from received messages. */
export function sqsEventOf(messages: readonly Message[], queueArn: string): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    })),
  };
}

/** A Lambda context whose invocation has `remainingMs` left when the handler asks. */
export function contextWithRemaining(remainingMs: number): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'submissions-test-worker',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:submissions-test-worker',
    memoryLimitInMB: '512',
    awsRequestId: 'test-request',
    logGroupName: '/aws/lambda/submissions-test-worker',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type WorkerHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

const WORKER_ENV = [
  'TABLE_NAME',
  'QUEUE_URL',
  'PROCESSING_DELAY_MS',
  'WORKER_CONCURRENCY',
  'WORKER_SAFETY_MARGIN_MS',
  'STUCK_AFTER_MS',
  'ORPHAN_AFTER_MS',
  'RULES_JSON',
  'RULES_FILE',
] as const;
export type WorkerEnv = Partial<Record<(typeof WORKER_ENV)[number], string>>;

/**
 * Imports a fresh copy of handlers/worker.ts composed from `env` (the module reads
 * process.env once, at import, as a Lambda cold start does). `restore` puts
 * process.env back.
 */
export async function loadWorkerHandler(env: WorkerEnv) {
  const saved: WorkerEnv = Object.fromEntries(WORKER_ENV.map((name) => [name, process.env[name]]));
  const apply = (values: WorkerEnv) => {
    for (const name of WORKER_ENV) {
      const value = values[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(env);
  vi.resetModules();
  const { handler } = (await import('../../handlers/worker')) as { handler: WorkerHandler };
  return { handler, restore: () => apply(saved) };
}
