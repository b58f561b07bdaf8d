import type { SubmissionResource } from '../http/schemas';
import { describeResponseFailure, type Failure, NETWORK_FAILURE } from './failure';

export type Submission = SubmissionResource;

/** A request that did not succeed, described for a person. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/** One poll of a submission: `submission` is absent when the server answered 304 (unchanged). */
export interface PollAnswer {
  submission?: Submission;
  etag: string | null;
  retryAfter: string | null;
}

export interface ApiClient {
  createSubmission(content: string, idempotencyKey: string): Promise<Submission>;
  getSubmission(id: string, etag: string | undefined, signal: AbortSignal): Promise<PollAnswer>;
  listSubmissions(limit: number): Promise<Submission[]>;
}

async function jsonOf(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/**
 * The API at `base` (the page's own address: paths are relative to it). Sends
 * `Authorization: Bearer …` when `bearerToken()` returns one.
 */
export function apiClient(base: string, bearerToken: () => string | undefined): ApiClient {
  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const token = bearerToken();
    if (token) headers.set('authorization', `Bearer ${token}`);
    let response: Response;
    try {
      // A request carrying If-None-Match bypasses the browser's cache (Fetch standard), so the page sees the 304.
      response = await fetch(new URL(path, base), { ...init, headers });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new ApiError(NETWORK_FAILURE);
    }
    if (response.ok || response.status === 304) return response;
    throw new ApiError(describeResponseFailure(response.status, await jsonOf(response)));
  }

  return {
    async createSubmission(content, idempotencyKey) {
      const response = await request('submissions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify({ content }),
      });
      return (await response.json()) as Submission;
    },

    async getSubmission(id, etag, signal) {
      const response = await request(`submissions/${encodeURIComponent(id)}`, {
        headers: etag ? { 'if-none-match': etag } : {},
        signal,
      });
      return {
        ...(response.status === 304 ? {} : { submission: (await response.json()) as Submission }),
        etag: response.headers.get('etag'),
        retryAfter: response.headers.get('retry-after'),
      };
    },

    async listSubmissions(limit) {
      const response = await request(`submissions?limit=${limit}`);
      return ((await response.json()) as { items: Submission[] }).items;
    },
  };
}
