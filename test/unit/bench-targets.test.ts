import { describe, expect, it } from 'vitest';
import type { LoadResult } from '../../bench/api-load';
import type { SideUnits, SizeKey, SizeUnits, Units } from '../../bench/billed-units';
import type { BundleFigures } from '../../bench/cold-start';
import { costRatio } from '../../bench/cost-model';
import { type BenchResults, isMet, report, summaryLine, targets } from '../../bench/report';

const load = (name: string, p50: number): LoadResult => ({
  name,
  requestsPerSecond: 100,
  p50,
  p99: p50 * 2,
  latencySamples: 1000,
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

  it('decides the API ratios on sub-millisecond p50s, and prints them with 2 decimals', () => {
    const results = (ours: number) => run({ api: { ...api(20, ours), floorGet: load('GET floor', 13.4) } });
    const get = (list: ReturnType<typeof targets>) =>
      list.find((target) => target.name === 'GET p50 ≤ 1.1 × the floor')!;

    // Both would be 15 / 13 = 1.15 in whole milliseconds; 1.097 and 1.104 here.
    expect(isMet(get(targets(results(14.7))))).toBe(true);
    expect(isMet(get(targets(results(14.8))))).toBe(false);
    expect(get(targets(results(14.8))).value).toBeCloseTo(14.8 / 13.4, 12);
    expect(summaryLine(results(14.8))).toMatch(/ post_p50_ratio=1\.00 get_p50_ratio=1\.10 /);
    expect(report(results(14.7)).text).toContain(
      '| GET /submissions/{id} | 100 | 14.70 | 29.40 | 100 | 13.40 | 100 | 3.00 |',
    );
  });

  it('holds Submit → verdict to a median of 300 ms and 2 status requests, and prints both on the last line', () => {
    const results = run({ verdict: verdict(301, 3) });
    const checked = targets(results).filter((target) => /verdict|status requests/.test(target.name));

    expect(checked.map((target) => [target.name, isMet(target)])).toEqual([
      ['Submit → verdict in the page, median ≤ 300 ms', false],
      ['status requests per submission, median ≤ 2', false],
    ]);
    expect(targets(run({ verdict: verdict(300, 2) })).every(isMet)).toBe(true);
    expect(summaryLine(results)).toMatch(/ verdict_ms_p50=301 polls_per_submission=3 /);
  });
});

/** Units with writes only (or reads only), all on one target each. */
const writes = (byTarget: Record<string, number>): Units => ({
  write: Object.values(byTarget).reduce((sum, units) => sum + units, 0),
  read: 0,
  byTarget: Object.fromEntries(Object.entries(byTarget).map(([name, write]) => [name, { write, read: 0 }])),
});
const reads = (read: number): Units => ({ write: 0, read, byTarget: { submissions: { write: 0, read } } });

/** Ours as the store bills it: `contentItem` WRU for content stored apart, `pollReads` per poll. */
const ours = (contentItem: number, pollReads = 1): SideUnits => ({
  api: writes({ submissions: 1 + contentItem, 'submissions ActiveSubmissions': 1, 'submissions ByOwner': 1 }),
  worker: writes({ submissions: 2, 'submissions ActiveSubmissions': 1 }),
  poll: reads(pollReads),
});
/** The peer: `write` WRU POST → decision, every read a poll's. */
const peer = (write: number, pollReads: number): SideUnits => ({
  api: writes({ submissions: write / 2 }),
  worker: writes({ submissions: write / 2 }),
  poll: reads(pollReads),
});

/** The sweep as issue 16 wants it: 6 WRU, 71 at 64 KiB, 1 RRU a poll, well under the peer. */
const sweep: Record<SizeKey, SizeUnits> = {
  short: { size: 'short', ours: ours(0), peer: peer(13, 1) },
  '1k': { size: '1k', ours: ours(2), peer: peer(16, 1) },
  '16k': { size: '16k', ours: ours(17), peer: peer(65, 5) },
  '64k': { size: '64k', ours: ours(65), peer: peer(205, 17) },
};
const capacityRun = (sizes: SizeUnits[], overrides: Partial<BenchResults> = {}) =>
  run({ capacity: { submissions: 20, sizes }, ...overrides });
