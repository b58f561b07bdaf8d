import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { methodNotAllowed, notFound } from './problem';

type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  handler: Handler;
}

const METHODS = ['GET', 'POST'] as const;

const pattern = (path: string) =>
  new RegExp(
    `^${path
      .split(/\{[^/]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]+')}/?$`,
  );

/**
 * middy's router, answering 405 with `Allow` when the path exists under other
 * methods and 404 when it does not exist at all.
 */
export function router(routes: Route[]) {
  const paths = routes.map((route) => ({ ...route, matches: pattern(route.path) }));
  // As in the routing itself, a fixed path wins over a templated one that also matches it.
  const allowedOn = (path: string) => {
    const matching = paths.filter((route) => route.matches.test(path));
    const fixed = matching.filter((route) => !route.path.includes('{'));
    return [...new Set((fixed.length > 0 ? fixed : matching).map((route) => route.method))];
  };
  // A fixed path (/submissions/batch) must not fall through to a templated one
  // (/submissions/{id}) under another method: answer 405 for it explicitly.
  const shadowed = routes.flatMap((route) =>
    route.path.includes('{')
      ? []
      : METHODS.filter((method) => !routes.some((r) => r.path === route.path && r.method === method)).map(
          (method): Route => ({
            method,
            path: route.path,
            handler: async () => {
              throw methodNotAllowed(`${method} is not allowed on ${route.path}.`, allowedOn(route.path));
            },
          }),
        ),
  );
  return httpRouterHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({
    routes: [...routes, ...shadowed],
    notFoundResponse: ({ method, path }) => {
      const allowed = allowedOn(path);
      if (allowed.length > 0) throw methodNotAllowed(`${method} is not allowed on ${path}.`, allowed);
      throw notFound(`There is no ${path}.`);
    },
  });
}
