import { request } from 'node:http';
import { connect } from 'node:net';
import { inject } from 'vitest';

/** A response as the wire carried it: headers lower-cased, the body as text and, when it is JSON, parsed. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
  body: any;
}

export interface RawRequest {
  method: string;
  /** Sent exactly as given: no normalisation of `..`, `//` or percent-escapes. */
  path: string;
  /** A repeated header as a list: one line per value, in order. */
  headers?: Record<string, string | string[]>;
  /** Bytes, so a body can hold what a string cannot (invalid UTF-8). */
  body?: string | Buffer;
}

function endpoint(): { host: string; port: number } {
  const url = new URL(inject('stack').httpEndpoint);
  return { host: url.hostname, port: Number(url.port) };
}

function parsed(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A request over node:http, for what fetch refuses or rewrites: paths with
 * `..` or `//`, bodies that are not valid UTF-8, oversized headers. A fresh
 * connection each time, since the server may close it after refusing one.
 */
export function sendRaw({ method, path, headers = {}, body }: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ ...endpoint(), method, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const flat: Record<string, string | undefined> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          flat[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({ status: response.statusCode ?? 0, headers: flat, text, body: parsed(text) });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * Writes `bytes` to a new TCP connection as they are, for requests node:http
 * will not send (a NUL or raw UTF-8 in the request line or a header), and
 * parses the status line and headers of whatever comes back.
 */
export function sendBytes(bytes: Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(endpoint());
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.end(bytes));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = raw.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      const headers: Record<string, string | undefined> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const text = rest.join('\r\n\r\n');
      resolve({ status, headers, text, body: parsed(text) });
    });
  });
}
