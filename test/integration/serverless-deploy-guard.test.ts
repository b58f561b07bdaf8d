import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../workbench/local/stack';
import { condition, resolveConditionals, type Template } from '../helpers/alarms';
import { oneSlsPackageAtATime } from '../helpers/sls-package-lock';

const DEPLOY_SETTINGS = [
  'RULES_JSON',
  'RULES_FILE',
  'RETENTION_DAYS',
  'STUCK_AFTER_MS',
  'ORPHAN_AFTER_MS',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'CORS_ORIGINS',
  'CURSOR_SECRET',
  'API_RATE_LIMIT',
  'API_BURST_LIMIT',
];
const ISSUER = 'https://issuer.example.com/';

interface Outcome {
  code: number;
  stdout: string;
  /** stdout and stderr. */
  output: string;
}

/** Runs the serverless CLI with only the given deploy settings (none from the shell that runs the tests). */
async function serverless(args: string[], settings: Record<string, string> = {}): Promise<Outcome> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !DEPLOY_SETTINGS.includes(name)),
  );
  try {
    const { stdout, stderr } = await oneSlsPackageAtATime(() =>
      promisify(execFile)(
        process.execPath,
        [join(projectRoot, 'node_modules/serverless/bin/serverless.js'), ...args],
        {
          cwd: projectRoot,
          env: {
            ...env,
            ...settings,
            AWS_ACCESS_KEY_ID: 'dummy',
            AWS_SECRET_ACCESS_KEY: 'dummy',
            SLS_TELEMETRY_DISABLED: '1',
            ESBUILD_WORK_FOLDER: '.esbuild/deploy-guard-test',
          },
          maxBuffer: 10_000_000,
        },
      ),
    );
    return { code: 0, stdout, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, output: failure.stdout + failure.stderr };
  }
}

/** The error serverless prints, from "Error:" on, with line breaks as spaces. */
const errorOf = ({ output }: Outcome) => output.slice(output.indexOf('Error:')).replace(/\s+/g, ' ');

