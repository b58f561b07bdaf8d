/**
 * The cold-start baseline of the worker function (bench/cold-start.ts): the AWS SDK clients
 * handlers/worker.ts uses, built at load as src/composition-worker.ts builds them, and
 * nothing else. The worker never calls SQS itself (the event source deletes its records).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** AWS_MAX_ATTEMPTS' default (src/config/env.ts), which the composition passes to the client. */
const maxAttempts = 3;

export const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts }), {
  marshallOptions: { removeUndefinedValues: true },
});

export const handler = async () => ({ batchItemFailures: [] });
