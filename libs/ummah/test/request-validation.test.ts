import { InvalidRequestError } from '@tijara/core';
import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import {
  createPurchaseRequestSchema,
  createWebhookRequestSchema,
  fieldDetailsFromZodError,
  UmmahClient,
  type CreatePurchaseRequest,
} from '@tijara/ummah';
import { BRAND_ID, TEST_SECRET_KEY } from './support/fixtures.js';

let server: LoopbackServer;
let client: UmmahClient;

beforeAll(async () => {
  server = await startLoopbackServer((request, response) =>
    sendJson(response, 200, { id: 'x', status: 'created', echo: request.json }),
  );
  client = new UmmahClient({ secretKey: TEST_SECRET_KEY, baseUrl: `${server.url}/api/v1/`, maxAttempts: 1 });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const purchase = (overrides: Record<string, unknown> = {}): CreatePurchaseRequest => ({
  brand_id: BRAND_ID,
  client: { email: 'buyer@example.com' },
  purchase: { currency: 'MYR', products: [{ name: 'Kurma', price: 1500, quantity: 2 }] },
  ...overrides,
});

/** The call must fail client-side with these details, and nothing may reach the gateway. */
async function refused(
  call: () => PromiseLike<unknown>,
  details: Record<string, string[]>,
): Promise<InvalidRequestError> {
  const error = await Promise.resolve(call()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect((error as InvalidRequestError).details).toEqual(details);
  expect(server.requests).toHaveLength(0);
  return error as InvalidRequestError;
}

describe('documented limits, enforced before sending', () => {
  it('creator_agent: at most 32 characters, and the message names the field', async () => {
    const error = await refused(() => client.purchases.create(purchase({ creator_agent: 'x'.repeat(33) })), {
      creator_agent: ['Ensure this field has no more than 32 characters.'],
    });
    expect(error.message).toContain('creator_agent: Ensure this field has no more than 32 characters.');
    expect(error.code).toBe('invalid_request');
    await expect(client.purchases.create(purchase({ creator_agent: 'x'.repeat(32) }))).resolves.toBeDefined();
  });

  it.each(['success_redirect', 'failure_redirect', 'cancel_redirect', 'success_callback'])(
    '%s: at most 500 characters',
    async (field) => {
      const url = `https://shop.example/${'a'.repeat(500 - 21)}`;
      expect(url).toHaveLength(500);
      await refused(() => client.purchases.create(purchase({ [field]: `${url}b` })), {
        [field]: ['Ensure this field has no more than 500 characters.'],
      });
      await expect(client.purchases.create(purchase({ [field]: url }))).resolves.toBeDefined();
    },
  );

  it('reference: at most 128 characters (purchases and refunds)', async () => {
    const tooLong = 'r'.repeat(129);
    await refused(() => client.purchases.create(purchase({ reference: tooLong })), {
      reference: ['Ensure this field has no more than 128 characters.'],
    });
    await refused(() => client.purchases.refund('p1', { reference: tooLong }), {
      reference: ['Ensure this field has no more than 128 characters.'],
    });
  });

  it('cancel_redirect may not contain <>\'" or spaces', async () => {
    await refused(() => client.purchases.create(purchase({ cancel_redirect: 'https://shop.example/"x"' })), {
      cancel_redirect: [`This field can't contain any of the symbols <>'" or spaces.`],
    });
  });

  it('required fields and nested paths', async () => {
    await refused(
      () => client.purchases.create({ client: { email: 'nope' } } as unknown as CreatePurchaseRequest),
      {
        brand_id: ['This field is required.'],
        'client.email': ['Enter a valid email address.'],
        purchase: ['This field is required.'],
      },
    );
    await refused(
      () =>
        client.purchases.create(
          purchase({
            purchase: {
              currency: 'XYZ',
              products: [
                { name: '', price: -1 },
                { name: 'ok', price: 1.5 },
              ],
            },
          }),
        ),
      {
        'purchase.currency': ['"XYZ" is not a valid ISO 4217 currency code.'],
        'purchase.products.0.name': ['This field may not be blank.'],
        'purchase.products.0.price': ['Ensure this value is greater than or equal to 0.'],
        'purchase.products.1.price': ['A valid integer is required.'],
      },
    );
    await refused(() => client.purchases.create(purchase({ purchase: { products: [] } })), {
      'purchase.products': ['This list may not be empty.'],
    });
  });

  it('a missing client is reported together with the other field errors, in one answer', async () => {
    // The either/or check used to run only once every other field was valid: a body with a missing required
    // field (an aborting type issue) hid it, so fixing one answer's errors led to another 400.
    await refused(
      () =>
        client.purchases.create(
          purchase({
            brand_id: undefined,
            client: undefined,
            purchase: undefined,
            reference: 'r'.repeat(129),
          }),
        ),
      {
        brand_id: ['This field is required.'],
        client: ['This field is required.'],
        purchase: ['This field is required.'],
        reference: ['Ensure this field has no more than 128 characters.'],
      },
    );
    const nested = createPurchaseRequestSchema.safeParse({
      brand_id: BRAND_ID,
      purchase: { products: [{}] },
    });
    expect(fieldDetailsFromZodError(nested.error!)).toEqual({
      client: ['This field is required.'],
      'purchase.products.0.name': ['This field is required.'],
      'purchase.products.0.price': ['This field is required.'],
    });
    await refused(() => client.purchases.create(purchase({ client_id: 'c1', brand_id: 7 })), {
      brand_id: ['Not a valid string.'],
      __all__: ['Specify either client or client_id, not both.'],
    });
  });

  it('client or client_id, exactly one', async () => {
    await refused(() => client.purchases.create(purchase({ client: undefined })), {
      client: ['This field is required.'],
    });
    await refused(() => client.purchases.create(purchase({ client_id: 'c1' })), {
      __all__: ['Specify either client or client_id, not both.'],
    });
    await expect(
      client.purchases.create(purchase({ client: undefined, client_id: 'c1' })),
    ).resolves.toBeDefined();
  });

  it('amounts are positive integers in minor units', async () => {
    await refused(() => client.purchases.capture('p1', { amount: 0 }), {
      amount: ['Ensure this value is greater than or equal to 1.'],
    });
    await refused(() => client.purchases.refund('p1', { amount: 10.5 }), {
      amount: ['A valid integer is required.'],
    });
  });

  it('the other resources too', async () => {
    await refused(() => client.clients.create({ email: 'not-an-email', country: 'USA' }), {
      email: ['Enter a valid email address.'],
      country: ['Ensure this field has exactly 2 characters.'],
    });
    await refused(
      () =>
        client.billingTemplates.create({
          brand_id: BRAND_ID,
          is_subscription: true,
          purchase: { products: [{ name: 'Plan', price: 999 }] },
        }),
      {
        subscription_period: ['This field is required.'],
        subscription_period_units: ['This field is required.'],
      },
    );
    await refused(
      () => client.billingTemplates.subscribers.update('bt', 'c', { status: 'paused' as 'active' }),
      {
        status: ['"paused" is not a valid choice.'],
      },
    );
    await refused(() => client.webhooks.create({ callback: 'http://shop.example/hook' }), {
      callback: ['Callback URLs must use HTTPS.'],
    });
    await refused(() => client.webhooks.deliveries({ id: 'p1', source_type: 'refund' as 'purchase' }), {
      source_type: ['"refund" is not a valid choice.'],
    });
    await refused(
      () => client.paymentMethods.list({ brand_id: BRAND_ID } as { brand_id: string; currency: string }),
      {
        currency: ['This field is required.'],
      },
    );
    await refused(() => client.companyStatements.create({ format: 'pdf' as 'csv' }), {
      format: ['"pdf" is not a valid choice.'],
    });
    await refused(
      () =>
        client.billing.createInvoice({
          brand_id: BRAND_ID,
          clients: [],
          purchase: { products: [{ name: 'x', price: 1 }] },
        }),
      {
        clients: ['This list may not be empty.'],
      },
    );
  });

  it('lets fields it does not know through, for deployments that have more', async () => {
    await client.purchases.create(
      purchase({
        payment_method_details: { bank: 'x' },
        purchase: { products: [{ name: 'a', price: 1 }], shipping_options: [1] },
      }),
    );
    expect(server.requests[0]!.json).toMatchObject({
      payment_method_details: { bank: 'x' },
      purchase: { shipping_options: [1] },
    });
  });
});

describe('callback URLs: HTTPS, or plain HTTP on a loopback host (the sandbox allowance)', () => {
  const loopback = [
    'http://127.0.0.1:4010/hook',
    'http://127.8.9.10/hook',
    'http://127.255.255.254:8080/hook',
    'http://127.1/hook', // the URL parser normalises it to 127.0.0.1
    'http://localhost:4010/hook',
    'http://[::1]:4010/hook',
  ];
  const publicHttp = [
    'http://shop.example/hook',
    'http://10.0.0.5/hook',
    'http://128.0.0.1/hook',
    'http://126.255.255.255/hook',
    'http://127.0.0.1.nip.io/hook',
    'http://localhost.shop.example/hook',
    'http://[::2]/hook',
  ];

  it.each(loopback)('%s is accepted for success_callback and for a webhook', (url) => {
    expect(createPurchaseRequestSchema.safeParse(purchase({ success_callback: url })).success).toBe(true);
    expect(createWebhookRequestSchema.safeParse({ callback: url }).success).toBe(true);
  });

  it.each(publicHttp)(
    '%s is refused for success_callback and for a webhook, naming the field',
    async (url) => {
      await refused(() => client.purchases.create(purchase({ success_callback: url })), {
        success_callback: ['Callback URLs must use HTTPS.'],
      });
      await refused(() => client.webhooks.create({ callback: url }), {
        callback: ['Callback URLs must use HTTPS.'],
      });
      await refused(() => client.webhooks.patch('wh', { callback: url }), {
        callback: ['Callback URLs must use HTTPS.'],
      });
    },
  );

  it('HTTPS is accepted anywhere', async () => {
    await expect(
      client.purchases.create(purchase({ success_callback: 'https://shop.example/cb' })),
    ).resolves.toBeDefined();
    expect(server.requests).toHaveLength(1);
    expect(createWebhookRequestSchema.safeParse({ callback: 'https://shop.example/hook' }).success).toBe(
      true,
    );
  });

  it('redirect URLs are where the browser goes, not a delivery: plain HTTP stays allowed there', async () => {
    await expect(
      client.purchases.create(
        purchase({
          success_redirect: 'http://shop.example/ok',
          failure_redirect: 'http://shop.example/ko',
          cancel_redirect: 'http://shop.example/back',
        }),
      ),
    ).resolves.toBeDefined();
  });

  it.each(['not a url', '/relative/hook', 'ftp://127.0.0.1/hook', 'https://'])(
    '%j is an issue naming the field, never an exception',
    async (value) => {
      // safeParse must report, not throw (it used to throw a TypeError from `new URL` inside a refine).
      for (const [schema, input, field] of [
        [createWebhookRequestSchema, { callback: value }, 'callback'],
        [createPurchaseRequestSchema, purchase({ success_callback: value }), 'success_callback'],
      ] as const) {
        const result = schema.safeParse(input);
        expect(result.success).toBe(false);
        expect(fieldDetailsFromZodError(result.error!)).toEqual({ [field]: ['Enter a valid URL.'] });
      }
      await refused(() => client.webhooks.create({ callback: value }), { callback: ['Enter a valid URL.'] });
    },
  );

  it('a URL that is too long and not a URL reports both, on the field', () => {
    const result = createWebhookRequestSchema.safeParse({ callback: 'x'.repeat(501) });
    expect(fieldDetailsFromZodError(result.error!)).toEqual({
      callback: ['Ensure this field has no more than 500 characters.', 'Enter a valid URL.'],
    });
  });
});

describe('schemas for other packages (the sandbox validates with the same ones)', () => {
  it('produce gateway-style field details', () => {
    const result = createPurchaseRequestSchema.safeParse({ brand_id: BRAND_ID, client: {}, purchase: {} });
    expect(result.success).toBe(false);
    expect(fieldDetailsFromZodError(result.error!)).toEqual({
      'client.email': ['This field is required.'],
      'purchase.products': ['This field is required.'],
    });
  });
});
