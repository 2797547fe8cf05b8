import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readmeExamples } from '@tijara/testkit';
import { ENDPOINTS } from '@tijara/uhmi';
import { handleReturn } from '../examples/settle.js';
import { startCheckout, widgetMarkup } from '../examples/checkout.js';
import { quarterlyLetter } from '../examples/payments-api.js';
import { createDriver } from '../examples/setup.js';
import { TEST_API_KEY } from './support/fixtures.js';
import { startRecordedTarget, type RecordedTarget } from './support/recorded-target.js';

const packageDir = path.join(__dirname, '..');
const readme = readFileSync(path.join(packageDir, 'README.md'), 'utf8');

describe('README', () => {
  it('shows every example file verbatim, and only examples', () => {
    const examples = readmeExamples(packageDir);
    const files = readdirSync(path.join(packageDir, 'examples')).map((name) => `examples/${name}`);
    expect(examples.map((e) => e.file).sort()).toEqual(files.sort());
    for (const example of examples) expect(example.block).toBe(example.source);
    expect(readme.match(/^```ts$/gm) ?? []).toHaveLength(examples.length);
  });

  it('lists every endpoint of the table with its method and path', () => {
    const rows = readme.split('\n').filter((line) => /^\| (GET|POST|PATCH|DELETE) \|/.test(line));
    const expected = Object.entries(ENDPOINTS).flatMap(([group, endpoints]) =>
      Object.entries(endpoints).map(
        ([name, endpoint]) => `| ${endpoint.method} | \`${endpoint.path}\` | \`client.${group}.${name}\` |`,
      ),
    );
    expect(rows).toEqual(expected);
  });
});

describe('README examples, run against recorded Uhmi exchanges', () => {
  let target: RecordedTarget;
  let crud: RecordedTarget;
  beforeAll(async () => {
    target = await startRecordedTarget(['widget-checkout']);
    crud = await startRecordedTarget(['payments-crud']);
  });
  afterAll(async () => {
    await target.close();
    await crud.close();
  });

  const env = (baseUrl: string) => ({
    UHMI_API_KEY: TEST_API_KEY,
    UHMI_BASE_URL: baseUrl,
    UHMI_WIDGET_PAGE: 'https://sandbox.example/uhmi/widget/{payment_id}',
  });

  it('checkout: creates the payment and renders the widget', async () => {
    const uhmi = createDriver(env(target.baseUrl));
    const payment = await startCheckout(uhmi, 'order-2001', 499);
    expect(target.server.requests.at(-1)?.json).toMatchObject({ price: 4.99, title: 'Article order-2001' });
    expect(widgetMarkup(payment)).toBe(
      '<iframe src="https://sandbox.example/uhmi/widget/07LygN2WrLPjX1FOnqHfs5xuxcuAwK" title="Pay with Uhmi"></iframe>',
    );
    const withScript = createDriver({ ...env(target.baseUrl), UHMI_WIDGET_PAGE: '' });
    expect(widgetMarkup(await startCheckout(withScript, 'order-2001', 499))).toBe(
      '<div class="uhmi-widget" data-payment-id="07LygN2WrLPjX1FOnqHfs5xuxcuAwK"></div><script src="https://uhmi.io/widget.js" async></script>',
    );
  });

  it('return: the posted transaction settles the order once', async () => {
    const uhmi = createDriver(env(target.baseUrl));
    const order = {
      orderId: 'order-2001',
      paymentId: '07LygN2WrLPjX1FOnqHfs5xuxcuAwK',
      amount: 499,
      currency: 'EUR',
      status: 'pending' as const,
      captureMode: 'automatic' as const,
      refundedAmount: 0,
    };
    const settled = await handleReturn(uhmi, order, { transaction_id: 'V2LBXVPKH86ERIRSY' });
    expect(settled.status).toBe('paid');
    expect(settled.events.map((e) => [e.type, e.amount])).toEqual([['payment.paid', 499]]);
    await expect(
      handleReturn(uhmi, { ...order, paymentId: 'another' }, { transaction_id: 'V2LBXVPKH86ERIRSY' }),
    ).rejects.toThrow(/not another/);
  });

  it('the whole API: a subscription', async () => {
    expect(await quarterlyLetter(createDriver(env(crud.baseUrl)))).toBe('SuBsCrIpTiOn3mQ8WrT5yU2iOp3AsZ');
    expect(crud.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/payments',
      'PATCH /api/v1/payments/SuBsCrIpTiOn3mQ8WrT5yU2iOp3AsZ',
    ]);
  });
});
