import { staticSite } from '../src/http/static-site';
import script from '../src/ui/app?browser';
import stylesheet from '../src/ui/app.css';
import page from '../src/ui/index.html';

/** The web page, public and on the API's own origin, so it calls the API without CORS. */
export const handler = staticSite({
  '/': { body: page, contentType: 'text/html; charset=utf-8' },
  '/app.js': { body: script, contentType: 'text/javascript; charset=utf-8' },
  '/app.css': { body: stylesheet, contentType: 'text/css; charset=utf-8' },
});
