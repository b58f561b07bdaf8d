import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { isTerminal, type SubmissionStatus } from '../../src/domain/submission';
import { decodeSubmissionMessage, encodeSubmissionMessage } from '../../src/ports/submission-message';
import type { Target } from './ops-target';

/** What happened (or, in a dry run, would happen) to one dead-letter message. */
export type RedriveAction =
  /** Sent back to the queue, then deleted from the DLQ. */
  | 'requeued'
  /** Its submission is already decided: deleted from the DLQ, nothing sent. */
  | 'deleted'
  /** Not one of ours, or its submission does not exist: left in the DLQ for a person. */
  | 'left'
  /** Sending or deleting failed: left in the DLQ (it may also be on the queue). */
  | 'failed';

export interface RedriveEntry {
  messageId: string;
  /** The submission the message names; absent for a malformed message. */
  submissionId?: string;
  /** Its current status; absent when the message is malformed or the submission unknown. */
  status?: SubmissionStatus;
  action: RedriveAction;
  /** Why, in words (e.g. "already PASSED", "malformed message"). */
  note?: string;
}

export interface RedriveReport {
  dryRun: boolean;
  entries: RedriveEntry[];
}

/** Seconds a received message stays hidden while this run decides about it. */
const WORKING_VISIBILITY_SECONDS = 30;
/** A dry run hides each message only briefly and shows it again at the end anyway. */
const DRY_RUN_VISIBILITY_SECONDS = 5;

/**
 * Moves dead-letter messages back to the main queue. Each message is sent to the
 * queue first and deleted from the DLQ only after the send succeeded, so a crash
 * in between leaves a duplicate (harmless: the claim's condition drops it), never
 * a loss. Messages are kept hidden during the run so none is handled twice; those
 * left in the DLQ (malformed, unknown, dry run, failures) are made visible again
 * at the end.
 */
export async function redrive(
  target: Target,
  { dryRun, max }: { dryRun: boolean; max: number },
): Promise<RedriveReport> {
  const { sqs, deadLetterQueueUrl, queueUrl, app } = target;
  const entries: RedriveEntry[] = [];
  const handled = new Set<string>();
  const toShowAgain: string[] = [];
  try {
    while (entries.length < max) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: deadLetterQueueUrl,
          MaxNumberOfMessages: Math.min(10, max - entries.length),
          VisibilityTimeout: dryRun ? DRY_RUN_VISIBILITY_SECONDS : WORKING_VISIBILITY_SECONDS,
          // A short long-poll: an empty answer then means the DLQ is empty, not unlucky sampling.
          WaitTimeSeconds: 1,
        }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        const messageId = message.MessageId ?? '(no id)';
        if (handled.has(messageId) || entries.length >= max) {
          // Seen before in this run (its hiding ran out) or over the limit: not ours to handle now.
          if (message.ReceiptHandle) toShowAgain.push(message.ReceiptHandle);
          continue;
        }
        handled.add(messageId);
        const entry = await decide(message, messageId);
        entries.push(entry);
        if (dryRun || entry.action === 'left') {
          if (message.ReceiptHandle) toShowAgain.push(message.ReceiptHandle);
          continue;
        }
        await act(message, entry);
        if (entry.action === 'failed' && message.ReceiptHandle) toShowAgain.push(message.ReceiptHandle);
      }
    }
  } finally {
    await Promise.allSettled(
      toShowAgain.map((ReceiptHandle) =>
        sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: deadLetterQueueUrl,
            ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        ),
      ),
    );
  }
  return { dryRun, entries };

  async function decide(message: Message, messageId: string): Promise<RedriveEntry> {
    const submissionId = decodeSubmissionMessage(message.Body ?? '');
    if (!submissionId) return { messageId, action: 'left', note: 'malformed message' };
    const submission = await app.store.get(submissionId);
    if (!submission) return { messageId, submissionId, action: 'left', note: 'no such submission' };
    const { status } = submission;
    return isTerminal(status)
      ? { messageId, submissionId, status, action: 'deleted', note: `already ${status}` }
      : { messageId, submissionId, status, action: 'requeued' };
  }

  async function act(message: Message, entry: RedriveEntry): Promise<void> {
    let step = 'sending to the queue';
    try {
      if (entry.action === 'requeued') {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: encodeSubmissionMessage(entry.submissionId!),
          }),
        );
        step = 'sent; deleting from the DLQ';
      } else {
        step = 'deleting from the DLQ';
      }
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    } catch (error) {
      entry.note = `${step} failed: ${error instanceof Error ? error.message : String(error)}`;
      entry.action = 'failed';
    }
  }
}