const capacityTargets = (results: BenchResults) =>
  targets(results).filter((target) =>
    /DynamoDB (write|read|billed) units|cost per million/.test(target.name),
  );
const byName = (list: ReturnType<typeof targets>, name: string) => {
  const found = list.find((target) => target.name === name);
  expect(found, name).toBeDefined();
  return found!;
};

describe('the billed units’ and cost targets (issue 16)', () => {
  it('checks every target on a full sweep, and prints the figures on the last line', () => {
    const results = capacityRun(Object.values(sweep));

    const checked = capacityTargets(results);

    expect(checked.map((target) => [target.name, target.value, target.limit])).toEqual([
      ['DynamoDB write units per submission (short content) ≤ 6', 6, 6],
      ['DynamoDB write units per submission (64 KiB content) ≤ 72 (64 + 8)', 71, 72],
      ['DynamoDB read units per status poll (short content) ≤ 1', 1, 1],
      ['DynamoDB read units per status poll (1 KiB content) ≤ 1', 1, 1],
      ['DynamoDB read units per status poll (16 KiB content) ≤ 1', 1, 1],
      ['DynamoDB read units per status poll (64 KiB content) ≤ 1', 1, 1],
      ['cost per million submissions (1 KiB content) ≤ 0.7 × the peer', expect.any(Number), 0.7],
      ['cost per million submissions (64 KiB content) ≤ 0.4 × the peer', expect.any(Number), 0.4],
      [
        'DynamoDB billed units exactly as expected (short: 6 WRU, a poll 1 RRU; 64 KiB: 71 WRU, a poll 1 RRU)',
        0,
        0,
      ],
    ]);
    expect(checked.every(isMet)).toBe(true);
    const ratio1k = costRatio(sweep['1k'].ours, sweep['1k'].peer, 1);
    const ratio64k = costRatio(sweep['64k'].ours, sweep['64k'].peer, 1);
    expect(byName(checked, 'cost per million submissions (1 KiB content) ≤ 0.7 × the peer').value).toBe(
      ratio1k,
    );
    expect(summaryLine(results)).toMatch(
      new RegExp(
        ` polls_per_submission=- wru_per_submission=6\\.0 wru_64k=71\\.0 rru_per_poll_64k=1\\.0 ` +
          `cost_ratio_1k=${ratio1k.toFixed(2)} cost_ratio_64k=${ratio64k.toFixed(2)} init_vs_sdk_only=-$`,
      ),
    );
  });

  it.each([
    {
      name: 'DynamoDB write units per submission (short content) ≤ 6',
      sizes: () => [{ ...sweep.short, ours: ours(1) }],
      value: 7,
    },
    {
      name: 'DynamoDB write units per submission (64 KiB content) ≤ 72 (64 + 8)',
      sizes: () => [{ ...sweep['64k'], ours: ours(67) }],
      value: 73,
    },
    {
      name: 'DynamoDB read units per status poll (16 KiB content) ≤ 1',
      sizes: () => [{ ...sweep['16k'], ours: ours(17, 2) }],
      value: 2,
    },
    {
      name: 'cost per million submissions (1 KiB content) ≤ 0.7 × the peer',
      sizes: () => [{ ...sweep['1k'], peer: peer(9, 1) }],
      value: costRatio(ours(2), peer(9, 1), 1),
    },
    {
      name: 'cost per million submissions (64 KiB content) ≤ 0.4 × the peer',
      sizes: () => [{ ...sweep['64k'], peer: peer(140, 5) }],
      value: costRatio(ours(65), peer(140, 5), 1),
    },
  ])('misses "$name" above its limit, and so fails the run', ({ name, sizes, value }) => {
    const results = capacityRun(sizes());

    const target = byName(targets(results), name);

    expect(target.value).toBeCloseTo(value, 9);
    expect(isMet(target)).toBe(false);
    expect(report(results).missed.map((missed) => missed.name)).toContain(name);
  });

  it('meets the write-unit targets at their limits exactly', () => {
    const results = capacityRun([
      { ...sweep.short, ours: ours(0) },
      { ...sweep['64k'], ours: ours(66) },
    ]);

    expect(
      isMet(byName(targets(results), 'DynamoDB write units per submission (64 KiB content) ≤ 72 (64 + 8)')),
    ).toBe(true);
  });

  it('holds the measured units to the expected ones exactly, naming each difference', () => {
    const results = capacityRun([
      { ...sweep.short, ours: ours(0, 2) },
      { ...sweep['64k'], ours: ours(64) },
    ]);

    const exact = byName(
      targets(results),
      'DynamoDB billed units exactly as expected (short: 6 WRU, a poll 1 RRU; 64 KiB: 71 WRU, a poll 1 RRU)',
    );

    expect(isMet(exact)).toBe(false);
    expect(exact.value).toBe(3);
    expect(exact.detail).toBe(
      'short: a status poll 2 RRU + 0 WRU, expected 1 RRU; 64 KiB: submissions 67 WRU, expected 68; ' +
        '64 KiB: 70 WRU per submission, expected 71',
    );
  });

  it('prices the polls the page made (polls_per_submission) when the run measured them, else one', () => {
    const sizes = [sweep['1k']];
    const measured = capacityRun(sizes, { verdict: verdict(150, 3) });
    const ratio = (results: BenchResults) =>
      byName(targets(results), 'cost per million submissions (1 KiB content) ≤ 0.7 × the peer').value;

    expect(ratio(measured)).toBe(costRatio(sweep['1k'].ours, sweep['1k'].peer, 3));
    expect(ratio(capacityRun(sizes))).toBe(costRatio(sweep['1k'].ours, sweep['1k'].peer, 1));
    expect(ratio(measured)).not.toBe(ratio(capacityRun(sizes)));
  });

  it('checks what the smoke measures (short and 64 KiB) and leaves the 1 KiB ratio out', () => {
    const results = capacityRun([sweep.short, sweep['64k']], { smoke: true });

    const names = capacityTargets(results).map((target) => target.name);

    expect(names).toHaveLength(6);
    expect(names.some((name) => name.includes('1 KiB'))).toBe(false);
    expect(summaryLine(results)).toMatch(
      / wru_per_submission=6\.0 wru_64k=71\.0 rru_per_poll_64k=1\.0 cost_ratio_1k=- cost_ratio_64k=0\.\d\d init_vs_sdk_only=-$/,
    );
  });

  it('sets no capacity target, and says so, when DynamoDB Local could not run', () => {
    const results = run({ capacity: { skipped: 'java not found (DynamoDB Local needs it)' } });

    expect(capacityTargets(results)).toEqual([]);
    expect(report(results).text).toContain('DynamoDB billed units: not measured (java not found');
    expect(summaryLine(results)).toMatch(
      / wru_per_submission=- wru_64k=- rru_per_poll_64k=- cost_ratio_1k=- cost_ratio_64k=- init_vs_sdk_only=-$/,
    );
  });

  it('prints the sweep as a table: a row per size, ours and the peer’s units, costs and their ratio', () => {
    const { text } = report(capacityRun(Object.values(sweep)));
    const rows = text.split('\n').filter((line) => /^\| (short|1 KiB|16 KiB|64 KiB) \|/.test(line));

    expect(rows).toHaveLength(4);
    const [cells] = [rows[3]!.split('|').map((cell) => cell.trim())];
    const ratio = costRatio(sweep['64k'].ours, sweep['64k'].peer, 1);
    expect(cells.slice(1, 8)).toEqual(['64 KiB', '71.0', '205.0', '0.0', '0.0', '1.0', '17.0']);
    expect(cells[10]).toBe(`**${ratio.toFixed(2)}**`);
    expect(text).toContain('| … of which submissions ActiveSubmissions | 2.0 + 0.0 |');
    expect(text.split('\n').at(-1)).toMatch(/^bench: /);
  });
});

