/**
 * A real store around the plugin for the tests: an Express app (4 or 5) on a loopback port, the Ummah driver
 * against a real sandbox, the plugin with a SQLite (or shared) ledger, an in-memory order book and a log of
 * every event the store's handlers received. Nothing of the project is mocked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express5 from 'express';
import express4 from 'express4';
import type { Logger } from '@tijara/core';
import {
  createTijaraExpress,
  type PaymentEvent,
  type StoreOrder,
  type TijaraExpress,
  type TijaraExpressOptions,
} from '@tijara/express';
import { startSandbox, type RunningSandbox } from '@tijara/sandbox';
import { createUmmahDriver, type UmmahDriver } from '@tijara/ummah';

/** Every log line any component wrote during a test, as JSON text, for the no-secrets assertions. */
export const capturedLogs: string[] = [];

export function captureLogger(component: string): Logger {
  const write = (level: string) => (obj: object, msg?: string) => {
    capturedLogs.push(JSON.stringify({ component, level, msg, ...obj }));
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

export async function startTestSandbox(): Promise<RunningSandbox> {
  return startSandbox({ port: 0, webhookTimeScale: 0.001, logger: captureLogger('sandbox') });
}

export function ummahDriver(sandbox: RunningSandbox, webhookKeys: string[] = []): UmmahDriver {
  return createUmmahDriver({
    secretKey: sandbox.secretKey,
    brandId: sandbox.brandId,
    baseUrl: sandbox.apiBase,
    logger: captureLogger('ummah'),
    // Tests must not wait out the production backoff.
    backoffBaseMs: 50,
    jitterMs: 10,
    webhooks: { publicKeys: webhookKeys },
  });
}

export interface StoreHarness {
  readonly url: string;
  readonly tijara: TijaraExpress;
  readonly driver: UmmahDriver;
  readonly orders: Map<string, StoreOrder & { status: string }>;
  /** Events the store's handlers received, in order. */
  readonly events: PaymentEvent[];
  /** Make a handler throw for the next `count` calls of an event type. */
  failNext(type: PaymentEvent['type'], count?: number): void;
  createOrder(overrides?: Partial<StoreOrder>): StoreOrder & { status: string };
  /** The webhook registered on the sandbox for this store. */
  readonly webhookId: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly sandbox: RunningSandbox;
  readonly expressVersion?: 4 | 5;
  /** Mount express.json() (optionally keeping raw bytes) before the router. */
  readonly jsonFirst?: 'plain' | 'keep-raw';
  readonly database?: string;
  readonly stores?: string;
  readonly registerWebhook?: boolean;
  /** The Ummah driver to use (default: a new one); the registered webhook's key is added to it. */
  readonly driver?: UmmahDriver;
  readonly plugin?: Partial<TijaraExpressOptions>;
}

let orderSeq = 0;

export async function startStore(options: HarnessOptions): Promise<StoreHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'tijara-express-store-'));
  const express = (options.expressVersion ?? 5) === 4 ? express4 : express5;
  const app = express();
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const orders = new Map<string, StoreOrder & { status: string }>();
  const events: PaymentEvent[] = [];
  const failures = new Map<string, number>();
  const driver = options.driver ?? ummahDriver(options.sandbox);
  const record = (event: PaymentEvent) => {
    const remaining = failures.get(event.type) ?? 0;
    if (remaining > 0) {
      failures.set(event.type, remaining - 1);
      throw new Error(`store handler for ${event.type} failed on purpose`);
    }
    events.push(event);
    const order = orders.get(event.orderId);
    if (order) order.status = event.type;
  };

  if (options.jsonFirst === 'plain') app.use(express.json());
  if (options.jsonFirst === 'keep-raw') {
    const { keepRawBody } = await import('@tijara/express');
    app.use(express.json({ verify: keepRawBody }));
  }

  const tijara = await createTijaraExpress({
    driver,
    publicUrl: url,
    database: options.database ?? `sqlite:${join(dir, 'payments.sqlite')}`,
    ...(options.stores ? { stores: options.stores } : {}),
    getOrder: async (orderId) => orders.get(orderId),
    on: {
      'payment.authorized': record,
      'payment.paid': record,
      'payment.failed': record,
      'payment.refunded': record,
      'payment.canceled': record,
      'payment.disputed': record,
    },
    reconcile: false,
    logger: captureLogger('express'),
    secrets: [options.sandbox.secretKey],
    admin: { authorize: () => true },
    ...(options.jsonFirst === 'keep-raw' ? { webhook: { rawBodyProperty: 'rawBody' } } : {}),
    ...options.plugin,
  });
  try {
    app.use('/payments', tijara.router);
  } catch (error) {
    await tijara.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  let webhookId = '';
  if (options.registerWebhook ?? true) {
    const webhook = await driver.client.webhooks.create({
      title: `express test ${url}`,
      callback: tijara.webhookUrl,
      all_events: true,
    });
    webhookId = webhook.id;
    driver.webhookVerifier.addKey(webhook.public_key ?? '');
  }

  return {
    url,
    tijara,
    driver,
    orders,
    events,
    webhookId,
    failNext: (type, count = 1) => failures.set(type, count),
    createOrder: (overrides = {}) => {
      const id = overrides.id ?? `order-${process.pid}-${++orderSeq}-${Date.now().toString(36)}`;
      const order = {
        id,
        amount: 12_500,
        currency: 'MYR',
        customer: { id: 'cust-1', email: 'buyer@example.com', name: 'A Buyer' },
        lineItems: [{ name: 'Prayer mat', price: 12_500, quantity: 1 }],
        ...overrides,
        status: 'new',
      };
      orders.set(id, order);
      return order;
    },
    close: async () => {
      if (webhookId) await driver.client.webhooks.delete(webhookId).catch(() => undefined);
      await tijara.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POST a form to the store without following redirects. */
export async function postForm(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Pay a purchase through the sandbox's control API (what the hosted page does, without a browser). */
export async function payOnSandbox(
  sandbox: RunningSandbox,
  purchaseId: string,
  card: string,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(`${sandbox.url}/__sandbox/purchases/${purchaseId}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ card_number: card, ...extra }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`sandbox pay failed: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Wait until `check` passes, polling; for effects that arrive by webhook. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw lastError;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const CARDS = {
  ok: '4242424242424242',
  declined: '4000000000000002',
  threeDs: '4000000000003220',
} as const;
