import express from 'express';
import { createTijaraExpress, type StoreOrder } from '@tijara/express';
import { createUmmahDriver } from '@tijara/ummah';

// Your orders, however you keep them. Amounts are integer minor units (sen, fils, halalas…).
const orders = new Map<string, StoreOrder & { status: string }>([
  [
    'order-1001',
    {
      id: 'order-1001',
      amount: 4990,
      currency: 'MYR',
      customer: { email: 'buyer@example.com' },
      status: 'new',
    },
  ],
]);

const driver = createUmmahDriver({
  secretKey: process.env.UMMAH_SECRET_KEY!,
  brandId: process.env.UMMAH_BRAND_ID!,
  baseUrl: process.env.UMMAH_BASE_URL, // omit for the live gateway
  webhooks: { publicKeys: [process.env.UMMAH_WEBHOOK_PUBLIC_KEY!] }, // the Webhook's public_key
});

const port = Number(process.env.PORT ?? 3000);
const tijara = await createTijaraExpress({
  driver,
  publicUrl: `http://127.0.0.1:${port}`,
  database: process.env.DATABASE_URL ?? 'sqlite:data/payments.sqlite',
  getOrder: async (orderId) => orders.get(orderId),
  on: {
    'payment.paid': async (event) => {
      orders.get(event.orderId)!.status = 'paid';
      process.stdout.write(`fulfil ${event.orderId}: ${event.amount} ${event.currency}\n`);
    },
    'payment.failed': async (event) => {
      orders.get(event.orderId)!.status = 'payment failed';
    },
  },
});

const app = express();
app.use('/payments', tijara.router); // before any express.json(): the webhook needs its raw bytes
app.use(express.json());
app.get('/orders/:id', (req, res) => {
  const order = orders.get(req.params.id);
  if (order) res.json({ id: order.id, status: order.status });
  else res.sendStatus(404);
});
// A form posting orderId to /payments/checkout sends the buyer to the payment page.

const server = app.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on ${port}; webhook at ${tijara.webhookUrl}\n`);
});
process.on('SIGTERM', () => server.close(() => void tijara.close()));
