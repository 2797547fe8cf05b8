import type { RunningSandbox } from '@tijara/sandbox';
import { metaOf, paymentKey } from '../src/records.js';
import {
  connectUmmahShop,
  eventually,
  startApp,
  startTestSandbox,
  ummahGateway,
  uniqueShop,
  type AppHarness,
} from './support/harness.js';

let sandbox: RunningSandbox;
let harness: AppHarness;
const shop = uniqueShop('pay');

beforeAll(async () => {
  sandbox = await startTestSandbox();
  harness = await startApp({ gateways: [ummahGateway(sandbox)] });
  await connectUmmahShop(harness, sandbox, shop);
});
afterAll(async () => {
  await harness?.close();
  await sandbox?.close();
});

async function payOnSandbox(checkoutUrl: string, card = '4242 4242 4242 4242'): Promise<void> {
  const id = /\/checkout\/([^/]+)\//.exec(checkoutUrl)?.[1];
  const response = await fetch(`${sandbox.url}/__sandbox/purchases/${id}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ card_number: card }),
  });
  expect(response.status).toBe(200);
}

it('starts a payment on the gateway and resolves it once the gateway says it is paid', async () => {
  const started = await harness.fake.startPaymentSession({
    shop,
    url: harness.app.urls.paymentSession,
    amount: '45.50',
    currency: 'MYR',
  });
  expect(started.status).toBe(201);
  expect(started.redirectUrl).toMatch(new RegExp(`^${sandbox.url}/checkout/`));
  await payOnSandbox(started.redirectUrl as string);
  await sandbox.settle();
  await harness.fake.waitForMutations((all) =>
    all.some((m) => m.variables.id === started.session.gid && m.accepted),
  );
  expect(harness.fake.mutationsFor(started.session.gid).map((m) => [m.name, m.accepted])).toEqual([
    ['paymentSessionResolve', true],
  ]);
  const record = await eventually(async () => {
    const r = await harness.app.ledger.payments.get(paymentKey(shop, started.session.id));
    return r && metaOf(r).shopify === 'resolved' ? r : undefined;
  });
  expect(record).toMatchObject({ status: 'paid', amount: 4550, currency: 'MYR' });
});
