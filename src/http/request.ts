import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { badRequest, type FieldError, payloadTooLarge, unsupportedMediaType } from './problem';

/** C0 control characters other than tab, line feed and carriage return. */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

const createBody = z.strictObject({
  content: z
    .string({ error: 'content must be a string' })
    .min(1, { error: 'content must not be empty' })
    .refine((text) => text.isWellFormed(), {
      error: 'content must be valid Unicode (no lone surrogates)',
    })
    .refine((text) => !CONTROL_CHARACTER.test(text), {
      error: 'content must not contain control characters other than tab and line breaks',
    }),
});
export type CreateSubmissionBody = z.infer<typeof createBody>;

function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return { field: issue.keys.join(', '), message: `unknown field(s): ${issue.keys.join(', ')}` };
    }
    return { field: issue.path.join('.') || '(body)', message: issue.message };
  });
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i;

/**
 * Parses `POST /submissions`. Size is checked on the raw bytes before parsing
 * (JSON escapes can make a body up to 6× its content), then on the content itself.
 */
export function parseCreateSubmission(
  event: APIGatewayProxyEventV2,
  maxContentBytes: number,
): CreateSubmissionBody {
  const contentType = header(event, 'content-type');
  if (contentType !== undefined && !JSON_MEDIA_TYPE.test(contentType)) {
    throw unsupportedMediaType(`Send the body as application/json, not ${contentType}.`);
  }
  if (event.body === undefined || event.body === '') {
    throw badRequest('A JSON body {"content": "..."} is required.', [
      { field: 'content', message: 'content is required' },
    ]);
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body);
  if (raw.byteLength > maxContentBytes * 6 + 1024) {
    throw payloadTooLarge(`The request body is larger than this service accepts.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw badRequest('The request body is not valid JSON in UTF-8.');
  }
  const parsed = createBody.safeParse(json);
  if (!parsed.success) {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw badRequest('The request body must be a JSON object {"content": "..."}.');
    }
    throw badRequest('The request body is not a valid submission.', fieldErrors(parsed.error));
  }
  const bytes = Buffer.byteLength(parsed.data.content, 'utf8');
  if (bytes > maxContentBytes) {
    throw payloadTooLarge(`content is ${bytes} bytes of UTF-8; the limit is ${maxContentBytes}.`, [
      { field: 'content', message: `content must be at most ${maxContentBytes} bytes of UTF-8` },
    ]);
  }
  return parsed.data;
}

const submissionId = z.uuid({ error: 'id must be a UUID' });

export function parseSubmissionId(event: APIGatewayProxyEventV2): string {
  const parsed = submissionId.safeParse(event.pathParameters?.id);
  if (!parsed.success) {
    throw badRequest('The submission id is malformed.', [{ field: 'id', message: 'id must be a UUID' }]);
  }
  return parsed.data.toLowerCase();
}

const listQuery = z.object({
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int({ error: 'limit must be a whole number' })
    .min(1, { error: 'limit must be at least 1' })
    .max(100, { error: 'limit must be at most 100' })
    .default(20),
  cursor: z.string().min(1).max(2048, { error: 'cursor is too long' }).optional(),
});
export type ListQuery = z.infer<typeof listQuery>;

export function parseListQuery(event: APIGatewayProxyEventV2): ListQuery {
  const parsed = listQuery.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw badRequest('The query is not valid.', fieldErrors(parsed.error));
  return parsed.data;
}

export function ifNoneMatch(event: APIGatewayProxyEventV2): string | undefined {
  return header(event, 'if-none-match');
}

/** The caller: the JWT's `sub` when an authorizer ran, otherwise the configured local owner. */
export function ownerOf(event: APIGatewayProxyEventV2, defaultOwner: string): string {
  const context = event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
  const sub = context.authorizer?.jwt?.claims?.sub;
  return typeof sub === 'string' && sub.length > 0 ? sub : defaultOwner;
}
