import { RuleCheckError } from './rule-set-errors';

function describeCause(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * Runs an async rule's check under its own deadline. The check gets a signal that
 * aborts on timeout or when `outer` aborts; either way this rejects at once with a
 * `RuleCheckError` naming the rule, even if the check ignores its signal.
 */
export function withDeadline<T>(
  rule: string,
  timeoutMs: number,
  outer: AbortSignal,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (outer.aborted) return Promise.reject(new RuleCheckError(rule, 'was aborted', { cause: outer.reason }));
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const settle = (error?: RuleCheckError) => {
      clearTimeout(timer);
      outer.removeEventListener('abort', onOuterAbort);
      if (error !== undefined) {
        controller.abort(error);
        reject(error);
      }
    };
    const onOuterAbort = () => settle(new RuleCheckError(rule, 'was aborted', { cause: outer.reason }));
    const timer = setTimeout(
      () => settle(new RuleCheckError(rule, `timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    outer.addEventListener('abort', onOuterAbort, { once: true });
    Promise.resolve()
      .then(() => run(controller.signal))
      .then(
        (value) => {
          settle();
          resolve(value);
        },
        (cause: unknown) =>
          settle(
            controller.signal.aborted
              ? (controller.signal.reason as RuleCheckError)
              : new RuleCheckError(rule, 'failed', { cause }, describeCause(cause)),
          ),
      );
  });
}
