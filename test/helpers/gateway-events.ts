import type { APIGatewayEventRequestContextJWTAuthorizer, APIGatewayProxyEventV2 } from 'aws-lambda';
import { inject } from 'vitest';
import { createSqsClient, queueUrlByName } from '../../src/adapters/sqs/sqs-client';
import { httpEvent, loadApiHandler } from './api-events';
import { type RawResponse, sendRaw } from './e2e-raw-http';

/**
 * One HTTP request as a client writes it, delivered two ways: as the HTTP API (payload 2.0)
 * event API Gateway builds from it, to drive the api handler directly, and over real HTTP
 * to the local stack (serverless-offline builds its own event from the same bytes).
 */
export interface WireRequest {
  method: 'GET' | 'POST';
  /** The request target as sent: the path, then `?` and the query exactly as written. */
  target: string;
  /** Header lines in the order sent; a name may repeat, in any case. */
  headers?: readonly (readonly [string, string])[];
  body?: string | Buffer;
  /**
   * The caller's JWT claims. The client sends them as `Authorization: Bearer <unsigned JWT>`;
   * API Gateway's JWT authorizer would verify it and put them in the request context.
   */
  claims?: Record<string, string | number>;
}

/** A JWT with no signature (`alg: none`): serverless-offline decodes it without checking one. */
export function unverifiedJwt(claims: Record<string, string | number>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

function headerLines(request: WireRequest): (readonly [string, string])[] {
  const lines = [...(request.headers ?? [])];
  if (request.claims) lines.push(['Authorization', `Bearer ${unverifiedJwt(request.claims)}`]);
  return lines;
}

/** API Gateway's `queryStringParameters`: names and values decoded, repeated names joined with commas. */
function queryParameters(rawQuery: string): Record<string, string> | undefined {
  if (rawQuery === '') return undefined;
  const joined = new Map<string, string>();
  for (const pair of rawQuery.split('&')) {
    const equals = pair.indexOf('=');
    const name = decodeURIComponent(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? '' : decodeURIComponent(pair.slice(equals + 1));
    const earlier = joined.get(name);
    joined.set(name, earlier === undefined ? value : `${earlier},${value}`);
  }
  return Object.fromEntries(joined);
}

export interface GatewayOptions {
  /** Deliver the body base64-encoded with `isBase64Encoded: true`, as API Gateway does for binary. */
  base64?: boolean;
}

/**
 * The event API Gateway (HTTP API, payload format 2.0) builds from `request`, per "Create AWS
 * Lambda proxy integrations for HTTP APIs": header names lower-case, repeated headers joined
 * with commas, cookies in `cookies` and not in `headers`, `rawQueryString` as written and
 * `queryStringParameters` decoded with repeated names joined with commas, `body` a string
 * (base64 with `isBase64Encoded` for binary) and absent when there is none, and a JWT
 * authorizer's claims (values as strings) and scopes in `requestContext.authorizer.jwt`.
 */
export function apiGatewayEvent(request: WireRequest, options: GatewayOptions = {}): APIGatewayProxyEventV2 {
  const question = request.target.indexOf('?');
  const rawPath = question < 0 ? request.target : request.target.slice(0, question);
  const rawQueryString = question < 0 ? '' : request.target.slice(question + 1);

  const headers = new Map<string, string>([['host', 'api.example.test']]);
  const cookies: string[] = [];
  for (const [name, value] of headerLines(request)) {
    const key = name.toLowerCase();
    if (key === 'cookie') {
      cookies.push(...value.split(';').map((cookie) => cookie.trim()));
      continue;
    }
    const earlier = headers.get(key);
    headers.set(key, earlier === undefined ? value : `${earlier},${value}`);
  }
  const { body } = request;
  if (body !== undefined && !headers.has('transfer-encoding')) {
    headers.set('content-length', String(Buffer.byteLength(body)));
  }

  let delivered: { body?: string; isBase64Encoded: boolean } = { isBase64Encoded: false };
  if (body !== undefined && options.base64) {
    delivered = { body: Buffer.from(body).toString('base64'), isBase64Encoded: true };
  } else if (body !== undefined) {
    // Text is passed as text; bytes that are not UTF-8 only ever arrive base64-encoded.
    delivered = {
      body: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.from(body)),
      isBase64Encoded: false,
    };
  }

  const claims = request.claims;
  const authorizer: APIGatewayEventRequestContextJWTAuthorizer | undefined = claims && {
    principalId: '',
    integrationLatency: 0,
    jwt: {
      claims: Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, String(value)])),
      scopes: typeof claims.scope === 'string' ? claims.scope.split(' ') : [],
    },
  };

  const base = httpEvent(request.method, rawPath);
  const queryStringParameters = queryParameters(rawQueryString);
  return {
    ...base,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers: Object.fromEntries(headers),
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: { ...base.requestContext, ...(authorizer ? { authorizer } : {}) },
    ...delivered,
  };
}

/**
 * Sends `request` to the e2e stack over node:http: each header line as given (a repeated
 * name as separate lines), the body as bytes (chunked when a `Transfer-Encoding: chunked`
 * line says so, else with a Content-Length). A fresh connection each time.
 */
export function sendToStack(request: WireRequest): Promise<RawResponse> {
  const headers: Record<string, string[]> = {};
  const spelling = new Map<string, string>();
  for (const [name, value] of headerLines(request)) {
    const first = spelling.get(name.toLowerCase()) ?? name;
    spelling.set(name.toLowerCase(), first);
    headers[first] = [...(headers[first] ?? []), value];
  }
  return sendRaw({ method: request.method, path: request.target, headers, body: request.body });
}

/** The URL of the queue named `name` on the e2e stack's SQS emulator. */
export async function stackQueueUrl(name = inject('stack').queueName): Promise<string> {
  const sqs = createSqsClient({ endpoint: inject('stack').env.AWS_ENDPOINT_URL_SQS });
  const url = await queueUrlByName(sqs, name);
  sqs.destroy();
  if (!url) throw new Error(`the e2e stack has no queue ${name}`);
  return url;
}

/**
 * The api handler imported in this process with the e2e stack's settings, on the stack's
 * own table and (unless `queueUrl` says otherwise) queue: AUTH_MODE=dev with the default
 * owner, the same cursor key, the emulators' endpoints. `restore` puts process.env back.
 */
export async function apiHandlerOnStack(queueUrl?: string) {
  const stack = inject('stack');
  const saved = Object.fromEntries(Object.keys(stack.env).map((name) => [name, process.env[name]]));
  const restoreEndpoints = () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  Object.assign(process.env, stack.env);
  try {
    const api = await loadApiHandler({
      TABLE_NAME: stack.tableName,
      QUEUE_URL: queueUrl ?? (await stackQueueUrl()),
      MAX_CONTENT_BYTES: stack.settings.MAX_CONTENT_BYTES,
    });
    return {
      invoke: api.invoke,
      restore: () => {
        api.restore();
        restoreEndpoints();
      },
    };
  } catch (error) {
    restoreEndpoints();
    throw error;
  }
}
