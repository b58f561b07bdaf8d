/**
 * One fuzz run against one stack: sends each planned request, counts the table and the
 * queue around it, judges the exchange (fuzz-oracle.ts) and learns from it. The property
 * it offers is what `npm test`'s fuzz tier and `npm run fuzz` hand to fast-check.
 */
import fc from 'fast-check';
import type { Document } from 'openapi-backend';
import { OpenApiContract } from './fuzz-contract';
import { StackCounter, type StackCounts } from './fuzz-counts';
import { ToleranceTally } from './fuzz-findings';
import { ServiceModel } from './fuzz-model';
import { type Exchange, judge, learn, type OracleContext, type Verdict } from './fuzz-oracle';
import {
  describeBytes,
  describePlan,
  LONG_SUB,
  prepareRequest,
  type RequestPlan,
  requestPlans,
} from './fuzz-requests';
import { readGatewayRoutes } from './fuzz-routes';
import type { FuzzTarget } from './fuzz-stack';
import { sendRequest } from './fuzz-wire';

export interface FuzzSessionOptions {
  target: FuzzTarget;
  /** The stack's latest output lines, quoted in a failure report (a 5xx's cause is logged there). */
  stackOutput?: () => string[];
  /** Called after each request with the number sent so far. */
  onRequest?: (sent: number) => void;
}

export interface FuzzRunOptions {
  seed: number;
  runs: number;
  /** fast-check's path of a counterexample, to replay just that one. */
  path?: string;
}

/** fast-check's parameters for a run: the seed (and path) replay it. */
export function fuzzParameters({ seed, runs, path }: FuzzRunOptions): fc.Parameters<[RequestPlan]> {
  return { seed, numRuns: runs, ...(path ? { path } : {}) };
}

/** Plans that give the model something to refer to from the first request on; they are checked like any other. */
function fixturePlans(): RequestPlan[] {
  const plan = (overrides: Partial<RequestPlan>): RequestPlan => ({
    method: 'GET',
    path: { kind: 'fixed', path: '/submissions' },
    query: [],
    caller: { kind: 'anonymous' },
    contentType: undefined,
    idempotencyKey: undefined,
    ifNoneMatch: undefined,
    preflight: false,
    body: undefined,
    framing: 'content-length',
    ...overrides,
  });
  const create = (content: string, caller: RequestPlan['caller'], key?: string) =>
    plan({
      method: 'POST',
      contentType: 'application/json',
      caller,
      idempotencyKey: key === undefined ? undefined : [key],
      body: { label: 'a fixture', bytes: Buffer.from(JSON.stringify({ content })) },
    });
  const alice = { kind: 'bearer' as const, sub: 'fuzz-alice' };
  const longSub = { kind: 'bearer' as const, sub: LONG_SUB };
  const page = (caller: RequestPlan['caller']) =>
    plan({ caller, query: [{ key: 'limit', value: { kind: 'literal', raw: '1' } }] });
  return [
    create('Fuzz content 42', { kind: 'anonymous' }, 'fuzz-key-1'),
    create('short', { kind: 'anonymous' }),
    create('Fuzz content 42', alice, 'fuzz-key-1'),
    create('emoji 🙂 and 9', alice),
    create('Fuzz content 42', longSub),
    create('short', longSub),
    page({ kind: 'anonymous' }),
    page(alice),
    page(longSub),
    plan({ path: { kind: 'submission', id: { kind: 'known', pick: 0, spelling: 'as-issued' }, suffix: '' } }),
    plan({
      path: { kind: 'submission', id: { kind: 'known', pick: 2, spelling: 'as-issued' }, suffix: '' },
      caller: alice,
    }),
    plan({
      path: { kind: 'submission', id: { kind: 'known', pick: 0, spelling: 'as-issued' }, suffix: '/content' },
    }),
    plan({
      path: { kind: 'submission', id: { kind: 'known', pick: 3, spelling: 'as-issued' }, suffix: '/content' },
      caller: alice,
    }),
  ];
}

