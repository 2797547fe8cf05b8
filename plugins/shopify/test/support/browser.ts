import type { Browser, Page } from 'playwright-core';
import { launchChromium, withPage } from '@tijara/testkit';

/**
 * One Chromium for the test file (registers its beforeAll/afterAll); each buyer runs in a fresh context of it, so
 * no cookie or page outlives its test.
 */
export function useBrowser(): <T>(fn: (page: Page) => Promise<T>) => Promise<T> {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return (fn) => {
    if (!browser) throw new Error('useBrowser: Chromium is not running (call it at the top of the file)');
    return withPage(fn, { browser, actionTimeoutMs: 20_000 });
  };
}
