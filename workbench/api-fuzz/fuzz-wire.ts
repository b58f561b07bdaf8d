/**
 * One HTTP exchange exactly as the fuzz means it: the path, headers and body bytes sent as
 * given (node:http, no normalisation), a fresh connection each time, and the response as
 * the wire carried it.
 */
import { request } from 'node:http';

export interface WireRequest {
  method: string;
  /** The request target as sent: path and query, no normalisation of `..`, `//` or escapes. */
  target: string;
  /** Header lines; a list sends the same header on several lines. */
  headers: Record<string, string | string[]>;
  body: Buffer | undefined;
  /** `content-length`: the length is announced; `chunked`: the body is streamed without one. */
  framing: 'content-length' | 'chunked';
}

export interface WireResponse {
  status: number;
  /** Lower-cased names; a header sent on several lines is joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

export const REQUEST_TIMEOUT_MS = 30_000;

export function sendRequest(endpoint: URL, wire: WireRequest): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { ...wire.headers };
    if (wire.body !== undefined && wire.framing === 'content-length') {
      headers['content-length'] = String(wire.body.byteLength);
    }
    const outgoing = request(
      {
        host: endpoint.hostname,
        port: Number(endpoint.port),
        method: wire.method,
        path: wire.target,
        headers,
        agent: false,
        timeout: REQUEST_TIMEOUT_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: response.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) });
        });
      },
    );
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)),
    );
    outgoing.on('error', reject);
    if (wire.body !== undefined && wire.framing === 'chunked') {
      // Written before end(): node then streams it with Transfer-Encoding: chunked.
      outgoing.write(wire.body);
      outgoing.end();
    } else {
      outgoing.end(wire.body);
    }
  });
}
