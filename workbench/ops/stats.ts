import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type MessageAge, queueNameOf } from './message-age';
import type { Target } from './ops-target';

export interface QueueDepth {
  /** Waiting to be received (ApproximateNumberOfMessages). */
  visible: number;
  /** Received, not yet deleted (ApproximateNumberOfMessagesNotVisible). */
  inFlight: number;
  /** Sent with a delay that has not passed (ApproximateNumberOfMessagesDelayed). */
  delayed: number;
}

export interface QueueStats extends QueueDepth {
  /** From CloudWatch (ApproximateAgeOfOldestMessage); on stage `local`, or without a datapoint, why not. */
  oldestMessageAge: MessageAge;
}

export interface Stats {
  stage: string;
  table: string;
  pending: number;
  processing: number;
  /** PROCESSING submissions whose lease has run out (the reaper or a redelivery will take them over). */
  processingLeaseExpired: number;
  /**
   * The PENDING submission waiting longest, from the index's `updatedAt` (when it
   * was accepted or last returned to PENDING). Unlike the queues' ages it is
   * known on every stage and at once.
   */
  oldestPending?: { id: string; waitingSince: string; ageSeconds: number };
  queue: QueueStats;
  deadLetterQueue: QueueStats;
}

/**
 * Every PENDING and PROCESSING submission is in the sparse index with a reap
 * time; asking for everything due by the end of time reads the whole index, on
 * every shard, and each of those items (the index holds keys only), never a scan.
 */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

export async function collectStats(target: Target, now: Date): Promise<Stats> {
  const nowIso = now.toISOString();
  const [queue, deadLetterQueue] = await Promise.all([
    queueStats(target, target.queueUrl, now),
    queueStats(target, target.deadLetterQueueUrl, now),
  ]);
  const stats: Stats = {
    stage: target.settings.stage,
    table: target.settings.tableName,
    pending: 0,
    processing: 0,
    processingLeaseExpired: 0,
    queue,
    deadLetterQueue,
  };
  for await (const item of target.app.store.listDue(END_OF_TIME)) {
    if (item.status === 'PROCESSING') {
      stats.processing += 1;
      if (item.leaseExpiresAt !== undefined && item.leaseExpiresAt < nowIso)
        stats.processingLeaseExpired += 1;
      continue;
    }
    stats.pending += 1;
    if (!stats.oldestPending || item.updatedAt < stats.oldestPending.waitingSince) {
      stats.oldestPending = { id: item.id, waitingSince: item.updatedAt, ageSeconds: 0 };
    }
  }
  if (stats.oldestPending) {
    const waited = now.getTime() - Date.parse(stats.oldestPending.waitingSince);
    stats.oldestPending.ageSeconds = Math.max(0, Math.floor(waited / 1000));
  }
  return stats;
}

async function queueStats(target: Target, queueUrl: string, now: Date): Promise<QueueStats> {
  const [depth, oldestMessageAge] = await Promise.all([
    queueDepth(target.sqs, queueUrl),
    target.oldestMessageAge(queueNameOf(queueUrl), now),
  ]);
  return { ...depth, oldestMessageAge };
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const count = (name: string) => Number(Attributes[name as keyof typeof Attributes] ?? 0);
  return {
    visible: count('ApproximateNumberOfMessages'),
    inFlight: count('ApproximateNumberOfMessagesNotVisible'),
    delayed: count('ApproximateNumberOfMessagesDelayed'),
  };
}
