import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { DynamoDbSubmissionStore } from '../../src/adapters/dynamodb/dynamodb-submission-store';
import type { Submission } from '../../src/domain/submission';
import { waitFor } from '../../workbench/wait';
import { readStackLog, structuredLines } from '../helpers/e2e-stack-log';
import type { KillableProcess } from '../helpers/fault-process';
import { submit } from '../helpers/http';
import {
  decidedBy,
  decisionsIn,
  spawnStandaloneWorker,
  started,
  stopWith,
  withoutServiceSettings,
} from '../helpers/standalone-worker-process';

const SUBMISSIONS = 60;

/**
 * `npm start` in one terminal and `npm run worker` in two others: the running
 * stack's worker Lambda (fed by the local SQS event source) and two standalone
 * workers drain the same queue.
 */
describe('standalone workers beside the running stack', () => {
  const stack = inject('stack');
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const store = new DynamoDbSubmissionStore({
    client: DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: stack.env.AWS_ENDPOINT_URL_DYNAMODB, region: 'us-east-1', credentials }),
    ),
    tableName: stack.tableName,
    activeShards: 4,
  });
  const portOf = (endpoint = '') => new URL(endpoint).port;
  const workers: KillableProcess[] = [];

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.kill()));
  });

  it('with nothing but npm start’s ports configured, two workers and the Lambda decide every submission exactly once between them', async () => {
    for (let index = 0; index < 2; index += 1) {
      workers.push(
        spawnStandaloneWorker({
          // No TABLE_NAME, QUEUE_URL or endpoint: the worker finds `npm start` by its ports.
          ...withoutServiceSettings(process.env),
          DYNAMODB_PORT: portOf(stack.env.AWS_ENDPOINT_URL_DYNAMODB),
          SQS_PORT: portOf(stack.env.AWS_ENDPOINT_URL_SQS),
          // Slower than the Lambda (no delay), so a busy worker leaves the next messages to the others.
          PROCESSING_DELAY_MS: '300',
        }),
      );
    }
    const startLines = await Promise.all(workers.map(started));

    const ids: string[] = [];
    for (let chunk = 0; chunk < SUBMISSIONS; chunk += 10) {
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, index) => submit(`fleet submission ${chunk + index} with digit 7`)),
      );
      for (const response of responses) {
        expect(response.status).toBe(202);
        ids.push(response.body.id);
      }
    }
    const decided = await waitFor(
      `all ${SUBMISSIONS} submissions to be decided`,
      async () => {
        const items = await Promise.all(ids.map((id) => store.get(id)));
        return items.every((item) => item?.status === 'PASSED' || item?.status === 'FAILED')
          ? (items as Submission[])
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    const exits = await Promise.all(workers.map((worker) => stopWith(worker, 'SIGTERM')));

    for (const line of startLines) {
      expect(line).toMatchObject({
        stage: 'local',
        table: stack.tableName,
        dynamodbEndpoint: stack.env.AWS_ENDPOINT_URL_DYNAMODB,
        sqsEndpoint: stack.env.AWS_ENDPOINT_URL_SQS,
      });
    }
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    // Claimed once and decided by that claim: no retry, no second claim, no zombie.
    for (const item of decided) expect(item).toMatchObject({ status: 'PASSED', attempts: 1 });
    const ours = new Set(ids);
    const byWorker = workers.map((worker) => decidedBy(worker).filter((id) => ours.has(id)));
    const byLambda = decisionsIn(structuredLines(readStackLog())).filter((id) => ours.has(id));
    // Each submission's one decision was logged by exactly one of the three.
    expect([...byWorker.flat(), ...byLambda].sort()).toEqual([...ids].sort());
    for (const share of byWorker) expect(share.length).toBeGreaterThan(0);
  });
});
