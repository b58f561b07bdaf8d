import { describe, expect, it } from 'vitest';
import { SERVICE } from '../../src/config/stages';
import { UsageError } from '../../workbench/command-line';
import { DEFAULT_REDRIVE_MAX, parseCommand } from '../../workbench/ops/args';
import { targetSettings } from '../../workbench/ops/ops-target';

const ID = '3f2b8c1e-9a4d-4e7b-8c2d-1a2b3c4d5e6f';

describe('parseCommand', () => {
  it('defaults to stage local, human output', () => {
    // Act
    const command = parseCommand(['stats']);

    // Assess
    expect(command).toEqual({ command: 'stats', options: { stage: 'local', json: false } });
  });

  it.each([
    [['show', ID, '--content', '--json'], { command: 'show', id: ID, content: true }],
    [['requeue', ID.toUpperCase(), '--stage', 'prod'], { command: 'requeue', id: ID }],
    [['redrive', '--dry-run', '--max', '5'], { command: 'redrive', dryRun: true, max: 5 }],
    [['redrive'], { command: 'redrive', dryRun: false, max: DEFAULT_REDRIVE_MAX }],
    [['reap', '--region', 'eu-west-1'], { command: 'reap' }],
  ])('reads %j', (argv, expected) => {
    // Act
    const command = parseCommand(argv);

    // Assess
    expect(command).toMatchObject(expected);
  });

  it('passes stage, region and --json through to every command', () => {
    // Act
    const command = parseCommand(['reap', '--stage', 'prod', '--region', 'eu-west-1', '--json']);

    // Assess
    expect(command).toEqual({
      command: 'reap',
      options: { stage: 'prod', region: 'eu-west-1', json: true },
    });
  });

  it.each([[[]], [['help']], [['--help']], [['stats', '-h']]])('answers %j with help', (argv) => {
    expect(parseCommand(argv)).toEqual({ command: 'help' });
  });

  it.each([
    { argv: ['frobnicate'], message: /Unknown command 'frobnicate'/ },
    { argv: ['stats', '--verbose'], message: /verbose/ },
    { argv: ['show'], message: /'show' needs a submission id/ },
    { argv: ['requeue'], message: /'requeue' needs a submission id/ },
    { argv: ['show', 'not-an-id'], message: /'not-an-id' is not a submission id/ },
    { argv: ['show', ID, ID], message: /Unexpected argument/ },
    { argv: ['stats', 'extra'], message: /Unexpected argument 'extra'/ },
    { argv: ['stats', '--content'], message: /'--content' does not apply to 'stats'/ },
    { argv: ['requeue', ID, '--dry-run'], message: /'--dry-run' does not apply to 'requeue'/ },
    { argv: ['redrive', '--max', '0'], message: /--max must be a whole number/ },
    { argv: ['redrive', '--max', '2.5'], message: /--max must be a whole number/ },
    { argv: ['redrive', '--max'], message: /max/ },
    { argv: ['stats', '--stage', 'no/slash'], message: /not a stage name/ },
  ])('refuses $argv as a usage error', ({ argv, message }) => {
    // Act
    const parse = () => parseCommand(argv);

    // Assess
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });
});

