import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/local/stack';

type Resource = { Type: string; Properties: Record<string, any> };

/** `serverless package` with no AWS account (dummy credentials), and the template it writes. */
describe('serverless package (what `sls deploy` would ship)', () => {
  let directory: string;
  let resources: Record<string, Resource>;
  const ofType = (type: string) => Object.values(resources).filter((resource) => resource.Type === type);

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sls-package-'));
    await promisify(execFile)(
      process.execPath,
      [
        join(projectRoot, 'node_modules/serverless/bin/serverless.js'),
        'package',
        '--stage',
        'prod',
        '--package',
        directory,
      ],
      {
        cwd: projectRoot,
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: 'dummy',
          AWS_SECRET_ACCESS_KEY: 'dummy',
          SLS_TELEMETRY_DISABLED: '1',
          ESBUILD_WORK_FOLDER: '.esbuild/package-test',
        },
      },
    );
    const template = JSON.parse(
      await readFile(join(directory, 'cloudformation-template-update-stack.json'), 'utf8'),
    );
    resources = template.Resources;
  }, 120_000);
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('has the three functions on nodejs22.x', () => {
    const functions = ofType('AWS::Lambda::Function');

    expect(functions.map((fn) => fn.Properties.Handler).sort()).toEqual([
      'handlers/api.handler',
      'handlers/reaper.handler',
      'handlers/worker.handler',
    ]);
    for (const fn of functions) expect(fn.Properties.Runtime).toBe('nodejs22.x');
  });

  it('feeds the worker from the queue in batches of 10 with partial batch failures', () => {
    const [mapping] = ofType('AWS::Lambda::EventSourceMapping');

    expect(mapping?.Properties).toMatchObject({
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': ['SubmissionQueue', 'Arn'] },
      FunctionName: { 'Fn::GetAtt': ['WorkerLambdaFunction', 'Arn'] },
    });
  });

  it('has a queue with a DLQ after 5 receives and a visibility timeout at least 6x the worker timeout', () => {
    const queue = resources.SubmissionQueue!.Properties;
    const worker = resources.WorkerLambdaFunction!.Properties;

    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['SubmissionDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(resources.SubmissionDeadLetterQueue?.Type).toBe('AWS::SQS::Queue');
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * worker.Timeout);
  });

  it('runs the reaper every minute', () => {
    const rules = ofType('AWS::Events::Rule');

    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(JSON.stringify(rules[0]?.Properties.Targets)).toContain('ReaperLambdaFunction');
  });

  it('has an on-demand table with the sparse active index and the owner index', () => {
    const table = resources.SubmissionsTable!.Properties;

    expect(table.TableName).toBe('submissions-prod-submissions');
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(
      table.GlobalSecondaryIndexes.map((index: { IndexName: string }) => index.IndexName).sort(),
    ).toEqual(['ActiveSubmissions', 'ByOwner']);
  });

  it('routes the three HTTP API endpoints to the api function', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map((route) => route.Properties.RouteKey);

    expect(routes.sort()).toEqual(['GET /submissions', 'GET /submissions/{id}', 'POST /submissions']);
  });

  it('lets the functions touch only the table, its indexes and the queue — and never scan', () => {
    const role = resources.IamRoleLambdaExecution!.Properties;
    const statements = role.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
    const dynamodb = statements.filter((statement: any) =>
      [statement.Action].flat().some((action: string) => action.startsWith('dynamodb:')),
    );

    expect(dynamodb).toHaveLength(1);
    expect(dynamodb[0].Action).not.toContain('dynamodb:Scan');
    expect(JSON.stringify(dynamodb[0].Resource)).toContain('SubmissionsTable');
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"/);
  });
});
