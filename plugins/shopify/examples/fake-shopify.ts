import { startFakeShopify, type FakeShopify } from '@tijara/shopify';

/**
 * Your own tests, without Shopify: the fake starts a payment session against your app exactly as Shopify does
 * and checks every GraphQL document your app sends against Shopify's published schema.
 */
export async function startCheckout(
  fake: FakeShopify,
  paymentSessionUrl: string,
  shop: string,
): Promise<{ redirectUrl: string; gid: string }> {
  const started = await fake.startPaymentSession({
    shop,
    url: paymentSessionUrl,
    amount: '49.90',
    currency: 'MYR',
  });
  if (started.status !== 201 || !started.redirectUrl) {
    throw new Error(`the app answered ${started.status}: ${started.body}`);
  }
  return { redirectUrl: started.redirectUrl, gid: started.session.gid };
}

/** Wait until Shopify (the fake) has accepted the app's mutation for the session, and name it. */
export async function outcomeOf(fake: FakeShopify, gid: string): Promise<string | undefined> {
  await fake.waitForMutations(() => fake.mutationsFor(gid).some((m) => m.accepted));
  return fake.mutationsFor(gid).find((m) => m.accepted)?.name;
}

export async function startLocalShopify(apiKey: string, apiSecretKey: string): Promise<FakeShopify> {
  // `fake.fetch` sends https://<shop>.myshopify.com/… here: pass it as the app's `fetch` option.
  return startFakeShopify({ apiKey, apiSecretKey });
}
