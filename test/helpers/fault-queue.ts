import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { QueueRecord } from '../../src/application/process-batch';
import type { LogFields, Logger } from '../../src/ports/logger';
import { waitFor } from '../../workbench/wait';
import type { TestBackend } from './backend';

/** What the worker's batch driver gets for received messages (the fields processBatch reads). */
export const asRecords = (messages: readonly Message[]): QueueRecord[] =>
  messages.map((message) => ({ messageId: message.MessageId ?? '', body: message.Body ?? '' }));

/** The queue a test reads: a TestBackend's, or one on dedicated emulators. */
export type QueueAccess = Pick<TestBackend, 'sqs' | 'queueUrl'>;

/**
 * Waits until `count` messages are visible on the queue and receives them (they
 * then stay invisible for the queue's own visibility timeout, as a worker's would).
 */
export async function received(backend: QueueAccess, count: number, description = `${count} message(s)`) {
  const byId = new Map<string, Message>();
  await waitFor(description, async () => {
    const { Messages = [] } = await backend.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: backend.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    // A message seen twice (its visibility ran out meanwhile) counts once, with its latest receipt.
    for (const message of Messages) byId.set(message.MessageId ?? '', message);
    return byId.size >= count ? true : undefined;
  });
  return [...byId.values()];
}

/** Deletes what the worker reported done, as the Lambda event source mapping does. */
export async function deleteMessages(backend: QueueAccess, messages: readonly Message[]): Promise<void> {
  if (messages.length === 0) return;
  const { Failed = [] } = await backend.sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: backend.queueUrl,
      Entries: messages.map((message, index) => ({
        Id: String(index),
        ReceiptHandle: message.ReceiptHandle ?? '',
      })),
    }),
  );
  if (Failed.length > 0) throw new Error(`DeleteMessageBatch failed: ${JSON.stringify(Failed)}`);
}

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields: LogFields;
}

/** A logger that keeps what the worker said, so a test can read each record's outcome. */
export function recordingLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (message: string, fields: LogFields = {}) =>
      entries.push({ level, message, fields });
  return { logger: { info: at('info'), warn: at('warn'), error: at('error') }, entries };
}
