import { readFileSync } from 'node:fs';
import { inject } from 'vitest';

/** Everything the e2e stack has printed so far (see test/helpers/global-stack.ts). */
export function readStackLog(): string {
  return readFileSync(inject('stack').logFile, 'utf8');
}

/** The service's structured log lines (one JSON object each); other output is skipped. */
export function structuredLines(log: string): Record<string, unknown>[] {
  return log.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      const parsed: unknown = JSON.parse(line);
      return typeof parsed === 'object' && parsed !== null && 'message' in parsed
        ? [parsed as Record<string, unknown>]
        : [];
    } catch {
      return [];
    }
  });
}
