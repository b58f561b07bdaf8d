import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { PAGE_CONTENT_SECURITY_POLICY, staticSite } from '../../src/http/static-site';

const site = staticSite({
  '/': { body: '<!doctype html><p>page</p>', contentType: 'text/html; charset=utf-8' },
  '/app.js': { body: 'console.log(1)', contentType: 'text/javascript; charset=utf-8' },
});

const get = (path: string, headers: Record<string, string> = {}) =>
  site({ rawPath: path, headers } as unknown as APIGatewayProxyEventV2);

describe('staticSite (the page’s assets)', () => {
  it('serves each asset with its type, revalidated on every use', async () => {
    const page = await get('/');
    const script = await get('/app.js');

    expect(page).toMatchObject({ statusCode: 200, body: '<!doctype html><p>page</p>' });
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('carries the API’s security headers, with a CSP that allows this origin’s scripts and nothing inline', async () => {
    const { headers } = await get('/');

    expect(headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'content-security-policy': PAGE_CONTENT_SECURITY_POLICY,
    });
    const directives = Object.fromEntries(
      PAGE_CONTENT_SECURITY_POLICY.split('; ').map((directive) => {
        const [name, ...values] = directive.split(' ');
        return [name, values];
      }),
    );
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(PAGE_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('answers 304 when the browser’s copy is current', async () => {
    const first = await get('/app.js');

    const again = await get('/app.js', { 'If-None-Match': first.headers.etag! });

    expect(first.headers.etag).toMatch(/^"[\w-]{22}"$/);
    expect(again.statusCode).toBe(304);
    expect(again.body).toBeUndefined();
  });

  it('answers 404 for a path it does not hold', async () => {
    expect((await get('/secrets.txt')).statusCode).toBe(404);
  });
});
