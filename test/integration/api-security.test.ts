import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ApiResponse, loadApiHandler } from '../helpers/api-events';
import { createTestBackend, type TestBackend } from '../helpers/backend';
import { type CapturedOutput, captureOutput } from '../helpers/output-capture';
import { expectProblem, expectSecurityHeaders } from '../helpers/problems';
import { startSecretsManagerStandIn } from '../helpers/secrets-manager-stand-in';

const MAX_CONTENT_BYTES = 100;
const CURSOR_SECRET = 'x'.repeat(32);
const json = (value: unknown) => JSON.stringify(value);
const idOf = (response: ApiResponse) => (response.body as { id: string }).id;

type Api = Awaited<ReturnType<typeof loadApiHandler>>;

describe('handlers/api.ts: authentication and security headers', () => {
  let backend: TestBackend;
  let output: CapturedOutput;
  const loaded: Api[] = [];

  beforeEach(async () => {
    backend = await createTestBackend();
    output = captureOutput();
  });
  afterEach(async () => {
    // Restore in reverse, so process.env ends as it was before the first load.
    for (const api of loaded.splice(0).reverse()) api.restore();
    vi.restoreAllMocks();
    await backend.destroy();
  });

  async function load(settings: Parameters<typeof loadApiHandler>[0] = {}): Promise<Api> {
    const api = await loadApiHandler({
      TABLE_NAME: backend.tableName,
      QUEUE_URL: backend.queueUrl,
      MAX_CONTENT_BYTES: String(MAX_CONTENT_BYTES),
      ...settings,
    });
    loaded.push(api);
    return api;
  }

  const jwtApi = () => load({ AUTH_MODE: 'jwt', CURSOR_SECRET });

  describe('AUTH_MODE=jwt', () => {
    it.each([
      ['POST', '/submissions', { body: json({ content: 'hello world 42' }) }],
      ['POST', '/submissions', { body: json({ content: '' }) }],
      [
        'POST',
        '/submissions',
        { body: json({ content: 'hello world 42' }), headers: { 'idempotency-key': 'k' } },
      ],
      ['POST', '/submissions/batch', { body: json({ items: [{ content: 'hello world 42' }] }) }],
      ['GET', '/submissions', {}],
      ['GET', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23', {}],
      ['GET', '/submissions/not-a-uuid', {}],
      ['GET', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/content', {}],
      ['GET', '/submissions/not-a-uuid/content', {}],
    ])(
      'refuses %s %s without claims with 401 and WWW-Authenticate: Bearer, storing nothing',
      async (method, path, request) => {
        const api = await jwtApi();

        const response = await api.call(method, path, request);

        expectProblem(response, 401, /bearer token/i);
        expect(response.headers['www-authenticate']).toBe('Bearer');
        expect(await backend.scanAll()).toEqual([]);
        expect(await backend.approximateDepth()).toBe(0);
      },
    );

    it('serves the caller named by the JWT sub, and hides it from other subs', async () => {
      const api = await jwtApi();

      const created = await api.call('POST', '/submissions', {
        owner: 'user-1',
        body: json({ content: 'hello world 42' }),
      });
      const own = await api.call('GET', `/submissions/${idOf(created)}`, { owner: 'user-1' });
      const other = await api.call('GET', `/submissions/${idOf(created)}`, { owner: 'user-2' });
      const anonymous = await api.call('GET', `/submissions/${idOf(created)}`);
      const ownContent = await api.call('GET', `/submissions/${idOf(created)}/content`, { owner: 'user-1' });
      const otherContent = await api.call('GET', `/submissions/${idOf(created)}/content`, {
        owner: 'user-2',
      });
      const anonymousContent = await api.call('GET', `/submissions/${idOf(created)}/content`);
      const listed = await api.call('GET', '/submissions', { owner: 'user-1' });
      const listedByOther = await api.call('GET', '/submissions', { owner: 'user-2' });

      expect(created.status).toBe(202);
      expect(own.status).toBe(200);
      expectProblem(other, 404, /No submission/);
      expect(anonymous.status).toBe(401);
      expect(ownContent.body).toEqual({ id: idOf(created), content: 'hello world 42' });
      expectProblem(otherContent, 404, /No submission/);
      expect(anonymousContent.status).toBe(401);
      expect((listed.body as { items: { id: string }[] }).items.map((item) => item.id)).toEqual([
        idOf(created),
      ]);
      expect((listedByOther.body as { items: unknown[] }).items).toEqual([]);
      expect(await backend.scanAll()).toEqual([expect.objectContaining({ owner: { S: 'user-1' } })]);
    });

    it('pages with CURSOR_SECRET-signed cursors', async () => {
      const api = await jwtApi();
      for (const content of ['one 1', 'two 2', 'three 3']) {
        await api.call('POST', '/submissions', { owner: 'user-1', body: json({ content }) });
      }

      const first = await api.call('GET', '/submissions', { owner: 'user-1', query: { limit: '2' } });
      const cursor = (first.body as { nextCursor: string }).nextCursor;
      const second = await api.call('GET', '/submissions', {
        owner: 'user-1',
        query: { limit: '2', cursor },
      });

      expect((second.body as { items: unknown[] }).items).toHaveLength(1);
    });

    it('signs cursors with the secret CURSOR_SECRET_ARN names, read from Secrets Manager once per cold start', async () => {
      // Prepare
      const secretId = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:cursor-key';
      const secrets = await startSecretsManagerStandIn({ [secretId]: 'k'.repeat(64) });
      try {
        const api = await load({
          AUTH_MODE: 'jwt',
          CURSOR_SECRET_ARN: secretId,
          AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        });
        for (const content of ['one 1', 'two 2', 'three 3']) {
          await api.call('POST', '/submissions', { owner: 'user-1', body: json({ content }) });
        }

        // Act
        const first = await api.call('GET', '/submissions', { owner: 'user-1', query: { limit: '2' } });
        const cursor = (first.body as { nextCursor: string }).nextCursor;
        const second = await api.call('GET', '/submissions', {
          owner: 'user-1',
          query: { limit: '2', cursor },
        });
        const elsewhere = await (await jwtApi()).call('GET', '/submissions', {
          owner: 'user-1',
          query: { limit: '2', cursor },
        });

        // Assess
        expect((second.body as { items: unknown[] }).items).toHaveLength(1);
        expect(secrets.reads).toEqual([secretId]);
        // Signed with the secret's value: an API holding another key refuses the cursor.
        expect(elsewhere.status).toBe(400);
      } finally {
        await secrets.close();
      }
    });

    it('answers a listing 500 while the cursor secret cannot be read, and still accepts submissions', async () => {
      // Prepare
      const secrets = await startSecretsManagerStandIn({});
      try {
        const api = await load({
          AUTH_MODE: 'jwt',
          CURSOR_SECRET_ARN: 'missing-secret',
          AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        });

        // Act
        const listing = await api.call('GET', '/submissions', { owner: 'user-1' });
        const created = await api.call('POST', '/submissions', {
          owner: 'user-1',
          body: json({ content: 'hello 42' }),
        });

        // Assess
        expect(listing.status).toBe(500);
        expect(JSON.stringify(listing.body)).not.toContain('missing-secret');
        expect(created.status).toBe(202);
      } finally {
        await secrets.close();
      }
    });

    it('serves GET /openapi.json without a token: it is the one public route', async () => {
      const api = await jwtApi();

      const response = await api.call('GET', '/openapi.json');

      expect(response.status).toBe(200);
    });

    it('fails the cold start with a ConfigError naming CURSOR_SECRET when it is missing', async () => {
      const before = { ...process.env };

      const cold = load({ AUTH_MODE: 'jwt' });

      await expect(cold).rejects.toMatchObject({
        name: 'ConfigError',
        message: expect.stringContaining('CURSOR_SECRET'),
      });
      expect(process.env).toEqual(before);
    });

    it('fails the cold start naming CURSOR_SECRET when it is shorter than 32 characters', async () => {
      const cold = load({ AUTH_MODE: 'jwt', CURSOR_SECRET: 'short' });

      await expect(cold).rejects.toMatchObject({
        name: 'ConfigError',
        message: expect.stringContaining('CURSOR_SECRET'),
      });
    });
  });

  describe('security headers', () => {
    /** One request per status the API answers, each on a fresh handler over this test's backend. */
    const scenarios: [number, string, () => Promise<ApiResponse>][] = [
      [
        202,
        'POST /submissions',
        async () => (await load()).call('POST', '/submissions', { body: json({ content: 'hello 42' }) }),
      ],
      [
        202,
        'POST /submissions/batch',
        async () =>
          (await load()).call('POST', '/submissions/batch', { body: json({ items: [{ content: 'a 1' }] }) }),
      ],
      [
        200,
        'GET /submissions/{id}',
        async () => {
          const api = await load();
          const created = await api.call('POST', '/submissions', { body: json({ content: 'hello 42' }) });
          return api.call('GET', `/submissions/${idOf(created)}`);
        },
      ],
      [
        200,
        'GET /submissions/{id}/content',
        async () => {
          const api = await load();
          const created = await api.call('POST', '/submissions', { body: json({ content: 'hello 42' }) });
          return api.call('GET', `/submissions/${idOf(created)}/content`);
        },
      ],
      [
        304,
        'GET /submissions/{id}/content with a matching If-None-Match',
        async () => {
          const api = await load();
          const created = await api.call('POST', '/submissions', { body: json({ content: 'hello 42' }) });
          const first = await api.call('GET', `/submissions/${idOf(created)}/content`);
          return api.call('GET', `/submissions/${idOf(created)}/content`, {
            headers: { 'if-none-match': first.headers.etag ?? '' },
          });
        },
      ],
      [200, 'GET /submissions', async () => (await load()).call('GET', '/submissions')],
      [200, 'GET /openapi.json', async () => (await load()).call('GET', '/openapi.json')],
      [
        304,
        'GET /submissions/{id} with a matching If-None-Match',
        async () => {
          const api = await load();
          const created = await api.call('POST', '/submissions', { body: json({ content: 'hello 42' }) });
          const first = await api.call('GET', `/submissions/${idOf(created)}`);
          return api.call('GET', `/submissions/${idOf(created)}`, {
            headers: { 'if-none-match': first.headers.etag ?? '' },
          });
        },
      ],
      [400, 'malformed JSON', async () => (await load()).call('POST', '/submissions', { body: '{' })],
      [401, 'no token in jwt mode', async () => (await jwtApi()).call('GET', '/submissions')],
      [404, 'an unknown path', async () => (await load()).call('GET', '/nope')],
      [
        404,
        'an unknown id',
        async () => (await load()).call('GET', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23'),
      ],
      [405, 'a wrong method', async () => (await load()).call('DELETE', '/submissions')],
      [
        413,
        'an oversized content',
        async () => (await load()).call('POST', '/submissions', { body: json({ content: 'a'.repeat(101) }) }),
      ],
      [
        415,
        'a body that is not JSON',
        async () =>
          (await load()).call('POST', '/submissions', {
            body: 'content=hello',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          }),
      ],
      [
        422,
        'an Idempotency-Key reused with another body',
        async () => {
          const api = await load();
          await api.call('POST', '/submissions', {
            body: json({ content: 'hello 42' }),
            headers: { 'idempotency-key': 'k' },
          });
          return api.call('POST', '/submissions', {
            body: json({ content: 'other 43' }),
            headers: { 'idempotency-key': 'k' },
          });
        },
      ],
      [
        500,
        'a table that does not exist',
        async () =>
          (await load({ TABLE_NAME: `${backend.tableName}-missing` })).call('POST', '/submissions', {
            body: json({ content: 'hello 42' }),
          }),
      ],
    ];

    it.each(scenarios)('are on a %i (%s)', async (status, _, request) => {
      const response = await request();

      expect(response.status).toBe(status);
      expectSecurityHeaders(response);
    });

    it('a 500 tells the client nothing of the internal error, which goes to the log', async () => {
      const missingTable = `${backend.tableName}-missing`;
      const api = await load({ TABLE_NAME: missingTable });

      const response = await api.call('GET', '/submissions');

      expectProblem(response, 500, /try again/);
      expect(response.rawBody).not.toMatch(
        new RegExp(`${missingTable}|ResourceNotFound|non-existent|Requested resource`, 'i'),
      );
      const errors = output.logs().filter((line) => line.level === 'ERROR');
      expect(errors).toEqual([
        expect.objectContaining({
          message: 'request failed',
          error: expect.stringMatching(/ResourceNotFound/),
        }),
      ]);
    });
  });
});
