import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { encodeSubmissionMessage } from '../../application/submission-message';
import type { SubmissionQueue } from '../../ports/submission-queue';

export interface SqsSubmissionQueueOptions {
  client: SQSClient;
  queueUrl: string;
}

export class SqsSubmissionQueue implements SubmissionQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: SqsSubmissionQueueOptions) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async enqueue(id: string): Promise<void> {
    await this.#client.send(
      new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: encodeSubmissionMessage(id) }),
    );
  }
}
