import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Response, Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Submission } from '../../src/ui/api-client';
import { projectRoot } from '../../workbench/local/stack';
import { type Browser, chromiumMissing, launchChromium } from '../helpers/browser';
import { api, submit } from '../helpers/http';
import { DECIDED_WITHIN_MS, SubmissionsPage } from '../helpers/submissions-page';

const skipped = chromiumMissing();
if (skipped) console.log(skipped);

/** Set UPDATE_SCREENSHOT=1 to refresh the picture in docs/web-page.md; otherwise tests write nothing into the repo. */
const SCREENSHOT = join(projectRoot, 'docs', 'screenshot.png');

const MAX_CONTENT_BYTES = Number(inject('stack').settings.MAX_CONTENT_BYTES);
const OVERSIZED = 'x'.repeat(MAX_CONTENT_BYTES + 1);

/** A PASSED and a FAILED submission of the page's own caller, each watched to its verdict. */
async function passedAndFailed(page: SubmissionsPage): Promise<{ passed: string; failed: string }> {
  await page.useOwnCaller();
  const passed = await idOf(page.submit('Valid content 1234'));
  await page.waitForStatus(passed, 'PASSED');
  const failed = await idOf(page.submit('short'));
  await page.waitForStatus(failed, 'FAILED');
  return { passed, failed };
}

/**
 * Holds the page's reads of one kind until the returned function is called: its `polls` of
 * the watched submission (GET /submissions/{id}) or its `listing` (GET /submissions). The
 * recent list learns verdicts too, so a test of what the panel's own polls show holds the
 * listing, and one of what the listing shows holds the polls.
 */
async function hold(page: SubmissionsPage, reads: 'polls' | 'listing'): Promise<() => void> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const path = reads === 'polls' ? /\/submissions\/[^/]+$/ : /\/submissions$/;
  await page.page.route(
    (url) => path.test(url.pathname),
    async (route) => {
      if (route.request().method() === 'GET') await released;
      await route.continue();
    },
  );
  return release;
}

/** The id in the API's answer to the page's POST. */
async function idOf(response: Promise<Response>): Promise<string> {
  return ((await (await response).json()) as { id: string }).id;
}

/**
 * Every visible text on the page with its WCAG contrast ratio against the first opaque
 * background behind it, measured from Chromium's computed styles (a string: the tests
 * are type-checked without the DOM library).
 */
const TEXT_CONTRASTS = `(() => {
  const rgb = (colour) => {
    const parts = /^rgba?\\(([^)]+)\\)$/.exec(colour);
    if (!parts) throw new Error('unexpected colour ' + colour);
    const [r, g, b, a = 1] = parts[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const luminance = ({ r, g, b }) => {
    const linear = (v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  const backdrop = (element) => {
    for (let at = element; at; at = at.parentElement) {
      const colour = rgb(getComputedStyle(at).backgroundColor);
      if (colour.a === 1) return colour;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const found = [];
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = texts.nextNode(); node; node = texts.nextNode()) {
    const element = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !element || !element.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    const colour = rgb(getComputedStyle(element).color);
    if (colour.a !== 1) throw new Error('translucent text: ' + text);
    const [light, dark] = [luminance(colour), luminance(backdrop(element))].sort((x, y) => y - x);
    found.push({ text: text.slice(0, 40), ratio: Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100 });
  }
  return found;
})()`;

