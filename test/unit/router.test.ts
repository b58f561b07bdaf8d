import { describe, expect, it } from 'vitest';
import type { HttpProblem } from '../../src/http/problem';
import { apiRoutes, refusal, route } from '../helpers/api-routes';

const allowed = (problem: HttpProblem) => (problem.headers.allow ?? '').split(', ').sort();

describe('router', () => {
  it('reads the six routes of handlers/api.ts', () => {
    // Act
    const routes = apiRoutes();

    // Assess
    expect(routes.map(({ method, path }) => `${method} ${path}`).sort()).toEqual([
      'GET /openapi.json',
      'GET /submissions',
      'GET /submissions/{id}',
      'GET /submissions/{id}/content',
      'POST /submissions',
      'POST /submissions/batch',
    ]);
  });

  it.each([
    ['POST', '/submissions', 'POST /submissions'],
    ['GET', '/submissions', 'GET /submissions'],
    ['GET', '/submissions/', 'GET /submissions'],
    ['POST', '/submissions/batch', 'POST /submissions/batch'],
    ['GET', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23', 'GET /submissions/{id}'],
    ['GET', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/content', 'GET /submissions/{id}/content'],
    ['GET', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/content/', 'GET /submissions/{id}/content'],
    // Not the batch path: an id the handler refuses (400).
    ['GET', '/submissions/batch/content', 'GET /submissions/{id}/content'],
    ['GET', '/openapi.json', 'GET /openapi.json'],
  ])('routes %s %s to %s', async (method, path, expected) => {
    // Act
    const response = await route(method, path);

    // Assess
    expect(response.body).toBe(expected);
  });

  it.each([
    '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23',
    '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/content',
  ])('gives the {id} route of %s its path parameter', async (path) => {
    // Act
    const response = await route('GET', path);

    // Assess
    expect(response.headers['x-id']).toBe('0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23');
  });

  it.each([
    ['DELETE', '/submissions', ['GET', 'POST']],
    ['PUT', '/submissions', ['GET', 'POST']],
    ['PATCH', '/submissions/', ['GET', 'POST']],
    ['PUT', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23', ['GET']],
    ['POST', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23', ['GET']],
    ['DELETE', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23', ['GET']],
    ['POST', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/content', ['GET']],
    ['PUT', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/content', ['GET']],
    ['PATCH', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/content/', ['GET']],
    ['DELETE', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/content', ['GET']],
    // The fixed path is not an {id}: only its own method is allowed there.
    ['GET', '/submissions/batch', ['POST']],
    ['PUT', '/submissions/batch', ['POST']],
    ['GET', '/submissions/batch/', ['POST']],
    ['POST', '/openapi.json', ['GET']],
    ['DELETE', '/openapi.json', ['GET']],
  ])('answers %s %s with 405 and Allow: %j', async (method, path, methods) => {
    // Act
    const problem = await refusal(method, path);

    // Assess
    expect(problem.status).toBe(405);
    expect(allowed(problem)).toEqual(methods);
    expect(problem.detail).toContain(method);
  });

  it.each([
    ['GET', '/'],
    ['GET', '/nope'],
    ['POST', '/nope'],
    ['GET', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/result'],
    ['GET', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/content/extra'],
    ['DELETE', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23/Content'],
    ['DELETE', '/submissions/a/b'],
    ['GET', '/submissionsX'],
    ['GET', '/openapiXjson'],
    ['GET', '/openapi.json/extra'],
  ])('answers %s %s with 404 "There is no …", without Allow', async (method, path) => {
    // Act
    const problem = await refusal(method, path);

    // Assess
    expect(problem.status).toBe(404);
    expect(problem.detail).toBe(`There is no ${path}.`);
    expect(problem.headers).not.toHaveProperty('allow');
  });
});
