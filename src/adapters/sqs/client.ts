import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';

/**
 * An SQS client that sends every call to its configured endpoint (AWS's regional
 * endpoint, or AWS_ENDPOINT_URL_SQS). By default SDK v3 sends to the queue URL's
 * host instead, which breaks emulators whose queue URLs use a host that does not
 * resolve (`sqs.us-east-1.localhost`). On AWS both are the same host.
 */
export function createSqsClient(config: SQSClientConfig = {}): SQSClient {
  return new SQSClient({ useQueueUrlAsEndpoint: false, ...config });
}
