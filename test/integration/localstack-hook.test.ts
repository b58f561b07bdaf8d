import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { localStackNames } from '../../workbench/generate';
import { projectRoot } from '../../workbench/local/stack';

/**
 * LocalStack's READY hook (localstack/init/ready.d) creates the table and queues with
 * the AWS CLI, so it repeats serverless.yml's definitions; nothing here can run it (no
 * container engine). This compares what it would create with what serverless resolves.
 */
describe('the LocalStack init hook', async () => {
  const hooks = join(projectRoot, 'localstack/init/ready.d');
  const names = await readFile(join(hooks, 'stage-local.env'), 'utf8');
  // The script with the names it sources filled in, as bash would.
  const script = (await readFile(join(hooks, '10-create-resources.sh'), 'utf8')).replace(
    /\$([A-Z_]+)/g,
    (variable, name: string) => names.match(new RegExp(`^${name}=(.*)$`, 'm'))?.[1] ?? variable,
  );
  const resources = inject('resources');
  const table = resources.SubmissionsTableV2!.Properties as Record<string, any>;
  const setting = (name: string) =>
    `${names}\n${script}`.match(new RegExp(`^${name}=("?)([^"\\s]+)\\1`, 'm'))?.[2];

  it('takes the names of stage local from the file `npm run generate` writes from src/config/stages.ts', () => {
    expect(names).toBe(localStackNames());
    expect(script).toContain(`source "$(dirname "\${BASH_SOURCE[0]}")/stage-local.env"`);
  });

  it('creates the table with the same keys, attributes and indexes as serverless.yml', () => {
    const indexes = JSON.parse(
      script.match(/--global-secondary-indexes "\$\(cat <<JSON\n([\s\S]+?)\nJSON/)![1]!,
    );
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
