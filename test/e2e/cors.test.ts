import { describe, expect, inject, it } from 'vitest';

/**
 * Issue 15 §7: the local stack serves every caller as one owner with no token, so a
 * website must not be able to read it from a browser. CORS allows the page's own origin
 * (under both loopback names) and nothing else.
 */
const endpoint = inject('stack').httpEndpoint;
const port = new URL(endpoint).port;

/** A CORS preflight for a POST from `origin`, and the origin it allows, if any. */
async function preflight(origin: string): Promise<string | null> {
  const response = await fetch(`${endpoint}/submissions`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });
  return response.headers.get('access-control-allow-origin');
}

describe('CORS on the local stack', () => {
  it.each([`http://localhost:${port}`, `http://127.0.0.1:${port}`])(
    'allows the page’s origin %s',
    async (origin) => {
      expect(await preflight(origin)).toBe(origin);
    },
  );

  it.each(['https://evil.example', 'http://localhost.evil.example', `http://192.0.2.1:${port}`, 'null'])(
    'allows no other origin: %s',
    async (origin) => {
      const allowed = await preflight(origin);
      const read = await fetch(`${endpoint}/submissions`, { headers: { origin } });

      expect(allowed).toBeNull();
      expect(read.headers.get('access-control-allow-origin')).toBeNull();
    },
  );
});
