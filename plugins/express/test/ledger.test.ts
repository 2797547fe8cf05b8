import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, ConflictError, openSqliteDatabase } from '@tijara/core';
import { PostgresLedger, SqliteLedger, type NewLedgerPayment, type PaymentLedger } from '@tijara/express';
import { createTestDatabase, type TestDatabase } from '@tijara/testkit';

function newPayment(overrides: Partial<NewLedgerPayment> = {}): NewLedgerPayment {
  const orderId = overrides.orderId ?? `order-${randomUUID()}`;
  const attempt = overrides.attempt ?? 1;
  return {
    paymentId: `pay-${randomUUID()}`,
    orderId,
    attempt,
    kind: 'hosted',
    amount: 12_345,
    currency: 'MYR',
    captureMode: 'automatic',
    saveMethod: false,
    customerKey: 'cust-1',
    status: 'pending',
    capturedAmount: 0,
    checkoutUrl: 'https://gate.example/p/1/',
    idempotencyKey: `checkout:${orderId}:${attempt}`,
    ...overrides,
  };
}

function ledgerBattery(name: string, open: () => Promise<PaymentLedger>) {
  describe(`${name} ledger`, () => {
    let ledger: PaymentLedger;
    beforeAll(async () => {
      ledger = await open();
    });
    afterAll(async () => {
      await ledger.close();
    });

    test('a payment row round-trips, and a second row for the same attempt is refused', async () => {
      const p = newPayment({ amount: 9_007_199_254_740_991 });
      expect(await ledger.insertPayment(p)).toBe(true);
      expect(await ledger.insertPayment({ ...p, paymentId: `pay-${randomUUID()}` })).toBe(false);
      const row = await ledger.getPayment(p.paymentId);
      expect(row).toMatchObject({ ...p, refundedAmount: 0, version: 0 });
      expect(row?.createdAt).toBeInstanceOf(Date);
      expect(await ledger.listPayments(p.orderId)).toHaveLength(1);
      expect(await ledger.getPayment('nope')).toBeUndefined();
    });

    test('attempts of an order list oldest first', async () => {
      const first = newPayment();
      const second = newPayment({ orderId: first.orderId, attempt: 2 });
      await ledger.insertPayment(second);
      await ledger.insertPayment(first);
      expect((await ledger.listPayments(first.orderId)).map((p) => p.attempt)).toEqual([1, 2]);
    });

    test('applySettlement moves the version, queues deliveries, and refuses a stale version', async () => {
      const p = newPayment();
      await ledger.insertPayment(p);
      const next = { ...p, status: 'paid' as const, refundedAmount: 0 };
      const deliveries = [
        { id: `${p.paymentId}:0:0`, paymentId: p.paymentId, sequence: 0, body: '{"type":"payment.paid"}' },
      ];
      await ledger.applySettlement(
        p.paymentId,
        { next, capturedAmount: p.amount, expectedVersion: 0 },
        deliveries,
      );
      expect(await ledger.getPayment(p.paymentId)).toMatchObject({
        status: 'paid',
        capturedAmount: p.amount,
        version: 1,
      });
      expect(await ledger.pendingDeliveries(p.paymentId)).toEqual(deliveries);

      const stale = ledger.applySettlement(
        p.paymentId,
        {
          next: { ...next, status: 'refunded', refundedAmount: 5 },
          capturedAmount: p.amount,
          expectedVersion: 0,
        },
        [{ id: `${p.paymentId}:0:1`, paymentId: p.paymentId, sequence: 1, body: '{}' }],
      );
      await expect(stale).rejects.toBeInstanceOf(ConflictError);
      // The failed transaction wrote nothing: neither the row nor its deliveries.
      expect(await ledger.getPayment(p.paymentId)).toMatchObject({ status: 'paid', version: 1 });
      expect(await ledger.pendingDeliveries(p.paymentId)).toHaveLength(1);

      await ledger.markDelivered(`${p.paymentId}:0:0`);
      expect(await ledger.pendingDeliveries(p.paymentId)).toEqual([]);
    });

    test('listUnsettled returns pending and processing payments inside the age window', async () => {
      const pending = newPayment();
      const paid = newPayment();
      await ledger.insertPayment(pending);
      await ledger.insertPayment(paid);
      await ledger.applySettlement(
        paid.paymentId,
        {
          next: { ...paid, status: 'paid', refundedAmount: 0 },
          capturedAmount: paid.amount,
          expectedVersion: 0,
        },
        [],
      );
      const now = Date.now();
      const ids = await ledger.listUnsettled(new Date(now + 1000), new Date(now - 60_000), 10_000);
      expect(ids).toContain(pending.paymentId);
      expect(ids).not.toContain(paid.paymentId);
      expect(await ledger.listUnsettled(new Date(now - 60_000), new Date(0), 10_000)).not.toContain(
        pending.paymentId,
      );
    });

    test('listUnsettled also returns settled payments whose events the store has not accepted yet', async () => {
      const p = newPayment();
      await ledger.insertPayment(p);
      const id = `${p.paymentId}:0:0`;
      await ledger.applySettlement(
        p.paymentId,
        { next: { ...p, status: 'paid', refundedAmount: 0 }, capturedAmount: p.amount, expectedVersion: 0 },
        [{ id, paymentId: p.paymentId, sequence: 0, body: '{}' }],
      );
      expect(await ledger.listUnsettled(new Date(0), new Date(0), 10_000)).toContain(p.paymentId);
      await ledger.markDelivered(id);
      expect(await ledger.listUnsettled(new Date(0), new Date(0), 10_000)).not.toContain(p.paymentId);
    });

    test('refunds: one row per id, status updates keep the gateway id', async () => {
      const p = newPayment();
      await ledger.insertPayment(p);
      const refund = {
        id: `refund-${randomUUID()}`,
        paymentId: p.paymentId,
        orderId: p.orderId,
        amount: 100,
        currency: 'MYR',
      };
      expect(await ledger.insertRefund(refund)).toBe(true);
      expect(await ledger.insertRefund({ ...refund, amount: 200 })).toBe(false);
      expect(await ledger.getRefund(refund.id)).toMatchObject({ ...refund, status: 'pending' });
      await ledger.updateRefund(refund.id, { status: 'succeeded', gatewayRefundId: 'gw-1' });
      await ledger.updateRefund(refund.id, { status: 'succeeded' });
      expect(await ledger.listRefunds(p.paymentId)).toEqual([
        expect.objectContaining({ id: refund.id, amount: 100, status: 'succeeded', gatewayRefundId: 'gw-1' }),
      ]);
    });

    test('saved methods are kept once per customer and token', async () => {
      const customerKey = `cust-${randomUUID()}`;
      const first = await ledger.saveMethod({
        id: `pm-${randomUUID()}`,
        customerKey,
        token: 'tok-1',
        brand: 'visa',
        last4: '4242',
        expiryMonth: 12,
        expiryYear: 2030,
        holderName: 'A Buyer',
        sourcePaymentId: 'pay-1',
      });
      const again = await ledger.saveMethod({
        id: `pm-${randomUUID()}`,
        customerKey,
        token: 'tok-1',
        brand: 'visa',
        last4: '4242',
        expiryMonth: 1,
        expiryYear: 2031,
        holderName: undefined,
        sourcePaymentId: 'pay-2',
      });
      expect(again.id).toBe(first.id);
      expect(again).toMatchObject({ expiryMonth: 1, expiryYear: 2031 });
      expect(await ledger.listSavedMethods(customerKey)).toHaveLength(1);
      expect(await ledger.getSavedMethod(first.id)).toMatchObject({ token: 'tok-1', customerKey });
      await ledger.deleteSavedMethod(first.id);
      expect(await ledger.listSavedMethods(customerKey)).toEqual([]);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'tijara-express-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

ledgerBattery('SQLite', async () => new SqliteLedger({ path: join(dir, 'ledger.sqlite') }));

describe('SQLite ledger connection', () => {
  test('prepares each statement once and reuses it', async () => {
    const db = openSqliteDatabase(join(dir, 'statements.sqlite'));
    const prepare = jest.spyOn(db, 'prepare');
    const ledger = new SqliteLedger({ database: db });
    try {
      const payments = Array.from({ length: 5 }, () => newPayment());
      for (const p of payments) {
        expect(await ledger.insertPayment(p)).toBe(true);
        expect(await ledger.getPayment(p.paymentId)).toMatchObject({ paymentId: p.paymentId, version: 0 });
      }
      // One INSERT and one SELECT text, whatever the number of calls.
      expect(prepare).toHaveBeenCalledTimes(2);
      expect(await ledger.insertPayment(payments[0]!)).toBe(false);
      expect(prepare).toHaveBeenCalledTimes(2);
    } finally {
      await ledger.close();
      db.close();
    }
  });

  test('a ledger file it creates is owner-only (0600), and so is the directory it creates for it (0700)', async () => {
    const path = join(dir, 'private', 'payments.sqlite');
    const ledger = new SqliteLedger({ path });
    expect(await ledger.insertPayment(newPayment())).toBe(true);
    await ledger.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'private')).mode & 0o777).toBe(0o700);
  });

  test("a ledger that opens its own file takes synchronous: 'full', and refuses a value SQLite would not", async () => {
    const full = new SqliteLedger({ path: join(dir, 'full.sqlite'), synchronous: 'full' });
    const p = newPayment();
    expect(await full.insertPayment(p)).toBe(true);
    expect(await full.getPayment(p.paymentId)).toMatchObject({ paymentId: p.paymentId });
    await full.close();
    expect(() => new SqliteLedger({ path: join(dir, 'bad.sqlite'), synchronous: 'off' as never })).toThrow(
      ConfigurationError,
    );
  });
});

// A database of this run's own, created here and dropped at the end.
let database: TestDatabase | undefined;
ledgerBattery('PostgreSQL', async () => {
  database = await createTestDatabase('express_ledger');
  const ledger = new PostgresLedger({ connectionString: database.url, schema: 'tijara_express_ledger_test' });
  await ledger.ready();
  return ledger;
});

afterAll(async () => {
  await database?.drop();
});
