/**
 * Core's SettlementPipeline on the ledger (its one-commit path), on both backends: one commit per first delivery,
 * duplicates answered from the event id before the body is parsed, concurrent copies of one event, a failing store
 * handler, concurrent different events of one payment, capture on approval and return resolution.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openSqliteDatabase, SettlementPipeline, type DomainEvent } from '@tijara/core';
import { openLedger, type Ledger, type PgPoolLike } from '@tijara/ledger';
import { TestGateway } from './support/test-gateway.js';

const dir = mkdtempSync(join(tmpdir(), 'tijara-ledger-pipeline-'));
const adminUrl = process.env.TIJARA_TEST_POSTGRES_URL ?? 'postgres://postgres@localhost:5432/postgres';
const database = `tijara_ledger_pipeline_${process.pid}_${randomUUID().slice(0, 8)}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
beforeAll(() => admin(`CREATE DATABASE ${database}`));
afterAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  rmSync(dir, { recursive: true, force: true });
});

interface Backend {
  readonly ledger: Ledger;
  /** Write transactions committed so far. */
  commits(): number;
  close(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  const db = openSqliteDatabase(join(dir, `${randomUUID()}.sqlite`));
  let commits = 0;
  const prepare = db.prepare.bind(db);
  // Count COMMITs on the connection the ledger is given (Node's object, instrumented; the ledger is unchanged).
  db.prepare = ((sql: string) => {
    const statement = prepare(sql);
    if (sql === 'COMMIT') {
      const runCommit = statement.run.bind(statement);
      statement.run = (...args: never[]) => {
        commits += 1;
        return runCommit(...args);
      };
    }
    return statement;
  }) as typeof db.prepare;
  const ledger = await openLedger({ database: db });
  return { ledger, commits: () => commits, close: async () => (await ledger.close(), db.close()) };
}

async function postgresBackend(): Promise<Backend> {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const pool = new pg.Pool({ connectionString: url.toString() });
  let commits = 0;
  const counting: PgPoolLike = {
    query: (config) => pool.query(config),
    connect: async () => {
      const client = await pool.connect();
      return {
        query: async (config: { name?: string; text: string; values?: unknown[] }) => {
          if (config.text === 'COMMIT') commits += 1;
          return client.query(config);
        },
        release: (error?: Error | boolean) => client.release(error),
      };
    },
    end: () => pool.end(),
  };
  const ledger = await openLedger({ pool: counting, tablePrefix: `p${randomUUID().slice(0, 8)}_` });
  return { ledger, commits: () => commits, close: async () => (await ledger.close(), await pool.end()) };
}

