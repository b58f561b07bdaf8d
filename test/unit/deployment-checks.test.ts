import { describe, expect, it } from 'vitest';
import {
  dataProtection,
  plainTextSecrets,
  trustStackUserPool,
  unauthenticatedDeployment,
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
