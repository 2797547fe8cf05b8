import { accessSync, constants } from 'node:fs';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { ConfigurationError } from '@tijara/core';

/** Where Debian's `chromium` package puts the browser; `TIJARA_CHROMIUM` overrides it. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a quiet, deterministic headless Chromium in containers and CI: no sandbox (containers run as
 * root without user namespaces), no GPU, no QUIC, and none of the background traffic (updates, sync,
 * component downloads) that would make a test depend on the network.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface LaunchChromiumOptions {
  /** Browser binary; default `TIJARA_CHROMIUM` or `/usr/bin/chromium`. */
  executablePath?: string;
  /** Flags added after `CHROMIUM_ARGS`. */
  args?: readonly string[];
  /** How long to wait for the browser to start, in ms (default 30 000). */
  timeoutMs?: number;
  /** Slow every browser operation down by this many ms (handy when debugging a test). */
  slowMo?: number;
}

/** The Chromium binary a test will run: the option, else `TIJARA_CHROMIUM`, else `/usr/bin/chromium`. */
export function chromiumExecutablePath(explicit?: string): string {
  return explicit ?? process.env['TIJARA_CHROMIUM'] ?? DEFAULT_CHROMIUM_PATH;
}

function assertExecutable(path: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new ConfigurationError(
      `Chromium not found at ${path}: install it with \`apt-get install chromium\` or set TIJARA_CHROMIUM to its path`,
    );
  }
}

/**
 * Launch the system's headless Chromium through playwright-core; never downloads a browser. Each launch
 * gets a fresh temporary profile that Playwright deletes on `close()`, so tests share no cookies or cache.
 */
export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<Browser> {
  const executablePath = chromiumExecutablePath(options.executablePath);
  assertExecutable(executablePath);
  return chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    timeout: options.timeoutMs ?? 30_000,
    ...(options.slowMo === undefined ? {} : { slowMo: options.slowMo }),
  });
}

/** Launch Chromium, run `fn`, and close the browser whatever happens. */
export async function withBrowser<T>(
  fn: (browser: Browser) => Promise<T>,
  options: LaunchChromiumOptions = {},
): Promise<T> {
  const browser = await launchChromium(options);
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

export interface WithPageOptions extends LaunchChromiumOptions {
  /** Reuse a running browser (faster across many tests); otherwise one is launched and closed. */
  browser?: Browser;
  /** Options for the isolated context the page lives in (viewport, locale, …). */
  context?: BrowserContextOptions;
  /** Default timeout for page actions and navigations, in ms (default 15 000). */
  actionTimeoutMs?: number;
}

/**
 * Run `fn` with a page in a fresh, isolated browser context, closed afterwards. Pass `browser` to share one
 * Chromium between tests; each call still gets its own cookies and storage.
 */
export async function withPage<T>(
  fn: (page: Page, context: BrowserContext) => Promise<T>,
  options: WithPageOptions = {},
): Promise<T> {
  const run = async (browser: Browser): Promise<T> => {
    const context = await browser.newContext(options.context);
    try {
      context.setDefaultTimeout(options.actionTimeoutMs ?? 15_000);
      const page = await context.newPage();
      return await fn(page, context);
    } finally {
      await context.close();
    }
  };
  return options.browser ? run(options.browser) : withBrowser(run, options);
}
