/**
 * A burst of concurrent submissions against a running stack (`npm start`), then
 * polling until each is decided. Prints figures; asserts nothing about speed.
 *
 *   npm run burst -- --n 300 --url http://localhost:3000
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '300' },
    url: { type: 'string', default: 'http://localhost:3000' },
  },
});
const count = Number(values.n);
const base = values.url;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function post(index: number) {
  const started = performance.now();
  const response = await fetch(`${base}/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ content: index % 2 === 0 ? `burst submission ${index}` : 'short' }),
  });
  const body = (await response.json()) as { id?: string };
  return { status: response.status, id: body.id, ms: performance.now() - started, accepted: Date.now() };
}

async function decided(id: string): Promise<string> {
  for (;;) {
    const response = await fetch(`${base}/submissions/${id}`);
    const body = (await response.json()) as { status: string };
    if (body.status === 'PASSED' || body.status === 'FAILED') return body.status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main() {
  const burstStart = performance.now();
  const posts = await Promise.all(Array.from({ length: count }, (_, index) => post(index)));
  const burstMs = performance.now() - burstStart;
  const accepted = posts.filter((result) => result.status === 202 && result.id);
  const latencies = posts.map((result) => result.ms).sort((a, b) => a - b);
  const verdicts = await Promise.all(accepted.map((result) => decided(result.id!)));
  const allDecidedMs = performance.now() - burstStart;
  const statuses = posts.reduce<Record<number, number>>((tally, result) => {
    tally[result.status] = (tally[result.status] ?? 0) + 1;
    return tally;
  }, {});
  console.log(`responses by status: ${JSON.stringify(statuses)}`);
  console.log(
    `burst: n=${count} accepted=${accepted.length} decided=${verdicts.length} ` +
      `passed=${verdicts.filter((v) => v === 'PASSED').length} failed=${verdicts.filter((v) => v === 'FAILED').length} ` +
      `post_p50_ms=${percentile(latencies, 50).toFixed(0)} post_p99_ms=${percentile(latencies, 99).toFixed(0)} ` +
      `burst_ms=${burstMs.toFixed(0)} all_decided_ms=${allDecidedMs.toFixed(0)}`,
  );
  if (accepted.length !== count || verdicts.length !== count) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
