import { existsSync } from 'node:fs';
import { ConfigError, parseSettings, settingsSchema, timingProblems } from '../../src/config/env';
import { loadConfiguredRuleSet } from '../../src/config/rule-set';
import { PLUGIN_RULE_TYPES } from '../../src/rules/plugins';

/**
 * What `sls package` / `sls deploy` refuse: a stage that would not authenticate
 * its callers, or whose API could not start. Used by the serverless plugin.
 */

export interface JwtAuthorizer {
  type?: string;
  issuerUrl?: unknown;
  audience?: unknown;
}

/** The parts of serverless's resolved `provider` block the checks read. */
export interface ProviderSettings {
  environment?: Record<string, unknown>;
  httpApi?: { authorizers?: Record<string, JwtAuthorizer> };
}

/** `a, b,,c ` → `['a', 'b', 'c']`; unset or blank → `[]`. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

const AUTH_HELP =
  'Deployed stages authenticate every request with a JWT: leave JWT_ISSUER and JWT_AUDIENCE unset ' +
  "to use the stack's own Cognito user pool, or set both (the issuer URL, and the accepted audiences, " +
  'comma-separated) to use your identity provider. See docs/deploying.md, section "Authentication".';

/** The issuer serverless.yml names: `!If [CreateUserPool, <the pool's URL>, <JWT_ISSUER>]`, or a URL. */
function configuredIssuer(issuerUrl: unknown): unknown {
  if (issuerUrl && typeof issuerUrl === 'object' && 'Fn::If' in issuerUrl) {
    const [condition, , otherwise] = (issuerUrl as { 'Fn::If': unknown[] })['Fn::If'];
    if (condition === 'CreateUserPool') return otherwise;
  }
  return issuerUrl;
}

const audiencesOf = (audience: unknown) =>
  // Serverless's schema coercion turns a one-audience list into a string.
  [audience ?? []].flat().filter((entry) => typeof entry === 'string' && entry !== '');

const jwtAuthorizers = (provider: ProviderSettings) =>
  Object.values(provider.httpApi?.authorizers ?? {}).filter(
    (authorizer) => (authorizer.type ?? 'jwt') === 'jwt',
  );

/**
 * Why packaging this configuration would ship an API that is not authenticated,
 * or undefined when it would not: every deployed stage runs AUTH_MODE=jwt behind
 * JWT authorizers that trust either the stack's user pool (JWT_ISSUER and
 * JWT_AUDIENCE both unset) or an https issuer with at least one audience.
 */
export function unauthenticatedDeployment(stage: string, provider: ProviderSettings): string | undefined {
  const authMode = provider.environment?.AUTH_MODE;
  if (authMode !== 'jwt') {
    return (
      `Stage "${stage}" runs AUTH_MODE=${String(authMode)}, which is for \`npm start\` only ` +
      `and cannot be packaged or deployed. ${AUTH_HELP}`
    );
  }
  const jwt = jwtAuthorizers(provider);
  if (jwt.length === 0) return `Stage "${stage}" has no JWT authorizer. ${AUTH_HELP}`;
  const problems = new Set<string>();
  for (const { issuerUrl, audience } of jwt) {
    const issuer = configuredIssuer(issuerUrl);
    const audiences = audiencesOf(audience);
    if (issuer === '' || issuer === undefined) {
      if (audiences.length > 0) problems.add('JWT_AUDIENCE is set but JWT_ISSUER is not');
    } else if (typeof issuer !== 'string' || !issuer.startsWith('https://')) {
      problems.add(`JWT_ISSUER is not an https URL: ${String(issuer)}`);
    } else if (audiences.length === 0) problems.add('JWT_AUDIENCE is not set');
  }
  if (problems.size === 0) return undefined;
  return `Refusing to package stage "${stage}" without authentication: ${[...problems].join(', ')}. ${AUTH_HELP}`;
}

/**
 * Points each JWT authorizer that names no issuer of its own at the stack's user pool: its
 * web client (resources: UserPoolClient) becomes the one audience. The issuer is already
 * the pool's, by serverless.yml's `CreateUserPool` condition. Returns whether any did.
 */
