import { CognitoIdentityProviderServiceException } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../workbench/command-line';
import {
  DEFAULT_REGION,
  DEFAULT_USER,
  describeFailure,
  generatePassword,
  parseTokenArgs,
  runToken,
  TokenError,
  USAGE,
} from '../../workbench/token-run';

describe('parseTokenArgs', () => {
  it('needs only --stage: the default user, no password, the default region', () => {
    // Act
    const command = parseTokenArgs(['--stage', 'dev'], {});

    // Assess
    expect(command).toEqual({
      command: 'token',
      options: { stage: 'dev', region: DEFAULT_REGION, user: DEFAULT_USER },
    });
  });

  it('reads every option', () => {
    // Act
    const command = parseTokenArgs(
      [
        '--stage',
        'prod',
        '--region',
        'eu-west-1',
        '--user',
        'me@example.org',
        '--password',
        'Secret-1',
        '--user-pool-id',
        'eu-west-1_AbC123',
        '--client-id',
        '4tq0abcdefghij1234567890kl',
      ],
      {},
    );

    // Assess
    expect(command).toEqual({
      command: 'token',
      options: {
        stage: 'prod',
        region: 'eu-west-1',
        user: 'me@example.org',
        password: 'Secret-1',
        userPoolId: 'eu-west-1_AbC123',
        clientId: '4tq0abcdefghij1234567890kl',
      },
    });
  });

  it('takes user and password from TOKEN_USER and TOKEN_PASSWORD', () => {
    // Act
    const command = parseTokenArgs(['--stage', 'dev'], {
      TOKEN_USER: 'env@example.org',
      TOKEN_PASSWORD: 'From-Env-1',
    });

    // Assess
    expect(command).toMatchObject({ options: { user: 'env@example.org', password: 'From-Env-1' } });
  });

  it('prefers the flags to the environment, and ignores empty variables', () => {
    // Act
    const flags = parseTokenArgs(['--stage', 'dev', '--user', 'flag@example.org', '--password', 'Flag-1'], {
      TOKEN_USER: 'env@example.org',
      TOKEN_PASSWORD: 'From-Env-1',
    });
    const empty = parseTokenArgs(['--stage', 'dev'], { TOKEN_USER: '', TOKEN_PASSWORD: '', AWS_REGION: '' });

    // Assess
    expect(flags).toMatchObject({ options: { user: 'flag@example.org', password: 'Flag-1' } });
    expect(empty).toEqual({
      command: 'token',
      options: { stage: 'dev', region: DEFAULT_REGION, user: DEFAULT_USER },
    });
  });

  it.each([
    { argv: [], env: { AWS_REGION: 'eu-north-1' }, region: 'eu-north-1' },
    { argv: [], env: { AWS_DEFAULT_REGION: 'ap-south-1' }, region: 'ap-south-1' },
    { argv: [], env: { AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'ap-south-1' }, region: 'eu-north-1' },
    { argv: ['--region', 'us-west-2'], env: { AWS_REGION: 'eu-north-1' }, region: 'us-west-2' },
    // The pool id names its region, which beats the environment's…
    {
      argv: ['--user-pool-id', 'eu-central-1_Xy9'],
      env: { AWS_REGION: 'eu-north-1' },
      region: 'eu-central-1',
    },
    // …but not --region; an emulator's pool id names none.
    { argv: ['--user-pool-id', 'eu-central-1_Xy9', '--region', 'us-west-2'], env: {}, region: 'us-west-2' },
    { argv: ['--user-pool-id', 'local_Xy9'], env: { AWS_REGION: 'eu-north-1' }, region: 'eu-north-1' },
  ])('region from $argv and $env: $region', ({ argv, env, region }) => {
    // Act
    const command = parseTokenArgs(['--stage', 'dev', ...argv], env);

    // Assess
    expect(command).toMatchObject({ options: { region } });
  });

  it.each([[['--help']], [['-h']], [['--stage', 'dev', '--help']]])('answers %j with help', (argv) => {
    expect(parseTokenArgs(argv, {})).toEqual({ command: 'help' });
  });

  it.each([
    { argv: [], message: /--stage is required/ },
    { argv: ['--user', 'me@example.org'], message: /--stage is required/ },
    { argv: ['--stage', 'dev', '--verbose'], message: /Unknown option '--verbose'/ },
    { argv: ['--stage', 'dev', 'extra'], message: /extra/ },
    { argv: ['--stage'], message: /--stage/ },
    { argv: ['--stage', 'dev_1'], message: /Stage 'dev_1' is not a stage name/ },
    { argv: ['--stage', 'dev', '--user', 'smoke'], message: /--user must be an email address.*'smoke'/ },
    { argv: ['--stage', 'dev', '--password', ''], message: /--password is empty/ },
    { argv: ['--stage', 'dev', '--region', 'Europe'], message: /'Europe' is not an AWS region/ },
    {
      argv: ['--stage', 'dev', '--user-pool-id', 'nounderscore'],
      message: /'nounderscore' is not a user pool id/,
    },
    { argv: ['--stage', 'dev', '--client-id', 'a/b'], message: /'a\/b' is not an app client id/ },
    { argv: ['--stage', 'dev', '--json'], message: /Unknown option '--json'/ },
  ])('refuses $argv', ({ argv, message }) => {
    // Act
    const parse = () => parseTokenArgs(argv, {});

    // Assess
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });

  it('names TOKEN_USER when that is what is not an email address', () => {
    expect(() => parseTokenArgs(['--stage', 'dev'], { TOKEN_USER: 'smoke' })).toThrow(
      /TOKEN_USER must be an email address/,
    );
  });
});

