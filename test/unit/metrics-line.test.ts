import { describe, expect, it } from 'vitest';
import { readableMetricsLine } from '../../workbench/local/metrics-line';

/** An EMF line as Powertools Metrics prints it. */
function emfLine(metrics: Record<string, [unit: string, value: number | number[]]>, extra: object = {}) {
  return JSON.stringify({
    _aws: {
      Timestamp: 1_767_225_600_000,
      CloudWatchMetrics: [
        {
          Namespace: 'SubmissionPipeline',
          Dimensions: [['service']],
          Metrics: Object.entries(metrics).map(([Name, [Unit]]) => ({ Name, Unit })),
        },
      ],
    },
    service: 'submissions-local',
    ...extra,
    ...Object.fromEntries(Object.entries(metrics).map(([name, [, value]]) => [name, value])),
  });
}

describe('readableMetricsLine', () => {
  it('renders one EMF line as the function and its metrics, in order, with units', () => {
    // Prepare
    const line = emfLine(
      {
        SubmissionsPassed: ['Count', 1],
        AcceptToDecision: ['Milliseconds', 123],
        WorkerBatchSize: ['Count', 1],
      },
      { function: 'worker' },
    );

    // Act
    const readable = readableMetricsLine(line);

    // Assess
    expect(readable).toBe('metrics worker: SubmissionsPassed=1 AcceptToDecision=123ms WorkerBatchSize=1');
  });

  it('lists every value of a metric recorded several times', () => {
    // Act
    const readable = readableMetricsLine(
      emfLine(
        { AcceptToDecision: ['Milliseconds', [12, 40]], WorkerBatchSize: ['Count', [3, 5]] },
        { function: 'worker' },
      ),
    );

    // Assess
    expect(readable).toBe('metrics worker: AcceptToDecision=12ms,40ms WorkerBatchSize=3,5');
  });

  it('names the service when the line does not say which function wrote it, and spells out other units', () => {
    // Act
    const readable = readableMetricsLine(emfLine({ QueueLatency: ['Count/Second', 2.5] }));

    // Assess
    expect(readable).toBe('metrics submissions-local: QueueLatency=2.5 Count/Second');
  });

  it.each([
    ['a log line', '{"level":"INFO","message":"submission decided","correlationId":"a"}'],
    ['plain text', 'offline: POST /submissions (λ: api)'],
    ['broken JSON that starts like EMF', '{"_aws":{"CloudWatchMetrics":'],
    ['an _aws object without metrics', '{"_aws":{"Timestamp":1}}'],
    ['an empty line', ''],
  ])('leaves %s alone (undefined)', (_name, line) => {
    // Act
    const readable = readableMetricsLine(line);

    // Assess
    expect(readable).toBeUndefined();
  });
});
