/**
 * What a person waits for (`npm run bench -- --only verdict`): Submit → the verdict in
 * the page's current-submission panel, in Chromium, on a local stack of its own at light
 * load (one submission at a time), with the status requests the page sent for each and
 * the API's own decision time (completedAt − createdAt) for the same submissions.
 * Needs Debian's Chromium (`apt-get install -y chromium`).
 */
import { chromium } from 'playwright-core';
import { freePort, startLocalStack } from '../workbench/local/stack';

const CHROMIUM = '/usr/bin/chromium';
/** The status requests of one submission: GET /submissions/{id}. */
const STATUS_PATH = /\/submissions\/[0-9a-f-]{36}$/;

export interface VerdictRun {
  verdictMs: number;
  polls: number;
  decisionMs: number;
}

export interface VerdictResult {
  runs: VerdictRun[];
  /** Medians of the runs. */
  verdictMsP50: number;
  pollsP50: number;
  decisionMsP50: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export async function measureVerdict(
  runs: number,
  progress: (message: string) => void,
): Promise<VerdictResult> {
  progress(`verdict: ${runs} submissions through the page in Chromium, on a local stack of its own`);
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
    await page.locator('#recent-note', { hasText: 'Loading' }).waitFor({ state: 'hidden' });
    const results: VerdictRun[] = [];
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
      results.push({
        verdictMs,
        polls,
        decisionMs: Date.parse(submission.completedAt) - Date.parse(submission.createdAt),
      });
    }
    return {
      runs: results,
      verdictMsP50: median(results.map((run) => run.verdictMs)),
      pollsP50: median(results.map((run) => run.polls)),
      decisionMsP50: median(results.map((run) => run.decisionMs)),
    };
  } finally {
    await browser.close();
    await stack.stop();
  }
}
