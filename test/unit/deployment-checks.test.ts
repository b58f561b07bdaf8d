import { describe, expect, it } from 'vitest';
import {
  activeIndexShards,
  dataProtection,
  invalidRuleSet,
  mistimedDeployment,
  plainTextSecrets,
  shardDecrease,
  trustStackUserPool,
  unauthenticatedDeployment,
  withoutUnsetSettings,
} from '../../workbench/local/deployment-checks';

/** The authorizer's issuer as serverless.yml writes it, with JWT_ISSUER resolved to `issuer`. */
const issuerUrl = (issuer: string) => ({
  'Fn::If': ['CreateUserPool', { 'Fn::Join': ['', ['https://cognito-idp.', '…']] }, issuer],
});
const provider = (issuer: string, audience: string[]) => ({
  environment: { AUTH_MODE: 'jwt' },
  httpApi: { authorizers: { jwt: { type: 'jwt', issuerUrl: issuerUrl(issuer), audience } } },
});

describe('unauthenticatedDeployment and trustStackUserPool', () => {
  it('lets a stage without JWT_ISSUER and JWT_AUDIENCE trust the stack pool, whose client becomes the audience', () => {
    // Prepare
    const settings = provider('', []);

    // Act
    const refusal = unauthenticatedDeployment('dev', settings);
    const trusted = trustStackUserPool(settings);

    // Assess
    expect(refusal).toBeUndefined();
    expect(trusted).toBe(true);
    expect(settings.httpApi.authorizers.jwt.audience).toEqual([{ Ref: 'UserPoolClient' }]);
  });

  it('leaves a stage with its own issuer and audiences as it is', () => {
    // Prepare
    const settings = provider('https://issuer.example.com/', ['web']);

    // Act
    const refusal = unauthenticatedDeployment('dev', settings);
    const trusted = trustStackUserPool(settings);

    // Assess
    expect(refusal).toBeUndefined();
    expect(trusted).toBe(false);
    expect(settings.httpApi.authorizers.jwt.audience).toEqual(['web']);
  });

  it.each([
    { issuer: '', audience: ['web'], problem: 'JWT_AUDIENCE is set but JWT_ISSUER is not' },
    { issuer: 'https://issuer.example.com/', audience: [], problem: 'JWT_AUDIENCE is not set' },
    { issuer: 'http://issuer.example.com/', audience: ['web'], problem: 'JWT_ISSUER is not an https URL' },
  ])('refuses issuer "$issuer" with audiences $audience: $problem', ({ issuer, audience, problem }) => {
    // Act
    const refusal = unauthenticatedDeployment('prod', provider(issuer, audience));

    // Assess
    expect(refusal).toContain(`Refusing to package stage "prod" without authentication: ${problem}`);
  });
});

describe('plainTextSecrets', () => {
  it('names every environment that carries CURSOR_SECRET', () => {
    // Act
    const refusal = plainTextSecrets('prod', {
      'the provider': { AUTH_MODE: 'jwt' },
      'function api': { CURSOR_SECRET: 'x'.repeat(32) },
      'function ui': { CURSOR_SECRET: '' },
      'function worker': undefined,
    });

    // Assess
    expect(refusal).toContain(
      'Refusing to package stage "prod": CURSOR_SECRET is set in the environment of function api,',
    );
    expect(refusal).not.toContain('function ui');
  });

  it('accepts environments that name the secret only by its ARN', () => {
    expect(
      plainTextSecrets('prod', { 'function api': { CURSOR_SECRET_ARN: { Ref: 'CursorSecret' } } }),
    ).toBeUndefined();
  });
});

