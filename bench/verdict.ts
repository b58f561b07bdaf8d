/**
 * What a person waits for: Submit → the verdict in the page's current-submission panel,
 * in Chromium, on a local stack of its own at light load (one submission at a time),
 * with the status requests the page sent for each and the API's own decision time
 * (completedAt − createdAt) for the same submissions.
 *
 *   npm run bench:verdict [-- --runs 9]
 *
 * Prints one line per run, then `verdict: verdict_ms_p50=… polls_per_submission=…
 * decision_ms_p50=…` (medians). Needs Debian's Chromium (`apt-get install -y chromium`).
 */
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { freePort, startLocalStack } from '../workbench/local/stack';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const runs = Number(values.runs);
if (!Number.isSafeInteger(runs) || runs < 1) {
  console.error(`verdict: --runs must be a whole number of at least 1 (got ${JSON.stringify(values.runs)})`);
  process.exit(2);
}

const CHROMIUM = '/usr/bin/chromium';
/** The status requests of one submission: GET /submissions/{id}. */
const STATUS_PATH = /\/submissions\/[0-9a-f-]{36}$/;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const stack = await startLocalStack({
    httpPort: await freePort(),
    lambdaPort: await freePort(),
    echo: () => {},
    env: { ESBUILD_WORK_FOLDER: '.esbuild/verdict' },
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${stack.httpEndpoint}/`);
    // The page learns the service's decision time from the submissions it lists.
    await page.locator('#recent-note', { hasText: 'Loading' }).waitFor({ state: 'hidden' });
    const results: { verdictMs: number; polls: number; decisionMs: number }[] = [];
    for (let run = 0; run < runs; run += 1) {
      let polls = 0;
      const count = (request: { url(): string }) => {
        if (STATUS_PATH.test(new URL(request.url()).pathname)) polls += 1;
      };
      page.on('request', count);
      await page.fill('textarea', `Submission ${run} of the verdict bench, with a digit 7`);
      const started = performance.now();
      const [created] = await Promise.all([
        page.waitForResponse((response) => response.request().method() === 'POST'),
        page.click('button[type=submit]'),
      ]);
      const { id } = (await created.json()) as { id: string };
      await page
        .locator('#current')
        .filter({ has: page.locator('#current-id', { hasText: id }) })
        .locator('#current-status')
        .getByText(/^(PASSED|FAILED)$/)
        .waitFor();
      const verdictMs = performance.now() - started;
      page.off('request', count);
      const submission = (await (await fetch(`${stack.httpEndpoint}/submissions/${id}`)).json()) as {
        createdAt: string;
        completedAt: string;
      };
      const decisionMs = Date.parse(submission.completedAt) - Date.parse(submission.createdAt);
      results.push({ verdictMs, polls, decisionMs });
      console.log(
        `run ${run + 1}: verdict_ms=${verdictMs.toFixed(0)} polls=${polls} decision_ms=${decisionMs}`,
      );
    }
    console.log(
      `verdict: verdict_ms_p50=${median(results.map((r) => r.verdictMs)).toFixed(0)} ` +
        `polls_per_submission=${median(results.map((r) => r.polls))} ` +
        `decision_ms_p50=${median(results.map((r) => r.decisionMs))}`,
    );
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
