import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { encodeSubmissionMessage } from '../../ports/submission-message';
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

  /** SendMessageBatch in tens; entries SQS refuses are retried once, then reported. */
  async enqueueMany(ids: readonly string[]): Promise<string[]> {
    let pending = [...ids];
    for (let attempt = 0; attempt < 2 && pending.length > 0; attempt += 1) {
      const chunks = [];
      for (let start = 0; start < pending.length; start += MAX_BATCH_SEND) {
        chunks.push(pending.slice(start, start + MAX_BATCH_SEND));
      }
      const failed = await Promise.all(chunks.map((chunk) => this.#sendBatch(chunk)));
      pending = failed.flat();
    }
    return pending;
  }

  async #sendBatch(ids: string[]): Promise<string[]> {
    try {
      const { Failed = [] } = await this.#client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: ids.map((id, index) => ({ Id: String(index), MessageBody: encodeSubmissionMessage(id) })),
        }),
      );
      return Failed.map((entry) => ids[Number(entry.Id)]).filter((id): id is string => id !== undefined);
    } catch {
      return ids;
    }
  }
}

const MAX_BATCH_SEND = 10;
