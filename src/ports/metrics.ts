/**
 * The metrics port of the application. Names are the service's CloudWatch
 * metrics (namespace POWERTOOLS_METRICS_NAMESPACE); what one invocation recorded
 * is published once, at its end (src/observability/invocation.ts), through
 * Powertools Metrics (src/observability/powertools.ts).
 */

/** Events, summed over one invocation (unit Count). */
export type CounterName =
  /** Submissions stored for the first time (single, idempotent first tries, batch items). */
  | 'SubmissionsAccepted'
  | 'SubmissionsPassed'
  /** Decided FAILED by the rules. */
  | 'SubmissionsFailedContent'
  /** Decided FAILED with a processing error (e.g. attempts exhausted). */
  | 'SubmissionsFailedProcessing'
  /** Duplicate or late deliveries whose claim was refused. */
  | 'ClaimsRefused'
  /** Results of a worker whose lease was reset or taken over, refused. */
  | 'ZombieWritesRefused'
  | 'ReaperResets'
  | 'OrphansRequeued';

/** Measurements, each kept as one value. */
export type MeasurementName =
  /** Milliseconds from a submission's createdAt to its decision. */
  | 'AcceptToDecision'
  /** Records in one worker batch. */
  | 'WorkerBatchSize'
  /** Items in one POST /submissions/batch. */
  | 'ApiBatchSize';

export const MEASUREMENT_UNITS = {
  AcceptToDecision: 'Milliseconds',
  WorkerBatchSize: 'Count',
  ApiBatchSize: 'Count',
} as const satisfies Record<MeasurementName, string>;

export interface MetricsSink {
  /** Adds `value` (default 1) to a counter. */
  count(name: CounterName, value?: number): void;
  /** Records one measurement, in the unit MEASUREMENT_UNITS gives its name. */
  measure(name: MeasurementName, value: number): void;
}

/** Records nothing: for drivers and tests that do not publish metrics. */
export const noMetrics: MetricsSink = { count: () => undefined, measure: () => undefined };
