import { describe, expect, it } from 'vitest';
import { api } from '../helpers/http';

/** The page over plain HTTP: runs with or without Chromium. */
describe('the page at GET /, on the stack `npm start` runs', () => {
  it('serves the HTML, public and with a CSP that allows only this origin’s scripts and styles', async () => {
    const page = await api('/');

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.body).toContain('<script type="module" src="app.js"></script>');
    expect(page.body).toContain('<link rel="stylesheet" href="app.css" />');
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\son[a-z]+="/i); // nothing inline
  });

  it('serves the script as one bundled module and the stylesheet, both revalidated by ETag', async () => {
    const script = await api('/app.js');
    const stylesheet = await api('/app.css');
    const again = await api('/app.js', { headers: { 'if-none-match': script.headers.get('etag') ?? '' } });

    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain('getRandomValues'); // the page's code, compiled
    expect(script.body).not.toMatch(/\bimport\s*[{*\w]|from\s*["']/); // self-contained
    expect(stylesheet.status).toBe(200);
    expect(stylesheet.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(again.status).toBe(304);
  });

  it('leaves the API’s own CSP as strict as before', async () => {
    const list = await api('/submissions');

    expect(list.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});