describe('targetSettings', () => {
  it('points stage local at the ports of `npm start`, with emulator credentials', () => {
    // Act
    const settings = targetSettings({ stage: 'local' }, {});

    // Assess
    expect(settings).toEqual({
      stage: 'local',
      region: 'us-east-1',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      sqsEndpoint: 'http://127.0.0.1:9324',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      tableName: `${SERVICE}-local-submissions-v2`,
      legacyTableName: `${SERVICE}-local-submissions`,
      queue: { name: `${SERVICE}-local-submissions` },
      deadLetterQueue: { name: `${SERVICE}-local-submissions-dlq` },
    });
  });

  it('follows DYNAMODB_PORT / SQS_PORT as `npm start` does, and endpoint variables over them', () => {
    // Act
    const ports = targetSettings({ stage: 'local' }, { DYNAMODB_PORT: '8100', SQS_PORT: '9400' });
    const generic = targetSettings({ stage: 'local' }, { AWS_ENDPOINT_URL: 'http://emulator:1' });
    const specific = targetSettings(
      { stage: 'local' },
      { AWS_ENDPOINT_URL: 'http://emulator:1', AWS_ENDPOINT_URL_SQS: 'http://sqs:2' },
    );

    // Assess
    expect([ports.dynamodbEndpoint, ports.sqsEndpoint]).toEqual([
      'http://127.0.0.1:8100',
      'http://127.0.0.1:9400',
    ]);
    expect([generic.dynamodbEndpoint, generic.sqsEndpoint]).toEqual([
      'http://emulator:1',
      'http://emulator:1',
    ]);
    expect([specific.dynamodbEndpoint, specific.sqsEndpoint]).toEqual(['http://emulator:1', 'http://sqs:2']);
  });

  it('points stage localstack at its edge port', () => {
    // Act
    const settings = targetSettings({ stage: 'localstack' }, {});

    // Assess
    expect(settings).toMatchObject({
      dynamodbEndpoint: 'http://localhost:4566',
      sqsEndpoint: 'http://localhost:4566',
      cloudwatchEndpoint: 'http://localhost:4566',
      tableName: `${SERVICE}-localstack-submissions-v2`,
    });
  });

  it('reads queue ages from CloudWatch except on stage local, AWS_ENDPOINT_URL_CLOUDWATCH first', () => {
    // Prepare
    const env = { AWS_ENDPOINT_URL: 'http://emulator:1', AWS_ENDPOINT_URL_CLOUDWATCH: 'http://cw:3' };

    // Act
    const local = targetSettings({ stage: 'local' }, env);
    const localstack = targetSettings({ stage: 'localstack' }, env);
    const generic = targetSettings({ stage: 'prod' }, { AWS_ENDPOINT_URL: 'http://emulator:1' });
    const aws = targetSettings({ stage: 'prod' }, {});

    // Assess
    expect(local.cloudwatchEndpoint).toBeUndefined();
    expect(localstack.cloudwatchEndpoint).toBe('http://cw:3');
    expect(generic.cloudwatchEndpoint).toBe('http://emulator:1');
    expect(aws.cloudwatchEndpoint).toBeUndefined();
  });

  it('leaves any other stage to AWS: default endpoints, credential chain, --region over AWS_REGION', () => {
    // Act
    const fromEnv = targetSettings({ stage: 'prod' }, { AWS_REGION: 'eu-west-1' });
    const fromOption = targetSettings({ stage: 'prod', region: 'us-west-2' }, { AWS_REGION: 'eu-west-1' });

    // Assess
    expect(fromEnv).toEqual({
      stage: 'prod',
      region: 'eu-west-1',
      tableName: `${SERVICE}-prod-submissions-v2`,
      legacyTableName: `${SERVICE}-prod-submissions`,
      queue: { name: `${SERVICE}-prod-submissions` },
      deadLetterQueue: { name: `${SERVICE}-prod-submissions-dlq` },
    });
    expect(fromOption.region).toBe('us-west-2');
  });

  it('takes TABLE_NAME, LEGACY_TABLE_NAME, QUEUE_URL and DLQ_URL from the environment when set', () => {
    // Act
    const settings = targetSettings(
      { stage: 'prod' },
      {
        TABLE_NAME: 'mine',
        LEGACY_TABLE_NAME: 'old',
        QUEUE_URL: 'https://sqs/q',
        DLQ_URL: 'https://sqs/dlq',
        DLQ_NAME: '',
      },
    );

    // Assess
    expect(settings).toMatchObject({
      tableName: 'mine',
      legacyTableName: 'old',
      queue: { url: 'https://sqs/q' },
      deadLetterQueue: { url: 'https://sqs/dlq' },
    });
  });
});
