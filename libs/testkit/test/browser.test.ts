import type { Browser } from 'playwright-core';
import { ConfigurationError } from '@tijara/core';
import { chromiumExecutablePath, launchChromium, withPage } from '../src/browser.js';
import { startLoopbackServer, type LoopbackServer } from '../src/loopback.js';

const FORM_PAGE = `<!doctype html>
<html><head><title>Loopback form</title></head>
<body>
  <form method="post" action="/submit">
    <input id="name" name="name">
    <button id="send" type="submit">Send</button>
  </form>
  <p id="script-ran"></p>
  <script>document.getElementById('script-ran').textContent = 'yes';</script>
</body></html>`;

let server: LoopbackServer;
let browser: Browser;

beforeAll(async () => {
  server = await startLoopbackServer((request, response) => {
    if (request.method === 'POST' && request.path === '/submit') {
      const name = new URLSearchParams(request.body.toString('utf8')).get('name') ?? '';
      response.writeHead(303, { location: `/done?name=${encodeURIComponent(name)}` });
      response.end();
      return;
    }
    if (request.path === '/done') {
      response.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'seen=1; Path=/' });
      response.end(`<p id="greeting">Hello ${request.query.get('name') ?? ''}</p>`);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(FORM_PAGE);
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('loads a loopback page, runs its script, submits a form and follows the redirect', async () => {
  await withPage(
    async (page) => {
      await page.goto(`${server.url}/form`);
      expect(await page.title()).toBe('Loopback form');
      expect(await page.textContent('#script-ran')).toBe('yes');
      await page.fill('#name', 'Aisha');
      await Promise.all([page.waitForURL(/\/done\?/), page.click('#send')]);
      expect(await page.textContent('#greeting')).toBe('Hello Aisha');
    },
    { browser },
  );
  const post = server.requests.find((r) => r.method === 'POST');
  expect(post?.body.toString('utf8')).toBe('name=Aisha');
  expect(post?.headers['user-agent']).toMatch(/HeadlessChrome|Chrome/);
});

test('each withPage call gets a fresh context: cookies do not leak between calls', async () => {
  await withPage(
    async (page, context) => {
      await page.goto(`${server.url}/done?name=x`);
      expect((await context.cookies()).map((c) => c.name)).toEqual(['seen']);
    },
    { browser },
  );
  await withPage(async (_page, context) => expect(await context.cookies()).toEqual([]), { browser });
});

test('withPage launches and closes its own browser when none is given', async () => {
  const title = await withPage(async (page) => {
    await page.goto(`${server.url}/form`);
    return page.title();
  });
  expect(title).toBe('Loopback form');
});

test('a missing binary fails fast with a clear error naming the fix', async () => {
  const attempt = launchChromium({ executablePath: '/nonexistent/chromium' });
  await expect(attempt).rejects.toBeInstanceOf(ConfigurationError);
  await expect(attempt).rejects.toThrow(/\/nonexistent\/chromium.*apt-get install chromium/);
});

test('TIJARA_CHROMIUM overrides the default path, an explicit option overrides both', () => {
  const saved = process.env['TIJARA_CHROMIUM'];
  try {
    delete process.env['TIJARA_CHROMIUM'];
    expect(chromiumExecutablePath()).toBe('/usr/bin/chromium');
    process.env['TIJARA_CHROMIUM'] = '/opt/chrome/chrome';
    expect(chromiumExecutablePath()).toBe('/opt/chrome/chrome');
    expect(chromiumExecutablePath('/x/chromium')).toBe('/x/chromium');
  } finally {
    if (saved === undefined) delete process.env['TIJARA_CHROMIUM'];
    else process.env['TIJARA_CHROMIUM'] = saved;
  }
});