export function trustStackUserPool(provider: ProviderSettings): boolean {
  let trusted = false;
  for (const authorizer of jwtAuthorizers(provider)) {
    const issuer = configuredIssuer(authorizer.issuerUrl);
    if ((issuer === '' || issuer === undefined) && audiencesOf(authorizer.audience).length === 0) {
      authorizer.audience = [{ Ref: 'UserPoolClient' }];
      trusted = true;
    }
  }
  return trusted;
}

/**
 * Why this configuration would put the cursor key in plain text, or undefined: the key
 * lives in Secrets Manager (CURSOR_SECRET_ARN), never in a function's environment.
 */
export function plainTextSecrets(
  stage: string,
  environments: Record<string, Record<string, unknown> | undefined>,
): string | undefined {
  const carriers = Object.entries(environments)
    .filter(([, environment]) => {
      const value = environment?.CURSOR_SECRET;
      return value !== undefined && value !== '';
    })
    .map(([name]) => name);
  if (carriers.length === 0) return undefined;
  return (
    `Refusing to package stage "${stage}": CURSOR_SECRET is set in the environment of ${carriers.join(', ')}, ` +
    'where anyone who can read the function configuration can read it. Deployed stages sign cursors ' +
    "with the stack's generated Secrets Manager secret (CURSOR_SECRET_ARN): unset CURSOR_SECRET."
  );
}

/** The stage's throttling as written into serverless.yml's `HttpApiStage` extension. */
export interface RouteThrottling {
  ThrottlingRateLimit?: unknown;
  ThrottlingBurstLimit?: unknown;
}

/** A limit as a number (an environment variable arrives as a string), or undefined when it is not positive. */
function positiveNumber(value: unknown): number | undefined {
  const number = typeof value === 'number' || typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(number) && number > 0 ? number : undefined;
}

/**
 * The stage's throttling as numbers, or why it cannot be packaged: each limit
 * (API_RATE_LIMIT, API_BURST_LIMIT) must be a positive number.
 */
export function routeThrottling(
  stage: string,
  { ThrottlingRateLimit, ThrottlingBurstLimit }: RouteThrottling,
): { rate: number; burst: number } | { refusal: string } {
  const rate = positiveNumber(ThrottlingRateLimit);
  const burst = positiveNumber(ThrottlingBurstLimit);
  if (rate !== undefined && burst !== undefined) return { rate, burst };
  const problems = [
    rate === undefined &&
      `API_RATE_LIMIT must be a positive number, not ${JSON.stringify(ThrottlingRateLimit)}`,
    burst === undefined &&
      `API_BURST_LIMIT must be a positive number, not ${JSON.stringify(ThrottlingBurstLimit)}`,
  ].filter(Boolean);
  return { refusal: `Refusing to package stage "${stage}": ${problems.join('; ')}.` };
}

/** How params.protectData shows in each deletion setting of the data (serverless.yml: `${dataProtection:<setting>}`). */
const DATA_PROTECTION = {
  deletionPolicy: { on: 'Retain', off: 'Delete' },
  deletionProtectionEnabled: { on: true, off: false },
  cognitoDeletionProtection: { on: 'ACTIVE', off: 'INACTIVE' },
} as const;

/**
 * One deletion setting of the data for params.protectData (true, or false for throwaway
 * stages); an Error that names the problem for any other value or setting.
 */
export function dataProtection(protectData: unknown, setting: string): string | boolean | Error {
  const on = protectData === true || protectData === 'true';
  if (!on && protectData !== false && protectData !== 'false') {
    return new Error(`protectData must be true or false, not ${JSON.stringify(protectData)}`);
  }
  if (!Object.hasOwn(DATA_PROTECTION, setting)) {
    return new Error(
      `\${dataProtection:${setting}}: the settings are ${Object.keys(DATA_PROTECTION).join(', ')}`,
    );
  }
  const values = DATA_PROTECTION[setting as keyof typeof DATA_PROTECTION];
  return on ? values.on : values.off;
}