/** A cold-start row with its median init (ms). */
const bundle = (name: string, initMs: number): BundleFigures => ({
  name,
  entry: `${name}.ts`,
  bytes: 1024 * 1024,
  initMs,
  samples: [initMs - 10, initMs, initMs + 10],
});
/** Ours and each function's SDK-only bundle, with the peer's worker (faster than ours here). */
const coldStarts = (api: number, worker: number, reaper: number): BundleFigures[] => [
  bundle('api', api),
  bundle('worker', worker),
  bundle('reaper', reaper),
  bundle('ui', 10),
  bundle('api: SDK clients only', 100),
  bundle('worker: SDK clients only', 80),
  bundle('reaper: SDK clients only', 90),
  bundle('peer worker', 50),
];
const initTargets = (results: BenchResults) =>
  targets(results).filter((target) => / init /.test(target.name));

describe('the cold-start targets (issue 16 §4)', () => {
  it('holds each function’s init median to 2 × its SDK clients alone, met at the limit', () => {
    const results = run({ coldStarts: coldStarts(200, 88, 99) });

    const checked = initTargets(results);

    expect(checked.map((target) => [target.name, target.value, target.limit, target.detail])).toEqual([
      ['api init ≤ 2 × its SDK clients alone (medians)', 2, 2, '200.0 against 100.0 ms'],
      ['worker init ≤ 2 × its SDK clients alone (medians)', 1.1, 2, '88.0 against 80.0 ms'],
      ['reaper init ≤ 2 × its SDK clients alone (medians)', 1.1, 2, '99.0 against 90.0 ms'],
    ]);
    expect(checked.every(isMet)).toBe(true);
    expect(report(results).missed).toEqual([]);
  });

  it.each([
    ['api', coldStarts(200.1, 80, 90)],
    ['worker', coldStarts(100, 160.1, 90)],
    ['reaper', coldStarts(100, 80, 180.1)],
  ])('misses %s’s target above 2 ×, and so fails the run', (name, figures) => {
    const { missed } = report(run({ coldStarts: figures }));

    expect(missed.map((target) => target.name)).toEqual([
      `${name} init ≤ 2 × its SDK clients alone (medians)`,
    ]);
  });

  it('sets no target against the peer’s worker (a tie decided by noise), and none without a baseline', () => {
    const figures = coldStarts(100, 80, 90).filter((figure) => figure.name !== 'reaper: SDK clients only');

    const checked = initTargets(run({ coldStarts: figures }));

    expect(checked.map((target) => target.name)).toEqual([
      'api init ≤ 2 × its SDK clients alone (medians)',
      'worker init ≤ 2 × its SDK clients alone (medians)',
    ]);
    expect(targets(run({ coldStarts: figures })).some((target) => target.name.includes('peer'))).toBe(false);
  });

  it('prints each function’s ratio in the table, and the largest at the end of the last line', () => {
    const results = run({ coldStarts: coldStarts(150, 96, 99) });
    const { text } = report(results);

    expect(text).toContain('| api | api.ts | 1024 | 150.0 | 140.0 – 160.0 | **1.50** |');
    expect(text).toContain('| worker | worker.ts | 1024 | 96.0 | 86.0 – 106.0 | **1.20** |');
    expect(text).toContain(
      '| api: SDK clients only | api: SDK clients only.ts | 1024 | 100.0 | 90.0 – 110.0 |  |',
    );
    expect(summaryLine(results)).toMatch(/ init_ms=96\.0 peer_init_ms=50\.0 /);
    expect(summaryLine(results)).toMatch(/ init_vs_sdk_only=1\.50$/);
  });
});
