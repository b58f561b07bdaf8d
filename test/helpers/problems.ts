import { expect } from 'vitest';
import type { ApiResponse } from './api-events';
import type { TestBackend } from './backend';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: { field: string; message: string }[];
}

/** The problem's detail and each field error as `field: message`, for matching what it names. */
export function explanation(response: ApiResponse): string {
  const problem = response.body as Problem;
  return [problem.detail, ...(problem.errors ?? []).map(({ field, message }) => `${field}: ${message}`)].join(
    '\n',
  );
}

/** An RFC 9457 problem with `status` whose detail or field errors match `names`. */
export function expectProblem(response: ApiResponse, status: number, names: RegExp) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json\b/);
  expect(response.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(explanation(response)).toMatch(names);
}

/** The fields a problem's validation errors name, in order. */
export const fieldsNamed = (response: ApiResponse) =>
  ((response.body as Problem).errors ?? []).map((error) => error.field);

/** The headers every API response carries, errors included (src/http/error-handler.ts). */
export function expectSecurityHeaders(response: ApiResponse) {
  expect(response.headers).toMatchObject({
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': expect.stringMatching(/\S/),
    'content-security-policy': expect.stringMatching(/default-src 'none'/),
    'strict-transport-security': expect.stringMatching(/max-age=\d+/),
  });
}

/** Idempotency records share the table with submissions under their own key prefix. */
const isSubmissionItem = (item: Record<string, { S?: string }>) => !item.id?.S?.startsWith('idempotency#');

/** The submissions in the table (raw DynamoDB items), leaving idempotency records out. */
export async function storedSubmissions(backend: TestBackend) {
  return ((await backend.scanAll()) as Record<string, { S?: string }>[]).filter(isSubmissionItem);
}

/** What is stored and enqueued right now; a refused request must leave both unchanged. */
export async function snapshot(backend: TestBackend) {
  const items = (await backend.scanAll()).map((item) => JSON.stringify(item)).sort();
  return { items, depth: await backend.approximateDepth() };
}

/** The ids the messages on the queue name, in receive order (leaves them invisible). */
export async function enqueuedIds(backend: TestBackend): Promise<string[]> {
  const messages = await backend.receiveAll();
  return messages.map((message) => (JSON.parse(message.Body ?? '{}') as { id: string }).id);
}
