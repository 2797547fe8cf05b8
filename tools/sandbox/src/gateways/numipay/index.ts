import express from 'express';
import { generateDigestTestHeader } from '@tijara/core';
import { defineGateway } from '../../engine/gateway-module.js';
import { esc } from '../../engine/html.js';
import { apiRouter, parseApiBody } from './api.js';
import { cashierRouter, parsePageForm } from './cashier-page.js';
import { loadConfig } from './config.js';
import { numipayControl } from './control.js';
import { TransactionService } from './transactions.js';

/** What `startSandbox()` hands back about Numipay. */
export interface NumipayHandle {
  readonly apiKey: string;
  readonly signaturePassword: string;
  /** The driver's `baseUrl` under a sandbox root URL (`<root>/numipay/`): the default paths live under it. */
  baseUrl(rootUrl: string): string;
  /** The driver's `cashierUrl` under a sandbox root URL (with `{token}`). */
  cashierUrl(rootUrl: string): string;
}

/** Numipay retries a webhook that is not answered 2xx: minutes before each attempt. */
export const RETRY_DELAYS_MINUTES: readonly number[] = [0, 1, 5, 30, 120, 360];

/**
 * Numipay (seed 002), mounted at `/numipay`, at the driver's default paths (the seed names none): hosted cashier,
 * direct integration, server-to-server card payments with a 3-D Secure step, payout cashier and payouts that wait
 * for approval, transaction status and the seven-day list; webhooks signed with `x-signature` (SHA-1 of the JSON
 * and the signature password), retried through the engine's delivery log.
 */
export const numipayGateway = defineGateway({
  name: 'numipay',
  mount: '/numipay',
  create(services, options) {
    const { objects: store, clock, urls, logger, meta, deliveries } = services;
    const config = loadConfig(meta, options);
    services.protectSecret(config.apiKey);
    services.protectSecret(config.signaturePassword);
    const transactions = new TransactionService({ store, clock, config, deliveries });

    const router = express.Router();
    router.use(cashierRouter(transactions));
    router.use(
      apiRouter({ apiKey: config.apiKey, transactions, logger, gatewayUrl: (req) => urls.gateway(req) }),
    );

    return {
      router,
      parseBody: (req, res, next) =>
        req.path.includes('/api/v1/') ? parseApiBody(req, res, next) : parsePageForm(req, res, next),
      control: numipayControl({
        transactions,
        config,
        saveWebhookUrl: (url) => meta.set('webhook_url', url ?? ''),
        logger,
      }),
      // The seed's scheme: uppercase hex SHA-1 of the exact JSON sent followed by the signature password.
      sign: (delivery) => ({
        'content-type': 'application/json',
        'x-signature': generateDigestTestHeader({ payload: delivery.body, secret: config.signaturePassword }),
      }),
      retryDelaysMinutes: RETRY_DELAYS_MINUTES,
      timer: { nextDueMs: () => transactions.nextDueMs(), runDue: () => transactions.runDue() },
      info: (req) => ({
        baseUrl: `${urls.gateway(req)}/`,
        cashierUrl: `${urls.gateway(req)}/cashier?token={token}`,
        apiKey: config.apiKey,
        signaturePassword: config.signaturePassword,
        webhookUrl: config.webhookUrl ?? null,
      }),
      landing: (req) => `<h2>Numipay</h2>
<p>Base URL: <code id="numipay-base">${esc(`${urls.gateway(req)}/`)}</code> (the driver's default paths)</p>`,
      handle: {
        apiKey: config.apiKey,
        signaturePassword: config.signaturePassword,
        baseUrl: (rootUrl: string) => `${rootUrl}/numipay/`,
        cashierUrl: (rootUrl: string) => `${rootUrl}/numipay/cashier?token={token}`,
      } satisfies NumipayHandle,
    };
  },
});