describe('dataProtection', () => {
  it.each([
    [true, 'deletionPolicy', 'Retain'],
    ['true', 'deletionProtectionEnabled', true],
    [true, 'cognitoDeletionProtection', 'ACTIVE'],
    [false, 'deletionPolicy', 'Delete'],
    ['false', 'deletionProtectionEnabled', false],
    ['false', 'cognitoDeletionProtection', 'INACTIVE'],
  ])('turns protectData=%s into %s %s', (protectData, setting, expected) => {
    expect(dataProtection(protectData, setting)).toBe(expected);
  });

  it('names a protectData that is neither true nor false, and an unknown setting', () => {
    expect(dataProtection('yes', 'deletionPolicy')).toEqual(
      new Error('protectData must be true or false, not "yes"'),
    );
    expect(String(dataProtection(true, 'deletion'))).toContain('the settings are deletionPolicy,');
  });
});

describe('withoutUnsetSettings', () => {
  it("leaves out what the deployer did not set (''), so the schema's default applies", () => {
    expect(
      withoutUnsetSettings({ MAX_ATTEMPTS: '', LOG_LEVEL: 'DEBUG', QUEUE_URL: { Ref: 'Queue' } }),
    ).toEqual({
      LOG_LEVEL: 'DEBUG',
      QUEUE_URL: { Ref: 'Queue' },
    });
  });
});

describe('mistimedDeployment', () => {
  const told = { WORKER_TIMEOUT_SECONDS: '30', QUEUE_VISIBILITY_TIMEOUT_SECONDS: '180' };

  it('accepts the defaults, and functions that are not told the timeouts', () => {
    expect(mistimedDeployment('prod', { worker: told, api: { STUCK_AFTER_MS: '1' } })).toBeUndefined();
  });

  it('refuses a visibility timeout under 6 times the worker timeout, naming both', () => {
    expect(
      mistimedDeployment('prod', { worker: { ...told, QUEUE_VISIBILITY_TIMEOUT_SECONDS: '60' } }),
    ).toContain(
      "QUEUE_VISIBILITY_TIMEOUT_SECONDS: 60 must be at least 6 times the worker's timeout, WORKER_TIMEOUT_SECONDS=30",
    );
  });

  it('names a setting that is not a number', () => {
    expect(mistimedDeployment('prod', { worker: { ...told, STUCK_AFTER_MS: 'soon' } })).toContain(
      'STUCK_AFTER_MS: must be a number',
    );
  });
});

describe('shardDecrease and activeIndexShards', () => {
  it('reads ACTIVE_INDEX_SHARDS as the functions will: the schema default when unset', () => {
    expect(activeIndexShards({})).toBe(4);
    expect(activeIndexShards({ ACTIVE_INDEX_SHARDS: '8' })).toBe(8);
  });

  it('lets a new stack, the same count and a raise through', () => {
    expect(shardDecrease('prod', undefined, 4)).toBeUndefined();
    expect(shardDecrease('prod', '4', 4)).toBeUndefined();
    expect(shardDecrease('prod', '4', 8)).toBeUndefined();
  });

  it('refuses a decrease, naming the shards the reaper would stop reading', () => {
    expect(shardDecrease('prod', '8', 4)).toBe(
      'Refusing to deploy stage "prod": ACTIVE_INDEX_SHARDS would drop from 8 to 4, and the reaper would ' +
        'never again see the submissions in shards 4–7. Keep it at 8 or more.',
    );
  });
});

describe('invalidRuleSet', () => {
  const worker = { WORKER_TIMEOUT_SECONDS: '30' };
  const document = (type: string) =>
    JSON.stringify({ id: 'x', version: 1, rule: { id: 'r', type, params: {} } });

  it("refuses the worker's rule set with the loader's message", () => {
    expect(invalidRuleSet('prod', { worker: { ...worker, RULES_JSON: document('nope') } })).toContain(
      'Refusing to package stage "prod": Invalid configuration: RULES_JSON: Invalid rule set: rule (id "r"): type "nope" is unknown',
    );
  });

  it('accepts a valid one, the default, and rule sets of functions that evaluate none', () => {
    expect(
      invalidRuleSet('prod', { worker: { ...worker, RULES_JSON: document('requireDigit') } }),
    ).toBeUndefined();
    expect(invalidRuleSet('prod', { worker })).toBeUndefined();
    expect(invalidRuleSet('prod', { api: { RULES_JSON: document('nope') } })).toBeUndefined();
  });
});