describe.each([
  ['SQLite', sqliteBackend],
  ['PostgreSQL', postgresBackend],
] as const)('the pipeline on the %s ledger', (_name, open) => {
  let backend: Backend;
  beforeEach(async () => {
    backend = await open();
  });
  afterEach(async () => {
    await backend.close();
  });

  function setup(options: { captureOnApproval?: boolean; failDeliveries?: number } = {}) {
    const gateway = new TestGateway(options);
    const delivered: DomainEvent[] = [];
    let failures = options.failDeliveries ?? 0;
    const journal = backend.ledger.journal({
      gateway: gateway.name,
      deliver: async (message) => {
        if (failures > 0) {
          failures -= 1;
          throw new Error('store handler failed');
        }
        delivered.push(message.payload as DomainEvent);
      },
    });
    const pipeline = new SettlementPipeline({ driver: gateway.driver, journal });
    const order = async (paymentId: string, captureMode: 'automatic' | 'manual' = 'automatic') => {
      await backend.ledger.payments.create({
        key: `key-${paymentId}`,
        gateway: gateway.name,
        paymentId,
        orderId: `order-${paymentId}`,
        amount: 5_000,
        currency: 'KWD',
        captureMode,
      });
    };
    return { gateway, delivered, pipeline, order };
  }

  it('a first delivery is one commit; its redelivery is answered from the event id without parsing the body', async () => {
    const { gateway, delivered, pipeline, order } = setup();
    expect(pipeline.oneCommit).toBe(true);
    await order('p1');
    const { body, headers } = gateway.deliver('evt_1', gateway.put('p1', 'paid'));
    const before = backend.commits();
    const first = await pipeline.handleWebhook(body, headers);
    expect(first.outcome).toBe('settled');
    expect(backend.commits() - before).toBe(1);
    expect(delivered.map((e) => e.type)).toEqual(['payment.paid']);

    const parsed = gateway.calls.parse;
    await backend.ledger.flush();
    const beforeDuplicate = backend.commits();
    const again = await pipeline.handleWebhook(body, headers);
    expect(again).toMatchObject({ outcome: 'duplicate', eventId: 'evt_1' });
    expect(gateway.calls.parse).toBe(parsed);
    expect(backend.commits()).toBe(beforeDuplicate);
    expect(delivered).toHaveLength(1);
    expect(await backend.ledger.payments.get('key-p1')).toMatchObject({
      status: 'paid',
      capturedAmount: 5_000,
    });
  });

  it('ten concurrent copies of one delivery: one settles, nine are duplicates, the store hears it once', async () => {
    const { gateway, delivered, pipeline, order } = setup();
    await order('p2');
    const { body, headers } = gateway.deliver('evt_2', gateway.put('p2', 'paid'));
    const results = await Promise.all(
      Array.from({ length: 10 }, () => pipeline.handleWebhook(body, headers)),
    );
    expect(results.map((r) => r.outcome).sort()).toEqual([...Array(9).fill('duplicate'), 'settled']);
    expect(delivered.map((e) => e.type)).toEqual(['payment.paid']);
    expect(gateway.calls.retrieve).toBe(0);
  });

  it("a failing store handler answers an error; the gateway's retry hands the event over, once", async () => {
    const { gateway, delivered, pipeline, order } = setup({ failDeliveries: 1 });
    await order('p3');
    const { body, headers } = gateway.deliver('evt_3', gateway.put('p3', 'paid'));
    await expect(pipeline.handleWebhook(body, headers)).rejects.toThrow('store handler failed');
    expect(await backend.ledger.payments.get('key-p3')).toMatchObject({ status: 'paid' });
    expect(delivered).toEqual([]);
    const retried = await pipeline.handleWebhook(body, headers);
    expect(retried.outcome).toBe('unchanged');
    expect(delivered.map((e) => e.type)).toEqual(['payment.paid']);
    expect((await pipeline.handleWebhook(body, headers)).outcome).toBe('duplicate');
    expect(delivered).toHaveLength(1);
  });

  it('different events of one payment at once are all applied, none lost, announced in order', async () => {
    const { gateway, delivered, pipeline, order } = setup();
    await order('p4');
    const paid = gateway.put('p4', 'paid');
    const refunded = { ...paid, status: 'refunded' as const, refundedAmount: 5_000, refundableAmount: 0 };
    const deliveries = [
      gateway.deliver('evt_4a', paid),
      gateway.deliver('evt_4b', refunded),
      gateway.deliver('evt_4c', paid),
    ];
    gateway.payments.set('p4', refunded);
    const results = await Promise.all(deliveries.map((d) => pipeline.handleWebhook(d.body, d.headers)));
    expect(results.every((r) => r.outcome !== 'duplicate')).toBe(true);
    expect(delivered.map((e) => e.type)).toEqual(['payment.paid', 'payment.refunded']);
    expect(await backend.ledger.payments.get('key-p4')).toMatchObject({
      status: 'refunded',
      refundedAmount: 5_000,
    });
  });

  it('an approval on a capture-on-approval gateway is captured once and announced as paid once', async () => {
    const { gateway, delivered, pipeline, order } = setup({ captureOnApproval: true });
    await order('p5');
    const approved = gateway.put('p5', 'authorized');
    const results = await Promise.all(
      ['evt_5a', 'evt_5b', 'evt_5c'].map((id) => {
        const { body, headers } = gateway.deliver(id, approved);
        return pipeline.handleWebhook(body, headers);
      }),
    );
    expect(results.filter((r) => r.outcome === 'settled')).toHaveLength(1);
    expect(delivered.map((e) => e.type)).toEqual(['payment.paid']);
    expect(gateway.payments.get('p5')?.status).toBe('paid');
    expect(await backend.ledger.payments.get('key-p5')).toMatchObject({
      status: 'paid',
      capturedAmount: 5_000,
    });
  });

  it('a return is resolved by the driver, re-read, and settled (and a mismatching return is refused)', async () => {
    const { gateway, delivered, pipeline, order } = setup();
    await order('p6');
    gateway.put('p6', 'paid');
    const settled = await pipeline.settleReturn({ query: { order: 'p6', status: 'ok' }, paymentId: 'p6' });
    expect(settled).toMatchObject({ outcome: 'settled', claimed: 'approved' });
    expect(delivered.map((e) => e.type)).toEqual(['payment.paid']);
    await expect(
      pipeline.settleReturn({ query: { order: 'p6' }, paymentId: 'p-other' }),
    ).rejects.toMatchObject({
      code: 'return_payment_mismatch',
    });
  });

  it('an out-of-order report of an earlier state is re-read from the gateway and moves nothing back', async () => {
    const { gateway, delivered, pipeline, order } = setup();
    await order('p7');
    const paid = gateway.put('p7', 'paid');
    const first = gateway.deliver('evt_7a', paid);
    await pipeline.handleWebhook(first.body, first.headers);
    const late = gateway.deliver('evt_7b', { ...paid, status: 'pending', capturedAmount: 0 });
    const result = await pipeline.handleWebhook(late.body, late.headers);
    expect(result).toMatchObject({ outcome: 'unchanged', refetched: true });
    expect(delivered.map((e) => e.type)).toEqual(['payment.paid']);
    expect((await backend.ledger.payments.get('key-p7'))?.status).toBe('paid');
  });

  it('an event about a payment the store does not know is recorded and ignored', async () => {
    const { gateway, pipeline } = setup();
    const { body, headers } = gateway.deliver('evt_8', gateway.put('p-unknown', 'paid'));
    expect((await pipeline.handleWebhook(body, headers)).outcome).toBe('ignored');
    expect((await pipeline.handleWebhook(body, headers)).outcome).toBe('duplicate');
  });
});
