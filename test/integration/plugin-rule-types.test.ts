import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DynamoDbSubmissionStore } from '../../src/adapters/dynamodb/dynamodb-submission-store';
import { compose } from '../../src/composition';
import { composeWorker } from '../../src/composition-worker';
import { loadConfig } from '../../src/config/env';
import { type ApiHandlerUnderTest, loadApiHandler } from '../helpers/api-events';
import { moderationType, ruleTypes } from '../helpers/async-rules';
import { createTestBackend, storeOn, type TestBackend } from '../helpers/backend';
import { loadWorkerHandler, sqsEventOf } from '../helpers/fault-lambda';
import { captureOutput } from '../helpers/output-capture';
import { silentLogger } from '../helpers/reaper-fixtures';

/**
 * The registry registers the test's plug-in exactly as an operator does, by what
 * src/rules/plugins.ts exports; the module is replaced (not the SDK) because its
 * shipped content is empty. Everything else is the real code over the emulators.
 */
vi.mock('../../src/rules/plugins', async () => {
  const { moderationType } = await import('../helpers/async-rules');
  return { PLUGIN_RULE_TYPES: new Map([['moderation', moderationType]]) };
});

/** A rule set naming the plug-in type only: no built-in type could decide it. */
const RULES_JSON = JSON.stringify({
  id: 'moderated',
  version: 1,
  rule: { id: 'mod', type: 'moderation', params: { word: 'forbidden', timeoutMs: 2000 } },
});

describe('a plug-in (async) rule type registered in src/rules/plugins.ts', () => {
  let backend: TestBackend;
  let truth: DynamoDbSubmissionStore;
  const restores: (() => void)[] = [];

  beforeEach(async () => {
    backend = await createTestBackend();
    truth = storeOn(backend);
    captureOutput({ passErrors: true });
  });
  afterEach(async () => {
    for (const restore of restores.splice(0).reverse()) restore();
    vi.restoreAllMocks();
    await backend.destroy();
  });

  const settings = () => ({ TABLE_NAME: backend.tableName, QUEUE_URL: backend.queueUrl, RULES_JSON });

  it('reaches the deployed handlers: the api cold-starts with RULES_JSON naming it, and the worker Lambda decides by it', async () => {
    const api: ApiHandlerUnderTest = await loadApiHandler(settings());
    restores.push(api.restore);
    const ids: string[] = [];
    for (const content of ['A perfectly fine text 42', 'A text with a forbidden word 7']) {
      const response = await api.call('POST', '/submissions', { body: JSON.stringify({ content }) });
      expect(response.status).toBe(202);
      ids.push((response.body as { id: string }).id);
    }
    const worker = await loadWorkerHandler(settings());
    restores.push(worker.restore);

    const response = await worker.handler(sqsEventOf(await backend.receiveAll(), backend.queueArn));

    expect(response.batchItemFailures).toEqual([]);
    const [fine, flagged] = await Promise.all(ids.map((id) => truth.get(id)));
    expect(fine).toMatchObject({
      status: 'PASSED',
      result: {
        ruleSet: { id: 'moderated', version: 1 },
        rules: [{ rule: 'mod', type: 'moderation', passed: true, measured: 'not flagged' }],
      },
    });
    expect(flagged).toMatchObject({
      status: 'FAILED',
      result: {
        rules: [
          {
            rule: 'mod',
            passed: false,
            message: 'Moderation flagged forbidden.',
            measured: 'flagged forbidden',
          },
        ],
      },
    });
    expect(flagged).not.toHaveProperty('error');
  });

  it('explicit ruleTypes replace the registry in both compositions, which forward them to the processor', async () => {
    const config = loadConfig(settings());
    const dependencies = { config, dynamodb: backend.dynamodb, sqs: backend.sqs, logger: silentLogger };
    const renamed = ruleTypes({ moderation: moderationType });

    expect(() => composeWorker({ ...dependencies, ruleTypes: new Map() })).toThrow(
      /RULES_JSON: .*type "moderation" is unknown/,
    );
    expect(() => compose({ ...dependencies, ruleTypes: new Map() }).processor).toThrow(
      /type "moderation" is unknown/,
    );

    const app = compose({ ...dependencies, ruleTypes: renamed });
    const { id } = await app.submissions.acceptSubmission('alice', 'forbidden fruit 1');
    const outcome = await composeWorker({ ...dependencies, ruleTypes: renamed }).processor.process(id);

    expect(outcome).toMatchObject({ outcome: 'decided', status: 'FAILED' });
    expect((await truth.get(id))?.result?.rules).toEqual([
      expect.objectContaining({ rule: 'mod', message: 'Moderation flagged forbidden.' }),
    ]);
  });
});
