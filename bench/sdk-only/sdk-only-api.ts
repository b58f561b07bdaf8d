/**
 * The cold-start baseline of the api function (bench/cold-start.ts): the AWS SDK clients
 * handlers/api.ts uses, built at load as src/composition.ts and src/adapters build them,
 * and nothing else. Its init is what any handler of the same function pays for the SDK.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** AWS_MAX_ATTEMPTS' default (src/config/env.ts), which the compositions pass to both clients. */
const maxAttempts = 3;

export const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts }), {
  marshallOptions: { removeUndefinedValues: true },
});
export const sqs = new SQSClient({ useQueueUrlAsEndpoint: false, maxAttempts });
/** cursorKeySource's default client (src/adapters/secrets-manager/cursor-key.ts), built on every cold start. */
export const secrets = new SecretsManagerClient({});

export const handler = async () => ({ statusCode: 200 });
