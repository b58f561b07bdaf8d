/**
 * A forwarding proxy for the AWS JSON protocols (DynamoDB, and SQS since SDK v3
 * speaks JSON to it): a plain HTTP server on 127.0.0.1 in front of an emulator.
 * Each request is handed to an `exchange` function together with a way to
 * forward it; what the function returns is what the caller hears. The soak's
 * fault proxy and the bench's counting proxy are two such functions.
 */
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  /** The operation named by `x-amz-target` (`PutItem`, `ReceiveMessage`), or '' when there is none. */
  operation: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ProxiedAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Decides the answer to one request; `forward` sends it to the emulator (at most
 * once), or sends `body` in place of the request's own.
 */
export type Exchange = (
  request: ProxiedRequest,
  forward: (body?: Buffer) => Promise<ProxiedAnswer>,
) => Promise<ProxiedAnswer>;

export interface AwsProxy {
  endpoint: string;
  close(): Promise<void>;
}

/** An error answer in the JSON protocol's shape; `type` may carry a service prefix (`…#Name`). */
export function errorAnswer(statusCode: number, type: string, message: string): ProxiedAnswer {
  return {
    statusCode,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `proxy-${Date.now()}` },
    body: Buffer.from(JSON.stringify({ __type: type, message })),
  };
}

async function readBody(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, answer: ProxiedAnswer): void {
  const headers = { ...answer.headers };
  delete headers['transfer-encoding'];
  headers['content-length'] = String(answer.body.length);
  response.writeHead(answer.statusCode, headers);
  response.end(answer.body);
}

/**
 * Starts the proxy in front of `target` (e.g. http://127.0.0.1:8000). When the
 * emulator cannot be reached (starting or stopping), the caller hears a 500, as
 * from a service having a bad moment.
 */
export async function startAwsProxy(options: { target: string; exchange: Exchange }): Promise<AwsProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  const forward = (incoming: IncomingMessage, body: Buffer) =>
    new Promise<ProxiedAnswer>((resolve, reject) => {
      const outgoing = request(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, 'content-length': body.length },
          agent,
        },
        (answer) => {
          readBody(answer).then(
            (answerBody) =>
              resolve({ statusCode: answer.statusCode ?? 500, headers: answer.headers, body: answerBody }),
            reject,
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const server = createServer((incoming, response) => {
    readBody(incoming)
      .then((body) => {
        const operation = String(incoming.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
        return options.exchange({ operation, headers: incoming.headers, body }, (replacement) =>
          forward(incoming, replacement ?? body),
        );
      })
      .then(
        (answer) => send(response, answer),
        (error: unknown) => {
          if (response.headersSent) response.destroy();
          else send(response, errorAnswer(500, 'InternalServerError', `proxy: ${String(error)}`));
        },
      );
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
