const UNIT_SUFFIXES: Record<string, string> = {
  Count: '',
  Milliseconds: 'ms',
  Seconds: 's',
  Microseconds: 'µs',
  Bytes: 'B',
  Percent: '%',
};

interface MetricDirective {
  Metrics?: { Name?: unknown; Unit?: unknown }[];
}

function directivesOf(
  line: string,
): { document: Record<string, unknown>; directives: MetricDirective[] } | undefined {
  if (!line.startsWith('{"_aws"')) return undefined;
  try {
    const document = JSON.parse(line) as Record<string, unknown> & { _aws?: { CloudWatchMetrics?: unknown } };
    const directives = document._aws?.CloudWatchMetrics;
    return Array.isArray(directives) ? { document, directives: directives as MetricDirective[] } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One CloudWatch embedded-metric-format line (as Powertools Metrics prints it)
 * as one readable line: `metrics worker: SubmissionsPassed=1 AcceptToDecision=123ms
 * WorkerBatchSize=1`. A metric with several values lists them (`=12ms,40ms`).
 * Any other line gives undefined.
 */
export function readableMetricsLine(line: string): string | undefined {
  const parsed = directivesOf(line);
  if (!parsed) return undefined;
  const { document, directives } = parsed;
  const source = [document.function, document.service].find((value) => typeof value === 'string');
  const metrics = directives
    .flatMap((directive) => directive.Metrics ?? [])
    .flatMap(({ Name, Unit }) => {
      if (typeof Name !== 'string') return [];
      const suffix = typeof Unit === 'string' ? (UNIT_SUFFIXES[Unit] ?? ` ${Unit}`) : '';
      const values = [document[Name]].flat().map((value) => `${String(value)}${suffix}`);
      return [`${Name}=${values.join(',')}`];
    });
  return `metrics${source ? ` ${source}` : ''}: ${metrics.join(' ')}`;
}
