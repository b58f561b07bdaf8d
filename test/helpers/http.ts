import { inject } from 'vitest';
import { waitFor } from '../../workbench/wait';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** A request to the running local stack's HTTP API. */
export async function api(path: string, init: RequestInit = {}): Promise<ApiResponse> {
  const response = await fetch(`${inject('stack').httpEndpoint}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON; keep the text
  }
  return { status: response.status, headers: response.headers, body };
}

export function submit(content: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  return api('/submissions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ content }),
  });
}

/** Polls GET /submissions/{id} as a frontend would, until the status is terminal. */
export async function pollUntilDecided(id: string): Promise<ApiResponse> {
  return waitFor(
    `submission ${id} to be decided`,
    async () => {
      const response = await api(`/submissions/${id}`);
      return response.status === 200 && ['PASSED', 'FAILED'].includes(response.body.status)
        ? response
        : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 100 },
  );
}
