import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../workbench/local/stack';

/**
 * LocalStack's READY hook (localstack/init/ready.d) creates the table and queues with
 * the AWS CLI, so it repeats serverless.yml's definitions; nothing here can run it (no
 * container engine). This compares what it would create with what serverless resolves.
 */
describe('the LocalStack init hook', async () => {
  const script = await readFile(join(projectRoot, 'localstack/init/ready.d/10-create-resources.sh'), 'utf8');
  const resources = inject('resources');
  const table = resources.SubmissionsTable!.Properties as Record<string, any>;
  const setting = (name: string) => script.match(new RegExp(`^${name}=("?)([^"\\s]+)\\1`, 'm'))?.[2];

  it('creates the table with the same keys, attributes and indexes as serverless.yml', () => {
    const indexes = JSON.parse(script.match(/--global-secondary-indexes '([^']+)'/)![1]!);
    const attributes = [...script.matchAll(/AttributeName=(\w+),AttributeType=(\w+)/g)].map(
      ([, AttributeName, AttributeType]) => ({ AttributeName, AttributeType }),
    );
    const keys = [...script.matchAll(/--key-schema AttributeName=(\w+),KeyType=(\w+)/g)].map(
      ([, AttributeName, KeyType]) => ({ AttributeName, KeyType }),
    );

    expect(setting('TABLE')).toBe(table.TableName.replace('-test-', '-local-'));
    expect(script).toContain(`--billing-mode ${table.BillingMode}`);
    expect(keys).toEqual(table.KeySchema);
    expect(attributes).toEqual(table.AttributeDefinitions);
    expect(indexes).toEqual(table.GlobalSecondaryIndexes);
    expect(script).toContain(`AttributeName=${table.TimeToLiveSpecification.AttributeName}`);
  });

  it('creates both queues with the same retention, encryption and redrive as serverless.yml', () => {
    const queue = resources.SubmissionQueue!.Properties as Record<string, any>;
    const deadLetters = resources.SubmissionDeadLetterQueue!.Properties as Record<string, any>;

    expect(setting('QUEUE')).toBe(queue.QueueName.replace('-test-', '-local-'));
    expect(setting('DLQ')).toBe(deadLetters.QueueName.replace('-test-', '-local-'));
    expect(Number(setting('QUEUE_RETENTION'))).toBe(queue.MessageRetentionPeriod);
    expect(Number(setting('DLQ_RETENTION'))).toBe(deadLetters.MessageRetentionPeriod);
    expect(Number(setting('MAX_RECEIVE_COUNT'))).toBe(queue.RedrivePolicy.maxReceiveCount);
    expect([queue.SqsManagedSseEnabled, deadLetters.SqsManagedSseEnabled]).toEqual([true, true]);
    expect(script.match(/SqsManagedSseEnabled=true/g)).toHaveLength(2);
  });

  it("gives the queue stage local's visibility timeout (params.local.visibilityTimeout)", async () => {
    const config = await readFile(join(projectRoot, 'serverless.yml'), 'utf8');
    const local = config.match(/^ {2}local:\n(?: {4}.*\n)*? {4}visibilityTimeout: \$\{env:\w+, (\d+)\}/m);

    expect(setting('VISIBILITY_TIMEOUT')).toBe(local?.[1]);
  });
});
