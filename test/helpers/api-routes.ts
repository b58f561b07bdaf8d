import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { expect } from 'vitest';
import { HttpProblem } from '../../src/http/problem';
import { router } from '../../src/http/router';

export interface RouteEntry {
  method: 'GET' | 'POST';
  path: string;
}

/**
 * The router table of handlers/api.ts, read from its source: the module itself
 * composes the app at import, and the table is not exported, so the test reads
 * what a reviewer reads.
 */
export function apiRoutes(): RouteEntry[] {
  const source = readFileSync(fileURLToPath(new URL('../../handlers/api.ts', import.meta.url)), 'utf8');
  const table = /router\(\s*\[([\s\S]*?)\]\s*,?\s*\)/.exec(source)?.[1];
  if (!table) throw new Error('handlers/api.ts has no router([...]) table');
  const routes = [...table.matchAll(/\{\s*method:\s*'([A-Z]+)',\s*path:\s*'([^']+)'/g)].map(
    ([, method, path]) => ({ method, path }) as RouteEntry,
  );
  if (routes.length === 0) throw new Error('no routes found in handlers/api.ts');
  return routes;
}

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

export async function route(method: string, path: string) {
  const handle = apiRouter() as unknown as (
    event: APIGatewayProxyEventV2,
    context: Context,
  ) => Promise<{ statusCode: number; body: string; headers: Record<string, string> }>;
  return handle(event(method, path), {} as Context);
}

/** Routes `method path`, which must be refused with an HttpProblem, and returns it. */
export async function refusal(method: string, path: string): Promise<HttpProblem> {
  try {
    await route(method, path);
  } catch (error) {
    if (error instanceof HttpProblem) return error;
    throw error;
  }
  return expect.unreachable(`${method} ${path} was routed`);
}