describe('runToken usage', () => {
  async function run(argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runToken(argv, {
      env: {},
      out: (text) => out.push(text),
      err: (text) => err.push(text),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('answers a usage error with exit 2, the error and the usage text on stderr, nothing on stdout', async () => {
    // Act
    const result = await run(['--user', 'me@example.org']);

    // Assess
    expect(result).toEqual({ code: 2, out: '', err: `error: --stage is required.\n\n${USAGE}` });
  });

  it('prints the usage text on stdout for --help, exit 0', async () => {
    // Act
    const result = await run(['--help']);

    // Assess
    expect(result).toEqual({ code: 0, out: USAGE, err: '' });
  });

  it('documents the defaults it applies', () => {
    expect(USAGE).toContain(`default TOKEN_USER, else ${DEFAULT_USER}`);
    expect(USAGE).toContain(`else ${DEFAULT_REGION}`);
    expect(USAGE).toContain('TOKEN_PASSWORD');
  });
});

describe('generatePassword', () => {
  it("satisfies Cognito's default policy, starts with a letter, and differs every time", () => {
    // Act
    const passwords = Array.from({ length: 200 }, () => generatePassword());

    // Assess
    for (const password of passwords) {
      expect(password).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[^A-Za-z0-9])[A-Za-z].{19}$/);
      // Cognito's symbols, none that a shell reads between single quotes.
      expect(password).toMatch(/^[A-Za-z0-9_.+=:,%^]+$/);
    }
    expect(new Set(passwords).size).toBe(passwords.length);
  });
});

describe('describeFailure', () => {
  const options = { region: 'eu-west-1' };
  const serviceError = (name: string, message: string) =>
    new CognitoIdentityProviderServiceException({ name, message, $fault: 'client', $metadata: {} });

  it('words an AccessDenied with the permissions the command needs', () => {
    // Arrange
    const error = serviceError(
      'AccessDeniedException',
      'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: cognito-idp:ListUserPools',
    );

    // Act
    const message = describeFailure(error, options, {});

    // Assess
    expect(message).toMatch(/^access denied: User: .* cognito-idp:ListUserPools\. The credentials need /);
    expect(message).toContain('AdminCreateUser');
  });

  it('words missing credentials', () => {
    // Arrange: the SDK's own error for an empty credential chain carries this name
    const error = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });

    // Act
    const message = describeFailure(error, options, {});

    // Assess
    expect(message).toMatch(
      /^no AWS credentials \(Could not load credentials from any providers\)\. Sign in/,
    );
  });

  it('names the endpoint it could not reach', () => {
    // Arrange
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

    // Act
    const fromEnv = describeFailure(error, options, {
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:1',
    });
    const aws = describeFailure(error, options, {});

    // Assess
    expect(fromEnv).toBe('cannot reach Cognito at http://127.0.0.1:1: ECONNREFUSED');
    expect(aws).toBe('cannot reach Cognito at cognito-idp.eu-west-1.amazonaws.com: ECONNREFUSED');
  });

  it('passes its own worded failures through, and names other service errors', () => {
    expect(describeFailure(new TokenError('wrong password for a@b.c'), options, {})).toBe(
      'wrong password for a@b.c',
    );
    expect(describeFailure(serviceError('TooManyRequestsException', 'Rate exceeded'), options, {})).toBe(
      'TooManyRequestsException: Rate exceeded',
    );
  });
});
