/**
 * Where the local stack differs from API Gateway, in ways the fuzz tolerates by name and
 * counts: answers of serverless-offline's own server that API Gateway gives on AWS, or
 * would not give. Anything else that fails a check fails the run.
 */

/** Where the local stack differs from API Gateway; not the service's fault, but tolerated by name too. */
export const KNOWN_LOCAL_DIFFERENCES = {
  'gateway-answer':
    'Requests no serverless.yml route takes, CORS preflights, unknown methods and unparseable paths are answered by ' +
    "serverless-offline's own server (API Gateway's own answers on AWS), not by the function.",
  'chunked-body-refused':
    "serverless-offline's server answers 400 itself to a request other than POST, PUT or PATCH whose body is sent chunked.",
} as const;

export type LocalDifferenceId = keyof typeof KNOWN_LOCAL_DIFFERENCES;

/** How often each tolerance applied during a run. */
export class ToleranceTally {
  readonly counts = new Map<LocalDifferenceId, number>();

  add(id: LocalDifferenceId): void {
    this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
  }

  lines(): string[] {
    return [...this.counts].map(
      ([id, count]) => `  local difference ${id} ×${count}: ${KNOWN_LOCAL_DIFFERENCES[id]}`,
    );
  }
}
