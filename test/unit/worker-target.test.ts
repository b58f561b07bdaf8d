import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/env';
import { parseWorkerArguments, UsageError } from '../../src/worker/settings';
import { endpointOf, workerTarget } from '../../src/worker/worker-target';

describe('workerTarget (what `npm run worker` connects to)', () => {
  it('with nothing configured, joins `npm start`: stage local, its names, its emulators, dummy credentials', () => {
    const target = workerTarget(undefined, {});

    expect(target).toEqual({
      stage: 'local',
      queueName: 'submissions-local-submissions',
      env: {
        TABLE_NAME: 'submissions-local-submissions-v2',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
        AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
    });
  });

  it('follows npm start’s DYNAMODB_PORT and SQS_PORT', () => {
    const { env } = workerTarget(undefined, { DYNAMODB_PORT: '28000', SQS_PORT: '29324' });

    expect(env).toMatchObject({
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:28000',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:29324',
    });
  });

  it('refuses a port that is not one, naming the variable', () => {
    expect(() => workerTarget(undefined, { SQS_PORT: 'nine' })).toThrow(
      new ConfigError('Invalid configuration: SQS_PORT: must be a port number, got nine'),
    );
  });

  it('keeps endpoints, names and credentials the environment already gives', () => {
    const target = workerTarget('local', {
      AWS_ENDPOINT_URL: 'http://localhost:4566',
      TABLE_NAME: 'mine',
      QUEUE_URL: 'http://localhost:4566/000000000000/mine',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'key',
    });

    expect(target).toEqual({ stage: 'local', env: {} });
  });

  it('--stage localstack: the stage’s names on LocalStack', () => {
    expect(workerTarget('localstack', {})).toEqual({
      stage: 'localstack',
      queueName: 'submissions-localstack-submissions',
      env: {
        TABLE_NAME: 'submissions-localstack-submissions-v2',
        AWS_ENDPOINT_URL: 'http://localhost:4566',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      },
    });
  });

  it('--stage prod: only the names; endpoints and credentials are AWS’s own', () => {
    expect(workerTarget('prod', {})).toEqual({
      stage: 'prod',
      queueName: 'submissions-prod-submissions',
      env: { TABLE_NAME: 'submissions-prod-submissions-v2' },
    });
  });

  it('with TABLE_NAME and QUEUE_URL set and no --stage, runs as a Lambda would: the environment as it is', () => {
    expect(
      workerTarget(undefined, { TABLE_NAME: 't', QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q' }),
    ).toEqual({ env: {} });
  });

  it('says where each service is reached', () => {
    expect(endpointOf('SQS', { AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324' })).toBe(
      'http://127.0.0.1:9324',
    );
    expect(endpointOf('DYNAMODB', { AWS_ENDPOINT_URL: 'http://localhost:4566' })).toBe(
      'http://localhost:4566',
    );
    expect(endpointOf('DYNAMODB', { AWS_REGION: 'eu-west-1' })).toBe('AWS (eu-west-1)');
  });
});

describe('parseWorkerArguments', () => {
  it.each([
    [[], { help: false }],
    [['--stage', 'prod'], { help: false, stage: 'prod' }],
    [['--stage=localstack'], { help: false, stage: 'localstack' }],
    [['--help'], { help: true }],
  ])('%j → %j', (argv, expected) => {
    expect(parseWorkerArguments(argv)).toEqual(expected);
  });

  it.each([
    [['--stage'], '--stage needs a stage name (letters, digits, dashes), got nothing'],
    [['--stage', 'a b'], '--stage needs a stage name (letters, digits, dashes), got a b'],
    [['prod'], 'unknown argument: prod'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseWorkerArguments(argv)).toThrow(new UsageError(message));
  });
});
