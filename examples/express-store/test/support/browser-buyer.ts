/** A buyer (or the admin) in the test file's one Chromium, and the order page as the buyer waits on it. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN_PASSWORD } from './store-harness.js';

/**
 * A fresh browser context: its own cookies (a new buyer), or the admin's HTTP Basic credentials. Every response
 * the store sends it is added to `seen`, for the file's no-secrets check.
 */
export async function newBuyer(
  browser: Browser,
  seen: string[],
  options: { admin?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    ...(options.admin ? { httpCredentials: { username: 'admin', password: ADMIN_PASSWORD } } : {}),
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('response', async (response) => {
    seen.push(JSON.stringify(await response.allHeaders()));
    if (response.status() < 300 || response.status() >= 400) seen.push(await response.text().catch(() => ''));
  });
  return { context, page };
}

/** The order page, once its status is `status` (the return settles it; webhooks may follow). Its order id. */
export async function orderStatus(page: Page, status: string): Promise<string> {
  await page.waitForURL((url) => /^\/orders\/[^/]+$/.test(url.pathname));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const current = await page.getAttribute('#order-status', 'data-status');
    if (current === status || Date.now() > deadline) {
      expect(current).toBe(status);
      return page.innerText('#order-id');
    }
    await page.waitForTimeout(200);
    await page.reload();
  }
}