export class FuzzSession {
  readonly tally = new ToleranceTally();
  readonly #statuses = new Map<number, number>();
  #sent = 0;
  #replays = 0;
  /** What the last exchange left the table and queue at; undefined after a failure (counted afresh). */
  #counts: StackCounts | undefined;
  readonly #started = performance.now();

  private constructor(
    private readonly options: FuzzSessionOptions,
    private readonly context: OracleContext,
    private readonly counter: StackCounter,
  ) {}

  /** Loads the served OpenAPI document, connects the counters, and sends the fixtures. */
  static async open(options: FuzzSessionOptions): Promise<FuzzSession> {
    const served = await fetch(new URL('/openapi.json', options.target.httpEndpoint));
    if (!served.ok) throw new Error(`GET /openapi.json answered ${served.status}`);
    const contract = await OpenApiContract.load((await served.json()) as Document);
    const context: OracleContext = {
      model: new ServiceModel(),
      contract,
      routes: readGatewayRoutes(),
      maxContentBytes: options.target.maxContentBytes,
    };
    const session = new FuzzSession(options, context, await StackCounter.connect(options.target));
    for (const plan of fixturePlans()) await session.exercise(plan);
    return session;
  }

  /** The property: every request the arbitraries plan passes every check. */
  property(): fc.IAsyncProperty<[RequestPlan]> {
    return fc.asyncProperty(requestPlans({ maxContentBytes: this.options.target.maxContentBytes }), (plan) =>
      this.exercise(plan),
    );
  }

  /** Sends one planned request and judges it; throws with a report when a check fails. */
  async exercise(plan: RequestPlan): Promise<void> {
    const request = prepareRequest(plan, this.context.model);
    const before = this.#counts ?? (await this.counter.count());
    this.#counts = undefined;
    let exchange: Exchange;
    try {
      const response = await sendRequest(new URL(this.options.target.httpEndpoint), request.wire);
      exchange = { request, response, before, after: await this.counter.count() };
    } catch (error) {
      throw new Error(
        `${describePlan(plan)}\n→ no answer: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    this.#sent += 1;
    this.#statuses.set(exchange.response.status, (this.#statuses.get(exchange.response.status) ?? 0) + 1);
    if (exchange.response.headers['idempotent-replayed'] === 'true') this.#replays += 1;
    const verdict = judge(exchange, this.context);
    learn(exchange, this.context);
    for (const id of verdict.tolerated) this.tally.add(id);
    this.options.onRequest?.(this.#sent);
    if (verdict.failures.length > 0) throw new Error(this.#report(exchange, verdict));
    this.#counts = exchange.after;
  }

  #report({ request, response }: Exchange, verdict: Verdict): string {
    const headers = Object.entries(response.headers)
      .filter(
        ([name]) =>
          !/^(date|connection|keep-alive|x-|content-security-policy|strict-transport|referrer|access-control|vary)/.test(
            name,
          ),
      )
      .map(([name, value]) => `${name}: ${value}`)
      .join('; ');
    const lines = [
      describePlan(request.plan),
      `  sent as ${request.wire.method} ${request.wire.target.length > 300 ? `${request.wire.target.slice(0, 300)}…` : request.wire.target}`,
      `→ ${response.status} [${headers}] ${describeBytes(response.body)}`,
      ...verdict.failures.map((failure) => `  ✗ ${failure}`),
    ];
    if (response.status >= 500 && this.options.stackOutput) {
      lines.push('  the stack printed last:', ...this.options.stackOutput().map((line) => `    ${line}`));
    }
    return lines.join('\n');
  }

  /** Requests sent, answers by status, time taken and the tolerances applied. */
  summary(): string {
    const seconds = (performance.now() - this.#started) / 1000;
    const statuses = [...this.#statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
    return [
      `fuzz: ${this.#sent} requests in ${seconds.toFixed(1)} s: ${statuses} (${this.#replays} of the 202s replays)`,
      ...this.tally.lines(),
    ].join('\n');
  }

  close(): void {
    this.counter.destroy();
  }
}
