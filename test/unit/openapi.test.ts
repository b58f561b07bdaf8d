import { compileErrors, validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { openApiDocument } from '../../src/http/openapi';
import {
  batchResult,
  createBatchBody,
  createSubmissionBody,
  idempotencyKey,
  problem,
  submissionId,
  submissionList,
  submissionResource,
} from '../../src/http/schemas';
import { apiRoutes } from '../helpers/api-routes';

type Json = Record<string, unknown>;

/**
 * The statuses each route's code can answer, read from handlers/api.ts and
 * src/http: every authenticated route may answer 401 (ownerOf in jwt mode) and
 * 500 (the store or queue failed); POST bodies 400 (JSON, shape), 413 (size)
 * and 415 (content-type); POST /submissions also 400 and 422 for its
 * Idempotency-Key; GET by id 304 (If-None-Match), 400 (id) and 404; the listing
 * 400 (query, cursor). GET /openapi.json reads no caller and no store.
 */
const STATUSES: Record<string, string[]> = {
  'POST /submissions': ['202', '400', '401', '413', '415', '422', '500'],
  'POST /submissions/batch': ['202', '400', '401', '413', '415', '500'],
  'GET /submissions/{id}': ['200', '304', '400', '401', '404', '500'],
  'GET /submissions': ['200', '400', '401', '500'],
  'GET /openapi.json': ['200'],
};

/** The zod schema behind each named component of the document. */
const COMPONENTS: Record<string, z.ZodType> = {
  CreateSubmission: createSubmissionBody,
  CreateSubmissionBatch: createBatchBody,
  Submission: submissionResource,
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

  it.each(Object.entries(STATUSES))('documents %s with every status its code can answer', (key, statuses) => {
    // Prepare
    const operation = operations(document()).find((candidate) => candidate.key === key)?.operation;

    // Act
    const documented = Object.keys((operation?.responses ?? {}) as Json);

    // Assess
    expect(documented.sort()).toEqual([...statuses].sort());
  });

  it('lists a status for every route the router serves', () => {
    // Act
    const routes = apiRoutes().map(({ method, path }) => `${method} ${path}`);

    // Assess
    expect(routes.sort()).toEqual(Object.keys(STATUSES).sort());
  });

  it('documents every error status as a problem+json Problem', () => {
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
      expect(content, at).toEqual({
        'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
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
