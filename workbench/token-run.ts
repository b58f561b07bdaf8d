import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  InitiateAuthCommand,
  type InitiateAuthCommandOutput,
  paginateListUserPoolClients,
  paginateListUserPools,
} from '@aws-sdk/client-cognito-identity-provider';
import { SERVICE } from '../src/config/stages';
import { type CommandLineIo, commandOrExit, EXIT, UsageError } from './command-line';

/** The user signed in when neither --user nor TOKEN_USER names one. */
export const DEFAULT_USER = 'smoke@example.com';
/** serverless.yml's region when neither --region nor the environment names one. */
export const DEFAULT_REGION = 'us-east-1';

/** The names serverless.yml gives a stage's user pool and public app client. */
export const userPoolName = (stage: string) => `${SERVICE}-${stage}-users`;
export const appClientName = (stage: string) => `${SERVICE}-${stage}-web`;

export const USAGE = `Usage: npm run -s token -- --stage <stage> [options]

Prints an access token for the stage's HTTP API on standard output, alone:

  TOKEN=$(npm run -s token -- --stage dev)
  curl -H "Authorization: Bearer $TOKEN" …

(-s keeps npm's own header lines off standard output.) Everything else goes to
standard error. Finds the stage's Cognito user pool (submissions-<stage>-users)
and app client (submissions-<stage>-web) by name, creates the user if it does not
exist yet (email verified, no email sent), signs in with USER_PASSWORD_AUTH and
prints the access token.

Options:
  --stage <stage>        the deployed stage (required)
  --region <region>      its AWS region (default: the region of --user-pool-id,
                         else AWS_REGION, else AWS_DEFAULT_REGION, else ${DEFAULT_REGION})
  --user <email>         who signs in (default TOKEN_USER, else ${DEFAULT_USER})
  --password <password>  the user's password (default TOKEN_PASSWORD; prefer the variable,
                         the command line shows in the process list and shell history).
                         A new user without one gets a generated password, printed once on
                         standard error: keep it, signing in again needs it.
  --user-pool-id <id>    use this user pool, no lookup by name (a stage with a pool of its own)
  --client-id <id>       use this app client (public, USER_PASSWORD_AUTH), no lookup by name
  -h, --help             this text

AWS credentials come from the SDK's usual chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, …);
they need cognito-idp:ListUserPools, ListUserPoolClients, DescribeUserPoolClient,
AdminGetUser, AdminCreateUser, AdminSetUserPassword and AdminDeleteUser. The SDK's
AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER (or AWS_ENDPOINT_URL) points it at another
Cognito, an emulator say.

Exit status: 0 token printed, 1 failed or refused, 2 usage error.`;

/** A failure already worded for the person at the terminal: exit 1 with this message. */
export class TokenError extends Error {
  override name = 'TokenError';
}

export interface TokenOptions {
  stage: string;
  region: string;
  user: string;
  /** Undefined: none given (a new user then gets a generated one). */
  password?: string;
  userPoolId?: string;
  clientId?: string;
}

export type TokenCommand = { command: 'help' } | { command: 'token'; options: TokenOptions };

/** A serverless stage name: letters, digits and hyphens (as `npm run ops` takes it). */
const stageName = /^[A-Za-z0-9-]+$/;
/** The pool signs users in by email (UsernameAttributes: [email]). */
const emailAddress = /^[^\s@]+@[^\s@]+$/;
/** Cognito's own patterns for a user pool id (`us-east-1_AbC123`) and an app client id. */
const userPoolIdPattern = /^[\w-]+_[0-9a-zA-Z]+$/;
const clientIdPattern = /^[\w+]{1,128}$/;
const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/**
 * Parses `npm run token -- --stage <stage> [options]`, filling the defaults from
 * `env` (TOKEN_USER, TOKEN_PASSWORD, AWS_REGION, AWS_DEFAULT_REGION); throws
 * UsageError for anything it does not know.
 */
