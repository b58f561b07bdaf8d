import { compileErrors, validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { Submission } from '../../src/domain/submission';
import { openApiDocument } from '../../src/http/openapi';
import { HttpProblem, unauthorized } from '../../src/http/problem';
import {
  accepted,
  batchAccepted,
  submissionList as listResponse,
  problemResponse,
  submissionContentFound,
  submissionFound,
} from '../../src/http/response';
import {
  batchResult,
  createBatchBody,
  createSubmissionBody,
  idempotencyKey,
  problem,
  submissionContent,
  submissionId,
  submissionList,
  submissionResource,
} from '../../src/http/schemas';
import { apiRoutes, route } from '../helpers/api-routes';

type Json = Record<string, unknown>;

/**
 * The statuses each route's own code can answer, read from handlers/api.ts and
 * src/http: every authenticated route may answer 401 (ownerOf in jwt mode) and
 * 500 (the store or queue failed); POST bodies 400 (JSON, shape), 413 (size)
 * and 415 (content-type); POST /submissions also 400 and 422 for its
 * Idempotency-Key; GET by id and GET of a content 304 (If-None-Match), 400 (id) and 404, a
 * content also 410 (expired before a decision); the listing
 * 400 (query, cursor). GET /openapi.json reads no caller and no store. The 405
 * of each path is not listed here: it is asked of the router (`refusedMethods`).
 */
const STATUSES: Record<string, string[]> = {
  'POST /submissions': ['202', '400', '401', '413', '415', '422', '500'],
  'POST /submissions/batch': ['202', '400', '401', '413', '415', '500', '503'],
  'GET /submissions/{id}': ['200', '304', '400', '401', '404', '500'],
  'GET /submissions/{id}/content': ['200', '304', '400', '401', '404', '410', '500'],
  'GET /submissions': ['200', '400', '401', '500'],
  'GET /openapi.json': ['200'],
};

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const A_UUID = '0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23';

/** The `Allow` the router answers a refused method on `path` with, or undefined if it refuses none. */
async function refusedMethods(path: string): Promise<string | undefined> {
  const concrete = path.replace('{id}', A_UUID);
  const allows = new Set<string>();
  for (const method of HTTP_METHODS) {
    try {
      await route(method, concrete);
    } catch (error) {
      if (!(error instanceof HttpProblem) || error.status !== 405) throw error;
      allows.add(error.headers.allow ?? '');
    }
  }
  expect(allows.size, `one Allow for every refused method on ${path}`).toBeLessThanOrEqual(1);
  return [...allows][0];
}

/** Every route's statuses: its own, plus 405 where the router refuses other methods on its path. */
async function expectedStatuses(): Promise<Record<string, string[]>> {
  const expected: Record<string, string[]> = {};
  for (const [key, statuses] of Object.entries(STATUSES)) {
    const refused = await refusedMethods(key.split(' ')[1] ?? '');
    expected[key] = refused ? [...statuses, '405'] : statuses;
  }
  return expected;
}

const pending = {
  id: A_UUID,
  owner: 'alice',
  content: 'hello 42',
  status: 'PENDING',
  attempts: 0,
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
  history: [],
} as unknown as Submission;

/** The headers src/http/response.ts sets on each documented success, by `METHOD path status`. */
function producedHeaders(): Record<string, Record<string, string>> {
  const found = submissionFound(pending, undefined, 1);
  const content = submissionContentFound({ id: A_UUID, content: 'hello 42' }, undefined);
  return {
    'POST /submissions 202': accepted(pending, true).headers,
    'POST /submissions/batch 202': batchAccepted([pending]).headers,
    'GET /submissions/{id} 200': found.headers,
    'GET /submissions/{id} 304': submissionFound(pending, found.headers.etag, 1).headers,
    'GET /submissions/{id}/content 200': content.headers,
    'GET /submissions/{id}/content 304': submissionContentFound(
      { id: A_UUID, content: 'hello 42' },
      content.headers.etag,
    ).headers,
    'GET /submissions 200': listResponse({ items: [pending] }).headers,
  };
}

/** What a header example must look like, by header name. */
const HEADER_EXAMPLES: Record<string, z.ZodType> = {
  'Cache-Control': z.enum([
    'no-store',
    'private, no-cache',
    'public, max-age=300',
    'private, max-age=86400, immutable',
  ]),
  ETag: z.string().regex(/^(W\/)?"[A-Za-z0-9_-]{22}"$/),
  Vary: z.literal('Authorization'),
  'Retry-After': z.string().regex(/^\d+$/),
  Allow: z.string().regex(/^(GET|POST)(, (GET|POST))*$/),
  Location: z.string().regex(/^\/submissions\/[0-9a-f-]{36}$/),
  'Idempotent-Replayed': z.literal('true'),
  'WWW-Authenticate': z.literal('Bearer'),
};

/** The zod schema behind each named component of the document. */
const COMPONENTS: Record<string, z.ZodType> = {
  CreateSubmission: createSubmissionBody,
  CreateSubmissionBatch: createBatchBody,
  Submission: submissionResource,
  SubmissionContent: submissionContent,
  SubmissionList: submissionList,
  SubmissionBatch: batchResult,
  Problem: problem,
};

/** The zod schema behind each parameter of the document, by name. */
const PARAMETERS: Record<string, z.ZodType> = {
  'Idempotency-Key': idempotencyKey,
  id: submissionId,
};

const document = () => structuredClone(openApiDocument()) as unknown as Json;

function operations(doc: Json): { key: string; operation: Json }[] {
  return Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${path}`,
        operation: operation as Json,
      })),
  );
}

/** Every `example` in the document, with the path of keys that leads to it. */
function examples(value: unknown, path: string[] = []): { path: string[]; example: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => examples(item, [...path, String(index)]));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === 'example' || key === 'examples'
      ? [{ path: [...path, key], example: child }]
      : examples(child, [...path, key]),
  );
}

/** The zod schema an example at `path` must satisfy, or undefined when the test cannot tell. */
function schemaFor(doc: Json, path: string[]): z.ZodType | undefined {
  const [root, section, name, ...rest] = path;
  if (root === 'components' && section === 'schemas' && name) {
    const component = COMPONENTS[name];
    if (rest.length === 1 && rest[0] === 'example') return component;
    if (rest.length === 3 && rest[0] === 'properties' && rest[2] === 'example' && component) {
      return (component as unknown as { shape: Record<string, z.ZodType> }).shape[rest[1] ?? ''];
    }
    return undefined;
  }
  const headersIndex = path.indexOf('headers');
  if (root === 'paths' && headersIndex > 0 && path.slice(headersIndex + 2).join('/') === 'schema/example') {
    return HEADER_EXAMPLES[path[headersIndex + 1] ?? ''];
  }
  const parameterIndex = path.indexOf('parameters');
  if (
    root === 'paths' &&
    parameterIndex > 0 &&
    path.slice(parameterIndex + 2).join('/') === 'schema/example'
  ) {
    let parameter: unknown = doc;
    for (const key of path.slice(0, parameterIndex + 2)) parameter = (parameter as Json)[key];
    return PARAMETERS[(parameter as { name: string }).name];
  }
  return undefined;
}

describe('openApiDocument', () => {
  it('is an OpenAPI 3.1 document', () => {
    // Act
    const doc = document();

    // Assess
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
  });

  it('validates against the OpenAPI 3.1 specification', async () => {
    // Act (validate dereferences its argument in place, hence the copy)
    const result = await validate(document() as never);

    // Assess
    expect(result.valid, compileErrors(result)).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('documents exactly the routes of handlers/api.ts, no more', () => {
    // Act
    const documented = operations(document()).map(({ key }) => key);

    // Assess
    expect(documented.sort()).toEqual(
      apiRoutes()
        .map(({ method, path }) => `${method} ${path}`)
        .sort(),
    );
  });

  it.each(Object.keys(STATUSES))(
    'documents %s with every status its code and the router can answer',
    async (key) => {
      // Prepare
      const operation = operations(document()).find((candidate) => candidate.key === key)?.operation;
      const statuses = (await expectedStatuses())[key] ?? [];

      // Act
      const documented = Object.keys((operation?.responses ?? {}) as Json);

      // Assess
      expect(documented.sort()).toEqual([...statuses].sort());
    },
  );

  it('documents the body of GET /openapi.json: this document, as JSON', () => {
    // Act
    const ok = (document().paths as Record<string, Record<string, { responses: Record<string, Json> }>>)[
      '/openapi.json'
    ]?.get?.responses['200'];

    // Assess
    expect(Object.keys((ok?.content ?? {}) as Json)).toEqual(['application/json']);
  });

  it('documents a 405 on every path, whose Allow is the one the router answers', async () => {
    // Prepare
    const doc = document();

    // Act
    const documented = operations(doc).map(({ key, operation }) => {
      const response = (operation.responses as Record<string, Json>)['405'];
      const allow = (response?.headers as Record<string, { schema: { example: string } }> | undefined)?.Allow;
      return { key, allow: allow?.schema.example };
    });

    // Assess
    expect(documented.length).toBe(apiRoutes().length);
    const methods = (allow: string | undefined) => allow?.split(', ').sort();
    for (const { key, allow } of documented) {
      expect(allow, key).toEqual(expect.any(String));
      expect(methods(allow), key).toEqual(methods(await refusedMethods(key.split(' ')[1] ?? '')));
    }
  });

  it('documents exactly the headers src/http/response.ts sets on each success, with its Cache-Control', () => {
    // Prepare
    const operationsByKey = new Map(operations(document()).map(({ key, operation }) => [key, operation]));

    // Act
    const compared = Object.entries(producedHeaders()).map(([at, produced]) => {
      const [method, path, status] = at.split(' ');
      const responses = operationsByKey.get(`${method} ${path}`)?.responses as Record<string, Json>;
      const headers = (responses?.[status ?? '']?.headers ?? {}) as Record<string, { schema: Json }>;
      return {
        at,
        documented: Object.keys(headers)
          .map((name) => name.toLowerCase())
          .sort(),
        produced: Object.keys(produced)
          .filter((name) => name !== 'content-type')
          .sort(),
        cacheControl: headers['Cache-Control']?.schema.example,
        producedCacheControl: produced['cache-control'],
      };
    });

    // Assess
    for (const { at, documented, produced, cacheControl, producedCacheControl } of compared) {
      expect(documented, at).toEqual(produced);
      expect(cacheControl, at).toBe(producedCacheControl);
    }
  });

  it('documents every error with the Cache-Control problem responses carry, and 401 with WWW-Authenticate', () => {
    // Prepare
    const produced = problemResponse(unauthorized('no token')).headers;

    // Act
    const errors = operations(document()).flatMap(({ key, operation }) =>
      Object.entries(operation.responses as Record<string, Json>)
        .filter(([status]) => Number(status) >= 400)
        .map(([status, response]) => ({
          at: `${key} ${status}`,
          status,
          headers: response.headers as Record<string, { schema: Json }>,
        })),
    );

    // Assess
    expect(errors.length).toBeGreaterThan(0);
    for (const { at, status, headers } of errors) {
      expect(headers['Cache-Control']?.schema.example, at).toBe(produced['cache-control']);
      if (status === '401') {
        expect(headers['WWW-Authenticate']?.schema.example, at).toBe(produced['www-authenticate']);
      }
    }
  });

  it('lists a status for every route the router serves', () => {
    // Act
    const routes = apiRoutes().map(({ method, path }) => `${method} ${path}`);

    // Assess
    expect(routes.sort()).toEqual(Object.keys(STATUSES).sort());
  });

  it('documents every error status as a problem+json Problem (a batch stored in part, one that lists the stored items)', () => {
    // Prepare
    const doc = document();

    // Act
    const errorResponses = operations(doc).flatMap(({ key, operation }) =>
      Object.entries(operation.responses as Record<string, Json>)
        .filter(([status]) => Number(status) >= 400)
        .map(([status, response]) => ({ at: `${key} ${status}`, content: response.content })),
    );

    // Assess
    expect(errorResponses.length).toBeGreaterThan(0);
    for (const { at, content } of errorResponses) {
      const schema = at === 'POST /submissions/batch 503' ? 'PartlyStoredBatch' : 'Problem';
      expect(content, at).toEqual({
        'application/problem+json': { schema: { $ref: `#/components/schemas/${schema}` } },
      });
    }
  });

  it('requires the bearer token everywhere except on the document itself', () => {
    // Prepare
    const doc = document();

    // Act
    const publicOperations = operations(doc)
      .filter(({ operation }) => Array.isArray(operation.security) && operation.security.length === 0)
      .map(({ key }) => key);

    // Assess
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(publicOperations).toEqual(['GET /openapi.json']);
  });

  it('has examples, and each one is accepted by the zod schema it illustrates', () => {
    // Prepare
    const doc = document();
    const found = examples(doc);

    // Act
    const checked = found.map(({ path, example }) => {
      const schema = schemaFor(doc, path);
      return {
        at: path.join('/'),
        verdict: schema ? (schema.safeParse(example).error?.message ?? 'valid') : 'no zod schema known',
      };
    });

    // Assess
    expect(found.length).toBeGreaterThanOrEqual(5);
    expect(checked).toEqual(checked.map(({ at }) => ({ at, verdict: 'valid' })));
    expect(checked.map(({ at }) => at)).toEqual(
      expect.arrayContaining([
        'components/schemas/Submission/example',
        'components/schemas/CreateSubmissionBatch/example',
        'components/schemas/Problem/example',
      ]),
    );
  });

  it('builds the document once and serves the same object after', () => {
    // Act
    const first = openApiDocument();
    const second = openApiDocument();

    // Assess
    expect(second).toBe(first);
  });
});
