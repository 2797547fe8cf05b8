import { childOutput, spawnTs, waitForExit } from '@tijara/testkit';

it('live mode names everything it still needs and stops', async () => {
  const child = spawnTs(new URL('../src/start.ts', import.meta.url), [], {
    env: {
      SHOPIFY_API_KEY: 'client-id',
      SHOPIFY_API_SECRET: undefined,
      APP_URL: undefined,
      ENCRYPTION_KEY: undefined,
    },
  });
  expect(await waitForExit(child, 30_000)).toEqual({ code: 1, signal: null });
  expect(childOutput(child).stderr).toContain(
    'Could not start the Shopify app: Live mode needs: SHOPIFY_API_SECRET, APP_URL, ENCRYPTION_KEY, SHOPIFY_CA_FILE, TLS_CERT_FILE + TLS_KEY_FILE (direct TLS) or TRUSTED_PROXIES (behind a proxy)',
  );
  expect(childOutput(child).stdout).not.toContain('listening');
});
