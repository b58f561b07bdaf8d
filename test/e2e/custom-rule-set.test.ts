import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type LocalStack, startLocalStack } from '../../workbench/local/stack';
import { waitFor } from '../../workbench/wait';

/**
 * These tests start their own stacks (not the tier's shared one), because the
 * rule set is read from the environment at each function's cold start.
 */

const STARTUP_TIMEOUT_MS = 180_000;

/** Not the default (10+ code points and a digit): no banned word and at most 40 code points. */
const CUSTOM_RULE_SET = {
  id: 'e2e-custom',
  version: 7,
  rule: {
    all: [
      {
        id: 'no-spam',
        type: 'bannedWords',
        params: { words: ['casino'] },
        message: 'Content mentions a banned word: {found}.',
      },
      { id: 'short-enough', type: 'maxLength', params: { max: 40 } },
    ],
  },
};

/** Valid but for one rule of a type that does not exist. */
const BROKEN_RULE_SET = {
  id: 'e2e-broken',
  version: 1,
  rule: {
    all: [
      { id: 'no-spam', type: 'bannedWords', params: { words: ['casino'] } },
      { id: 'mood', type: 'sentiment', params: { threshold: 0.5 } },
    ],
  },
};

interface Response {
  status: number;
  body: any;
}

interface OwnStack {
  stack: LocalStack;
  /** Every line the stack has printed so far (emulators, serverless offline, the functions). */
  lines: string[];
  request(path: string, init?: RequestInit): Promise<Response>;
  submit(content: string): Promise<Response>;
  pollUntilDecided(id: string): Promise<Response>;
}

async function startOwnStack(rulesJson: string): Promise<OwnStack> {
  const lines: string[] = [];
  const stack = await startLocalStack({
    httpPort: await freePort(),
    lambdaPort: await freePort(),
    env: { RULES_JSON: rulesJson },
    echo: (line) => lines.push(line),
  });
  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(`${stack.httpEndpoint}${path}`, init);
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON; keep the text
    }
    return { status: response.status, body };
  };
  const submit = (content: string) =>
    request('/submissions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content }),
    });
  const pollUntilDecided = (id: string) =>
    waitFor(
      `submission ${id} to be decided`,
      async () => {
        const response = await request(`/submissions/${id}`);
        return response.status === 200 && ['PASSED', 'FAILED'].includes(response.body.status)
          ? response
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 100 },
    );
  return { stack, lines, request, submit, pollUntilDecided };
}

async function decide(own: OwnStack, content: string): Promise<Response> {
  const created = await own.submit(content);
  expect(created.status).toBe(202);
  return own.pollUntilDecided(created.body.id);
}

describe('a custom rule set from RULES_JSON, on a stack of its own', () => {
  let own: OwnStack | undefined;
  const started = () => {
    if (!own) throw new Error('the stack did not start');
    return own;
  };

  beforeAll(async () => {
    own = await startOwnStack(JSON.stringify(CUSTOM_RULE_SET));
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await own?.stack.stop();
  }, STARTUP_TIMEOUT_MS);

  it('passes content without a digit that the default rule set would fail', async () => {
    const decided = await decide(started(), 'hello there friend');

    expect(decided.body).toMatchObject({
      status: 'PASSED',
      result: { verdict: 'PASSED', ruleSet: { id: 'e2e-custom', version: 7 } },
    });
    expect(decided.body.result.ruleSet).toEqual({ id: 'e2e-custom', version: 7 });
    expect(decided.body.result.rules).toEqual([
      expect.objectContaining({
        rule: 'no-spam',
        type: 'bannedWords',
        passed: true,
        measured: 'banned words found 0',
      }),
      expect.objectContaining({
        rule: 'short-enough',
        type: 'maxLength',
        passed: true,
        measured: 'length 18, maximum 40',
      }),
    ]);
  });

  it('fails content the default would pass when it mentions a banned word, with the rule set’s message', async () => {
    const content = 'Visit the Casino, open 24 hours';
    const decided = await decide(started(), content);

    expect(decided.body).toMatchObject({
      status: 'FAILED',
      result: { verdict: 'FAILED', ruleSet: { id: 'e2e-custom', version: 7 } },
    });
    expect(decided.body.result.rules).toEqual([
      expect.objectContaining({
        rule: 'no-spam',
        type: 'bannedWords',
        passed: false,
        message: 'Content mentions a banned word: casino.',
        measured: 'banned words found 1: casino',
      }),
      expect.objectContaining({
        rule: 'short-enough',
        type: 'maxLength',
        passed: true,
        measured: `length ${[...content].length}, maximum 40`,
      }),
    ]);
  });

  it('fails content over 40 code points by maxLength, counting code points rather than UTF-16 units', async () => {
    const tooLong = `${'1234567890'.repeat(4)}1`; // 41 code points, digits: the default would pass it
    const failed = await decide(started(), tooLong);
    const emoji = '😀'.repeat(40); // 40 code points, 80 UTF-16 units
    const passed = await decide(started(), emoji);

    expect(failed.body).toMatchObject({ status: 'FAILED', result: { verdict: 'FAILED' } });
    expect(failed.body.result.ruleSet).toEqual({ id: 'e2e-custom', version: 7 });
    expect(failed.body.result.rules).toEqual([
      expect.objectContaining({ rule: 'no-spam', type: 'bannedWords', passed: true }),
      expect.objectContaining({
        rule: 'short-enough',
        type: 'maxLength',
        passed: false,
        message: 'Content must be at most 40 characters long; it is 41.',
        measured: 'length 41, maximum 40',
      }),
    ]);
    expect(passed.body).toMatchObject({ status: 'PASSED', result: { verdict: 'PASSED' } });
    expect(passed.body.result.rules[1]).toMatchObject({
      rule: 'short-enough',
      passed: true,
      measured: 'length 40, maximum 40',
    });
  });
});

describe('an invalid rule set in RULES_JSON, on a stack of its own', () => {
  let own: OwnStack | undefined;

  beforeAll(async () => {
    own = await startOwnStack(JSON.stringify(BROKEN_RULE_SET));
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await own?.stack.stop();
  }, STARTUP_TIMEOUT_MS);

  it('stops the worker alone: the api accepts the submission, which stays PENDING, and the worker’s cold start names the bad rule', async () => {
    if (!own) throw new Error('the stack did not start');
    const { lines } = own;

    const response = await own.submit('hello there friend 42');

    expect(response.status).toBe(202);
    const { id } = response.body as { id: string };
    const expected =
      'Invalid configuration: RULES_JSON: Invalid rule set: rule.all[1] (id "mood"): type "sentiment" is unknown';
    const line = await waitFor(
      'the stack to print the worker’s ConfigError',
      () => lines.find((candidate) => candidate.includes(expected)),
      { timeoutMs: 30_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nstack output:\n${lines.slice(-80).join('\n')}`);
    });
    expect(line).toContain('(known types: ');
    const read = await own.request(`/submissions/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, status: 'PENDING' });
  });
});
