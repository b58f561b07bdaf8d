import { describe, expect, it } from 'vitest';
import type { LoadResult } from '../../bench/api-load';
import { type BenchResults, isMet, summaryLine, targets } from '../../bench/report';

const load = (name: string, p50: number): LoadResult => ({
  name,
  requestsPerSecond: 100,
  p50,
  p99: p50 * 2,
  unexpected: 0,
  cpu: {},
});

/** A bench run with only the figures these targets read. */
const run = (overrides: Partial<BenchResults>): BenchResults => ({
  n: 10,
  smoke: false,
  setup: '',
  own: {
    submissions: 10,
    dynamodb: {},
    sqs: {},
    nonEmptyReceives: 1,
    emptyReceives: 0,
    reaperQueries: 0,
    elsewhere: {},
    seconds: 1,
  },
  floorDifferences: [],
  reaperPageAllowance: 100,
  ...overrides,
});

const api = (post: number, get: number) => ({
  connections: 10,
  durationSeconds: 10,
  post: load('POST /submissions', post),
  get: load('GET /submissions/{id}', get),
  noopPost: load('POST no-op', 4),
  noopGet: load('GET no-op', 3),
  floorPost: load('POST floor', 20),
  floorGet: load('GET floor', 10),
});

const verdict = (verdictMsP50: number, pollsP50: number) => ({
  runs: [],
  verdictMsP50,
  pollsP50,
  decisionMsP50: 40,
});

describe('the bench’s targets', () => {
  it('holds the API to 1.1 × the floor of the same run, not to the no-op', () => {
    const met = targets(run({ api: api(22, 11) }));
    const missed = targets(run({ api: api(23, 12) }));

    const byName = (list: ReturnType<typeof targets>, name: string) =>
      list.find((target) => target.name === name);
    expect(byName(met, 'POST p50 ≤ 1.1 × the floor')).toMatchObject({ value: 1.1, limit: 1.1 });
    expect(isMet(byName(met, 'POST p50 ≤ 1.1 × the floor')!)).toBe(true);
    expect(isMet(byName(met, 'GET p50 ≤ 1.1 × the floor')!)).toBe(true);
    expect(isMet(byName(missed, 'POST p50 ≤ 1.1 × the floor')!)).toBe(false);
    expect(isMet(byName(missed, 'GET p50 ≤ 1.1 × the floor')!)).toBe(false);
    expect(met.map((target) => target.name).filter((name) => name.includes('no-op ×'))).toEqual([]);
  });

  it('holds Submit → verdict to a median of 300 ms and 2 status requests, and prints both on the last line', () => {
    const results = run({ verdict: verdict(301, 3) });
    const checked = targets(results).filter((target) => /verdict|status requests/.test(target.name));

    expect(checked.map((target) => [target.name, isMet(target)])).toEqual([
      ['Submit → verdict in the page, median ≤ 300 ms', false],
      ['status requests per submission, median ≤ 2', false],
    ]);
    expect(targets(run({ verdict: verdict(300, 2) })).every(isMet)).toBe(true);
    expect(summaryLine(results)).toMatch(/ verdict_ms_p50=301 polls_per_submission=3$/);
  });
});
