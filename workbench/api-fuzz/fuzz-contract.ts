/**
 * The served OpenAPI document as the judge of every answer the API function gives: the
 * status must be one the operation documents, the media type one its response lists, and
 * the body and headers must validate against its schemas.
 *
 * Schemas are validated by openapi-backend (its Ajv validators, built from the document).
 * openapi-backend compiles only the `application/json` entry of a response and passes any
 * status it has no validator for, so this module adds what it leaves out: the status and
 * the media type are looked up in the document itself, and each response's one media type
 * (`application/problem+json` for every problem) is handed to openapi-backend under the
 * key it reads. A response listing two media types would make that ambiguous: refused.
 */
import OpenAPIBackend, { type Document, SetMatchType } from 'openapi-backend';
import { bestTemplate } from './fuzz-routes';

export interface ContractProblem {
  /** `bodiless-with-type`: a Content-Type on a response without body where the document has no content. */
  kind: 'status' | 'media-type' | 'body' | 'headers' | 'undocumented-body' | 'bodiless-with-type';
  message: string;
}

interface ResponseObject {
  content?: Record<string, { schema?: unknown }>;
  headers?: Record<string, unknown>;
}
type Operations = Record<
  string,
  Record<string, { operationId?: string; responses?: Record<string, ResponseObject> }>
>;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The document with each response's single media type keyed as `application/json`, which openapi-backend reads. */
function validationView(document: Document): Document {
  const view = structuredClone(document) as unknown as { paths: Operations };
  for (const [path, item] of Object.entries(view.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.includes(method)) continue;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const types = Object.keys(response.content ?? {});
        if (types.length > 1) {
          throw new Error(
            `${method} ${path} ${status} lists ${types.join(', ')}: one media type per response only`,
          );
        }
        if (types.length === 1 && types[0] !== 'application/json') {
          response.content = { 'application/json': response.content![types[0]!]! };
        }
      }
    }
  }
  return view as unknown as Document;
}

export interface CheckedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export class OpenApiContract {
  readonly #api: OpenAPIBackend;
  readonly #document: { paths: Operations };

  private constructor(document: Document, api: OpenAPIBackend) {
    this.#document = document as unknown as { paths: Operations };
    this.#api = api;
  }

  /** Loads the served document; openapi-backend validates it against the OpenAPI schema first. */
  static async load(document: Document): Promise<OpenApiContract> {
    const api = new OpenAPIBackend({
      definition: validationView(document),
      validate: true,
      strict: true,
      // The schemas' own `pattern`s carry what these formats mean; declaring them known
      // keeps Ajv from warning that it ignores them.
      ajvOpts: { formats: { uuid: true, 'date-time': true } },
    });
    await api.init();
    return new OpenApiContract(document, api);
  }

  /** The documented path `path` falls under, a fixed one before a templated one. */
  templateFor(path: string): string | undefined {
    return bestTemplate(Object.keys(this.#document.paths), path);
  }

  /** The methods the document gives `template`, upper case. */
  methodsOf(template: string): string[] {
    return Object.keys(this.#document.paths[template] ?? {})
      .filter((method) => HTTP_METHODS.includes(method))
      .map((method) => method.toUpperCase());
  }

  operationId(method: string, template: string): string | undefined {
    return this.#document.paths[template]?.[method.toLowerCase()]?.operationId;
  }

  /** The first operation, in document order, that documents `status` (on `template` when given). */
  operationDocumenting(status: number, template?: string): string | undefined {
    for (const [path, item] of Object.entries(this.#document.paths)) {
      if (template !== undefined && path !== template) continue;
      for (const [method, operation] of Object.entries(item)) {
        if (HTTP_METHODS.includes(method) && operation.responses?.[String(status)])
          return operation.operationId;
      }
    }
    return undefined;
  }

  /** The served document's response for `status` (exact, then `4XX`-style, then `default`). */
  #responseFor(operationId: string, status: number): ResponseObject | undefined {
    const operation = Object.values(this.#document.paths)
      .flatMap((item) => Object.entries(item))
      .find(
        ([method, candidate]) => HTTP_METHODS.includes(method) && candidate.operationId === operationId,
      )?.[1];
    const responses = operation?.responses ?? {};
    return responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  }

  /**
   * What in `response` the document's `operationId` does not allow. `head`: the answer to
   * a HEAD request, which has no body by HTTP; its headers are still checked.
   */
  check(operationId: string, response: CheckedResponse, head = false): ContractProblem[] {
    const problems: ContractProblem[] = [];
    const documented = this.#responseFor(operationId, response.status);
    if (!documented) {
      return [{ kind: 'status', message: `${operationId} documents no ${response.status} response` }];
    }
    const mediaTypes = Object.keys(documented.content ?? {});
    const contentType = response.headers['content-type'];
    const hasBody = response.body.length > 0;
    if (mediaTypes.length === 0) {
      if (hasBody) {
        problems.push({
          kind: 'undocumented-body',
          message: `${operationId} ${response.status} documents no content, yet the answer has a ${contentType ?? 'untyped'} body`,
        });
      } else if (contentType !== undefined && !head) {
        problems.push({
          kind: 'bodiless-with-type',
          message: `${operationId} ${response.status} documents no content, yet the empty answer says Content-Type: ${contentType}`,
        });
      }
    } else if (!head) {
      const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
      if (mediaType === undefined || !mediaTypes.includes(mediaType)) {
        problems.push({
          kind: 'media-type',
          message: `${operationId} ${response.status} is ${mediaTypes.join(' or ')}, the answer is ${contentType ?? 'untyped'}`,
        });
      } else {
        let body: unknown;
        try {
          body = JSON.parse(response.body.toString('utf8'));
        } catch {
          problems.push({ kind: 'body', message: `${operationId} ${response.status}: the body is not JSON` });
        }
        if (body !== undefined) {
          const result = this.#api.validator.validateResponse(body, operationId, response.status);
          for (const error of result.errors ?? []) {
            problems.push({
              kind: 'body',
              message:
                `${operationId} ${response.status} body${error.instancePath || ''} ${error.message ?? ''}`.trim(),
            });
          }
        }
      }
    }
    const headers = this.#api.validator.validateResponseHeaders(response.headers, operationId, {
      statusCode: response.status,
      // Every documented header that is required must be there; others may be.
      setMatchType: SetMatchType.Superset,
    });
    for (const error of headers.errors ?? []) {
      problems.push({
        kind: 'headers',
        message:
          `${operationId} ${response.status} headers${error.instancePath.replace(/^\/headers/, '')} ${error.message ?? ''}`.trim(),
      });
    }
    return problems;
  }
}
