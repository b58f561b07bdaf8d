import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { HttpProblem } from '../../src/http/problem';
import { router } from '../../src/http/router';
import { apiRoutes } from '../helpers/api-routes';

/** The API's own router table, each route answering with its name. */
function apiRouter() {
  return router(
    apiRoutes().map(({ method, path }) => ({
      method,
      path,
      handler: async (event: APIGatewayProxyEventV2) => ({
        statusCode: 200,
        body: `${method} ${path}`,
        headers: { 'x-id': event.pathParameters?.id ?? '' },
      }),
    })),
  );
}

const event = (method: string, path: string) =>
  ({ version: '2.0', rawPath: path, requestContext: { http: { method, path } } }) as APIGatewayProxyEventV2;

async function route(method: string, path: string) {
  const handle = apiRouter() as unknown as (
    event: APIGatewayProxyEventV2,
    context: Context,
  ) => Promise<{ statusCode: number; body: string; headers: Record<string, string> }>;
  return handle(event(method, path), {} as Context);
}

/** Routes `method path`, which must be refused with an HttpProblem, and returns it. */
async function refusal(method: string, path: string): Promise<HttpProblem> {
  try {
    await route(method, path);
  } catch (error) {
    if (error instanceof HttpProblem) return error;
    throw error;
  }
  return expect.unreachable(`${method} ${path} was routed`);
}

const allowed = (problem: HttpProblem) => (problem.headers.allow ?? '').split(', ').sort();

describe('router', () => {
  it('reads the five routes of handlers/api.ts', () => {
    // Act
    const routes = apiRoutes();

    // Assess
    expect(routes.map(({ method, path }) => `${method} ${path}`).sort()).toEqual([
      'GET /openapi.json',
      'GET /submissions',
      'GET /submissions/{id}',
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
    ['GET', '/openapi.json', 'GET /openapi.json'],
  ])('routes %s %s to %s', async (method, path, expected) => {
    // Act
    const response = await route(method, path);

    // Assess
    expect(response.body).toBe(expected);
  });

  it('gives the {id} route its path parameter', async () => {
    // Act
    const response = await route('GET', '/submissions/0b6a3e4c-4a51-4c1e-9d0e-2f8a7c9b1d23');

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