export function parseTokenArgs(argv: readonly string[], env: NodeJS.ProcessEnv): TokenCommand {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { command: 'help' };

  const { stage } = values;
  if (stage === undefined) throw new UsageError('--stage is required.');
  if (!stageName.test(stage)) throw new UsageError(`Stage '${stage}' is not a stage name.`);

  const user = values.user ?? nonEmpty(env.TOKEN_USER) ?? DEFAULT_USER;
  if (!emailAddress.test(user)) {
    const source = values.user === undefined ? 'TOKEN_USER' : '--user';
    throw new UsageError(
      `${source} must be an email address (the pool signs users in by email), got '${user}'.`,
    );
  }
  if (values.password === '') throw new UsageError('--password is empty.');
  const password = values.password ?? nonEmpty(env.TOKEN_PASSWORD);

  const userPoolId = values['user-pool-id'];
  if (userPoolId !== undefined && !userPoolIdPattern.test(userPoolId)) {
    throw new UsageError(`'${userPoolId}' is not a user pool id (like us-east-1_AbC123).`);
  }
  const clientId = values['client-id'];
  if (clientId !== undefined && !clientIdPattern.test(clientId)) {
    throw new UsageError(`'${clientId}' is not an app client id.`);
  }
  if (values.region !== undefined && !regionPattern.test(values.region)) {
    throw new UsageError(`'${values.region}' is not an AWS region (like eu-west-1).`);
  }
  const region =
    values.region ??
    regionOfUserPool(userPoolId) ??
    nonEmpty(env.AWS_REGION) ??
    nonEmpty(env.AWS_DEFAULT_REGION) ??
    DEFAULT_REGION;

  return {
    command: 'token',
    options: {
      stage,
      region,
      user,
      ...(password === undefined ? {} : { password }),
      ...(userPoolId === undefined ? {} : { userPoolId }),
      ...(clientId === undefined ? {} : { clientId }),
    },
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      stage: { type: 'string' },
      region: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      'user-pool-id': { type: 'string' },
      'client-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** A pool id starts with its region (`eu-west-1_AbC123`); an emulator's (`local_…`) does not name one. */
function regionOfUserPool(userPoolId: string | undefined): string | undefined {
  const prefix = userPoolId?.slice(0, userPoolId.lastIndexOf('_'));
  return prefix !== undefined && regionPattern.test(prefix) ? prefix : undefined;
}

const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
/** In Cognito's symbol set, quiet in a shell between single quotes, and no leading '-' (parseArgs would take it for an option). */
const SYMBOLS = '_.+=:,%^';

/**
 * A password for a new user that satisfies Cognito's default policy (at least
 * 8 characters, with an upper- and a lower-case letter, a digit and a symbol):
 * 20 characters, one of each class, starting with a letter, from a CSPRNG.
 */
export function generatePassword(length = 20): string {
  const pick = (from: string) => from[randomInt(from.length)]!;
  const chars = [pick(UPPER), pick(LOWER), pick(DIGITS), pick(SYMBOLS)];
  const all = UPPER + LOWER + DIGITS + SYMBOLS;
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  const letter = chars.findIndex((char) => (UPPER + LOWER).includes(char));
  [chars[0], chars[letter]] = [chars[letter]!, chars[0]!];
  return chars.join('');
}

/**
 * `npm run token -- …`, callable in-process: returns the exit status
 * (0 token printed, 1 failed or refused, 2 usage error) instead of exiting.
 */
export async function runToken(argv: readonly string[], io: CommandLineIo): Promise<number> {
  const command = commandOrExit(() => parseTokenArgs(argv, io.env), USAGE, io);
  if (typeof command === 'number') return command;
  const { options } = command;
  const cognito = new CognitoIdentityProviderClient({ region: options.region });
  try {
    io.out(await accessToken(cognito, options, io.err));
    return EXIT.ok;
  } catch (error) {
    io.err(`error: ${describeFailure(error, options, io.env)}`);
    return EXIT.failed;
  } finally {
    cognito.destroy();
  }
}

/** Finds the pool and client, makes sure the user exists, signs in; returns the access token. */
async function accessToken(
  cognito: CognitoIdentityProviderClient,
  options: TokenOptions,
  log: (text: string) => void,
): Promise<string> {
  const userPoolId = options.userPoolId ?? (await userPoolOfStage(cognito, options));
  const clientId = options.clientId
    ? await checkedClient(cognito, userPoolId, options.clientId, options)
    : await appClientOfStage(cognito, userPoolId, options);
  log(`stage ${options.stage}: user pool ${userPoolId}, app client ${clientId} (${options.region})`);
  const password = await ensureUser(cognito, userPoolId, options, log);
  return signIn(cognito, clientId, userPoolId, options.user, password, options);
}

async function userPoolOfStage(cognito: CognitoIdentityProviderClient, options: TokenOptions) {
  const name = userPoolName(options.stage);
  const ids: string[] = [];
  for await (const page of paginateListUserPools({ client: cognito }, { MaxResults: 60 })) {
    for (const pool of page.UserPools ?? []) if (pool.Name === name && pool.Id) ids.push(pool.Id);
  }
  if (ids.length === 0) {
    throw new TokenError(
      `no user pool named ${name} in ${options.region}, so none for stage ${options.stage}. ` +
        `The stage may not be deployed; or it names its own JWT_ISSUER and so has no pool of this ` +
        `project (pass --user-pool-id and --client-id of its own); or it lives in another region (--region).`,
    );
  }
  if (ids.length > 1) {
    throw new TokenError(
      `${ids.length} user pools are named ${name} in ${options.region} (${ids.join(', ')}); ` +
        'pass the right one with --user-pool-id.',
    );
  }
  return ids[0]!;
}

async function appClientOfStage(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  options: TokenOptions,
) {
  const name = appClientName(options.stage);
  const clients: { id?: string; name?: string }[] = [];
  try {
    for await (const page of paginateListUserPoolClients(
      { client: cognito },
      { UserPoolId: userPoolId, MaxResults: 60 },
    )) {
      for (const client of page.UserPoolClients ?? []) {
        clients.push({ id: client.ClientId, name: client.ClientName });
      }
    }
  } catch (error) {
    throw noSuchPool(error, userPoolId, options);
  }
  const ids = clients.filter((client) => client.name === name && client.id).map((client) => client.id!);
  if (ids.length === 1) return ids[0]!;
  const others = clients.map((client) => client.name).join(', ');
  throw new TokenError(
    ids.length === 0
      ? `user pool ${userPoolId} has no app client named ${name} (it has: ${others || 'none'}); pass --client-id.`
      : `user pool ${userPoolId} has ${ids.length} app clients named ${name} (${ids.join(', ')}); pass --client-id.`,
  );
}

/** A --client-id of another pool would sign in elsewhere than where the user was made: refused up front. */
async function checkedClient(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  clientId: string,
  options: TokenOptions,
) {
  try {
    await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }));
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw error;
    throw new TokenError(
      `app client ${clientId} is not a client of user pool ${userPoolId} in ${options.region} ` +
        '(or the pool does not exist there).',
    );
  }
  return clientId;
}

