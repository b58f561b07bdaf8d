import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ApiHandlerUnderTest, loadApiHandler } from '../helpers/api-events';
import { createTestBackend, type TestBackend } from '../helpers/backend';
import { loadWorkerHandler } from '../helpers/fault-lambda';
import { captureOutput } from '../helpers/output-capture';

/**
 * Issue 15 §4: only the function that evaluates rules depends on the rule set. A rule set
 * the worker refuses must not stop the api (every POST a 500) or the reaper: each
 * cold-starts and works, while the worker refuses to start, naming the setting.
 */
const BAD_RULE_SETS = [
  {
    name: 'RULES_JSON that is not JSON',
    env: { RULES_JSON: '{not json' },
    says: /RULES_JSON: is not valid JSON/,
  },
  {
    name: 'RULES_JSON naming an unknown rule type',
    env: { RULES_JSON: JSON.stringify({ id: 'x', version: 1, rule: { id: 'r', type: 'nope', params: {} } }) },
    says: /RULES_JSON: .*type "nope" is unknown/,
  },
  {
    name: 'RULES_JSON and RULES_FILE together',
    env: { RULES_JSON: '{}', RULES_FILE: '/nowhere/rules.json' },
    says: /RULES_FILE: must not be set together with RULES_JSON/,
  },
  {
    name: 'a RULES_FILE that cannot be read',
    env: { RULES_FILE: '/nowhere/rules.json' },
    says: /RULES_FILE: cannot read \/nowhere\/rules.json/,
  },
] as const;

const REAPER_ENV = ['TABLE_NAME', 'QUEUE_URL', 'RULES_JSON', 'RULES_FILE'] as const;

let backend: TestBackend;
const restores: (() => void)[] = [];

beforeEach(async () => {
  backend = await createTestBackend();
  captureOutput({ passErrors: false });
});

afterEach(async () => {
  for (const restore of restores.splice(0).reverse()) restore();
  vi.restoreAllMocks();
  await backend.destroy();
});

/** Imports a fresh handlers/reaper.ts composed from `env`, as a cold start does. */
async function loadReaper(env: Record<string, string>) {
  const saved = Object.fromEntries(REAPER_ENV.map((name) => [name, process.env[name]]));
  restores.push(() => {
    for (const name of REAPER_ENV) {
      const value = saved[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  for (const name of REAPER_ENV) delete process.env[name];
  Object.assign(process.env, env);
  vi.resetModules();
  return (await import('../../handlers/reaper')) as {
    handler: (event: unknown, context: Context) => Promise<unknown>;
  };
}

describe.each(BAD_RULE_SETS)('with $name', ({ env, says }) => {
  it('the api cold-starts and accepts a submission', async () => {
    // Act
    const api: ApiHandlerUnderTest = await loadApiHandler({
      TABLE_NAME: backend.tableName,
      QUEUE_URL: backend.queueUrl,
      ...env,
    });
    restores.push(api.restore);
    const response = await api.call('POST', '/submissions', {
      body: JSON.stringify({ content: 'hello world 42' }),
    });

    // Assess
    expect(response.status).toBe(202);
    expect(await backend.receiveAll()).toHaveLength(1);
  });

  it('the reaper cold-starts and runs', async () => {
    // Act
    const { handler } = await loadReaper({
      TABLE_NAME: backend.tableName,
      QUEUE_URL: backend.queueUrl,
      ...env,
    });

    // Assess
    await expect(handler(undefined, {} as Context)).resolves.not.toThrow();
  });

  it('the worker refuses to start, naming the setting', async () => {
    // Act
    const started = loadWorkerHandler({
      TABLE_NAME: backend.tableName,
      QUEUE_URL: backend.queueUrl,
      ...(env as Record<string, string>),
    });

    // Assess
    await expect(started).rejects.toThrow(says);
  });
});
