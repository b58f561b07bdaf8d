/**
 * Where a request goes, worked out from the request alone: which routes the gateway has
 * (serverless.yml's httpApi events, read as a reviewer reads them) and which the API's
 * contract documents (the served OpenAPI document's paths).
 */
import { readFileSync } from 'node:fs';
import { METHODS } from 'node:http';
import { join } from 'node:path';
import { projectRoot } from '../local/stack';

export interface GatewayRoute {
  /** The function serverless.yml routes it to (api, ui). */
  fn: string;
  method: string;
  path: string;
}

/** serverless.yml's httpApi events, function by function. */
export function readGatewayRoutes(
  serverlessYml = readFileSync(join(projectRoot, 'serverless.yml'), 'utf8'),
): GatewayRoute[] {
  const routes: GatewayRoute[] = [];
  let inFunctions = false;
  let fn: string | undefined;
  for (const line of serverlessYml.split('\n')) {
    if (/^\S/.test(line)) inFunctions = line.startsWith('functions:');
    if (!inFunctions || line.trim().startsWith('#')) continue;
    const name = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line)?.[1];
    if (name) fn = name;
    const event = /httpApi:\s*\{\s*method:\s*([A-Za-z]+),\s*path:\s*(?:"([^"]+)"|([^,}\s]+))/.exec(line);
    if (event && fn) routes.push({ fn, method: event[1]!.toUpperCase(), path: (event[2] ?? event[3])! });
  }
  if (!routes.some((route) => route.fn === 'api')) throw new Error('serverless.yml has no httpApi route');
  return routes;
}

/** Whether `path` (no query) matches `template`: `{name}` stands for one non-empty segment. */
export function matchesTemplate(template: string, path: string): boolean {
  const wanted = template.split('/');
  const given = path.split('/');
  return (
    wanted.length === given.length &&
    wanted.every((segment, index) =>
      /^\{[^}]+\}$/.test(segment) ? given[index] !== '' : segment === given[index],
    )
  );
}

/** Of the templates matching `path`, the one a router takes: a fixed path before a templated one. */
export function bestTemplate(templates: readonly string[], path: string): string | undefined {
  const matching = templates.filter((template) => matchesTemplate(template, path));
  return matching.find((template) => !template.includes('{')) ?? matching[0];
}

/** Escapes that do not decode (a `%` without two hex digits, or bytes that are not UTF-8): the server cannot route the path. */
export function hasMalformedEscape(path: string): boolean {
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

/** RFC 3986's normalisation: an escaped unreserved character (`%41`, `%2e`) is that character, other escapes upper case. */
function normalizeEscapes(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (escaped, hex: string) => {
    const character = String.fromCharCode(Number.parseInt(hex, 16));
    return /^[A-Za-z0-9._~-]$/.test(character) ? character : escaped.toUpperCase();
  });
}

/** Dot segments resolved the way a URL parser resolves them. */
function resolveDots(path: string): string {
  try {
    return new URL(`http://fuzz.invalid${path}`).pathname;
  } catch {
    return path;
  }
}

const withoutTrailingSlash = (path: string) =>
  path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;

/**
 * The paths a server may route `rawPath` as: as sent, with its escapes normalised
 * (serverless-offline's hapi does), with dot segments resolved, and each without
 * one trailing slash (serverless-offline strips it). The last is the one it routes on.
 */
export function pathCandidates(rawPath: string): string[] {
  const decoded = normalizeEscapes(rawPath);
  const forms = [rawPath, resolveDots(rawPath), decoded, resolveDots(decoded)];
  return [...new Set(forms.flatMap((path) => [path, withoutTrailingSlash(path)]))];
}

/** The path a server routes on: escapes normalised, dot segments resolved, one trailing slash dropped. */
export function routedPath(rawPath: string): string {
  return withoutTrailingSlash(resolveDots(normalizeEscapes(rawPath)));
}

/** Dot segments (plain or escaped): where routing depends on normalisation this fuzz only guesses. */
export const hasDotSegment = (rawPath: string) => /(^|\/)(\.|%2e){1,2}(\/|$)/i.test(rawPath);

export type GatewayRouting =
  /** The gateway has a route: the function answers. */
  | { kind: 'function'; fn: string }
  /** No route for this method and path: the server in front answers 404 itself. */
  | { kind: 'no-route' }
  /** A method Node's HTTP parser does not know: the server refuses the request line (400). */
  | { kind: 'unknown-method' }
  /** OPTIONS: CORS preflights are the server's (API Gateway's own on AWS). */
  | { kind: 'preflight' }
  /** The server may refuse the request line itself (a malformed escape) or route it. */
  | { kind: 'uncertain' };

/** Where the gateway sends `method rawPath` (HEAD is routed like GET, as hapi and API Gateway's GET routes do). */
export function gatewayRouting(
  routes: readonly GatewayRoute[],
  method: string,
  rawPath: string,
): GatewayRouting {
  if (!METHODS.includes(method)) return { kind: 'unknown-method' };
  if (method === 'OPTIONS') return { kind: 'preflight' };
  if (hasMalformedEscape(rawPath) || hasDotSegment(rawPath)) return { kind: 'uncertain' };
  const path = routedPath(rawPath);
  const routed = (route: GatewayRoute) =>
    (route.method === method || (method === 'HEAD' && route.method === 'GET')) &&
    matchesTemplate(route.path, path);
  const fixed = routes.find((route) => routed(route) && !route.path.includes('{'));
  const route = fixed ?? routes.find(routed);
  return route ? { kind: 'function', fn: route.fn } : { kind: 'no-route' };
}
