import type { Ledger, OutboxWorker } from '@tijara/ledger';

// A change and the message announcing it, in one transaction; a worker hands messages over with retries and
// backoff. After the ledger's `outbox.maxAttempts` failures the `onExhausted` hook (set in openLedger) alerts.
export async function resolveAndNotify(
  ledger: Ledger,
  send: (topic: string, payload: unknown) => Promise<void>,
): Promise<OutboxWorker> {
  await ledger.payments.update(
    'order-1001:1',
    { metadata: { resolved: true } },
    {
      enqueue: [
        {
          id: 'order-1001:1:resolve',
          topic: 'paymentSessionResolve',
          stream: 'order-1001:1',
          payload: { id: 'gid://shopify/PaymentSession/1' },
        },
      ],
    },
  );
  const worker = ledger.outboxWorker({
    handle: {
      paymentSessionResolve: (message) => send(message.topic, message.payload),
    },
    intervalMs: 5_000,
  });
  await worker.drain();
  return worker.start();
}
