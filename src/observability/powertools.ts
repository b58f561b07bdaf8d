import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Config } from '../config/env';
import type { LogFields, Logger } from '../ports/logger';
import {
  type CounterName,
  MEASUREMENT_UNITS,
  type MeasurementName,
  type MetricsSink,
} from '../ports/metrics';

type ObservabilityConfig = Pick<
  Config,
  'LOG_LEVEL' | 'POWERTOOLS_SERVICE_NAME' | 'POWERTOOLS_METRICS_NAMESPACE'
>;

/** The Logger port over Powertools Logger. */
export class PowertoolsLoggerAdapter implements Logger {
  readonly powertools: PowertoolsLogger;

  constructor(powertools: PowertoolsLogger) {
    this.powertools = powertools;
  }

  info(message: string, fields: LogFields = {}): void {
    this.powertools.info(message, fields);
  }

  warn(message: string, fields: LogFields = {}): void {
    this.powertools.warn(message, fields);
  }

  error(message: string, fields: LogFields = {}): void {
    this.powertools.error(message, fields);
  }
}

/** JSON lines on stdout (warnings and errors on stderr), at LOG_LEVEL, `service` POWERTOOLS_SERVICE_NAME. */
export function createLogger(config: ObservabilityConfig): PowertoolsLoggerAdapter {
  return new PowertoolsLoggerAdapter(
    new PowertoolsLogger({ logLevel: config.LOG_LEVEL, serviceName: config.POWERTOOLS_SERVICE_NAME }),
  );
}

/** CloudWatch embedded-metric-format lines on stdout; the one default dimension is `service`. */
export function createMetrics(config: ObservabilityConfig): Metrics {
  return new Metrics({
    namespace: config.POWERTOOLS_METRICS_NAMESPACE,
    serviceName: config.POWERTOOLS_SERVICE_NAME,
  });
}

/**
 * The MetricsSink of a Lambda function (or the standalone worker) over Powertools
 * Metrics, published at the end of each run (src/observability/invocation.ts).
 * Counters are summed until `publish`, so a batch yields `SubmissionsPassed=7`,
 * not seven 1s; measurements keep every value (EMF carries them as an array).
 */
export class PowertoolsMetricsSink implements MetricsSink {
  readonly #metrics: Metrics;
  readonly #counters = new Map<CounterName, number>();

  constructor(metrics: Metrics) {
    this.#metrics = metrics;
  }

  count(name: CounterName, value = 1): void {
    this.#counters.set(name, (this.#counters.get(name) ?? 0) + value);
  }

  measure(name: MeasurementName, value: number): void {
    this.#metrics.addMetric(name, MEASUREMENT_UNITS[name], value);
  }

  /**
   * Writes what was recorded since the last publish as one EMF line, named after
   * `source` (metadata `function`, not a dimension). Writes nothing when nothing
   * was recorded: Powertools would print a "No application metrics" warning on
   * every such invocation (a GET, an idle reaper run).
   */
  publish(source: string): void {
    for (const [name, value] of this.#counters) {
      if (value !== 0) this.#metrics.addMetric(name, MetricUnit.Count, value);
    }
    this.#counters.clear();
    if (!this.#metrics.hasStoredMetrics()) return;
    this.#metrics.addMetadata('function', source);
    this.#metrics.publishStoredMetrics();
  }
}
