import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger } from '../ports/logger';
import { PowertoolsLoggerAdapter, type PowertoolsMetricsSink } from './powertools';

/**
 * One run of a function, observed the same way everywhere: a Lambda invocation
 * (through `observeInvocation`) or one batch of the standalone worker (through
 * `startInvocation`, src/worker/standalone-worker.ts).
 */
export interface Invocation {
  /**
   * Aborts when the run must wrap up: `safetyMarginMs` before the Lambda timeout,
   * with a `TimeoutError` as AbortSignal.timeout would, or when `stop` aborts, with
   * its reason. Without a Lambda context or `stop`, it never aborts.
   */
  readonly deadline: AbortSignal;
  /** Ends the run: publishes the metrics it recorded, named after the function, and clears the deadline. */
  end(): void;
}

export interface InvocationOptions {
  /** The run's input, logged by Powertools only when POWERTOOLS_LOGGER_LOG_EVENT asks for it. */
  event?: unknown;
  /** The Lambda context; absent (or empty) outside Lambda: tests, local drivers, the standalone worker. */
  context?: Partial<Context>;
  /** How long before the Lambda timeout `deadline` aborts (default 0). */
  safetyMarginMs?: number;
  /** Another reason to wrap up, e.g. a long-running worker shutting down. */
  stop?: AbortSignal;
}

/** The Lambda context as a handler under `observeInvocation` receives it: with the invocation's deadline. */
export type InvocationContext = Context & {
  /** `Invocation.deadline`; set by `observeInvocation` (optional only so callers need not pass it). */
  deadline?: AbortSignal;
};

/**
 * Starts one run of `functionName`: the Lambda context (function, request id,
 * cold start) goes on the log lines that follow, and its deadline starts. Call
 * `end()` once the run is over, errors included.
 */
export function startInvocation(
  logger: Logger,
  metrics: PowertoolsMetricsSink,
  functionName: string,
  options: InvocationOptions = {},
): Invocation {
  const { context, safetyMarginMs = 0, stop } = options;
  const lambda = isLambdaContext(context) ? context : undefined;
  if (lambda) attachLambdaContext(logger, lambda, options.event);
  const deadline = new AbortController();
  const timer = lambda
    ? setTimeout(
        () => deadline.abort(new DOMException('The invocation ran out of time.', 'TimeoutError')),
        Math.max(0, lambda.getRemainingTimeInMillis() - safetyMarginMs),
      )
    : undefined;
  // A run that is never ended (a middleware before this one answered early) keeps no process alive.
  timer?.unref();
  const onStop = () => deadline.abort(stop?.reason);
  if (stop?.aborted) onStop();
  else stop?.addEventListener('abort', onStop, { once: true });
  return {
    deadline: deadline.signal,
    end: () => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
      metrics.publish(functionName);
    },
  };
}

/**
 * The middy middleware of every Lambda handler: `startInvocation` before the
 * handler, with the handler's event and context; the deadline on the context
 * (`context.deadline`); `end()` after it, errors included.
 */
export function observeInvocation<Event, Result>(
  logger: Logger,
  metrics: PowertoolsMetricsSink,
  functionName: string,
  options: Pick<InvocationOptions, 'safetyMarginMs'> = {},
): MiddlewareObj<Event, Result, Error, InvocationContext> {
  const runs = new WeakMap<object, Invocation>();
  const end = async (request: object) => {
    runs.get(request)?.end();
    runs.delete(request);
  };
  return {
    before: async (request) => {
      const run = startInvocation(logger, metrics, functionName, {
        ...options,
        event: request.event,
        context: request.context,
      });
      runs.set(request, run);
      request.context.deadline = run.deadline;
    },
    after: end,
    onError: end,
  };
}

/** middy passes `{}` when a handler is called without a context (tests, local drivers). */
function isLambdaContext(context: Partial<Context> | undefined): context is Context {
  return typeof context?.getRemainingTimeInMillis === 'function';
}

/** As Powertools' injectLambdaContext middleware does before a handler. */
function attachLambdaContext(logger: Logger, context: Context, event: unknown): void {
  if (!(logger instanceof PowertoolsLoggerAdapter)) return;
  logger.powertools.refreshSampleRateCalculation();
  logger.powertools.addContext(context);
  logger.powertools.logEventIfEnabled(event);
}
