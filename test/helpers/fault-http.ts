import { Readable } from 'node:stream';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type HttpHandler, HttpRequest, HttpResponse } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions, MetadataBearer } from '@smithy/types';
import { inject } from 'vitest';
import { createDocumentClient, createDynamoDbClient } from '../../src/adapters/dynamodb/dynamodb-client';
import { ACTIVE_INDEX, CONTENT_INDEX, OWNER_INDEX } from '../../src/adapters/dynamodb/table';
import { loadConfig } from '../../src/config/env';

/**
 * The store's call (a transition or a read) a DynamoDB request carries out, told
 * from the operation, key, index and expressions that
 * `src/adapters/dynamodb/dynamodb-submission-store.ts` sends.
 */
export type Transition =
  | 'create'
  | 'createMany'
  | 'reserveKey'
  | 'get'
  | 'listByOwner'
  | 'findEarlierDecision'
  | 'claim'
  | 'complete'
  | 'release'
  | 'listDue'
  | 'reset'
  | 'defer'
  | 'requeue'
  | 'other';

/**
 * What the wire does to one request:
 * - `throttle`: DynamoDB answers 400 ProvisionedThroughputExceededException; nothing is written;
 * - `throttling`: DynamoDB answers 400 ThrottlingException (its on-demand and
 *   control-plane throttling); nothing is written;
 * - `internal-error` / `unavailable`: 500 / 503; nothing is written;
 * - `lose-response`: the request reaches DynamoDB (the write happens) and the answer
 *   is replaced by a 500, as when a connection drops after the server acted.
 */
export type Fault = 'throttle' | 'throttling' | 'internal-error' | 'unavailable' | 'lose-response';

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
  throttling: {
    status: 400,
    type: 'ThrottlingException',
    message: 'Rate of requests exceeds the allowed throughput.',
  },
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

const queries: Record<string, Transition> = {
  [ACTIVE_INDEX]: 'listDue',
  [OWNER_INDEX]: 'listByOwner',
  [CONTENT_INDEX]: 'findEarlierDecision',
};

/** Which store call a request is, from its operation, key, index and expressions. */
export function transitionOf(request: HttpRequest): Transition {
  const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1];
  const body = JSON.parse(bodyText(request.body) || '{}') as {
    Item?: { id?: { S?: string } };
    IndexName?: string;
    UpdateExpression?: string;
    ConditionExpression?: string;
  };
  if (operation === 'PutItem') return body.Item?.id?.S?.startsWith('idempotency#') ? 'reserveKey' : 'create';
  if (operation === 'BatchWriteItem') return 'createMany';
  if (operation === 'GetItem') return 'get';
  if (operation === 'Query') return queries[body.IndexName ?? ''] ?? 'other';
  if (operation !== 'UpdateItem') return 'other';
  const update = String(body.UpdateExpression);
  if (update.includes('ADD #attempts')) return 'claim';
  if (update.includes('#decidedBy')) return 'complete';
  if (update.includes('#lastError')) return 'release';
  if (update.includes('#orphanRequeues')) return 'defer';
  // The reaper's reset and the operator's requeue of an expired lease write the same; their conditions differ.
  if (update.includes('REMOVE #leaseToken')) {
    return String(body.ConditionExpression).includes(':startedBefore') ? 'reset' : 'requeue';
  }
  if (update.startsWith('SET #reapAt')) return 'requeue';
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

  /** Forgets the attempts seen so far (the plan stays). */
  forgetCalls(): void {
    this.calls.length = 0;
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

/** How one store request fared through the SDK's retries, from its `$metadata`. */
export interface RetriedCall {
  transition: Transition;
  /** Attempts the SDK made, the first included. */
  attempts: number;
  /** Backoff the SDK's retry strategy waited between them, in ms. */
  totalRetryDelay: number;
  /** The error's name when the call failed in the end. */
  error?: string;
}

/** The SDK settings of the deployed functions' environment that decide how a client retries. */
const RETRY_VARIABLES = ['AWS_MAX_ATTEMPTS', 'AWS_RETRY_MODE'] as const;

/**
 * The production DynamoDB client (`createDynamoDbClient`) on the shared emulator,
 * whose wire is `handler`, with the retry settings serverless.yml gives the
 * functions (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE). `retries` lists how each call
 * fared, as the SDK's retry middleware reports it.
 */
/** String settings only, without the unset ones ('' is left out of the deployed environment). */
const withoutUnset = (environment: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(environment).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
    ),
  );

export async function faultyDynamoDb(handler: FaultInjectingHttpHandler) {
  const deployed = inject('functionEnvironment');
  const saved = RETRY_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const name of RETRY_VARIABLES) {
    // Unset ('') is left out of the deployed environment (workbench/local/offline-plugin.ts).
    if (deployed[name] === undefined || deployed[name] === '') delete process.env[name];
    else process.env[name] = String(deployed[name]);
  }
  // As the compositions build it: attempts from the config the functions' environment gives.
  const { AWS_MAX_ATTEMPTS } = loadConfig({
    TABLE_NAME: 't',
    QUEUE_URL: 'https://q',
    ...withoutUnset(deployed),
  });
  const client = createDynamoDbClient({
    endpoint: inject('emulatorEnv').AWS_ENDPOINT_URL_DYNAMODB,
    requestHandler: handler,
    maxAttempts: AWS_MAX_ATTEMPTS,
  });
  // The SDK reads (and keeps) its settings on first use: read them under the functions' environment.
  const { maxAttempts, retryMode } = client.config;
  const settings = {
    maxAttempts: await maxAttempts(),
    mode: typeof retryMode === 'string' ? retryMode : await retryMode(),
  };
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return { client, documents: createDocumentClient(client), settings, retries: observeRetries(client) };
}

/** Records each call's attempts and total backoff as the SDK's retry middleware reports them. */
function observeRetries(client: DynamoDBClient): RetriedCall[] {
  const seen: RetriedCall[] = [];
  const record = (request: unknown, metadata: MetadataBearer['$metadata'] | undefined, error?: unknown) =>
    seen.push({
      transition: HttpRequest.isInstance(request) ? transitionOf(request) : 'other',
      attempts: metadata?.attempts ?? 0,
      totalRetryDelay: metadata?.totalRetryDelay ?? 0,
      ...(error === undefined ? {} : { error: error instanceof Error ? error.name : String(error) }),
    });
  // The build step runs once per call, around the retry loop (finalizeRequest).
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        const result = await next(args);
        record(args.request, (result.output as MetadataBearer).$metadata);
        return result;
      } catch (error) {
        record(args.request, (error as Partial<MetadataBearer>).$metadata, error);
        throw error;
      }
    },
    { step: 'build', name: 'observeRetries' },
  );
  return seen;
}
