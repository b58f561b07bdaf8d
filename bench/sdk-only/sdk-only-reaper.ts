/**
 * The cold-start baseline of the reaper function (bench/cold-start.ts): the AWS SDK clients
 * handlers/reaper.ts uses, built at load as src/composition.ts builds them, and nothing else.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** AWS_MAX_ATTEMPTS' default (src/config/env.ts), which the composition passes to both clients. */
const maxAttempts = 3;

export const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts }), {
  marshallOptions: { removeUndefinedValues: true },
});
export const sqs = new SQSClient({ useQueueUrlAsEndpoint: false, maxAttempts });

export const handler = async () => {};
