import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../../workbench/local/stack';
import { type Finished, runToExit } from '../helpers/run-to-exit';

const api = inject('stack').httpEndpoint;

/** `npm run smoke -- …` as a child process (the same entry, on this Node), to its exit. */
function smoke(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  const { SMOKE_TOKEN: _ignored, ...inherited } = process.env;
  return runToExit(process.execPath, ['--import', 'tsx', 'workbench/smoke.ts', ...args], {
    env: { ...inherited, ...env },
  });
}

/**
 * Stands in for API Gateway's JWT authorizer refusing a token, which the local stack
 * (no authorizer: serverless-offline cannot verify JWT signatures) cannot do: every
 * request is answered 401 with a problem+json body. Records each request's headers.
 */
async function refusingServer() {
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    received.push(request.headers);
    request.resume();
    response.writeHead(401, {
      'content-type': 'application/problem+json',
      'www-authenticate': 'Bearer error="invalid_token"',
    });
    response.end(
      JSON.stringify({
        type: 'https://httpstatuses.io/401',
        title: 'Unauthorized',
        status: 401,
        detail: 'The token has expired.',
      }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

describe('npm run smoke, against the local stack', () => {
  it('passes every check with the defaults (and a trailing slash in --url), exit 0', async () => {
    // Act
    const run = await smoke(['--url', `${api}/`]);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^ok {3}POST passing content → 202 [0-9a-f-]{36}$/),
      expect.stringMatching(/^ok {3}verdict PASSED after \d+ polls? \(\d+ ms\)$/),
      expect.stringMatching(/^ok {3}POST failing content → 202 [0-9a-f-]{36}$/),
      expect.stringMatching(/^ok {3}verdict FAILED after \d+ polls? \(\d+ ms\)$/),
      expect.stringMatching(/^ok {3}POST without content → 400 problem\+json: ".+"$/),
      'smoke: 5 checks passed',
    ]);
  });

  it('exits 1 naming the expected and actual verdict when --pass is content the rule set fails', async () => {
    // Act
    const run = await smoke(['--url', api, '--pass', 'short']);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^FAIL verdict for passing content: expected PASSED, got FAILED after .* for content "short"; failed rules: minLength/m,
    );
    expect(run.stdout).toMatch(/^ok {3}verdict FAILED after/m);
    expect(run.stdout).not.toContain('checks passed');
    expect(run.stderr).toMatch(
      /^smoke: 5 checks, 1 failed, 4 passed:\n {2}verdict for passing content: expected PASSED, got FAILED/,
    );
  });

  it('exits 1 saying the URL could not be reached, with the code, for a port nobody listens on', async () => {
    // Arrange
    const closed = `http://127.0.0.1:${await freePort()}`;

    // Act
    const run = await smoke(['--url', closed]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`FAIL POST passing content: ${closed} could not be reached (`);
    expect(run.stdout).toContain('ECONNREFUSED');
    expect(run.stderr).toContain('1 failed, 0 passed, 4 not run');
  });

  it.each([
    {
      args: ['--token', 'expired.jwt'],
      says: 'the API refused the token',
      authorization: 'Bearer expired.jwt',
    },
    { args: [], says: 'the API needs a token (none was given)', authorization: undefined },
  ])(
    'exits 1 with "$says" and points to npm run token when the API answers 401',
    async ({ args, says, authorization }) => {
      // Arrange
      const server = await refusingServer();

      try {
        // Act
        const run = await smoke(['--url', server.url, ...args]);

        // Assess
        expect(run.code).toBe(1);
        expect(run.stdout).toContain(
          `FAIL POST passing content: ${says}: 401 Unauthorized, detail: "The token has expired."`,
        );
        expect(run.stdout).toContain('`npm run token -- --stage <stage>`');
        expect(run.stderr).toContain('4 not run');
        // Refused credentials stop the run: one request, carrying the token when one was given.
        expect(server.received.map((headers) => headers.authorization)).toEqual([authorization]);
      } finally {
        await server.close();
      }
    },
  );

  it('sends SMOKE_TOKEN as the bearer token when no --token is given', async () => {
    // Arrange
    const server = await refusingServer();

    try {
      // Act
      const run = await smoke(['--url', server.url], { SMOKE_TOKEN: 'from-env.jwt' });

      // Assess
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('the API refused the token');
      expect(server.received.map((headers) => headers.authorization)).toEqual(['Bearer from-env.jwt']);
    } finally {
      await server.close();
    }
  });

  it('exits 2 with the usage text when --url is missing', async () => {
    // Act
    const run = await smoke(['--pass', 'abcdefghi1']);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('error: missing --url');
    expect(run.stderr).toContain('Usage: npm run smoke -- --url <url> [options]');
  });
});
