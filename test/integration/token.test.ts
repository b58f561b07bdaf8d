import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, projectRoot } from '../../workbench/local/stack';
import { type Finished, runToExit } from '../helpers/run-to-exit';

/**
 * `npm run token` against cognito-local (an in-process Cognito emulator from npm) with the
 * pool and client serverless.yml gives a stage. cognito-local answers every call the command
 * makes (ListUserPools, ListUserPoolClients, DescribeUserPoolClient, AdminGetUser,
 * AdminCreateUser, AdminSetUserPassword, InitiateAuth USER_PASSWORD_AUTH); what it does not do
 * is IAM, so AccessDenied is only worded in the unit test. Two of its answers differ from AWS:
 * a wrong password is InvalidPasswordException (AWS: NotAuthorizedException), and a user with a
 * temporary password gets NEW_PASSWORD_REQUIRED whatever password it gives (AWS checks it first).
 */

const STAGE = 'tokentest';
/** serverless.yml's ExplicitAuthFlows for the public web client. */
const AUTH_FLOWS = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'] as const;

interface CognitoLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts cognito-local's own bin on a free port of 127.0.0.1, its `.cognito/` data in a new temporary directory. */
async function startCognitoLocal(): Promise<CognitoLocal> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'cognito-local-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [join(projectRoot, 'node_modules', 'cognito-local', 'lib', 'bin', 'start.js')],
    {
      // cognito-local keeps its data in `.cognito/` under its working directory.
      cwd: dataDir,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const output: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const onLine = (line: string) => {
        output.push(line);
        if (line.includes(`Cognito Local running on http://127.0.0.1:${port}`)) resolve();
      };
      createInterface({ input: child.stdout! }).on('line', onLine);
      createInterface({ input: child.stderr! }).on('line', onLine);
      child.once('exit', (code) =>
        reject(new Error(`cognito-local exited with ${code}:\n${output.join('\n')}`)),
      );
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint: `http://127.0.0.1:${port}`, stop };
}

