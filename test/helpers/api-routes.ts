import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
