import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What a caller may choose: where the client connects and how, and how many attempts a call gets. */
export type DynamoDbClientOptions = Pick<
  DynamoDBClientConfig,
  'endpoint' | 'region' | 'credentials' | 'requestHandler' | 'maxAttempts'
>;

/**
 * The service's DynamoDB client. Its retries are the SDK's: AWS_RETRY_MODE (unset:
 * `standard`), and the attempts the compositions pass from the config's AWS_MAX_ATTEMPTS
 * (default 3; the SDK's own default for DynamoDB is 4, and it applies where none is
 * passed: the workbench's tools). In standard
 * mode a throttled or 5xx call is retried after an exponential backoff with full
 * jitter; once its attempts run out the error reaches the caller, so the worker
 * reports the record for SQS to redeliver and the reaper leaves the item to its
 * next run. The endpoint comes from AWS_ENDPOINT_URL(_DYNAMODB) unless given.
 */
export function createDynamoDbClient(options: DynamoDbClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(options);
}

/** The document client the store uses over `client` (undefined attributes are left out, not rejected). */
export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