function noSuchPool(error: unknown, userPoolId: string, options: TokenOptions) {
  if (errorName(error) !== 'ResourceNotFoundException') return error;
  return new TokenError(`there is no user pool ${userPoolId} in ${options.region} (--region?).`);
}

/** Creates the user if it is missing; returns the password to sign in with. */
async function ensureUser(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  options: TokenOptions,
  log: (text: string) => void,
): Promise<string> {
  const { user } = options;
  if (await userExists(cognito, userPoolId, user, options)) {
    if (options.password === undefined) throw passwordNeeded(userPoolId, options);
    log(`user ${user} exists: signing in`);
    return options.password;
  }
  const password = options.password ?? generatePassword();
  try {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: user,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: user },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
  } catch (error) {
    if (errorName(error) !== 'UsernameExistsException') throw error;
    // Made by someone else between AdminGetUser and here.
    if (options.password === undefined) throw passwordNeeded(userPoolId, options);
    return options.password;
  }
  try {
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: user,
        Password: password,
        Permanent: true,
      }),
    );
  } catch (error) {
    // A user left with a temporary password nobody knows could not sign in: undone.
    const undone = await cognito
      .send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: user }))
      .then(
        () => `user ${user} was not created`,
        (deleteError: unknown) =>
          `user ${user} was created without a usable password and could not be deleted again ` +
          `(${describeFailure(deleteError, options, {})}); delete it or set its password by hand`,
      );
    if (errorName(error) === 'InvalidPasswordException') {
      throw new TokenError(
        `the password does not satisfy the pool's password policy (${errorMessage(error)}); ${undone}.`,
      );
    }
    throw new TokenError(
      `setting the password of ${user} failed: ${describeFailure(error, options, {})}; ${undone}.`,
    );
  }
  if (options.password === undefined) {
    log(
      `created user ${user} in user pool ${userPoolId} with the generated password\n\n` +
        `  ${password}\n\n` +
        `Keep it: it is not shown again, and signing in as ${user} later needs it ` +
        '(--password or TOKEN_PASSWORD).',
    );
  } else {
    log(`created user ${user} in user pool ${userPoolId} with the given password`);
  }
  return password;
}

async function userExists(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  user: string,
  options: TokenOptions,
) {
  try {
    await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: user }));
    return true;
  } catch (error) {
    if (errorName(error) === 'UserNotFoundException') return false;
    throw noSuchPool(error, userPoolId, options);
  }
}

