import { describe, expect, it } from 'vitest';
import { ConfigError, cursorSecret, loadConfig } from '../../src/config/env';

const REQUIRED = { TABLE_NAME: 'submissions', QUEUE_URL: 'http://localhost:4566/000000000000/submissions' };

/** Runs loadConfig, which must throw a ConfigError, and returns its message. */
function configErrorMessage(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  return expect.unreachable('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies every default when only TABLE_NAME and QUEUE_URL are set', () => {
    // Act
    const config = loadConfig({ ...REQUIRED });

    // Assess
    expect(config).toEqual({
      ...REQUIRED,
      MAX_CONTENT_BYTES: 65_536,
      MAX_ATTEMPTS: 3,
      RETRY_BACKOFF_MS: 30_000,
      MAX_INTERRUPTIONS: 5,
      STUCK_AFTER_MS: 300_000,
      ORPHAN_AFTER_MS: 240_000,
      PROCESSING_DELAY_MS: 0,
      ACTIVE_INDEX_SHARDS: 4,
      WORKER_CONCURRENCY: 10,
      WORKER_SAFETY_MARGIN_MS: 2_000,
      AUTH_MODE: 'jwt',
      DEFAULT_OWNER: 'anonymous',
      IDEMPOTENCY_TTL_SECONDS: 86_400,
      RETENTION_DAYS: 90,
      POLL_RETRY_AFTER_SECONDS: 1,
      LOG_LEVEL: 'INFO',
      AWS_MAX_ATTEMPTS: 3,
      POWERTOOLS_SERVICE_NAME: 'submissions',
      POWERTOOLS_METRICS_NAMESPACE: 'SubmissionPipeline',
    });
  });

  it.each([
    { value: 'DEBUG', level: 'DEBUG' },
    { value: 'warn', level: 'WARN' },
    { value: 'Error', level: 'ERROR' },
    { value: '', level: 'INFO' },
  ])('reads LOG_LEVEL $value as $level', ({ value, level }) => {
    // Act
    const config = loadConfig({ ...REQUIRED, LOG_LEVEL: value });

    // Assess
    expect(config.LOG_LEVEL).toBe(level);
  });

  it.each(['verbose', 'TRACE', 'SILENT', '3'])(
    'refuses LOG_LEVEL=%s, naming it and the levels it takes',
    (value) => {
      // Act
      const message = configErrorMessage({ ...REQUIRED, LOG_LEVEL: value });

      // Assess
      expect(message).toBe('Invalid configuration: LOG_LEVEL: must be one of DEBUG, INFO, WARN, ERROR');
    },
  );

  it('coerces numeric strings and ignores unrelated variables', () => {
    // Act
    const config = loadConfig({
      ...REQUIRED,
      MAX_ATTEMPTS: '5',
      PROCESSING_DELAY_MS: '5000',
      PATH: '/usr/bin',
    });

    // Assess
    expect(config.MAX_ATTEMPTS).toBe(5);
    expect(config.PROCESSING_DELAY_MS).toBe(5000);
    expect(config).not.toHaveProperty('PATH');
  });

  it.each([
    { variable: 'MAX_ATTEMPTS', env: { ...REQUIRED, MAX_ATTEMPTS: 'zero' } },
    { variable: 'MAX_ATTEMPTS', env: { ...REQUIRED, MAX_ATTEMPTS: '0' } },
    { variable: 'MAX_ATTEMPTS', env: { ...REQUIRED, MAX_ATTEMPTS: '1.5' } },
    { variable: 'QUEUE_URL', env: { ...REQUIRED, QUEUE_URL: 'not a url' } },
    { variable: 'QUEUE_URL', env: { TABLE_NAME: REQUIRED.TABLE_NAME } },
    { variable: 'TABLE_NAME', env: { QUEUE_URL: REQUIRED.QUEUE_URL } },
    { variable: 'TABLE_NAME', env: { ...REQUIRED, TABLE_NAME: '' } },
    { variable: 'MAX_CONTENT_BYTES', env: { ...REQUIRED, MAX_CONTENT_BYTES: '64KiB' } },
    { variable: 'PROCESSING_DELAY_MS', env: { ...REQUIRED, PROCESSING_DELAY_MS: '-1' } },
    { variable: 'ACTIVE_INDEX_SHARDS', env: { ...REQUIRED, ACTIVE_INDEX_SHARDS: '101' } },
    { variable: 'DEFAULT_OWNER', env: { ...REQUIRED, DEFAULT_OWNER: '' } },
  ])('names $variable in the error for $env', ({ variable, env }) => {
    // Act
    const message = configErrorMessage(env);

    // Assess
    expect(message).toContain(variable);
  });

  it('names every bad variable in one message', () => {
    // Prepare
    const env = { QUEUE_URL: 'not a url', MAX_ATTEMPTS: 'zero', STUCK_AFTER_MS: '-5' };

    // Act
    const message = configErrorMessage(env);

    // Assess
    for (const variable of ['TABLE_NAME', 'QUEUE_URL', 'MAX_ATTEMPTS', 'STUCK_AFTER_MS']) {
      expect(message).toContain(variable);
    }
    expect(message).not.toContain('ORPHAN_AFTER_MS');
  });
});

