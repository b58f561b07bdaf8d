import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { inject } from 'vitest';
import type { SubmissionStatus } from '../../src/domain/submission';
import { unsignedToken } from './browser';

export const DECIDED_WITHIN_MS = 60_000;

const isCreate = (response: Response) =>
  response.request().method() === 'POST' && new URL(response.url()).pathname === '/submissions';

/** The page at `GET /`, driven the way a person would: by its labels, roles and keys. */
export class SubmissionsPage {
  /** Script errors and console errors (a CSP violation is one), as the browser reported them. */
  readonly consoleErrors: string[] = [];

  private constructor(readonly page: Page) {
    page.on('pageerror', (error) => this.consoleErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') this.consoleErrors.push(message.text());
    });
  }

  /** A fresh tab (so a fresh sessionStorage) on the e2e stack's page. */
  static async open(context: BrowserContext): Promise<SubmissionsPage> {
    const page = new SubmissionsPage(await context.newPage());
    await page.page.goto(`${inject('stack').httpEndpoint}/`);
    return page;
  }

  readonly content = () => this.page.getByLabel('Content', { exact: true });
  readonly submitButton = () => this.page.getByRole('button', { name: 'Submit', exact: true });
  readonly alert = () => this.page.getByRole('alert');
  readonly currentId = () => this.page.locator('#current-id');
  readonly rules = () => this.page.locator('#current-rules li');
  readonly currentStatus = () => this.page.locator('#current-status');
  readonly ruleSet = () => this.page.locator('#current-rule-set');
  readonly reusedNote = () => this.page.locator('#current-reused');
  readonly announcer = () => this.page.locator('[aria-live="polite"]');
  readonly recentEntries = () => this.page.locator('#recent li');
  readonly recentEntry = (id: string) => this.page.locator(`#recent li[data-id="${id}"]`);

  /**
   * Makes this tab a caller of its own, through the page's "Access token" field, and
   * returns the token (for checking the API directly as the same caller).
   */
  async useOwnCaller(): Promise<string> {
    const token = unsignedToken(`browser-test-${randomUUID()}`);
    await this.accessTokenToggle().click();
    await this.page.getByLabel('Access token', { exact: true }).fill(token);
    await this.page.getByLabel('Access token', { exact: true }).press('Tab');
    return token;
  }

  /** Folds the "Access token" disclosure away again; the token stays in use. */
  async closeAccessToken(): Promise<void> {
    await this.accessTokenToggle().click();
    await this.page.getByLabel('Access token', { exact: true }).waitFor({ state: 'hidden' });
  }

  private readonly accessTokenToggle = () => this.page.getByText('Access token (deployed stages only)');

  /** Types `text`, clicks Submit, and returns the API's answer to the POST the page sent. */
  async submit(text: string): Promise<Response> {
    await this.content().fill(text);
    const [response] = await Promise.all([this.page.waitForResponse(isCreate), this.submitButton().click()]);
    return response;
  }

  /** Waits for the response of the POST that `act` makes the page send. */
  async created(act: () => Promise<void>): Promise<string> {
    const [response] = await Promise.all([this.page.waitForResponse(isCreate), act()]);
    return ((await response.json()) as { id: string }).id;
  }

  /** Waits until the watched submission `id` shows `status`, as that exact word. */
  async waitForStatus(id: string, status: SubmissionStatus): Promise<void> {
    await this.page
      .locator('#current')
      .filter({ has: this.page.locator('#current-id', { hasText: id }) })
      .locator('#current-status')
      .getByText(status, { exact: true })
      .waitFor({ timeout: DECIDED_WITHIN_MS });
  }

  /** The id of the element that has the keyboard focus. */
  focusedId(): Promise<string> {
    return this.page.evaluate('document.activeElement?.id ?? ""') as Promise<string>;
  }
}
