/**
 * What `sls package` / `sls deploy` refuse: a stage that would not authenticate
 * its callers, or whose API could not start. Used by the serverless plugin.
 */

export interface JwtAuthorizer {
  type?: string;
  issuerUrl?: unknown;
  audience?: unknown;
}

/** The parts of serverless's resolved `provider` block the checks read. */
export interface ProviderSettings {
  environment?: Record<string, unknown>;
  httpApi?: { authorizers?: Record<string, JwtAuthorizer> };
}

/** `a, b,,c ` → `['a', 'b', 'c']`; unset or blank → `[]`. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

const AUTH_HELP =
  'Deployed stages authenticate every request with a JWT: set JWT_ISSUER (the issuer URL, e.g. ' +
  'https://cognito-idp.<region>.amazonaws.com/<userPoolId>) and JWT_AUDIENCE (the accepted audiences, ' +
  'comma-separated) in the shell that packages or deploys. See README.md, section "Authentication".';

/**
 * Why packaging this configuration would ship an API that is not authenticated,
 * or undefined when it would not: every deployed stage runs AUTH_MODE=jwt
 * behind JWT authorizers with an https issuer and at least one audience.
 */
export function unauthenticatedDeployment(stage: string, provider: ProviderSettings): string | undefined {
  const authMode = provider.environment?.AUTH_MODE;
  if (authMode !== 'jwt') {
    return (
      `Stage "${stage}" runs AUTH_MODE=${String(authMode)}, which is for \`npm start\` only ` +
      `and cannot be packaged or deployed. ${AUTH_HELP}`
    );
  }
  const authorizers = Object.values(provider.httpApi?.authorizers ?? {});
  const jwt = authorizers.filter((authorizer) => (authorizer.type ?? 'jwt') === 'jwt');
  if (jwt.length === 0) return `Stage "${stage}" has no JWT authorizer. ${AUTH_HELP}`;
  const problems = new Set<string>();
  for (const { issuerUrl, audience } of jwt) {
    if (typeof issuerUrl !== 'string' || issuerUrl === '') problems.add('JWT_ISSUER is not set');
    else if (!issuerUrl.startsWith('https://')) problems.add(`JWT_ISSUER is not an https URL: ${issuerUrl}`);
    // Serverless's schema coercion turns a one-audience list into a string.
    const audiences = [audience ?? []].flat().filter((entry) => typeof entry === 'string' && entry !== '');
    if (audiences.length === 0) problems.add('JWT_AUDIENCE is not set');
  }
  if (problems.size === 0) return undefined;
  return `Refusing to package stage "${stage}" without authentication: ${[...problems].join(', ')}. ${AUTH_HELP}`;
}

/** Why the API of this configuration could not start, or undefined: a jwt API needs CURSOR_SECRET. */
export function missingSecrets(stage: string, provider: ProviderSettings): string | undefined {
  const secret = provider.environment?.CURSOR_SECRET;
  if (typeof secret === 'string' && secret.length >= 32) return undefined;
  return (
    `Refusing to package stage "${stage}": CURSOR_SECRET is not set (32+ characters; it signs ` +
    'pagination cursors, and the API refuses to start without it). Set it in the shell that packages ' +
    'or deploys. See README.md, section "Deploying".'
  );
}

/** The stage's throttling as written into serverless.yml's `HttpApiStage` extension. */
export interface RouteThrottling {
  ThrottlingRateLimit?: unknown;
  ThrottlingBurstLimit?: unknown;
}

/** A limit as a number (an environment variable arrives as a string), or undefined when it is not positive. */
function positiveNumber(value: unknown): number | undefined {
  const number = typeof value === 'number' || typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(number) && number > 0 ? number : undefined;
}

/**
 * The stage's throttling as numbers, or why it cannot be packaged: each limit
 * (API_RATE_LIMIT, API_BURST_LIMIT) must be a positive number.
 */
export function routeThrottling(
  stage: string,
  { ThrottlingRateLimit, ThrottlingBurstLimit }: RouteThrottling,
): { rate: number; burst: number } | { refusal: string } {
  const rate = positiveNumber(ThrottlingRateLimit);
  const burst = positiveNumber(ThrottlingBurstLimit);
  if (rate !== undefined && burst !== undefined) return { rate, burst };
  const problems = [
    rate === undefined &&
      `API_RATE_LIMIT must be a positive number, not ${JSON.stringify(ThrottlingRateLimit)}`,
    burst === undefined &&
      `API_BURST_LIMIT must be a positive number, not ${JSON.stringify(ThrottlingBurstLimit)}`,
  ].filter(Boolean);
  return { refusal: `Refusing to package stage "${stage}": ${problems.join('; ')}.` };
}
