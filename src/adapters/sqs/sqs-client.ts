import { GetQueueUrlCommand, QueueDoesNotExist, SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';

/**
 * An SQS client that sends every call to its configured endpoint (AWS's regional
 * endpoint, or AWS_ENDPOINT_URL_SQS). By default SDK v3 sends to the queue URL's
 * host instead, which breaks emulators whose queue URLs use a host that does not
 * resolve (`sqs.us-east-1.localhost`). On AWS both are the same host.
 */
export function createSqsClient(config: SQSClientConfig = {}): SQSClient {
  return new SQSClient({ useQueueUrlAsEndpoint: false, ...config });
}

/** The URL of the queue named `name`; undefined when no such queue exists (other failures throw). */
export async function queueUrlByName(sqs: SQSClient, name: string): Promise<string | undefined> {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    return QueueUrl;
  } catch (error) {
    // The JSON protocol names the error QueueDoesNotExist; the query protocol NonExistentQueue.
    if (error instanceof QueueDoesNotExist) return undefined;
    if (error instanceof Error && /NonExistentQueue|QueueDoesNotExist/.test(error.name)) return undefined;
    throw error;
  }
}
