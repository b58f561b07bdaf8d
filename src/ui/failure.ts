/** What went wrong with a request, in words a person can act on. */
export interface Failure {
  message: string;
  /** Worth trying again unchanged (network, throttling, server errors); offered as a Retry button. */
  retryable: boolean;
}

interface ProblemBody {
  title?: unknown;
  detail?: unknown;
  errors?: unknown;
}

const text = (value: unknown) =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

const sentence = (value: string) => (/[.!?]$/.test(value) ? value : `${value}.`);

/** The messages of an RFC 9457 problem's `errors` ([{field, message}]), or its detail. */
function reasonOf(body: ProblemBody | undefined): string | undefined {
  const errors = Array.isArray(body?.errors) ? body.errors : [];
  const messages = errors.map((error) => text((error as { message?: unknown } | null)?.message));
  const fieldMessages = messages.filter((message): message is string => message !== undefined);
  if (fieldMessages.length > 0) return fieldMessages.map(sentence).join(' ');
  const detail = text(body?.detail) ?? text(body?.title);
  return detail && sentence(detail);
}

/** Describes a response that was not a success; `body` is the parsed JSON, if any. */
export function describeResponseFailure(status: number, body: unknown): Failure {
  const problem = typeof body === 'object' && body !== null ? (body as ProblemBody) : undefined;
  const reason = reasonOf(problem);
  if (status === 413) {
    return {
      message: `Too long: ${reason ?? 'the service accepts less than that.'} Shorten the text and submit again.`,
      retryable: false,
    };
  }
  if (status === 400 || status === 422) {
    return { message: `Invalid input: ${reason ?? 'the service refused the request.'}`, retryable: false };
  }
  if (status === 401 || status === 403) {
    return {
      message:
        'Not signed in: this service needs an access token. Paste one under “Access token” and try again.',
      retryable: false,
    };
  }
  if (status === 404) return { message: `Not found: ${reason ?? 'no such submission.'}`, retryable: false };
  if (status === 429) {
    return { message: 'Too many requests right now: wait a moment, then retry.', retryable: true };
  }
  if (status >= 500) {
    return {
      message: `The service could not complete the request (HTTP ${status}). Your text is still in the form: retry.`,
      retryable: true,
    };
  }
  return { message: `Request refused (HTTP ${status}): ${reason ?? 'no reason given.'}`, retryable: false };
}

export const NETWORK_FAILURE: Failure = {
  message: 'Could not reach the service: check your connection, then retry.',
  retryable: true,
};