function passwordNeeded(userPoolId: string, options: TokenOptions) {
  return new TokenError(
    `user ${options.user} exists in user pool ${userPoolId}; its password is needed: --password or TOKEN_PASSWORD. ` +
      `Lost it? Set a new one: aws cognito-idp admin-set-user-password --region ${options.region} ` +
      `--user-pool-id ${userPoolId} --username ${options.user} --password '<new>' --permanent`,
  );
}

async function signIn(
  cognito: CognitoIdentityProviderClient,
  clientId: string,
  userPoolId: string,
  user: string,
  password: string,
  options: TokenOptions,
): Promise<string> {
  let answer: InitiateAuthCommandOutput;
  try {
    answer = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: clientId,
        AuthParameters: { USERNAME: user, PASSWORD: password },
      }),
    );
  } catch (error) {
    throw signInRefused(error, clientId, user);
  }
  if (answer.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
    throw new TokenError(
      `user ${user} still has a temporary password (Cognito asks for NEW_PASSWORD_REQUIRED). Give it a ` +
        `permanent one: aws cognito-idp admin-set-user-password --region ${options.region} ` +
        `--user-pool-id ${userPoolId} --username ${user} --password '<new>' --permanent; then run this with it.`,
    );
  }
  if (answer.ChallengeName) {
    throw new TokenError(
      `signing in as ${user} asks for the challenge ${answer.ChallengeName} (multi-factor?), ` +
        'which this command does not answer.',
    );
  }
  const token = answer.AuthenticationResult?.AccessToken;
  if (!token) throw new TokenError(`signing in as ${user} returned no access token.`);
  return token;
}

/** InitiateAuth's refusals in words. */
function signInRefused(error: unknown, clientId: string, user: string) {
  const name = errorName(error);
  const message = errorMessage(error);
  if (name === 'NotAuthorizedException') {
    if (/secret/i.test(message)) {
      return new TokenError(
        `app client ${clientId} has a client secret; this command signs in through a public client: ${message}`,
      );
    }
    if (/disabled|attempts exceeded/i.test(message))
      return new TokenError(`signing in as ${user} refused: ${message}`);
    return new TokenError(`wrong password for ${user}`);
  }
  // cognito-local answers a wrong password with InvalidPasswordException (AWS: NotAuthorizedException).
  if (name === 'InvalidPasswordException') return new TokenError(`wrong password for ${user}`);
  if (name === 'InvalidParameterException' && /USER_PASSWORD_AUTH/.test(message)) {
    return new TokenError(
      `app client ${clientId} does not allow USER_PASSWORD_AUTH (its ExplicitAuthFlows): ${message}`,
    );
  }
  if (name === 'UserNotConfirmedException' || name === 'PasswordResetRequiredException') {
    return new TokenError(`signing in as ${user} refused (${name}): ${message}`);
  }
  return error;
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : undefined);
const errorMessage = (error: unknown) =>
  error instanceof Error ? error.message || error.name : String(error);

/** Any failure in words, for `error: …` on standard error. */
export function describeFailure(
  error: unknown,
  options: Pick<TokenOptions, 'region'>,
  env: NodeJS.ProcessEnv,
) {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof TokenError) return error.message;
  const message = errorMessage(error);
  if (error.name === 'CredentialsProviderError') {
    return (
      `no AWS credentials (${message}). Sign in first (aws sso login, with AWS_PROFILE set) ` +
      'or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.'
    );
  }
  if (/AccessDenied/.test(error.name)) {
    return (
      `access denied: ${message}. The credentials need cognito-idp:ListUserPools, ListUserPoolClients, ` +
      'DescribeUserPoolClient, AdminGetUser, AdminCreateUser, AdminSetUserPassword and AdminDeleteUser.'
    );
  }
  if (/^(UnrecognizedClient|InvalidSignature|ExpiredToken|InvalidClientTokenId)/.test(error.name)) {
    return `AWS refused the credentials (${error.name}): ${message}. Sign in again or check AWS_PROFILE.`;
  }
  const code = (error as { code?: unknown }).code;
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT/.test(`${String(code)} ${message}`)) {
    const endpoint =
      nonEmpty(env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER) ??
      nonEmpty(env.AWS_ENDPOINT_URL) ??
      `cognito-idp.${options.region}.amazonaws.com`;
    return `cannot reach Cognito at ${endpoint}: ${String(code ?? message)}`;
  }
  return error.name && error.name !== 'Error' ? `${error.name}: ${message}` : message;
}
