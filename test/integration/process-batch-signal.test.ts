import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processBatch } from '../../src/application/process-batch';
import { compose } from '../../src/composition';
import { loadConfig } from '../../src/config/env';
import type { LogFields } from '../../src/ports/logger';
import { waitFor } from '../../workbench/wait';
import { createTestBackend, type TestBackend } from '../helpers/backend';
import { messageFor, silentLogger } from '../helpers/reaper-fixtures';

/**
 * processBatch's `signal`: how a long-running worker (src/worker) stops a batch on
 * SIGTERM. It acts as Lambda's deadline does: nothing more is claimed and the
 * record in progress releases its lease; every such record is returned.
 */
describe('processBatch stopped by its signal', () => {
  let backend: TestBackend;
  beforeEach(async () => {
    backend = await createTestBackend();
  });
  afterEach(async () => {
    await backend.destroy();
  });

  const composeSlow = () =>
    compose({
      config: loadConfig({
        TABLE_NAME: backend.tableName,
        QUEUE_URL: backend.queueUrl,
        // Longer than any test: only the signal ends the work in progress.
        PROCESSING_DELAY_MS: '600000',
      }),
      dynamodb: backend.dynamodb,
      sqs: backend.sqs,
      logger: silentLogger,
    });

  async function accept(app: ReturnType<typeof composeSlow>, count: number) {
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) {
      ids.push((await app.submissions.acceptSubmission('alice', `submission number ${index}`)).id);
    }
    return { ids, records: ids.map((id) => ({ messageId: `message-${id}`, body: messageFor(id) })) };
  }

  it('releases the record in progress, claims no other, and returns all of them', async () => {
    const app = composeSlow();
    const { ids, records } = await accept(app, 3);
    const shutdown = new AbortController();

    const batch = processBatch(app.processor, records, silentLogger, {
      concurrency: 1,
      signal: shutdown.signal,
    });
    await waitFor('the first record to be claimed', async () =>
      (await app.store.get(ids[0]!))?.status === 'PROCESSING' ? true : undefined,
    );
    shutdown.abort();
    const returned = await batch;

    expect(returned.sort()).toEqual(records.map((record) => record.messageId).sort());
    const [first, ...others] = await Promise.all(ids.map((id) => app.store.get(id)));
    // Stopped by a shutdown: released with no attempt spent and no error noted.
    expect(first).toMatchObject({ status: 'PENDING', attempts: 1, interruptions: 1 });
    expect(first).not.toHaveProperty('lastError');
    expect(first).not.toHaveProperty('leaseToken');
    for (const other of others) expect(other).toMatchObject({ status: 'PENDING', attempts: 0 });
  });

  it('claims nothing when the signal is already aborted', async () => {
    const app = composeSlow();
    const { ids, records } = await accept(app, 2);

    const returned = await processBatch(app.processor, records, silentLogger, {
      signal: AbortSignal.abort(),
    });

    expect(returned.sort()).toEqual(records.map((record) => record.messageId).sort());
    for (const stored of await Promise.all(ids.map((id) => app.store.get(id)))) {
      expect(stored).toMatchObject({ status: 'PENDING', attempts: 0 });
    }
  });

  it.each([
    ['a shutdown', AbortSignal.abort(), 'batch stopped by shutdown'],
    [
      'the deadline (a TimeoutError)',
      AbortSignal.abort(new DOMException('The invocation ran out of time.', 'TimeoutError')),
      'batch ran out of time',
    ],
  ])('says why it stopped: %s', async (_cause, signal, message) => {
    const app = composeSlow();
    const { records } = await accept(app, 2);
    const warnings: { message: string; fields: LogFields | undefined }[] = [];
    const logger = {
      ...silentLogger,
      warn: (message: string, fields?: LogFields) => warnings.push({ message, fields }),
    };

    await processBatch(app.processor, records, logger, { signal });

    expect(warnings).toEqual([{ message, fields: { returned: 2 } }]);
  });
});