/** Decodes a JWT's payload (no signature check: cognito-local signs with its own key). */
function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** The one line on stdout, checked to be a JWT (three dot-separated base64url parts) and nothing else. */
function tokenOf(run: Finished): string {
  expect(run, run.stderr).toMatchObject({ code: 0 });
  expect(run.stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
  return run.stdout.trimEnd();
}

/** The password the command generated, as it prints it on stderr. */
function generatedPassword(stderr: string): string {
  const match = /with the generated password\n\n {2}(\S+)\n\nKeep it/.exec(stderr);
  expect(match, stderr).not.toBeNull();
  return match![1]!;
}

describe('npm run token against cognito-local', () => {
  let cognitoLocal: CognitoLocal | undefined;
  let cognito: CognitoIdentityProviderClient;
  let userPoolId: string;
  let clientId: string;

  async function createPool(poolName: string, clientName: string) {
    const pool = await cognito.send(
      new CreateUserPoolCommand({ PoolName: poolName, UsernameAttributes: ['email'] }),
    );
    const client = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool.UserPool!.Id!,
        ClientName: clientName,
        GenerateSecret: false,
        ExplicitAuthFlows: [...AUTH_FLOWS],
      }),
    );
    return { userPoolId: pool.UserPool!.Id!, clientId: client.UserPoolClient!.ClientId! };
  }

  beforeAll(async () => {
    cognitoLocal = await startCognitoLocal();
    cognito = new CognitoIdentityProviderClient({
      region: 'us-east-1',
      endpoint: cognitoLocal.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    // Another stage's pool and client first: a lookup that took the first pool or client would pick these.
    await createPool('submissions-tokentestother-users', 'submissions-tokentestother-web');
    ({ userPoolId, clientId } = await createPool(`submissions-${STAGE}-users`, `submissions-${STAGE}-web`));
  });

  afterAll(async () => {
    cognito?.destroy();
    await cognitoLocal?.stop();
  });

  /** Runs the real CLI as a child process, pointed at cognito-local by the SDK's own endpoint variable. */
  function token(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
    return runToExit(process.execPath, ['--import', 'tsx', 'workbench/token.ts', ...args], {
      env: {
        ...process.env,
        // Whatever the developer's shell holds must not reach the command.
        TOKEN_USER: undefined,
        TOKEN_PASSWORD: undefined,
        AWS_PROFILE: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_ENDPOINT_URL: undefined,
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognitoLocal!.endpoint,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_REGION: 'us-east-1',
        ...env,
      },
    });
  }

  it('creates a new user with a generated password, printed once, that signs in again', async () => {
    // Arrange
    const user = 'new-user@example.com';

    // Act
    const first = await token(['--stage', STAGE, '--user', user]);

    // Assess
    const payload = payloadOf(tokenOf(first));
    expect(payload).toMatchObject({ token_use: 'access', client_id: clientId, sub: expect.any(String) });
    expect(payload.iss).toMatch(new RegExp(`/${userPoolId}$`));
    const password = generatedPassword(first.stderr);
    expect(password).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[^A-Za-z0-9]).{8,}$/);
    expect(first.stderr.split(password)).toHaveLength(2);
    const stored = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: user }));
    expect(stored.UserStatus).toBe('CONFIRMED');
    expect(stored.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'email', Value: user },
        { Name: 'email_verified', Value: 'true' },
      ]),
    );

    // Act: the printed password, through the environment
    const second = await token(['--stage', STAGE, '--user', user], { TOKEN_PASSWORD: password });

    // Assess
    expect(payloadOf(tokenOf(second)).sub).toBe(payload.sub);
    expect(second.stderr).not.toContain(password);
  });

  it('signs an existing user in with the right password: the same sub', async () => {
    // Arrange: made by a first run with a given password (TOKEN_USER names the user)
    const env = { TOKEN_USER: 'existing@example.com' };
    const made = await token(['--stage', STAGE, '--password', 'Given-Passw0rd!'], env);
    const sub = payloadOf(tokenOf(made)).sub;
    expect(made.stderr).toContain('created user existing@example.com');
    expect(made.stderr).not.toContain('Given-Passw0rd!');

    // Act
    const again = await token(['--stage', STAGE, '--password', 'Given-Passw0rd!'], env);

    // Assess
    const payload = payloadOf(tokenOf(again));
    expect(payload).toMatchObject({ sub, client_id: clientId });
    expect(again.stderr).toContain('user existing@example.com exists: signing in');
  });

  it('refuses a wrong password: exit 1, nothing on stdout', async () => {
    // Arrange
    const user = 'wrong-password@example.com';
    tokenOf(await token(['--stage', STAGE, '--user', user, '--password', 'Right-Passw0rd!']));

    // Act
    const run = await token(['--stage', STAGE, '--user', user, '--password', 'Wrong-Passw0rd!']);

    // Assess
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain(`error: wrong password for ${user}`);
  });

  it('refuses an existing user without a password: exit 1 naming --password and TOKEN_PASSWORD', async () => {
    // Arrange
    const user = 'no-password@example.com';
    tokenOf(await token(['--stage', STAGE, '--user', user]));

    // Act
    const run = await token(['--stage', STAGE, '--user', user]);

    // Assess
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain(
      `error: user ${user} exists in user pool ${userPoolId}; its password is needed: --password or TOKEN_PASSWORD.`,
    );
    expect(run.stderr).not.toContain('generated password');
  });

  it('says a user with only a temporary password must get a permanent one', async () => {
    // Arrange: made elsewhere (a console, say) with a temporary password
    const user = 'temporary@example.com';
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: user,
        TemporaryPassword: 'Temp-Passw0rd!',
        MessageAction: 'SUPPRESS',
      }),
    );

    // Act
    const run = await token(['--stage', STAGE, '--user', user, '--password', 'Temp-Passw0rd!']);

    // Assess
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(/error: user temporary@example.com still has a temporary password/);
    expect(run.stderr).toContain('admin-set-user-password');
  });

  it('names the stage when it has no pool', async () => {
    // Act
    const run = await token(['--stage', 'notdeployed']);

    // Assess
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain(
      'error: no user pool named submissions-notdeployed-users in us-east-1, so none for stage notdeployed.',
    );
  });

  it('skips the lookup with --user-pool-id and --client-id (a pool with names of its own)', async () => {
    // Arrange: names the lookup would never find
    const own = await createPool('their-own-pool', 'their-own-client');

    // Act
    const run = await token([
      '--stage',
      'byo',
      '--user',
      'byo@example.com',
      '--password',
      'Byo-Passw0rd!',
      '--user-pool-id',
      own.userPoolId,
      '--client-id',
      own.clientId,
    ]);

    // Assess
    const payload = payloadOf(tokenOf(run));
    expect(payload.client_id).toBe(own.clientId);
    expect(payload.iss).toMatch(new RegExp(`/${own.userPoolId}$`));
  });

  it('refuses a --client-id of another pool', async () => {
    // Act
    const run = await token(['--stage', STAGE, '--client-id', clientId, '--user-pool-id', 'local_0ther']);

    // Assess
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain(`error: app client ${clientId} is not a client of user pool local_0ther`);
  });

  it('says so when there are no AWS credentials', async () => {
    // Arrange: an empty credential chain (no keys, profile files or instance metadata)
    const nowhere = join(tmpdir(), 'token-test-no-such-file');
    const env = {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SHARED_CREDENTIALS_FILE: nowhere,
      AWS_CONFIG_FILE: nowhere,
      AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
      AWS_EC2_METADATA_DISABLED: 'true',
    };

    // Act
    const run = await token(['--stage', STAGE], env);

    // Assess
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(/^error: no AWS credentials \(/m);
  });

  it('answers a usage error with exit 2 and the usage text', async () => {
    // Act
    const run = await token(['--stage', STAGE, '--frobnicate']);

    // Assess
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain("error: Unknown option '--frobnicate'");
    expect(run.stderr).toContain('Usage: npm run -s token -- --stage <stage> [options]');
  });
});
