import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SideUnits, Units } from '../../bench/billed-units';
import { ASSUMED, costPerMillion, costRatio, PRICES } from '../../bench/cost-model';

const units = (write: number, read: number): Units => ({ write, read, byTarget: {} });
const side = (api: [number, number], worker: [number, number], poll: [number, number]): SideUnits => ({
  api: units(...api),
  worker: units(...worker),
  poll: units(...poll),
});
const cents = (value: number) => Math.round(value * 100) / 100;

describe('costPerMillion', () => {
  it('prices a million submissions as docs/benchmarks.md’s "Per million submissions" table does (b = 10, one GET)', () => {
    // 12 WRU POST → decision and a 1 RRU poll: the table's $10.73.
    const cost = costPerMillion(side([4, 0], [8, 0], [0, 1]), 1);

    expect(cents(cost.apiGateway)).toBe(2.0);
    expect(cents(cost.lambdaRequests)).toBe(0.42);
    expect(cents(cost.lambdaDuration)).toBe(0.2);
    expect(cents(cost.sqs)).toBe(0.48);
    expect(cents(cost.dynamodb)).toBe(7.63);
    expect(cents(cost.total)).toBe(10.73);
  });

  it('prices every status poll: a request to API Gateway and Lambda, its duration, and its units', () => {
    const units = side([3, 0], [3, 0], [0, 1]);
    const [one, three] = [costPerMillion(units, 1), costPerMillion(units, 3)];

    expect(three.apiGateway - one.apiGateway).toBeCloseTo(2 * PRICES.apiGatewayPerMillionRequests, 9);
    expect(three.lambdaRequests - one.lambdaRequests).toBeCloseTo(2 * PRICES.lambdaPerMillionRequests, 9);
    expect(three.lambdaDuration - one.lambdaDuration).toBeCloseTo(
      2 * (ASSUMED.pollMs / 1000) * ASSUMED.lambdaMemoryGb * PRICES.lambdaPerGbSecond * 1e6,
      9,
    );
    expect(three.dynamodb - one.dynamodb).toBeCloseTo(2 * PRICES.dynamodbPerMillionRru, 9);
    expect(three.sqs).toBe(one.sqs);
  });

  it('charges poll writes too, were there any', () => {
    const cost = costPerMillion(side([0, 0], [0, 0], [1, 0]), 2);

    expect(cost.dynamodb).toBeCloseTo(2 * PRICES.dynamodbPerMillionWru, 9);
  });

  it('gives both sides the same requests: only DynamoDB differs, and the ratio is ours over the peer’s', () => {
    const ours = side([71, 0], [0, 17], [0, 1]);
    const peer = side([68, 0], [137, 17], [0, 17]);
    const [mine, theirs] = [costPerMillion(ours, 1), costPerMillion(peer, 1)];

    const { dynamodb: _mine, total: _myTotal, ...myRequests } = mine;
    const { dynamodb: _theirs, total: _theirTotal, ...theirRequests } = theirs;
    expect(myRequests).toEqual(theirRequests);
    expect(mine.dynamodb).toBeCloseTo(71 * 0.625 + 18 * 0.125, 9);
    expect(theirs.dynamodb).toBeCloseTo(205 * 0.625 + 34 * 0.125, 9);
    expect(costRatio(ours, peer, 1)).toBeCloseTo(mine.total / theirs.total, 12);
    expect(costRatio(ours, peer, 1)).toBeLessThan(0.4);
    expect(costRatio(peer, ours, 1)).toBeGreaterThan(2.5);
  });
});

describe('the prices', () => {
  const docs = readFileSync(join(__dirname, '../../docs/benchmarks.md'), 'utf8');
  /** The dollar amounts of the docs' table row that starts with `label`. */
  const amountsOf = (label: string) => {
    const row = docs.split('\n').find((line) => line.startsWith(`| ${label}`));
    expect(row, `docs/benchmarks.md has a row "| ${label}"`).toBeDefined();
    return [...(row ?? '').matchAll(/\$(\d+(?:\.\d+)?)/g)].map((match) => Number(match[1]));
  };

  it.each([
    ['API Gateway HTTP API', PRICES.apiGatewayPerMillionRequests],
    ['Lambda, arm64', PRICES.lambdaPerMillionRequests],
    ['Lambda, arm64', PRICES.lambdaPerGbSecond],
    ['SQS standard', PRICES.sqsPerMillionRequests],
    ['DynamoDB on-demand', PRICES.dynamodbPerMillionWru],
    ['DynamoDB on-demand', PRICES.dynamodbPerMillionRru],
  ])('agree with docs/benchmarks.md’s price table: %s, $%s', (label, price) => {
    expect(amountsOf(label)).toContain(price);
  });

  it('assume what docs/benchmarks.md’s "Per million submissions" table assumes of Lambda', () => {
    const row = docs.split('\n').find((line) => line.startsWith('| Lambda duration'));

    expect(row).toContain(`(${ASSUMED.lambdaMemoryGb * 1024} MB)`);
    expect(row).toContain(
      `POST ${ASSUMED.postMs} ms, GET ${ASSUMED.pollMs} ms, worker batch ${ASSUMED.workerBatchMs} ms`,
    );
  });
});
