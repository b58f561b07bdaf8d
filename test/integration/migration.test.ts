import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { createDocumentClient } from '../../src/adapters/dynamodb/dynamodb-client';
import { SqsSubmissionQueue } from '../../src/adapters/sqs/sqs-submission-queue';
import { stageResourceNames } from '../../src/config/stages';
import { decodeSubmissionMessage } from '../../src/ports/submission-message';
import { formatMigration, type MigrationReport } from '../../workbench/ops/migrate';
import { main } from '../../workbench/ops/run-ops';
import { MIGRATION_SETTINGS, storeMigrationSuite } from '../conformance/store-migration-suite';
import { createTestBackend } from '../helpers/backend';
import { runToExit } from '../helpers/run-to-exit';

/** An operator's environment for a deployed stage on the emulators, with the stage's settings. */
const stageEnv = (): NodeJS.ProcessEnv => ({
  ...inject('emulatorEnv'),
  ACTIVE_INDEX_SHARDS: String(MIGRATION_SETTINGS.activeShards),
  RETENTION_DAYS: String(MIGRATION_SETTINGS.retentionDays),
});

/** A stage named as serverless.yml names it: both tables, the queues; migrated by `npm run ops -- migrate`. */
async function deployedStage() {
  const stage = `migrate-${randomUUID().slice(0, 8)}`;
  const backend = await createTestBackend({ stage });
  const { legacyTableName, tableName } = stageResourceNames(stage);
  expect(backend.tableName).toBe(tableName);
  return { stage, backend, legacyTableName, tableName };
}

storeMigrationSuite('dynalite, through npm run ops', async () => {
  const { stage, backend, legacyTableName, tableName } = await deployedStage();
  return {
    dynamodb: backend.dynamodb,
    connect: () => new DynamoDBClient({ endpoint: inject('emulatorEnv').AWS_ENDPOINT_URL_DYNAMODB }),
    legacyTableName,
    tableName,
    options: {
      legacyTableName,
      tableName,
      ...MIGRATION_SETTINGS,
      queue: new SqsSubmissionQueue({ client: backend.sqs, queueUrl: backend.queueUrl }),
    },
    runMigration: async (now) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['migrate', '--stage', stage, '--json'], {
        env: stageEnv(),
        out: (text) => out.push(text),
        err: (text) => err.push(text),
        now: () => now,
      });
      expect({ code, err }).toEqual({ code: 0, err: [] });
      const report = JSON.parse(out.join('\n')) as MigrationReport;
      return { report, text: formatMigration(report) };
    },
    takeQueued: async () => {
      const messages = await backend.receiveAll();
      for (const message of messages) {
        await backend.sqs.send(
          new DeleteMessageCommand({ QueueUrl: backend.queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
      return messages.map(
        (message) => decodeSubmissionMessage(message.Body ?? '') ?? `not ours: ${message.Body}`,
      );
    },
    destroy: async () => {
      await backend.dynamodb.send(new DeleteTableCommand({ TableName: legacyTableName }));
      await backend.destroy();
    },
  };
});

describe('npm run ops -- migrate', () => {
  it('prints one line in a child process, as an operator runs it', async () => {
    // Prepare: one decided v1 submission.
    const { stage, backend, legacyTableName } = await deployedStage();
    const documents = createDocumentClient(backend.dynamodb);
    await documents.send(
      new PutCommand({
        TableName: legacyTableName,
        Item: {
          id: randomUUID(),
          owner: 'alice',
          content: 'This contains number 42',
          status: 'PASSED',
          attempts: 1,
          createdAt: '2026-12-06T08:00:00.000Z',
          updatedAt: '2026-12-06T08:00:01.000Z',
          result: { verdict: 'PASSED', rules: [] },
        },
      }),
    );

    try {
      // Act
      const { code, stdout, stderr } = await runToExit(
        'npm',
        ['run', '-s', 'ops', '--', 'migrate', '--stage', stage],
        {
          env: { ...process.env, ...stageEnv() },
        },
      );

      // Assess
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout.trim()).toBe(
        'migrated: 1 decided, 0 active (fenced in v1, requeued), 0 idempotency records copied; ' +
          '0 already there; 2 passes',
      );
    } finally {
      await backend.dynamodb.send(new DeleteTableCommand({ TableName: legacyTableName }));
      await backend.destroy();
    }
  });

  it('is listed by help', async () => {
    const out: string[] = [];
    const code = await main(['help'], { env: {}, out: (text) => out.push(text), err: () => {} });

    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/^ {2}migrate {12}copy the stage's submissions/m);
  });
});
