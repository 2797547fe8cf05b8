import { metaOf, paymentKey } from '../src/records.js';
import { eventually, useUmmahApp } from './support/harness.js';
import { payOnSandbox } from './support/sandbox-pay.js';

const ctx = useUmmahApp('pay');

it('starts a payment on the gateway and resolves it once the gateway says it is paid', async () => {
  const started = await ctx.harness.fake.startPaymentSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.paymentSession,
    amount: '45.50',
    currency: 'MYR',
  });
  expect(started.status).toBe(201);
  expect(started.redirectUrl).toMatch(new RegExp(`^${ctx.sandbox.url}/checkout/`));
  await payOnSandbox(ctx.sandbox, started.redirectUrl as string);
  await ctx.sandbox.settle();
  await ctx.harness.fake.waitForMutations((all) =>
    all.some((m) => m.variables.id === started.session.gid && m.accepted),
  );
  expect(ctx.harness.fake.mutationsFor(started.session.gid).map((m) => [m.name, m.accepted])).toEqual([
    ['paymentSessionResolve', true],
  ]);
  const record = await eventually(async () => {
    const r = await ctx.harness.app.ledger.payments.get(paymentKey(ctx.shop, started.session.id));
    return r && metaOf(r).shopify === 'resolved' ? r : undefined;
  });
  expect(record).toMatchObject({ status: 'paid', amount: 4550, currency: 'MYR' });
});
