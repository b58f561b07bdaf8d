import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type HttpHandler, type HttpRequest, HttpResponse } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';
import { inject } from 'vitest';

/**
 * The store's transition (or read) a DynamoDB request carries out, told from the
 * operation and the update expression `src/adapters/dynamodb/submission-store.ts` sends.
 */
export type Transition =
  | 'create'
  | 'claim'
  | 'complete'
  | 'release'
  | 'reset'
  | 'defer'
  | 'get'
  | 'query'
  | 'other';

/**
 * What the wire does to one request:
 * - `throttle`: DynamoDB answers 400 ProvisionedThroughputExceededException; nothing is written;
 * - `internal-error` / `unavailable`: 500 / 503; nothing is written;
 * - `lose-response`: the request reaches DynamoDB (the write happens) and the answer
 *   is replaced by a 500, as when a connection drops after the server acted.
 */
export type Fault = 'throttle' | 'internal-error' | 'unavailable' | 'lose-response';

export interface WireCall {
  transition: Transition;
  /** The fault injected into this attempt, if any. */
  fault?: Fault;
  /** DynamoDB's status for the attempt as the SDK saw it. */
  status: number;
}

/** Decides, per attempt, whether to inject a fault. `attempt` counts this transition's attempts from 1. */
export type FaultPlan = (transition: Transition, attempt: number) => Fault | undefined;

const errorShapes: Record<
  Exclude<Fault, 'lose-response'>,
  { status: number; type: string; message: string }
> = {
  throttle: { status: 400, type: 'ProvisionedThroughputExceededException', message: 'Rate exceeded' },
  'internal-error': { status: 500, type: 'InternalServerError', message: 'Internal server error' },
  unavailable: { status: 503, type: 'ServiceUnavailable', message: 'Service unavailable' },
};

/** A DynamoDB error response as the service sends it (awsJson1_0: the type in header and body). */
function errorResponse(fault: Exclude<Fault, 'lose-response'>): HttpResponse {
  const { status, type, message } = errorShapes[fault];
  const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
  return new HttpResponse({
    statusCode: status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-errortype': type,
      'x-amzn-requestid': 'injected-fault',
      'content-length': String(Buffer.byteLength(body)),
    },
    body: Readable.from([Buffer.from(body)]),
  });
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  // Decoded as bytes: the SDK's JSON body is a Uint8Array that warns when used as a string.
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return '';
}

/** Which store transition a request is, from its operation and update expression. */
export function transitionOf(request: HttpRequest): Transition {
  const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1];
  if (operation === 'PutItem') return 'create';
  if (operation === 'GetItem') return 'get';
  if (operation === 'Query') return 'query';
  if (operation !== 'UpdateItem') return 'other';
  const update = String(
    (JSON.parse(bodyText(request.body) || '{}') as { UpdateExpression?: string }).UpdateExpression,
  );
  if (update.includes('ADD #attempts')) return 'claim';
  if (update.includes('#decidedBy')) return 'complete';
  if (update.includes('#lastError')) return 'release';
  if (update.includes('REMOVE #leaseToken')) return 'reset';
  if (update.startsWith('SET #reapAt')) return 'defer';
  return 'other';
}

async function drain(body: unknown): Promise<void> {
  if (body instanceof Readable) for await (const _chunk of body);
}

/**
 * Fault injection at the SDK's HTTP boundary: DynamoDB emulators cannot throttle,
 * fail with a 5xx or drop a response on demand, so this request handler wraps the
 * real NodeHttpHandler and, per the plan, answers in DynamoDB's place or hides its
 * answer. Everything above it (the SDK's retries, error parsing, the store
 * adapter) runs unchanged.
 */
export class FaultInjectingHttpHandler implements HttpHandler {
  readonly calls: WireCall[] = [];
  readonly #inner = new NodeHttpHandler();
  readonly #attempts = new Map<Transition, number>();
  #plan: FaultPlan = () => undefined;

  /** Replaces the plan; attempt counts start again from 1. */
  inject(plan: FaultPlan): void {
    this.#plan = plan;
    this.#attempts.clear();
  }

  /** The network is healthy again. */
  heal(): void {
    this.inject(() => undefined);
  }

  /** Attempts of one transition that reached this handler. */
  attemptsOf(transition: Transition): WireCall[] {
    return this.calls.filter((call) => call.transition === transition);
  }

  async handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> {
    const transition = transitionOf(request);
    const attempt = (this.#attempts.get(transition) ?? 0) + 1;
    this.#attempts.set(transition, attempt);
    const fault = this.#plan(transition, attempt);
    if (fault && fault !== 'lose-response') {
      const response = errorResponse(fault);
      this.calls.push({ transition, fault, status: response.statusCode });
      return { response };
    }
    const forwarded = await this.#inner.handle(request, options);
    if (fault === 'lose-response') {
      await drain(forwarded.response.body);
      this.calls.push({ transition, fault, status: 500 });
      return { response: errorResponse('internal-error') };
    }
    this.calls.push({ transition, status: forwarded.response.statusCode });
    return forwarded;
  }

  updateHttpClientConfig(key: never, value: never): void {
    this.#inner.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {
    this.#inner.destroy();
  }
}

/**
 * A DynamoDB client on the shared emulator whose wire is `handler`, retrying in the
 * SDK's standard mode up to `maxAttempts` per call.
 */
export function faultyDynamoDb(handler: FaultInjectingHttpHandler, maxAttempts: number) {
  const client = new DynamoDBClient({
    endpoint: inject('emulatorEnv').AWS_ENDPOINT_URL_DYNAMODB,
    requestHandler: handler,
    retryMode: 'standard',
    maxAttempts,
  });
  return {
    client,
    documents: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
  };
}
