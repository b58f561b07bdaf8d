/**
 * What a million submissions cost, POST → decision plus the status polls, from the billed units
 * the capacity figure measures (bench/capacity.ts) and the requests every submission makes
 * whoever stores it: both sides of a comparison are priced with the same polls and the same
 * API Gateway, Lambda and SQS requests, so only DynamoDB's bill tells them apart.
 */
import type { SideUnits } from './billed-units';

/**
 * List prices in USD, us-east-1, first tier, free tiers left out: the code's only copy of
 * docs/benchmarks.md's price table ("Scale model (on paper)"), where each has its source;
 * test/unit/bench-cost-model.test.ts checks that the two agree.
 */
export const PRICES = {
  /** API Gateway HTTP API, per million requests, each metered per 512 KB (content is at most 64 KiB). */
  apiGatewayPerMillionRequests: 1.0,
  /** Lambda (arm64), per million requests. */
  lambdaPerMillionRequests: 0.2,
  /** Lambda (arm64), per GB-second. */
  lambdaPerGbSecond: 0.0000133334,
  /** SQS standard, per million requests, each metered per 64 KB (a message carries only the id). */
  sqsPerMillionRequests: 0.4,
  /** DynamoDB on-demand, Standard table class, per million write request units. */
  dynamodbPerMillionWru: 0.625,
  /** … per million read request units. */
  dynamodbPerMillionRru: 0.125,
} as const;

/**
 * What docs/benchmarks.md's "Per million submissions" table assumes: AWS latencies are not
 * measurable on the local stack; the worker takes messages in batches of 10 (serverless.yml's
 * batchSize, and 9.8–9.9 measured under load).
 */
export const ASSUMED = {
  lambdaMemoryGb: 0.5,
  postMs: 20,
  pollMs: 8,
  workerBatchMs: 25,
  batchSize: 10,
} as const;

export interface Cost {
  apiGateway: number;
  lambdaRequests: number;
  lambdaDuration: number;
  sqs: number;
  dynamodb: number;
  total: number;
}

/**
 * USD per million submissions for one side's measured units: one POST, `polls` status polls
 * (GETs), one SQS message sent, and a share of a worker invocation, a receive and a delete
 * (one each per batch).
 */
export function costPerMillion(units: SideUnits, polls: number): Cost {
  const batches = 1 / ASSUMED.batchSize;
  const apiGateway = (1 + polls) * PRICES.apiGatewayPerMillionRequests;
  const lambdaRequests = (1 + polls + batches) * PRICES.lambdaPerMillionRequests;
  const seconds = (ASSUMED.postMs + polls * ASSUMED.pollMs + batches * ASSUMED.workerBatchMs) / 1000;
  const lambdaDuration = seconds * ASSUMED.lambdaMemoryGb * PRICES.lambdaPerGbSecond * 1_000_000;
  const sqs = (1 + 2 * batches) * PRICES.sqsPerMillionRequests;
  const wru = units.api.write + units.worker.write + polls * units.poll.write;
  const rru = units.api.read + units.worker.read + polls * units.poll.read;
  const dynamodb = wru * PRICES.dynamodbPerMillionWru + rru * PRICES.dynamodbPerMillionRru;
  return {
    apiGateway,
    lambdaRequests,
    lambdaDuration,
    sqs,
    dynamodb,
    total: apiGateway + lambdaRequests + lambdaDuration + sqs + dynamodb,
  };
}

/** Ours over the peer's, per million submissions, with the same polls. */
export const costRatio = (ours: SideUnits, peer: SideUnits, polls: number) =>
  costPerMillion(ours, polls).total / costPerMillion(peer, polls).total;