describe.skipIf(skipped !== undefined)('the page, in Chromium, on the stack `npm start` runs', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());
  afterEach(async () => {
    for (const tab of browser.context.pages()) await tab.close();
  });

  const open = () => SubmissionsPage.open(browser.context);

  it('follows valid content to PASSED and shows both rules’ messages', async () => {
    const page = await open();
    await page.useOwnCaller();

    const id = await idOf(page.submit('This contains number 42'));
    await page.waitForStatus(id, 'PASSED');

    expect(await page.rules().allInnerTexts()).toEqual([
      expect.stringMatching(
        /^Passed\s+Content is 23 characters long \(minimum 10\)\.\s+Measured: length 23, minimum 10\s+minLength$/,
      ),
      expect.stringMatching(
        /^Passed\s+Content contains a digit\.\s+Measured: digits \(0-9\) 2, minimum 1\s+requireDigit$/,
      ),
    ]);
    expect(await page.ruleSet().textContent()).toBe('default, version 1');
    expect(await page.page.getByText('Rule set', { exact: true }).isVisible()).toBe(true);
    expect(await page.reusedNote().isVisible()).toBe(false);
    expect(await page.announcer().textContent()).toContain('PASSED');
    expect(page.consoleErrors).toEqual([]); // nothing blocked by the CSP, no script error
    if (process.env.UPDATE_SCREENSHOT === '1') {
      await page.recentEntry(id).getByText('PASSED', { exact: true }).waitFor();
      await page.closeAccessToken(); // as a local user sees the page
      await mkdir(join(projectRoot, 'docs'), { recursive: true });
      await page.page.screenshot({ path: SCREENSHOT, fullPage: true });
    }
  });

  it('shows "short" FAILED, with the length rule’s reason in words', async () => {
    const page = await open();

    const id = await idOf(page.submit('short'));
    await page.waitForStatus(id, 'FAILED');

    await expect
      .poll(() => page.rules().allInnerTexts())
      .toEqual([
        expect.stringMatching(/^Failed\s+Content must be at least 10 characters long; it is 5\./),
        expect.stringMatching(/^Failed\s+Content must contain at least one digit/),
      ]);
    expect(await page.announcer().textContent()).toContain('at least 10 characters');
  });

  it('says oversized content is too long, and nothing is stored', async () => {
    const page = await open();
    const token = await page.useOwnCaller();

    const response = await page.submit(OVERSIZED);

    expect(response.status()).toBe(413);
    await page
      .alert()
      .getByText(/too long/i)
      .waitFor();
    expect(await page.alert().textContent()).toContain(`at most ${MAX_CONTENT_BYTES} bytes`);
    expect(await page.alert().getByRole('button', { name: 'Retry' }).isVisible()).toBe(false);
    const mine = await api('/submissions', { headers: { authorization: `Bearer ${token}` } });
    expect(mine.body.items).toEqual([]);
  });

  it('shows the field’s message for invalid input (400)', async () => {
    const page = await open();

    const response = await page.submit('a control character \u0001 and 1 digit');

    expect(response.status()).toBe(400);
    await page.alert().getByText('Invalid input: content must not contain control characters').waitFor();
  });

  it('lists the caller’s submissions with their badges: PASSED, FAILED, and no trace of the refused one', async () => {
    const page = await open();

    const { passed, failed } = await passedAndFailed(page);
    expect((await page.submit(OVERSIZED)).status()).toBe(413);

    await page.recentEntry(passed).getByText('PASSED', { exact: true }).waitFor();
    await page.recentEntry(failed).getByText('FAILED', { exact: true }).waitFor();
    await page.recentEntry(passed).getByRole('button', { name: 'View submission' }).click();
    await page.waitForStatus(passed, 'PASSED');
    expect(await page.recentEntries().evaluateAll((items) => items.map((item) => item.dataset.id))).toEqual([
      failed,
      passed,
    ]);
  });

  it('keeps every visible text at a contrast of 4.5:1 or more (WCAG AA), verdicts and errors included', async () => {
    const page = await open();
    const { passed } = await passedAndFailed(page);
    await page.recentEntry(passed).getByText('PASSED', { exact: true }).waitFor();
    expect((await page.submit('a control character \u0001 and 1 digit')).status()).toBe(400);
    await page.alert().getByText('Invalid input').waitFor();

    const contrasts = (await page.page.evaluate(TEXT_CONTRASTS)) as { text: string; ratio: number }[];

    expect(contrasts.map(({ text }) => text)).toEqual(
      expect.arrayContaining(['PASSED', 'FAILED', expect.stringMatching(/^Invalid input/)]),
    );
    expect(contrasts.filter(({ ratio }) => ratio < 4.5)).toEqual([]);
  });

  it('can be used with the keyboard alone', async () => {
    const page = await open();

    await page.page.keyboard.press('Tab');
    expect(await page.focusedId()).toBe('content');
    await page.page.keyboard.type('Typed with keys only, 7 of them');
    const byShortcut = await page.created(() => page.page.keyboard.press('Control+Enter'));
    await page.waitForStatus(byShortcut, 'PASSED');

    await page.content().focus();
    await page.page.keyboard.press('Tab'); // the Access token disclosure
    await page.page.keyboard.press('Tab');
    expect(await page.focusedId()).toBe('submit');
    const byButton = await page.created(() => page.page.keyboard.press('Enter'));
    await page.waitForStatus(byButton, 'PASSED');
    expect(byButton).not.toBe(byShortcut);
  });

  it('disables Submit while the request is in flight, and sends it once', async () => {
    const page = await open();
    const posts: string[] = [];
    page.page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.page.route('**/submissions', async (route) => {
      if (route.request().method() === 'POST') await released;
      await route.continue();
    });

    await page.content().fill('In flight for a while, 1');
    const created = page.created(() => page.submitButton().click());
    await expect.poll(() => page.submitButton().isDisabled()).toBe(true);
    await page.content().press('Control+Enter'); // a second try while the first is in flight
    release();
    const id = await created;
    await page.waitForStatus(id, 'PASSED');

    expect(await page.submitButton().isEnabled()).toBe(true);
    expect(posts).toHaveLength(1);
  });

  it('prevents an empty submission in the page (and the API refuses one anyway)', async () => {
    const page = await open();
    const posts: string[] = [];
    page.page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });

    await page.submitButton().click();

    await page.page.getByText('Write some content first').waitFor();
    expect(await page.content().getAttribute('aria-invalid')).toBe('true');
    expect(await page.focusedId()).toBe('content');
    expect(posts).toEqual([]);
    expect((await submit('')).status).toBe(400);
  });

  it('offers Retry after a server failure, and the retry reuses the Idempotency-Key', async () => {
    const page = await open();
    const keys: string[] = [];
    await page.page.route('**/submissions', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      keys.push((await route.request().headerValue('idempotency-key')) ?? '');
      if (keys.length === 1) {
        return route.fulfill({
          status: 503,
          contentType: 'application/problem+json',
          body: JSON.stringify({ title: 'Service Unavailable', status: 503, detail: 'Try again.' }),
        });
      }
      return route.continue();
    });

    await page.submit('Retried after a failure, 3');
    await page.alert().getByText('HTTP 503').waitFor();
    const id = await page.created(() => page.alert().getByRole('button', { name: 'Retry' }).click());
    await page.waitForStatus(id, 'PASSED');

    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it('says in words that the POST could not reach the service, and Retry sends it once the network is back', async () => {
    const page = await open();
    const posts: string[] = [];
    const offline = (route: Route) =>
      route.request().method() === 'POST' ? route.abort('internetdisconnected') : route.continue();
    page.page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });
    await page.page.route('**/submissions', offline);

    await page.content().fill('Sent when the network is back, 5');
    await page.submitButton().click();
    await page.alert().getByText('Could not reach the service: check your connection, then retry.').waitFor();
    expect(await page.page.locator('#current').isVisible()).toBe(false);
    await page.page.unroute('**/submissions', offline);
    const id = await page.created(() => page.alert().getByRole('button', { name: 'Retry' }).click());
    await page.waitForStatus(id, 'PASSED');

    expect(await page.alert().isVisible()).toBe(false);
    expect(posts).toHaveLength(2); // the aborted one and the retry
  });

  it('says so when a poll fails mid-watch, and Retry resumes watching until the verdict', async () => {
    const page = await open();
    const releaseListing = await hold(page, 'listing');
    let polls = 0;
    await page.page.route('**/submissions/*', (route) => {
      polls += 1;
      return polls === 1 ? route.abort('connectionreset') : route.continue();
    });

    const id = await idOf(page.submit('Watched through a failed poll, 9'));
    await page.alert().getByText('Could not reach the service').waitFor();
    expect(await page.currentStatus().textContent()).toBe('PENDING'); // what the POST answered, kept
    await page.alert().getByRole('button', { name: 'Retry' }).click();
    await page.waitForStatus(id, 'PASSED');
    releaseListing();

    expect(polls).toBeGreaterThan(1);
    expect(await page.alert().isVisible()).toBe(false);
  });

  it('shows PENDING, as that word, until a poll says otherwise', async () => {
    const page = await open();
    const releaseListing = await hold(page, 'listing');
    // Holds every poll until the check below is done, so nothing can have moved the page on.
    const release = await hold(page, 'polls');

    const id = await idOf(page.submit('Pending for as long as we look, 4'));
    await page.waitForStatus(id, 'PENDING');
    expect(await page.currentStatus().textContent()).toBe('PENDING');
    expect(await page.page.getByText('checking for updates…').isVisible()).toBe(true);
    expect(await page.announcer().textContent()).toContain('is PENDING.');
    release();
    await page.waitForStatus(id, 'PASSED');
    releaseListing();

    expect(await page.page.getByText('checking for updates…').isVisible()).toBe(false);
  });

  it("shows the verdict the recent list learnt in the panel too, while the panel's own polls are held", async () => {
    const page = await open();
    await page.useOwnCaller();
    // Holds every poll of the watched submission: only the recent list can learn the verdict.
    const release = await hold(page, 'polls');

    const id = await idOf(page.submit('Listed before it is polled, 5'));
    await page.recentEntry(id).getByText('PASSED', { exact: true }).waitFor({ timeout: DECIDED_WITHIN_MS });
    await page.waitForStatus(id, 'PASSED');
    const panel = await page.currentStatus().textContent();
    release();

    expect(panel).toBe('PASSED');
    expect(await page.announcer().textContent()).toContain('is PASSED.');
  });

  it('shows PROCESSING, as that word, while a worker holds the submission', async () => {
    const page = await open();
    const releaseListing = await hold(page, 'listing');
    // The worker decides in milliseconds here, too fast to watch. Until released, each poll
    // gets the real submission as a claimed one reads (PROCESSING, attempt 1, no result).
    let claimed = true;
    await page.page.route('**/submissions/*', async (route) => {
      if (!claimed) return route.continue();
      const { 'if-none-match': _validator, ...headers } = route.request().headers();
      const response = await route.fetch({ headers });
      const { result: _result, ...submission } = (await response.json()) as Submission;
      const { etag: _etag, ...answer } = response.headers();
      return route.fulfill({
        status: 200,
        headers: answer,
        json: { ...submission, status: 'PROCESSING', attempts: 1, processingStartedAt: submission.updatedAt },
      });
    });

    const id = await idOf(page.submit('Held in processing while we look, 6'));
    await page.waitForStatus(id, 'PROCESSING');
    expect(await page.currentStatus().textContent()).toBe('PROCESSING');
    expect(await page.announcer().textContent()).toContain('is PROCESSING.');
    claimed = false;
    await page.waitForStatus(id, 'PASSED');
    releaseListing();

    expect(await page.currentStatus().textContent()).toBe('PASSED');
  });

  it('notes a verdict reused from an earlier submission, naming it', async () => {
    const page = await open();
    // The listing's copy of a decision carries no reusedFrom here: the panel must show its poll's.
    const releaseListing = await hold(page, 'listing');
    // The stack's rule set has no duplicate rule, so the page is shown a reused result:
    // the real answer, with `reusedFrom` added as the API sends it for such a copy.
    const earlier = '00000000-0000-4000-8000-000000000042';
    await page.page.route('**/submissions/*', async (route) => {
      const response = await route.fetch();
      const body = response.status() === 200 ? ((await response.json()) as Submission) : undefined;
      if (body?.result === undefined) return route.fulfill({ response });
      return route.fulfill({ response, json: { ...body, result: { ...body.result, reusedFrom: earlier } } });
    });

    const id = await idOf(page.submit('Decided once before, 8'));
    await page.waitForStatus(id, 'PASSED');
    releaseListing();

    expect(await page.reusedNote().textContent()).toBe(
      `Same content as an earlier submission, ${earlier}: its verdict was reused and no rule ran again.`,
    );
  });
});
