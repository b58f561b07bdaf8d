/**
 * The local stack the API fuzz runs against: `npm start`'s stack on free ports, with no
 * queue consumer and no re-enqueueing reaper, so the table and the queue change only when
 * a request changes them, and the fuzz can count exactly what each request stored.
 */
import { stageResourceNames } from '../../src/config/stages';
import { freePort, startLocalStack } from '../local/stack';

/**
 * The settings of the fuzz stack. They must pass the cold-start checks of
 * src/config/env.ts (timingProblems): ORPHAN_AFTER_MS exceeds the local queue's 60 s
 * visibility timeout, and nothing else timing-related is changed.
 */
export const FUZZ_STACK_SETTINGS = {
  // No worker consumes the queue: its depth is exactly what the API enqueued.
  LOCAL_SQS_POLLERS: '0',
  // A day: the scheduled reaper finds no orphan to re-enqueue during a run, however long.
  ORPHAN_AFTER_MS: '86400000',
  // Small, so bodies beyond every size limit stay cheap to send (the batch limit is 25×6× this).
  MAX_CONTENT_BYTES: '4096',
  // Every refused request logs a line at INFO; errors (a 500's cause) still do at WARN.
  LOG_LEVEL: 'WARN',
} as const;

/** Where the fuzz sends requests and counts what they stored. */
export interface FuzzTarget {
  httpEndpoint: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  queueName: string;
  maxContentBytes: number;
}

export interface FuzzStack {
  target: FuzzTarget;
  stop(): Promise<void>;
}

/** Starts the fuzz stack; `echo` gets every line it prints. */
export async function startFuzzStack(echo?: (line: string) => void): Promise<FuzzStack> {
  let pollers: number | undefined;
  const stack = await startLocalStack({
    httpPort: await freePort(),
    lambdaPort: await freePort(),
    env: FUZZ_STACK_SETTINGS,
    echo: (line) => {
      const announced = /→ worker \(batch \d+, (\d+) pollers\)/.exec(line)?.[1];
      if (announced !== undefined) pollers = Number(announced);
      echo?.(line);
    },
  });
  if (pollers !== 0) {
    await stack.stop();
    throw new Error(`the fuzz stack's SQS event source runs ${pollers} pollers despite LOCAL_SQS_POLLERS=0`);
  }
  const names = stageResourceNames('local');
  return {
    target: {
      httpEndpoint: stack.httpEndpoint,
      dynamodbEndpoint: stack.dynamodbEndpoint,
      sqsEndpoint: stack.sqsEndpoint,
      tableName: names.tableName,
      queueName: names.queueName,
      maxContentBytes: Number(FUZZ_STACK_SETTINGS.MAX_CONTENT_BYTES),
    },
    stop: () => stack.stop(),
  };
}