describe.concurrent('a deployed stage is never silently open', () => {
  let directory: string;
  let attempts = 0;
  const packageStage = (stage: string, settings?: Record<string, string>, extra: string[] = []) => {
    attempts += 1;
    return serverless(
      ['package', '--stage', stage, '--package', join(directory, `attempt-${attempts}`), ...extra],
      settings,
    );
  };

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sls-guard-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  /** Packages `stage` into a folder of its own and reads the template it writes. */
  const packagedTemplate = async (stage: string, settings: Record<string, string>, extra: string[] = []) => {
    attempts += 1;
    const target = join(directory, `attempt-${attempts}`);
    const outcome = await serverless(['package', '--stage', stage, '--package', target, ...extra], settings);
    expect(outcome.code, outcome.output).toBe(0);
    const template: Template & { Resources: Record<string, any> } = JSON.parse(
      await readFile(join(target, 'cloudformation-template-update-stack.json'), 'utf8'),
    );
    return { outcome, template };
  };

  it('packages a stage without JWT_ISSUER and JWT_AUDIENCE with a Cognito user pool of its own, and trusts only it', async () => {
    const { outcome, template } = await packagedTemplate('prod', {});

    expect(outcome.output).toContain("JWT_ISSUER is unset: the API trusts the stack's own Cognito user pool");
    // osls knows the runtime and the configuration validates: no warning of any kind.
    expect(outcome.output).not.toMatch(/warning|deprecat/i);
    expect(condition(template, 'CreateUserPool')).toBe(true);
    expect(template.Resources.UserPool.Properties).toEqual({
      UserPoolName: 'submissions-prod-users',
      UsernameAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      DeletionProtection: 'ACTIVE',
    });
    expect(template.Resources.UserPoolClient.Properties).toMatchObject({
      ClientName: 'submissions-prod-web',
      UserPoolId: { Ref: 'UserPool' },
      GenerateSecret: false,
    });
    expect(
      resolveConditionals(template, template.Resources.HttpApiAuthorizerJwt.Properties.JwtConfiguration),
    ).toEqual({
      Issuer: {
        'Fn::Join': [
          '',
          ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: 'UserPool' }],
        ],
      },
      Audience: [{ Ref: 'UserPoolClient' }],
    });
    // What `npm run token` and a deployer read back.
    expect(template.Outputs?.UserPoolId?.Value).toEqual({ Ref: 'UserPool' });
    expect(template.Outputs?.UserPoolClientId?.Value).toEqual({ Ref: 'UserPoolClient' });
  }, 120_000);

  it("reads a stage's settings from .env.<stage> beside serverless.yml (a .env is no longer ignored)", async () => {
    // A stage name of this test's own, so no other package run reads the file meanwhile.
    const stage = `dotenv${process.pid}`;
    const file = join(projectRoot, `.env.${stage}`);
    await writeFile(
      file,
      'RETENTION_DAYS=7\nJWT_ISSUER=https://issuer.example.com/\nJWT_AUDIENCE=from-dotenv\n',
    );
    try {
      const { template } = await packagedTemplate(stage, {});

      expect(template.Resources.ApiLambdaFunction.Properties.Environment.Variables.RETENTION_DAYS).toBe('7');
      expect(
        resolveConditionals(template, template.Resources.HttpApiAuthorizerJwt.Properties.JwtConfiguration),
      ).toEqual({ Issuer: 'https://issuer.example.com/', Audience: ['from-dotenv'] });
    } finally {
      await rm(file, { force: true });
    }
  }, 120_000);

  it('refuses timings the worker would refuse at cold start, naming both settings', async () => {
    const outcome = await packageStage('prod', { STUCK_AFTER_MS: '30000', ORPHAN_AFTER_MS: '180000' });

    expect(outcome.code).not.toBe(0);
    expect(errorOf(outcome)).toContain(
      'Error: Refusing to package stage "prod": ' +
        "STUCK_AFTER_MS: 30000 must exceed the worker's timeout, WORKER_TIMEOUT_SECONDS=30 " +
        '(else the reaper resets submissions a worker is still deciding); ' +
        "ORPHAN_AFTER_MS: 180000 must exceed the queue's visibility timeout, QUEUE_VISIBILITY_TIMEOUT_SECONDS=180",
    );
  });

  it('gives the rule set to the worker alone, which alone evaluates it', async () => {
    const RULES_JSON = JSON.stringify({
      id: 'short',
      version: 1,
      rule: { id: 'max', type: 'maxLength', params: { max: 5 } },
    });

    const { template } = await packagedTemplate('prod', { RULES_JSON });

    const variables = (fn: string) =>
      template.Resources[`${fn}LambdaFunction`].Properties.Environment.Variables;
    expect(variables('Worker').RULES_JSON).toBe(RULES_JSON);
    for (const fn of ['Api', 'Ui', 'Reaper']) expect(variables(fn), fn).not.toHaveProperty('RULES_JSON');
  }, 120_000);

  it("refuses a RULES_JSON the worker would refuse at cold start, with the loader's message", async () => {
    const outcome = await packageStage('prod', {
      RULES_JSON: JSON.stringify({ id: 'x', version: 1, rule: { id: 'r', type: 'nope', params: {} } }),
    });

    expect(outcome.code).not.toBe(0);
    expect(errorOf(outcome)).toContain(
      'Error: Refusing to package stage "prod": Invalid configuration: RULES_JSON: Invalid rule set: ' +
        'rule (id "r"): type "nope" is unknown',
    );
  });

  it('refuses JWT_AUDIENCE without JWT_ISSUER, which would trust the pool under audiences it never issues', async () => {
    const outcome = await packageStage('prod', { JWT_AUDIENCE: 'web' });

    expect(outcome.code).not.toBe(0);
    expect(errorOf(outcome)).toContain(
      'Error: Refusing to package stage "prod" without authentication: JWT_AUDIENCE is set but JWT_ISSUER is not. ' +
        'Deployed stages authenticate every request with a JWT: leave JWT_ISSUER and JWT_AUDIENCE unset to use the ' +
        "stack's own Cognito user pool, or set both",
    );
  });

  it('lets protectData=false make a throwaway stage whose table and pool go with `sls remove`', async () => {
    const { template } = await packagedTemplate('throwaway', {}, ['--param', 'protectData=false']);

    for (const name of ['SubmissionsTableV2', 'SubmissionsTable', 'UserPool']) {
      expect(template.Resources[name]).toMatchObject({
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
      });
    }
    expect(template.Resources.SubmissionsTableV2.Properties.DeletionProtectionEnabled).toBe(false);
    expect(template.Resources.SubmissionsTable.Properties.DeletionProtectionEnabled).toBe(false);
    expect(template.Resources.UserPool.Properties.DeletionProtection).toBe('INACTIVE');
  }, 120_000);

  it('refuses a protectData that is neither true nor false, naming it', async () => {
    const outcome = await packageStage('prod', {}, ['--param', 'protectData=no']);

    expect(outcome.code).not.toBe(0);
    expect(outcome.output).toContain('protectData must be true or false, not "no"');
  });

  it('refuses a stage with an issuer but no audience', async () => {
    const outcome = await packageStage('staging', { JWT_ISSUER: ISSUER, JWT_AUDIENCE: ' , ' });

    expect(outcome.code).not.toBe(0);
    expect(errorOf(outcome)).toContain(
      'Error: Refusing to package stage "staging" without authentication: JWT_AUDIENCE is not set.',
    );
  });

  it('refuses an issuer that is not an https URL', async () => {
    const outcome = await packageStage('prod', {
      JWT_ISSUER: 'http://issuer.example.com',
      JWT_AUDIENCE: 'web',
    });

    expect(outcome.code).not.toBe(0);
    expect(errorOf(outcome)).toContain(
      'Error: Refusing to package stage "prod" without authentication: ' +
        'JWT_ISSUER is not an https URL: http://issuer.example.com. Deployed stages',
    );
  });

  it('refuses to package the local stage, whose callers are one fixed owner', async () => {
    const outcome = await packageStage('local', { JWT_ISSUER: ISSUER, JWT_AUDIENCE: 'web' });

    expect(outcome.code).not.toBe(0);
    expect(errorOf(outcome)).toContain(
      'Error: Stage "local" runs AUTH_MODE=dev, which is for `npm start` only and cannot be packaged or deployed.',
    );
  });

  it('refuses CORS_ORIGINS=* on a deployed stage', async () => {
    const outcome = await packageStage('prod', {
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: 'web',
      CORS_ORIGINS: '*',
    });

    expect(outcome.code).not.toBe(0);
    expect(errorOf(outcome)).toContain(
      'Error: Stage "prod" would let any website call the API: CORS_ORIGINS must name origins',
    );
  });

  it('refuses throttling limits that are not positive numbers, naming each variable', async () => {
    const outcome = await packageStage('prod', {
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: 'web',
      API_RATE_LIMIT: 'fifty',
      API_BURST_LIMIT: '0',
    });

    expect(outcome.code).not.toBe(0);
    expect(errorOf(outcome)).toContain(
      'Error: Refusing to package stage "prod": API_RATE_LIMIT must be a positive number, not "fifty"; ' +
        'API_BURST_LIMIT must be a positive number, not "0".',
    );
  });

  it('packages with no CORS rules at all when CORS_ORIGINS is unset', async () => {
    const target = join(directory, 'no-cors');
    const outcome = await serverless(['package', '--stage', 'prod', '--package', target], {
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: 'web',
    });
    const template = JSON.parse(
      await readFile(join(target, 'cloudformation-template-update-stack.json'), 'utf8'),
    );

    expect(outcome.code, outcome.output).toBe(0);
    expect(outcome.output).toContain('CORS_ORIGINS is empty: the HTTP API allows no cross-origin requests');
    expect(template.Resources.HttpApi.Properties.CorsConfiguration).toBeUndefined();
    // Without API_RATE_LIMIT / API_BURST_LIMIT, the defaults.
    expect(template.Resources.HttpApiStage.Properties.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: 50,
      ThrottlingBurstLimit: 100,
    });
    expect(
      resolveConditionals(template, template.Resources.HttpApiAuthorizerJwt.Properties.JwtConfiguration),
    ).toEqual({
      Issuer: ISSUER,
      Audience: ['web'],
    });
    // A stage that names its own issuer gets no pool.
    expect(condition(template, 'CreateUserPool')).toBe(false);
  }, 120_000);

  it('runs the local stage without a token: dev mode, serverless-offline with noAuth, the page’s origin only', async () => {
    const outcome = await serverless(['print', '--stage', 'local', '--format', 'json'], {
      HTTP_PORT: '3100',
    });
    const config = JSON.parse(outcome.stdout);

    expect(config.provider.environment.AUTH_MODE).toBe('dev');
    expect(config.custom['serverless-offline'].noAuth).toBe(true);
    expect(config.provider.httpApi.cors.allowedOrigins).toEqual([
      'http://localhost:3100',
      'http://127.0.0.1:3100',
    ]);
  });
});
