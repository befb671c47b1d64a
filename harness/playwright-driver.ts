import type { Page } from 'playwright-core';
import type { PageDriver } from './journeys.ts';

/** Runs an action that loads another document (a link, a form) and waits until it has loaded. */
export async function loads(page: Page, action: () => Promise<unknown>): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  await action();
  await navigated;
  await page.waitForLoadState('load');
}

/**
 * Chromium (playwright-core) as a journey's driver: it types into the fields and presses the
 * form's submit button, as a user does, and waits for the next document each time.
 */
export class PlaywrightDriver implements PageDriver {
  constructor(readonly page: Page) {}

  url(): string {
    return this.page.url();
  }

  async submit(action: string, fields: Record<string, string> = {}): Promise<void> {
    const form = this.page.locator(`form[action$="${action}"]`).first();
    for (const [name, value] of Object.entries(fields)) {
      const field = form.locator(`[name="${name}"]`);
      // A checkbox is ticked, as a person would; its value is the form's.
      if ((await field.getAttribute('type')) === 'checkbox') await field.check();
      else await field.fill(value);
    }
    await loads(this.page, () => form.locator('button[type=submit]').first().click());
  }

  async follow(href: string): Promise<void> {
    await loads(this.page, () => this.page.locator(`a[href$="${href}"]`).first().click());
  }

  async text(selector: string): Promise<string> {
    return (await this.page.locator(selector).first().textContent()) ?? '';
  }

  async texts(selector: string): Promise<string[]> {
    return this.page.locator(selector).allTextContents();
  }

  async describe(): Promise<string> {
    const heading = (await this.page.locator('h1').first().innerText().catch(() => '')).trim();
    const errors = (await this.page.locator('.error-summary__list li').allInnerTexts()).map((text) => text.trim());
    return `"${heading}"${errors.length > 0 ? ` (${errors.join('; ')})` : ''}`;
  }
}
