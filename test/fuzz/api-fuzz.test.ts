/**
 * The API fuzz tier: random requests over real HTTP against a local stack of its own
 * (test/fuzz/global-fuzz-stack.ts: no queue consumer, so the queue's depth is exact), a
 * fixed fast-check seed. For every request (workbench/api-fuzz/fuzz-oracle.ts):
 *
 * 1. no 5xx;
 * 2. every 4xx of the API is application/problem+json whose detail is true of the request,
 *    checked by a predicate computed from the bytes sent (an unknown detail fails);
 * 3. the table's items and the queue's messages, counted before and after, change by
 *    exactly what the answer reports: nothing for a 4xx or a replay, 1 submission (+1
 *    idempotency record with a new key, +1 content item for a content too long to keep
 *    inline) and 1 message for a 202, n and n for a batch;
 * 4. the answer is valid against the served /openapi.json (openapi-backend's validators).
 *
 * Where the local stack differs from API Gateway, answers are tolerated by name and
 * counted in the summary (workbench/api-fuzz/fuzz-findings.ts); nothing else is. That the
 * oracle fails each kind of wrong answer is checked without a stack: fuzz-oracle-checks.test.ts.
 *
 * A failure prints fast-check's report with the seed and path; replay it with
 *   FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run --project fuzz
 *   npm run fuzz -- --seed <seed> --path <path>        (on a stack of its own)
 * FUZZ_RUNS sets the number of requests (default 500); `npm run fuzz` runs more, seeded at random.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { FuzzSession, fuzzParameters } from '../../workbench/api-fuzz/fuzz-session';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_217);
const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const PATH = process.env.FUZZ_PATH || undefined;

let session: FuzzSession;

beforeAll(async () => {
  const target = inject('fuzzTarget');
  session = await FuzzSession.open({
    target,
    stackOutput: () => readFileSync(target.logFile, 'utf8').trimEnd().split('\n').slice(-30),
  });
});

afterAll(() => {
  if (!session) return;
  console.log(session.summary());
  session.close();
});

it(`answers ${RUNS} random requests (seed ${SEED}) within the contract, storing only what it accepts`, async () => {
  expect(Number.isInteger(SEED) && Number.isInteger(RUNS) && RUNS > 0).toBe(true);
  await fc.assert(session.property(), fuzzParameters({ seed: SEED, runs: RUNS, path: PATH }));
});
