import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_ROUTED_METHODS, openApiDocument } from '../../src/http/openapi';
import { projectRoot } from '../../workbench/local/stack';
import {
  type AlarmParams,
  alarmOf,
  condition,
  expectedAlarms,
  resolveConditionals,
  type Template,
} from '../helpers/alarms';
import { oneSlsPackageAtATime } from '../helpers/sls-package-lock';

type Resource = {
  Type: string;
  Properties: Record<string, any>;
  DependsOn?: unknown;
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example';
const ORIGINS = ['https://app.example.com', 'https://admin.example.com'];
/** Set in the packaging shell: it must not reach the template, which reads the key from Secrets Manager. */
const CURSOR_SECRET = 'a-cursor-signing-secret-of-at-least-32-chars';

const table = { 'Fn::GetAtt': ['SubmissionsTableV2', 'Arn'] };
const index = (name: string) => ({ 'Fn::Join': ['/', [table, 'index', name]] });
const queue = { 'Fn::GetAtt': ['SubmissionQueue', 'Arn'] };
/** What serverless-iam-roles-per-function grants every function: its own log group, nothing else. */
const logs = (fn: string) => ({
  Effect: 'Allow',
  Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents'],
  Resource: [
    {
      'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/submissions-prod-${fn}:*:*`,
    },
  ],
});
const allow = (Action: string[], Resource: unknown[]) => ({ Effect: 'Allow', Action, Resource });

/** `serverless package` with no AWS account (dummy credentials), and the template it writes. */
describe('serverless package (what `sls deploy` would ship)', () => {
  let directory: string;
  let resources: Record<string, Resource>;
  let template: Template;
  const ofType = (type: string) => Object.values(resources).filter((resource) => resource.Type === type);
  const statementsOf = (role: Resource) =>
    role.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sls-package-'));
    await oneSlsPackageAtATime(() =>
      promisify(execFile)(
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
            JWT_ISSUER: ISSUER,
            CURSOR_SECRET,
            JWT_AUDIENCE: 'web-client, mobile-client',
            CORS_ORIGINS: ORIGINS.join(', '),
            API_RATE_LIMIT: '200',
            API_BURST_LIMIT: '400',
          },
        },
      ),
    );
    template = JSON.parse(
      await readFile(join(directory, 'cloudformation-template-update-stack.json'), 'utf8'),
    );
    resources = template.Resources as Record<string, Resource>;
  }, 120_000);
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('has the four functions on nodejs24.x', () => {
    const functions = ofType('AWS::Lambda::Function');

    expect(functions.map((fn) => fn.Properties.Handler).sort()).toEqual([
      'handlers/api.handler',
      'handlers/reaper.handler',
      'handlers/ui.handler',
      'handlers/worker.handler',
    ]);
    for (const fn of functions) expect(fn.Properties.Runtime).toBe('nodejs24.x');
  });

  it('ships the page as a small bundle of its own', async () => {
    const { size } = await stat(join(directory, 'ui.zip'));

    // The page's HTML, CSS and script and a few lines of Node: no AWS SDK, no middy.
    expect(size).toBeLessThan(64 * 1024);
  });

  it('keeps the cursor key in a generated Secrets Manager secret that only the api function names', () => {
    const variables = (fn: string) => resources[`${fn}LambdaFunction`]!.Properties.Environment.Variables;

    expect(resources.CursorSecret).toEqual({
      Type: 'AWS::SecretsManager::Secret',
      Properties: {
        Description: 'Signs the pagination cursors of submissions-prod',
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      },
    });
    expect(variables('Api').CURSOR_SECRET_ARN).toEqual({ Ref: 'CursorSecret' });
    for (const fn of ['Api', 'Ui', 'Worker', 'Reaper']) expect(variables(fn).CURSOR_SECRET).toBeUndefined();
    for (const fn of ['Ui', 'Worker', 'Reaper']) expect(variables(fn).CURSOR_SECRET_ARN).toBeUndefined();
    // The packaging shell's CURSOR_SECRET appears nowhere, in plain text or otherwise.
    expect(JSON.stringify(template)).not.toContain(CURSOR_SECRET);
  });

  it('keeps the table through `sls remove` and replacement, and protects it from deletion', () => {
    expect(resources.SubmissionsTable).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { DeletionProtectionEnabled: true },
    });
  });

  it('creates no user pool for a stage that names its own issuer', () => {
    expect(condition(template, 'CreateUserPool')).toBe(false);
    expect(resources.UserPool!.Condition).toBe('CreateUserPool');
    expect(resources.UserPoolClient!.Condition).toBe('CreateUserPool');
    expect(template.Outputs!.UserPoolId!.Condition).toBe('CreateUserPool');
  });

  it('ships no source maps unless a stage asks for them (loading one slows every cold start)', async () => {
    for (const fn of ['api', 'worker', 'reaper', 'ui']) {
      // A zip names its files uncompressed, so the bundle's own name is found and a map's is not.
      const zip = (await readFile(join(directory, `${fn}.zip`))).toString('latin1');

      expect(zip).toContain(`handlers/${fn}.js`);
      expect(zip).not.toContain('.js.map');
    }
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
    expect(queue.QueueName).toBe('submissions-prod-submissions');
    expect(resources.SubmissionDeadLetterQueue?.Properties.QueueName).toBe(
      'submissions-prod-submissions-dlq',
    );
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
    ).toEqual(['ActiveSubmissions', 'ByContent', 'ByOwner']);
    // Sparse: only non-terminal items carry activeShard and reapAt (complete removes them).
    expect(
      table.GlobalSecondaryIndexes.find(
        (index: { IndexName: string }) => index.IndexName === 'ActiveSubmissions',
      ).KeySchema,
    ).toEqual([
      { AttributeName: 'activeShard', KeyType: 'HASH' },
      { AttributeName: 'reapAt', KeyType: 'RANGE' },
    ]);
  });

  it('lets the TTL delete decided submissions RETENTION_DAYS after the decision (unset: the schema default)', () => {
    expect(resources.WorkerLambdaFunction!.Properties.Environment.Variables.RETENTION_DAYS).toBeUndefined();
    expect(resources.SubmissionsTable!.Properties.TimeToLiveSpecification.AttributeName).toBe('expiresAt');
  });

  it('records ACTIVE_INDEX_SHARDS as an output, which the next deploy may not lower', () => {
    expect(template.Outputs!.ActiveIndexShards!.Value).toBe('4');
  });

  it('passes the functions only what the deployer set and what the stack names: no default restated', () => {
    const variables = (fn: string) =>
      Object.keys(resources[`${fn}LambdaFunction`]!.Properties.Environment.Variables).sort();
    const common = [
      'AUTH_MODE',
      'NODE_OPTIONS',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
      'QUEUE_URL',
      'TABLE_NAME',
    ];

    expect(variables('Api')).toEqual([...common, 'CURSOR_SECRET_ARN'].sort());
    expect(variables('Ui')).toEqual(common);
    for (const fn of ['Worker', 'Reaper']) {
      expect(variables(fn)).toEqual(
        [...common, 'QUEUE_VISIBILITY_TIMEOUT_SECONDS', 'WORKER_TIMEOUT_SECONDS'].sort(),
      );
    }
    // The worker's and the reaper's timing settings are checked against the stack's timeouts.
    expect(resources.WorkerLambdaFunction!.Properties.Environment.Variables).toMatchObject({
      WORKER_TIMEOUT_SECONDS: String(resources.WorkerLambdaFunction!.Properties.Timeout),
      QUEUE_VISIBILITY_TIMEOUT_SECONDS: String(resources.SubmissionQueue!.Properties.VisibilityTimeout),
    });
  });

  it('encrypts the table and both queues at rest', () => {
    expect(resources.SubmissionsTable!.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    expect(resources.SubmissionsTable!.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
    expect(resources.SubmissionQueue!.Properties.SqsManagedSseEnabled).toBe(true);
    expect(resources.SubmissionDeadLetterQueue!.Properties.SqsManagedSseEnabled).toBe(true);
  });

  describe('HTTP API', () => {
    const routes = () =>
      ofType('AWS::ApiGatewayV2::Route').map((route) => route.Properties as Record<string, any>);

    const integration = (fn: string) => ({
      'Fn::Join': ['/', ['integrations', { Ref: `HttpApiIntegration${fn}` }]],
    });
    const PAGE_ROUTES = ['GET /', 'GET /app.css', 'GET /app.js'];
    const DOCUMENT_ROUTES = ['GET', ...OPENAPI_ROUTED_METHODS.filter((m) => m !== 'GET')].map(
      (method) => `${method} /openapi.json`,
    );
    const PUBLIC_ROUTES = [...PAGE_ROUTES, ...DOCUMENT_ROUTES];

    it('routes the page to the ui function', () => {
      const page = routes().filter((route) => PAGE_ROUTES.includes(route.RouteKey));

      expect(page.map((route) => route.RouteKey).sort()).toEqual(PAGE_ROUTES);
      for (const route of page) expect(route.Target).toEqual(integration('Ui'));
    });

    it('routes the endpoints, and the wrong methods on them, to the api function', () => {
      const api = routes().filter((route) => !PAGE_ROUTES.includes(route.RouteKey));

      expect(api.map((route) => route.RouteKey).sort()).toEqual([
        'DELETE /openapi.json',
        'DELETE /submissions',
        'DELETE /submissions/{id}',
        'DELETE /submissions/{id}/content',
        'GET /openapi.json',
        'GET /submissions',
        'GET /submissions/{id}',
        'GET /submissions/{id}/content',
        'PATCH /openapi.json',
        'PATCH /submissions',
        'PATCH /submissions/{id}',
        'PATCH /submissions/{id}/content',
        'POST /openapi.json',
        'POST /submissions',
        'POST /submissions/batch',
        'POST /submissions/{id}',
        'POST /submissions/{id}/content',
        'PUT /openapi.json',
        'PUT /submissions',
        'PUT /submissions/{id}',
        'PUT /submissions/{id}/content',
      ]);
      for (const route of api) expect(route.Target).toEqual(integration('Api'));
    });

    it('routes every method the API document names to the api function, on each of its paths', () => {
      const api = routes().filter((route) => !PAGE_ROUTES.includes(route.RouteKey));
      const reaches = (method: string, path: string) =>
        api.some((route) => {
          const [routeMethod, template = ''] = String(route.RouteKey).split(' ');
          return (
            routeMethod === method && new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path)
          );
        });

      for (const path of Object.keys(openApiDocument().paths ?? {})) {
        const concrete = path.replace('{id}', '0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23');
        for (const method of OPENAPI_ROUTED_METHODS)
          expect(reaches(method, concrete), `${method} ${path}`).toBe(true);
      }
    });

    it('leaves CORS preflights to API Gateway: no route catches OPTIONS', () => {
      // An ANY, OPTIONS or $default route would send preflights (which carry no token) to the authorizer.
      for (const { RouteKey } of routes()) expect(RouteKey).not.toMatch(/^(ANY|OPTIONS) |^\$default$/);
    });

    it('verifies JWTs from the configured issuer and audiences', () => {
      const authorizers = ofType('AWS::ApiGatewayV2::Authorizer');

      expect(authorizers).toHaveLength(1);
      // As CloudFormation reads it: the issuer is JWT_ISSUER's unless the stack creates its pool.
      expect(resolveConditionals(template, authorizers[0]!.Properties)).toEqual({
        ApiId: { Ref: 'HttpApi' },
        Name: 'jwt',
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: { Issuer: ISSUER, Audience: ['web-client', 'mobile-client'] },
      });
    });

    it('requires a token on every route but the page and /openapi.json', () => {
      for (const route of routes()) {
        if (PUBLIC_ROUTES.includes(route.RouteKey)) {
          expect(route.AuthorizationType).toBeUndefined();
          expect(route.AuthorizerId).toBeUndefined();
        } else {
          expect(route, route.RouteKey).toMatchObject({
            AuthorizationType: 'JWT',
            AuthorizerId: { Ref: 'HttpApiAuthorizerJwt' },
          });
        }
      }
    });

    it('tells every function to take the caller from the verified JWT', () => {
      for (const fn of ofType('AWS::Lambda::Function')) {
        expect(fn.Properties.Environment.Variables.AUTH_MODE).toBe('jwt');
      }
    });

    it('throttles the whole stage as API_RATE_LIMIT and API_BURST_LIMIT say, as numbers', () => {
      const [stage] = ofType('AWS::ApiGatewayV2::Stage');

      expect(stage?.Properties.DefaultRouteSettings).toEqual({
        DetailedMetricsEnabled: false,
        ThrottlingRateLimit: 200,
        ThrottlingBurstLimit: 400,
      });
    });

    it('allows cross-origin calls from the origins in CORS_ORIGINS only', () => {
      expect(resources.HttpApi!.Properties.CorsConfiguration).toEqual({
        AllowOrigins: ORIGINS,
        AllowMethods: ['GET', 'POST'],
        AllowHeaders: ['content-type', 'authorization', 'idempotency-key', 'if-none-match'],
        ExposeHeaders: ['location', 'etag', 'retry-after'],
        MaxAge: 600,
      });
    });
  });

  describe('least privilege', () => {
    it('gives each function a role of its own, and no other role exists', () => {
      const roles = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::IAM::Role');

      expect(roles.map(([logicalId]) => logicalId).sort()).toEqual([
        'ApiIamRoleLambdaExecution',
        'ReaperIamRoleLambdaExecution',
        'UiIamRoleLambdaExecution',
        'WorkerIamRoleLambdaExecution',
      ]);
      for (const fn of ['Api', 'Worker', 'Reaper', 'Ui']) {
        expect(resources[`${fn}LambdaFunction`]!.Properties.Role).toEqual({
          'Fn::GetAtt': [`${fn}IamRoleLambdaExecution`, 'Arn'],
        });
      }
      for (const [, role] of roles) expect(role.Properties.ManagedPolicyArns).toEqual([]);
    });

    it('lets the api write and read submissions, list by owner, enqueue and read the cursor key — nothing more', () => {
      expect(statementsOf(resources.ApiIamRoleLambdaExecution!)).toEqual([
        logs('api'),
        allow(
          ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:BatchWriteItem', 'dynamodb:BatchGetItem'],
          [table],
        ),
        allow(['dynamodb:Query'], [index('ByOwner')]),
        allow(['sqs:SendMessage'], [queue]),
        allow(['secretsmanager:GetSecretValue'], [{ Ref: 'CursorSecret' }]),
      ]);
    });

    it('lets the worker consume the queue, claim, complete or release, and find earlier identical content — nothing more', () => {
      expect(statementsOf(resources.WorkerIamRoleLambdaExecution!)).toEqual([
        logs('worker'),
        allow(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], [queue]),
        allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], [table]),
        allow(['dynamodb:Query'], [index('ByContent')]),
      ]);
    });

    it('lets the reaper read the sparse index, reset and requeue, and read back a refused write — nothing more', () => {
      expect(statementsOf(resources.ReaperIamRoleLambdaExecution!)).toEqual([
        logs('reaper'),
        allow(['dynamodb:Query'], [index('ActiveSubmissions')]),
        allow(['dynamodb:BatchGetItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem'], [table]),
        allow(['sqs:SendMessage'], [queue]),
      ]);
    });

    it('lets the page function write its logs — nothing more', () => {
      expect(statementsOf(resources.UiIamRoleLambdaExecution!)).toEqual([logs('ui')]);
    });

    it('never grants a wildcard action or resource, nor a scan', () => {
      const statements = ofType('AWS::IAM::Role').flatMap(statementsOf);

      for (const { Action, Resource } of statements) {
        for (const action of [Action].flat()) {
          expect(action).not.toContain('*');
          expect(action).not.toBe('dynamodb:Scan');
        }
        for (const resource of [Resource].flat()) expect(resource).not.toBe('*');
      }
      expect(JSON.stringify(statements)).not.toMatch(/"index","\*"|dynamodb:Scan/);
    });
  });

  describe('alarms', () => {
    /** serverless.yml's `params.prod`, over `params.default`. */
    const PROD: AlarmParams = {
      period: 60,
      dlq: [0, 1, 1],
      queueAge: [600, 3, 3],
      reaperResets: [0, 10, 3],
      workerErrors: [0, 5, 2],
      workerThrottles: [0, 5, 3],
      api5xx: [1, 5, 3],
      api5xxMinRequests: 50,
    };

    it('creates its own SNS topic when no alarmTopicArn is given, and outputs its ARN', () => {
      expect(condition(template, 'CreateAlarmTopic')).toBe(true);
      expect(resources.AlarmTopic).toMatchObject({
        Type: 'AWS::SNS::Topic',
        Condition: 'CreateAlarmTopic',
        Properties: { TopicName: 'submissions-prod-alarms' },
      });
      expect(resolveConditionals(template, template.Outputs?.AlarmTopicArn)).toEqual({
        Value: { Ref: 'AlarmTopic' },
      });
    });

    it.each(Object.entries(expectedAlarms('prod', PROD, { Ref: 'AlarmTopic' })))(
      '%s watches its metric with the prod thresholds and notifies the topic on ALARM and OK',
      (logicalId, expected) => {
        expect(alarmOf(template, logicalId)).toMatchObject(expected);
      },
    );

    it('has exactly these six alarms, each telling on-call what to run', () => {
      const alarms = Object.entries(resources).filter(
        ([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm',
      );

      expect(alarms.map(([logicalId]) => logicalId).sort()).toEqual(
        Object.keys(expectedAlarms('prod', PROD, null)).sort(),
      );
      for (const [, alarm] of alarms) expect(alarm.Properties.AlarmDescription).toMatch(/npm run ops -- /);
    });
  });
});
