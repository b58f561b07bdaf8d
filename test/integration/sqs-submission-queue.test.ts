import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqsSubmissionQueue } from '../../src/adapters/sqs/sqs-submission-queue';
import { createTestBackend, type TestBackend } from '../helpers/backend';

/** Records the name of every command the client sends (observation only: the emulator still answers). */
function recordCommands(client: SQSClient): string[] {
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: `record-commands-${randomUUID()}` },
  );
  return sent;
}

describe('SqsSubmissionQueue against the SQS emulator', () => {
  let backend: TestBackend;

  beforeEach(async () => {
    backend = await createTestBackend();
  });
  afterEach(() => backend.destroy());

  it('enqueue sends one message carrying the id only', async () => {
    // Prepare
    const queue = new SqsSubmissionQueue({ client: backend.sqs, queueUrl: backend.queueUrl });
    const id = randomUUID();

    // Act
    await queue.enqueue(id);

    // Assess
    expect((await backend.receiveAll()).map((message) => message.Body)).toEqual([JSON.stringify({ id })]);
  });

  it('enqueueMany of 23 ids sends 23 {"id"} messages in 3 SendMessageBatch calls and reports none unsent', async () => {
    // Prepare
    const queue = new SqsSubmissionQueue({ client: backend.sqs, queueUrl: backend.queueUrl });
    const sent = recordCommands(backend.sqs);
    const ids = Array.from({ length: 23 }, () => randomUUID());

    // Act
    const unsent = await queue.enqueueMany(ids);

    // Assess
    expect(unsent).toEqual([]);
    expect(sent).toEqual(Array.from({ length: 3 }, () => 'SendMessageBatchCommand'));
    const bodies = (await backend.receiveAll()).map((message) => message.Body ?? '');
    expect(bodies).toHaveLength(23);
    expect(bodies.map((body) => JSON.parse(body) as unknown).sort(byId)).toEqual(
      ids.map((id) => ({ id })).sort(byId),
    );
  });

  it('enqueueMany of nothing sends nothing', async () => {
    // Prepare
    const queue = new SqsSubmissionQueue({ client: backend.sqs, queueUrl: backend.queueUrl });
    const sent = recordCommands(backend.sqs);

    // Act
    const unsent = await queue.enqueueMany([]);

    // Assess
    expect(unsent).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('enqueueMany to a queue that does not exist reports every id unsent instead of throwing', async () => {
    // Prepare: fault injection by a queue URL the emulator does not know (QueueDoesNotExist).
    const queue = new SqsSubmissionQueue({ client: backend.sqs, queueUrl: `${backend.queueUrl}-missing` });
    const ids = Array.from({ length: 12 }, () => randomUUID());

    // Act
    const unsent = await queue.enqueueMany(ids);

    // Assess
    expect([...unsent].sort()).toEqual([...ids].sort());
    expect(await backend.approximateDepth()).toBe(0);
  });

  it('enqueue to a queue that does not exist throws (the caller decides)', async () => {
    // Prepare
    const queue = new SqsSubmissionQueue({ client: backend.sqs, queueUrl: `${backend.queueUrl}-missing` });

    // Act
    const enqueued = queue.enqueue(randomUUID());

    // Assess
    await expect(enqueued).rejects.toThrow(/QueueDoesNotExist|does not exist/i);
  });
});

const byId = (a: unknown, b: unknown) =>
  String((a as { id: string }).id).localeCompare(String((b as { id: string }).id));
