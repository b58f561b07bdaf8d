import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { percentiles, pooled, runAutocannon } from '../../bench/api-load';

describe('the API figure’s percentiles (nearest rank, exact)', () => {
  it('takes p50 and p99 of 1…100 and of 1…1000 at their ranks', () => {
    const upTo = (n: number) => Array.from({ length: n }, (_, index) => index + 1);

    expect(percentiles(upTo(100), [50, 99])).toEqual([50, 99]);
    expect(percentiles(upTo(1000), [50, 99, 100])).toEqual([500, 990, 1000]);
    expect(percentiles(upTo(101), [50, 99])).toEqual([51, 100]);
  });

  it('keeps sub-millisecond times as they are: one of the samples, neither rounded nor interpolated', () => {
    const times = Float64Array.of(13.91, 12.07, 13.42, 40.5, 12.96);

    expect(percentiles(times, [50, 99, 20, 20.01])).toEqual([13.42, 40.5, 12.07, 12.96]);
    expect(Array.from(times)).toEqual([13.91, 12.07, 13.42, 40.5, 12.96]);
  });

  it('gives one sample as every percentile, NaN for none, and refuses a percentile outside (0, 100]', () => {
    expect(percentiles([7.25], [50, 99])).toEqual([7.25, 7.25]);
    expect(percentiles([], [50])).toEqual([Number.NaN]);
    expect(() => percentiles([1], [0])).toThrow(RangeError);
    expect(() => percentiles([1], [101])).toThrow(RangeError);
  });
});

describe('pooled: a route measured in several windows, taken in turn with its floor', () => {
  const window = (times: number[], answered: Record<string, number>, serverlessMs: number, rate: number) => ({
    output: {
      requests: { average: rate },
      statusCodeStats: Object.fromEntries(
        Object.entries(answered).map(([status, count]) => [status, { count }]),
      ),
      errors: 1,
      timeouts: 0,
    },
    times: Float64Array.from(times),
    cpu: { serverless: serverlessMs, dynamodb: undefined },
    answered: Object.values(answered).reduce((sum, count) => sum + count, 0),
  });

  it('takes percentiles over every window’s times together, and CPU per request over all of them', () => {
    // A fast first window and a slow second: neither window's p50 is the pooled one.
    const result = pooled('GET', 200, [
      window([1, 2, 3], { 200: 3 }, 30, 100),
      window([10, 11, 12, 13, 14], { 200: 4, 500: 1 }, 90, 300),
    ]);

    expect(result).toMatchObject({
      name: 'GET',
      p50: 10,
      p99: 14,
      latencySamples: 8,
      requestsPerSecond: 200,
      unexpected: 1 + 2,
      cpu: { serverless: 120 / 8, dynamodb: undefined },
    });
  });
});

describe('runAutocannon', () => {
  it('returns the time of every 2xx and 3xx response, in fractional ms, and none of the others', async () => {
    let answered = 0;
    const server = createServer((_request, response) => {
      answered += 1;
      response.statusCode = [200, 304, 500][answered % 3]!;
      setTimeout(() => response.end(), 1);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;

      const { output, times } = await runAutocannon(`http://127.0.0.1:${port}/`, 'GET', 2, 1);

      const count = (status: string) => output.statusCodeStats?.[status]?.count ?? 0;
      expect(count('500')).toBeGreaterThan(0);
      expect(times.length).toBe(count('200') + count('304'));
      expect(Array.from(times).some((time) => !Number.isInteger(time))).toBe(true);
      expect(Math.min(...times)).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  }, 20_000);
});
