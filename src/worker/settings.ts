import * as z from 'zod';
import { parseSettings, wholeNumber } from '../config/env';

/**
 * Settings of the standalone worker alone (`npm run worker`). The service's own
 * settings (TABLE_NAME, QUEUE_URL, WORKER_CONCURRENCY, …) come from src/config/env.ts,
 * exactly as the Lambda functions read them.
 */
const workerSettingsSchema = z.object({
  /**
   * After SIGTERM or SIGINT, how long submissions in progress may take to finish;
   * then they are aborted and their leases released.
   */
  WORKER_SHUTDOWN_GRACE_MS: wholeNumber(0).default(20_000),
  /** Batches (of up to 10 messages) this process works on at once. */
  WORKER_POLLERS: wholeNumber(1, 10).default(1),
  /** Long-poll wait of each receive (SQS allows 0–20 s). */
  WORKER_WAIT_TIME_SECONDS: wholeNumber(0, 20).default(20),
});

export type WorkerSettings = z.infer<typeof workerSettingsSchema>;

export function loadWorkerSettings(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  return parseSettings(workerSettingsSchema, env);
}

export interface WorkerArguments {
  /** `--stage NAME`: derive table, queue and (local stages) endpoints from the stage. */
  stage?: string;
  help: boolean;
}

export const USAGE = `usage: npm run worker [-- --stage NAME]

Consumes the submission queue with the same SubmissionProcessor as the worker Lambda.
With no TABLE_NAME/QUEUE_URL in the environment, the stage defaults to "local": the
\`npm start\` emulators (DYNAMODB_PORT 8000, SQS_PORT 9324). "--stage localstack" uses
LocalStack at http://localhost:4566; any other stage means AWS, with your credentials.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

const STAGE_NAME = /^[a-zA-Z0-9-]+$/;

/** Parses the command line: `--stage NAME` (or `--stage=NAME`) and `--help`. */
export function parseWorkerArguments(argv: readonly string[]): WorkerArguments {
  const result: WorkerArguments = { help: false };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (argument === '--help' || argument === '-h') {
      result.help = true;
    } else if (argument === '--stage' || argument.startsWith('--stage=')) {
      const value = argument === '--stage' ? argv[++index] : argument.slice('--stage='.length);
      if (!value || !STAGE_NAME.test(value)) {
        throw new UsageError(
          `--stage needs a stage name (letters, digits, dashes), got ${value || 'nothing'}`,
        );
      }
      result.stage = value;
    } else {
      throw new UsageError(`unknown argument: ${argument}`);
    }
  }
  return result;
}
