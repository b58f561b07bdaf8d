/** A field-level reason for a 400, pointing at the offending part of the request. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * An RFC 9457 problem. Thrown by request parsing and use-case mapping; the error
 * middleware turns it into an `application/problem+json` response.
 */
export class HttpProblem extends Error {
  override name = 'HttpProblem';

  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    /** Extra response headers the status calls for (`Allow` on 405, `WWW-Authenticate` on 401). */
    readonly headers: Record<string, string> = {},
    /** RFC 9457 extension members, beside the standard ones. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  toBody(instance?: string): Record<string, unknown> {
    return {
      type: `https://httpstatuses.io/${this.status}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extensions,
    };
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(400, 'Bad Request', detail, errors);
export const unauthorized = (detail: string) =>
  new HttpProblem(401, 'Unauthorized', detail, undefined, { 'www-authenticate': 'Bearer' });
export const notFound = (detail: string) => new HttpProblem(404, 'Not Found', detail);
export const gone = (detail: string) => new HttpProblem(410, 'Gone', detail);
export const methodNotAllowed = (detail: string, allow: string[]) =>
  new HttpProblem(405, 'Method Not Allowed', detail, undefined, { allow: allow.join(', ') });
export const unprocessable = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(422, 'Unprocessable Content', detail, errors);
export const payloadTooLarge = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(413, 'Content Too Large', detail, errors);
export const unsupportedMediaType = (detail: string) =>
  new HttpProblem(415, 'Unsupported Media Type', detail);
