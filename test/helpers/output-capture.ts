import { vi } from 'vitest';

export type LogLine = Record<string, unknown> & { level: string; message: string };

/** One CloudWatch embedded-metric-format document, as Powertools Metrics prints it. */
export interface EmfDocument {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

export interface CapturedOutput {
  /** Every complete line written to stdout or stderr since the capture began. */
  lines(): string[];
  /** The structured log lines (JSON with a level and a message). */
  logs(): LogLine[];
  /** The EMF documents (one per metrics publish). */
  emf(): EmfDocument[];
  /** Every value published per metric name, across all EMF documents, in order. */
  metrics(): Record<string, number[]>;
}

function parsed(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const isEmf = (value: Record<string, unknown>): value is EmfDocument =>
  typeof value._aws === 'object' && value._aws !== null && 'CloudWatchMetrics' in value._aws;

/**
 * Captures what this process writes to stdout and stderr — Powertools' Logger and
 * Metrics write there through their own `Console`, so spying on `console` misses
 * them. The output is kept from the terminal; with `passErrors`, error-level log
 * lines still reach stderr. vi.restoreAllMocks() ends the capture.
 */
export function captureOutput({ passErrors = false } = {}): CapturedOutput {
  const complete: string[] = [];
  const partial = new Map<NodeJS.WriteStream, string>();
  const passThrough = process.stderr.write.bind(process.stderr);

  const intercept = (stream: NodeJS.WriteStream) =>
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      const text =
        (partial.get(stream) ?? '') + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      const lines = text.split('\n');
      partial.set(stream, lines.pop() ?? '');
      for (const line of lines) {
        complete.push(line);
        if (passErrors && parsed(line)?.level === 'ERROR') passThrough(`${line}\n`);
      }
      return true;
    }) as NodeJS.WriteStream['write']);
  intercept(process.stdout);
  intercept(process.stderr);

  const objects = () =>
    complete.map(parsed).filter((value): value is Record<string, unknown> => value !== undefined);
  const emf = () => objects().filter(isEmf);
  return {
    lines: () => [...complete],
    logs: () =>
      objects().filter(
        (value): value is LogLine => typeof value.level === 'string' && typeof value.message === 'string',
      ),
    emf,
    metrics: () => {
      const values: Record<string, number[]> = {};
      for (const document of emf()) {
        for (const { Name } of document._aws.CloudWatchMetrics.flatMap((directive) => directive.Metrics)) {
          values[Name] = [...(values[Name] ?? []), ...[document[Name] as number | number[]].flat()];
        }
      }
      return values;
    },
  };
}