/**
 * `environment` without the settings the deployer left unset (serverless.yml's `${env:NAME, ''}`),
 * so that each of them takes its default from the config schema, the one place defaults live.
 */
export function withoutUnsetSettings<T>(
  environment: Record<string, T> | undefined,
): Record<string, T> | undefined {
  if (!environment) return environment;
  return Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== ''));
}

const timingSettings = settingsSchema.pick({
  STUCK_AFTER_MS: true,
  ORPHAN_AFTER_MS: true,
  WORKER_TIMEOUT_SECONDS: true,
  QUEUE_VISIBILITY_TIMEOUT_SECONDS: true,
});

/**
 * Why a function of this stage would refuse to start over its timings, or undefined: the
 * cold start's own check (timingProblems), run on each function's environment at package time.
 */
export function mistimedDeployment(
  stage: string,
  environments: Record<string, Record<string, unknown> | undefined>,
): string | undefined {
  const problems = new Set<string>();
  for (const environment of Object.values(environments)) {
    if (environment?.WORKER_TIMEOUT_SECONDS === undefined) continue;
    try {
      const settings = parseSettings(timingSettings, environment as NodeJS.ProcessEnv);
      for (const [setting, problem] of timingProblems(settings)) problems.add(`${setting}: ${problem}`);
    } catch (error) {
      problems.add((error as Error).message);
    }
  }
  if (problems.size === 0) return undefined;
  return `Refusing to package stage "${stage}": ${[...problems].join('; ')}.`;
}

/** The stack output that records ACTIVE_INDEX_SHARDS, so the next deploy can compare. */
export const SHARDS_OUTPUT = 'ActiveIndexShards';

/** ACTIVE_INDEX_SHARDS as the functions will read it: the deployer's value, or the schema's default. */
export function activeIndexShards(environment: Record<string, unknown> | undefined): number {
  return parseSettings(
    settingsSchema.pick({ ACTIVE_INDEX_SHARDS: true }),
    (environment ?? {}) as NodeJS.ProcessEnv,
  ).ACTIVE_INDEX_SHARDS;
}

/**
 * Why deploying `next` shards over a stack deployed with `previous` would strand work, or
 * undefined: the reaper reads only the shards below the current count, so items written to
 * a dropped shard would never be swept again. `previous` is undefined for a new stack.
 */
export function shardDecrease(stage: string, previous: string | undefined, next: number): string | undefined {
  if (previous === undefined || Number(previous) <= next) return undefined;
  return (
    `Refusing to deploy stage "${stage}": ACTIVE_INDEX_SHARDS would drop from ${previous} to ${next}, ` +
    `and the reaper would never again see the submissions in shards ${next}–${Number(previous) - 1}. ` +
    `Keep it at ${previous} or more.`
  );
}

/**
 * Why the worker of this stage would refuse its rule set at cold start, or undefined: the
 * rule set each function that evaluates rules (those told WORKER_TIMEOUT_SECONDS) would load,
 * checked with the same loader and the worker's timeout. A RULES_FILE is checked when it can
 * be read here; one that only exists where the function runs (a layer) is left to the worker.
 */
export function invalidRuleSet(
  stage: string,
  environments: Record<string, Record<string, unknown> | undefined>,
): string | undefined {
  for (const environment of Object.values(environments)) {
    if (environment?.WORKER_TIMEOUT_SECONDS === undefined) continue;
    const text = (name: string) =>
      typeof environment[name] === 'string' ? (environment[name] as string) : undefined;
    const rulesFile = text('RULES_FILE');
    if (rulesFile !== undefined && !existsSync(rulesFile)) continue;
    try {
      loadConfiguredRuleSet(
        {
          RULES_JSON: text('RULES_JSON'),
          RULES_FILE: rulesFile,
          WORKER_TIMEOUT_SECONDS: Number(environment.WORKER_TIMEOUT_SECONDS),
        },
        undefined,
        { ruleTypes: PLUGIN_RULE_TYPES },
      );
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return `Refusing to package stage "${stage}": ${error.message}`;
    }
  }
  return undefined;
}
