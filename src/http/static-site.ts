import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SECURITY_HEADERS } from './security-headers';

export interface Asset {
  body: string;
  contentType: string;
}

/**
 * The page may load scripts and styles from its own origin and call the API there;
 * nothing inline, nothing from elsewhere, no frames, no plugins, no form posts. The
 * only image is the page's empty `data:` icon.
 */
export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

type Result = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };

const strongEtag = (body: string) =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;

/**
 * Serves fixed assets by path, with the security headers of the API but a CSP that lets
 * the page run. `no-cache` plus an ETag: browsers revalidate, so a deploy shows at once.
 */
export function staticSite(assets: Record<string, Asset>) {
  const served = new Map(
    Object.entries(assets).map(([path, asset]) => [path, { ...asset, etag: strongEtag(asset.body) }]),
  );
  return async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const asset = served.get(event.rawPath);
    const security = { ...SECURITY_HEADERS, 'content-security-policy': PAGE_CONTENT_SECURITY_POLICY };
    if (!asset) {
      return {
        statusCode: 404,
        headers: { ...security, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
        body: 'Not found',
      };
    }
    const headers = {
      ...security,
      'content-type': asset.contentType,
      'cache-control': 'no-cache',
      etag: asset.etag,
    };
    const ifNoneMatch = Object.entries(event.headers ?? {}).find(
      ([name]) => name.toLowerCase() === 'if-none-match',
    )?.[1];
    if (ifNoneMatch === asset.etag) return { statusCode: 304, headers };
    return { statusCode: 200, headers, body: asset.body };
  };
}
