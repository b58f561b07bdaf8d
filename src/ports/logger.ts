/**
 * The logging port of the application: one structured line per event. Fields
 * carry ids, statuses and codes; callers never pass submitted content. A line
 * about one submission carries its id as `correlationId`.
 *
 * Powertools' Logger satisfies it (src/observability/powertools.ts); tests pass
 * their own.
 */
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** An error as a log field (`error`): its name and message, without the stack. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
