import type {
  APIGatewayEventRequestContextJWTAuthorizer,
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { vi } from 'vitest';
import { createTestBackend, type TestBackend } from './backend';
import { type CapturedOutput, captureOutput } from './output-capture';

export interface RequestOptions {
  /** Lower-case names, as API Gateway delivers them. A JSON content-type is added when there is a body. */
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  query?: Record<string, string>;
  /** The JWT `sub` an authorizer would put in the request context; none means no authorizer ran. */
  owner?: string;
}

/** The route API Gateway would match, as serverless.yml declares them. */
function routeOf(
  method: string,
  path: string,
): { routeKey: string; pathParameters?: Record<string, string> } {
  if (path === '/submissions' && (method === 'GET' || method === 'POST'))
    return { routeKey: `${method} /submissions` };
  if (path === '/submissions/batch' && method === 'POST') return { routeKey: 'POST /submissions/batch' };
  if (path === '/openapi.json' && method === 'GET') return { routeKey: 'GET /openapi.json' };
  const id = /^\/submissions\/([^/]+)$/.exec(path)?.[1];
  if (id !== undefined && method === 'GET')
    return { routeKey: 'GET /submissions/{id}', pathParameters: { id } };
  return { routeKey: '$default' };
}

/** An HTTP API (payload 2.0) event as API Gateway builds it. */
export function httpEvent(
  method: string,
  path: string,
  options: RequestOptions = {},
): APIGatewayProxyEventV2 {
  const { routeKey, pathParameters } = routeOf(method, path);
  const now = Date.now();
  const requestContext: APIGatewayEventRequestContextV2 = {
    accountId: '000000000000',
    apiId: 'api',
    domainName: 'api.example.test',
    domainPrefix: 'api',
    http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
    requestId: `request-${now}`,
    routeKey,
    stage: '$default',
    time: new Date(now).toUTCString(),
    timeEpoch: now,
  };
  const authorizer: APIGatewayEventRequestContextJWTAuthorizer | undefined =
    options.owner === undefined
      ? undefined
      : { principalId: '', integrationLatency: 0, jwt: { claims: { sub: options.owner }, scopes: [] } };
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: {
      host: 'api.example.test',
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(pathParameters ? { pathParameters } : {}),
    requestContext: { ...requestContext, ...(authorizer ? { authorizer } : {}) },
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'submissions-test-api',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:submissions-test-api',
  memoryLimitInMB: '512',
  awsRequestId: 'test-request',
  logGroupName: '/aws/lambda/submissions-test-api',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body; undefined when there is none. */
  body: unknown;
  rawBody: string | undefined;
}

type ApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const API_ENV = [
  'TABLE_NAME',
  'QUEUE_URL',
  'MAX_CONTENT_BYTES',
  'DEFAULT_OWNER',
  'POLL_RETRY_AFTER_SECONDS',
  'AUTH_MODE',
  'CURSOR_SECRET',
  'CURSOR_SECRET_ARN',
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  'LOG_LEVEL',
  'RULES_JSON',
] as const;
type ApiEnv = Partial<Record<(typeof API_ENV)[number], string>>;

/**
 * Imports a fresh copy of handlers/api.ts composed from `settings` (the module
 * reads process.env once, at import, as a Lambda cold start does); AUTH_MODE
 * defaults to the local `dev` mode. Call `restore` afterwards to put process.env
 * back; an import that throws restores it itself.
 */
export async function loadApiHandler(settings: ApiEnv) {
  const env: ApiEnv = { AUTH_MODE: 'dev', ...settings };
  const saved: ApiEnv = Object.fromEntries(API_ENV.map((name) => [name, process.env[name]]));
  for (const name of API_ENV) {
    const value = env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const restore = () => {
    for (const name of API_ENV) {
      const value = saved[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  vi.resetModules();
  let handler: ApiHandler;
  try {
    ({ handler } = (await import('../../handlers/api')) as { handler: ApiHandler });
  } catch (error) {
    // A cold start that fails (bad configuration) must not leave its environment behind.
    restore();
    throw error;
  }

  async function call(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    return invoke(httpEvent(method, path, options));
  }

  /** Calls the handler with `event` exactly as given (one a test built itself). */
  async function invoke(event: APIGatewayProxyEventV2): Promise<ApiResponse> {
    const result = await handler(event, lambdaContext);
    const headers = Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
    );
    return {
      status: result.statusCode ?? 200,
      headers,
      body: result.body === undefined ? undefined : (JSON.parse(result.body) as unknown),
      rawBody: result.body,
    };
  }

  return { call, invoke, restore };
}

export type ApiHandlerUnderTest = Awaited<ReturnType<typeof loadApiHandler>>;

/**
 * A fresh table and queue, and the api handler imported over them with `settings`,
 * for one test; the handler's output (log lines, metrics) is captured in `output`
 * and kept off the terminal, except error lines (an unexpected 500 shows).
 */
export async function apiOnFreshBackend(
  settings: Omit<ApiEnv, 'TABLE_NAME' | 'QUEUE_URL'> = {},
): Promise<{ backend: TestBackend; api: ApiHandlerUnderTest; output: CapturedOutput }> {
  const backend = await createTestBackend();
  const output = captureOutput({ passErrors: true });
  const api = await loadApiHandler({
    TABLE_NAME: backend.tableName,
    QUEUE_URL: backend.queueUrl,
    ...settings,
  });
  return { backend, api, output };
}

/** Undoes apiOnFreshBackend; pass the handler the test ended with (it may have reloaded one). */
export async function closeApi(backend: TestBackend, api: ApiHandlerUnderTest): Promise<void> {
  api.restore();
  vi.restoreAllMocks();
  await backend.destroy();
}