describe('cursorSecret', () => {
  const SECRET = 'x'.repeat(32);

  it('uses CURSOR_SECRET when it is set, in either auth mode', () => {
    // Act
    const secrets = (['jwt', 'dev'] as const).map((mode) =>
      cursorSecret(loadConfig({ ...REQUIRED, AUTH_MODE: mode, CURSOR_SECRET: SECRET })),
    );

    // Assess
    expect(secrets).toEqual([{ value: SECRET }, { value: SECRET }]);
  });

  it('names the Secrets Manager secret when CURSOR_SECRET_ARN is set (deployed stages)', () => {
    // Act
    const source = cursorSecret(
      loadConfig({ ...REQUIRED, AUTH_MODE: 'jwt', CURSOR_SECRET_ARN: 'arn:secret' }),
    );

    // Assess
    expect(source).toEqual({ secretId: 'arn:secret' });
  });

  it('refuses CURSOR_SECRET together with CURSOR_SECRET_ARN, naming both', () => {
    // Act
    const message = configErrorMessage({
      ...REQUIRED,
      CURSOR_SECRET: SECRET,
      CURSOR_SECRET_ARN: 'arn:secret',
    });

    // Assess
    expect(message).toContain('CURSOR_SECRET: must not be set together with CURSOR_SECRET_ARN');
  });

  it('falls back to a fixed development secret in dev mode only', () => {
    // Act
    const secret = cursorSecret(loadConfig({ ...REQUIRED, AUTH_MODE: 'dev' }));

    // Assess
    expect('value' in secret && secret.value.length).toBeGreaterThanOrEqual(32);
    expect(cursorSecret(loadConfig({ ...REQUIRED, AUTH_MODE: 'dev', CURSOR_SECRET: '' }))).toEqual(secret);
  });

  it.each([
    { name: 'unset', env: { ...REQUIRED, AUTH_MODE: 'jwt' } },
    { name: 'empty', env: { ...REQUIRED, AUTH_MODE: 'jwt', CURSOR_SECRET: '' } },
    { name: 'unset with AUTH_MODE defaulting to jwt', env: { ...REQUIRED } },
  ])('throws a ConfigError naming CURSOR_SECRET in jwt mode when it is $name', ({ env }) => {
    // Prepare
    const config = loadConfig(env);

    // Act
    const act = () => cursorSecret(config);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(/CURSOR_SECRET/);
  });

  it('refuses a CURSOR_SECRET shorter than 32 characters at load, naming it', () => {
    // Act
    const message = configErrorMessage({ ...REQUIRED, AUTH_MODE: 'jwt', CURSOR_SECRET: 'x'.repeat(31) });

    // Assess
    expect(message).toContain('CURSOR_SECRET');
  });

  it('refuses an AUTH_MODE other than jwt or dev, naming it', () => {
    // Act
    const message = configErrorMessage({ ...REQUIRED, AUTH_MODE: 'none' });

    // Assess
    expect(message).toContain('AUTH_MODE');
  });
});

describe('timing relations, checked at cold start', () => {
  const stack = { WORKER_TIMEOUT_SECONDS: '30', QUEUE_VISIBILITY_TIMEOUT_SECONDS: '180' };

  it('accepts the defaults with the stack timeouts of serverless.yml', () => {
    expect(loadConfig({ ...REQUIRED, ...stack })).toMatchObject({ WORKER_TIMEOUT_SECONDS: 30 });
  });

  it.each([
    {
      env: { STUCK_AFTER_MS: '30000' },
      message:
        "STUCK_AFTER_MS: 30000 must exceed the worker's timeout, WORKER_TIMEOUT_SECONDS=30 " +
        '(else the reaper resets submissions a worker is still deciding)',
    },
    {
      env: { QUEUE_VISIBILITY_TIMEOUT_SECONDS: '179' },
      message:
        "QUEUE_VISIBILITY_TIMEOUT_SECONDS: 179 must be at least 6 times the worker's timeout, WORKER_TIMEOUT_SECONDS=30",
    },
    {
      env: { ORPHAN_AFTER_MS: '180000' },
      message:
        "ORPHAN_AFTER_MS: 180000 must exceed the queue's visibility timeout, QUEUE_VISIBILITY_TIMEOUT_SECONDS=180",
    },
  ])('refuses $env, naming both settings', ({ env, message }) => {
    // Act
    const text = configErrorMessage({ ...REQUIRED, ...stack, ...env });

    // Assess
    expect(text).toContain(message);
  });

  it('checks nothing against timeouts it is not told (the standalone worker, tests)', () => {
    expect(loadConfig({ ...REQUIRED, STUCK_AFTER_MS: '1', ORPHAN_AFTER_MS: '1' })).toMatchObject({
      STUCK_AFTER_MS: 1,
    });
  });
});
