/**
 * serverless-offline's stand-in for API Gateway is a hapi server, and it builds the api
 * function's event differently from API Gateway in ways a client can see
 * (docs/local-development.md#local-stack-vs-api-gateway). These hooks on that server,
 * which serverless-offline exposes through `internals()`, make `npm start` answer as a
 * deployed stage does.
 */

/** The parts of a hapi request and server the hooks use. */
export interface HapiRequest {
  raw: { req: { rawHeaders: string[] } };
  headers: Record<string, string | string[] | undefined>;
  response: {
    isBoom?: boolean;
    statusCode?: number;
    headers: Record<string, unknown>;
    output?: { headers: Record<string, unknown> };
  };
}

type Lifecycle = (request: HapiRequest, h: { continue: symbol }) => symbol;

export interface HapiServer {
  ext(event: 'onRequest' | 'onPreResponse', method: Lifecycle): void;
}

/**
 * One line per header name, repeated lines joined with commas, as API Gateway joins them;
 * serverless-offline would keep only the last line. Names keep their first spelling.
 */
export function joinRepeatedHeaders(rawHeaders: readonly string[]): string[] {
  const joined = new Map<string, { name: string; values: string[] }>();
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const [name = '', value = ''] = rawHeaders.slice(index, index + 2);
    const line = joined.get(name.toLowerCase()) ?? { name, values: [] };
    line.values.push(value);
    joined.set(name.toLowerCase(), line);
  }
  return [...joined.values()].flatMap(({ name, values }) => [name, values.join(',')]);
}

/**
 * A media type serverless-offline neither JSON-parses nor decodes as UTF-8: it then hands
 * the function the bytes sent, base64-encoded, instead of a parsed value (`false`, an
 * unquoted string) or text in which invalid UTF-8 became U+FFFD. Its server (hapi) does
 * not refuse it either, as it refuses a Content-Type that is not a media type at all.
 */
const PASSED_AS_BYTES = 'application/octet-stream';

/**
 * `corsOrigins`: the HTTP API's allowed origins. serverless-offline checks them on a
 * preflight only, and gives any other response to any Origin its CORS headers.
 */
export function actAsApiGateway(server: HapiServer, corsOrigins: readonly string[]): void {
  const allowed = (origin: string) => corsOrigins.includes('*') || corsOrigins.includes(origin);
  // The event's headers come from the raw lines; `request.headers` only steers how hapi
  // and serverless-offline read the body.
  server.ext('onRequest', (request, h) => {
    request.raw.req.rawHeaders = joinRepeatedHeaders(request.raw.req.rawHeaders);
    request.headers['content-type'] = PASSED_AS_BYTES;
    return h.continue;
  });
  // serverless-offline gives every response without a Content-Type `application/json`, a
  // 304 included; API Gateway sends the function's headers as they are (and RFC 9110
  // §15.4.5 has a 304 carry no representation metadata).
  // serverless-offline answers CORS before this (its own onPreResponse): a response to an
  // origin API Gateway would not allow loses the CORS headers it was given.
  server.ext('onPreResponse', ({ response, headers: request }, h) => {
    if (!response.isBoom && response.statusCode === 304) delete response.headers['content-type'];
    const origin = request.origin;
    if (typeof origin === 'string' && !allowed(origin)) {
      const headers = response.isBoom ? (response.output?.headers ?? {}) : response.headers;
      for (const name of Object.keys(headers)) if (/^access-control-/i.test(name)) delete headers[name];
    }
    return h.continue;
  });
}
