import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../workbench/local/stack';
import {
  type AlarmParams,
  alarmOf,
  condition,
  expectedAlarms,
  paramArguments,
  resolveConditionals,
  type Template,
} from '../helpers/alarms';
import { oneSlsPackageAtATime } from '../helpers/sls-package-lock';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:on-call';
/** Every alarm setting overridden with `--param`, each to a value no stage has by default. */
const OVERRIDES: AlarmParams = {
  period: 300,
  dlq: [2, 3, 2],
  queueAge: [120, 4, 3],
  reaperResets: [1, 12, 4],
  workerErrors: [7, 6, 5],
  workerThrottles: [9, 8, 7],
  api5xx: [2.5, 10, 6],
  api5xxMinRequests: 5,
};

/**
 * `localstack/serverless.sh package` (what `npm run deploy:localstack` runs, short of
 * the deploy): stage `localstack` through serverless-localstack, with no LocalStack
 * running and no AWS account. Alarm settings and an existing topic come from `--param`.
 */
describe('serverless package --stage localstack (the LocalStack route, with params overridden)', () => {
  let directory: string;
  let template: Template;
  let output: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sls-package-localstack-'));
    // Resolving at all is part of the test: serverless-localstack once left esbuild's
    // build contexts open, and `sls package`/`deploy` never exited.
    const { stdout, stderr } = await oneSlsPackageAtATime(() =>
      promisify(execFile)(
        'bash',
        [
          'localstack/serverless.sh',
          'package',
          '--package',
          directory,
          '--param',
          `alarmTopicArn=${TOPIC}`,
          ...paramArguments(OVERRIDES),
        ],
        {
          cwd: projectRoot,
          env: { ...process.env, ESBUILD_WORK_FOLDER: '.esbuild/package-localstack-test' },
          timeout: 300_000,
        },
      ),
    );
    output = stdout + stderr;
    template = JSON.parse(
      await readFile(join(directory, 'cloudformation-template-update-stack.json'), 'utf8'),
    );
  }, 320_000);
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('goes through serverless-localstack, with the stage’s own names', () => {
    expect(output).toContain('Using serverless-localstack');
    expect(template.Resources.SubmissionsTable?.Properties.TableName).toBe(
      'submissions-localstack-submissions',
    );
    expect(template.Resources.SubmissionQueue?.Properties.QueueName).toBe(
      'submissions-localstack-submissions',
    );
    expect(
      Object.values(template.Resources)
        .filter((resource) => resource.Type === 'AWS::Lambda::Function')
        .map((fn) => fn.Properties.Handler)
        .sort(),
    ).toEqual([
      'handlers/api.handler',
      'handlers/reaper.handler',
      'handlers/ui.handler',
      'handlers/worker.handler',
    ]);
  });

  it('fills in a throwaway JWT issuer and audience (LocalStack has no Cognito), and no user pool', () => {
    expect(
      resolveConditionals(template, template.Resources.HttpApiAuthorizerJwt?.Properties.JwtConfiguration),
    ).toEqual({
      Issuer: 'https://localstack.invalid/issuer',
      Audience: ['localstack'],
    });
    expect(condition(template, 'CreateUserPool')).toBe(false);
  });

  it("signs cursors with the stack's Secrets Manager secret there too", () => {
    const variables = template.Resources.ApiLambdaFunction?.Properties.Environment.Variables;

    expect(variables.CURSOR_SECRET_ARN).toEqual({ Ref: 'CursorSecret' });
    expect(variables.CURSOR_SECRET).toBeUndefined();
  });

  it('uses the given topic instead of creating one, and outputs it', () => {
    expect(condition(template, 'CreateAlarmTopic')).toBe(false);
    expect(resolveConditionals(template, template.Outputs?.AlarmTopicArn)).toEqual({ Value: TOPIC });
  });

  it.each(Object.entries(expectedAlarms('localstack', OVERRIDES, TOPIC)))(
    '%s takes the overridden threshold, periods and datapoints, and notifies the given topic',
    (logicalId, expected) => {
      expect(alarmOf(template, logicalId)).toMatchObject(expected);
    },
  );
});
