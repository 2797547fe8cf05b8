/**
 * The merchant's side of the app: OAuth install (offline token) with `@shopify/shopify-api`, the settings page
 * where the merchant picks a gateway and enters its credentials (checked against the gateway before Shopify is
 * told the shop is ready), and Shopify's webhooks (`app/uninstalled` and the three compliance topics).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Shopify } from '@shopify/shopify-api';
import type { SessionStorage } from '@shopify/shopify-app-session-storage';
import { ConfigurationError, readHeader, TijaraError, type Logger } from '@tijara/core';
import { checkGatewayCredentials, createShopDriver, type GatewayOption } from '../gateways.js';
import { html, HttpError, json, readRawBody, redirect, type HandlerResponse } from '../http/node-http.js';
import type { PaymentsApiClient } from '../payments-api/payments-api-client.js';
import { assertShopDomain } from '../shop-domain.js';
import type { CredentialBox } from './credential-box.js';
import { installPage, settingsPage, type SettingsView } from './pages.js';
import type { ShopStore } from './shop-store.js';

export interface MerchantPaths {
  readonly home: string;
  readonly auth: string;
  readonly authCallback: string;
  readonly settings: string;
  readonly webhooks: string;
}

export interface MerchantRoutesOptions {
  readonly shopify: Shopify;
  readonly sessionStorage: SessionStorage;
  readonly shops: ShopStore;
  readonly box: CredentialBox;
  readonly gateways: ReadonlyMap<string, GatewayOption>;
  readonly paymentsApi: (shop: string, accessToken: string) => PaymentsApiClient;
  readonly apiSecretKey: string;
  readonly paths: MerchantPaths;
  /** Where the gateway's webhooks for a shop go. */
  readonly gatewayWebhookUrl: (shop: string) => string;
  /** The shop's settings changed or it left: forget cached drivers. */
  readonly onShopChanged: (shop: string) => void;
  /** Test mode of the whole app: offered as the default for new shops. */
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<HandlerResponse | undefined>;

export interface MerchantRoutes {
  home: NodeHandler;
  authBegin: NodeHandler;
  authCallback: NodeHandler;
  settings: NodeHandler;
  saveSettings: NodeHandler;
  webhooks: NodeHandler;
}

const COMPLIANCE_TOPICS = new Set(['customers/data_request', 'customers/redact', 'shop/redact']);

export function createMerchantRoutes(o: MerchantRoutesOptions): MerchantRoutes {
  const { shopify, sessionStorage, shops, paths, logger } = o;

  /** The signed-in shop's offline session, from the cookie OAuth's callback set. */
  async function currentSession(req: IncomingMessage, res: ServerResponse) {
    const id = await shopify.session.getCurrentId({ isOnline: false, rawRequest: req, rawResponse: res });
    if (!id) return undefined;
    const session = await sessionStorage.loadSession(id);
    return session?.accessToken ? session : undefined;
  }

  /** The shop's access tokens go, then `settle` updates its record; its cached driver is dropped. */
  async function forgetShop(shop: string, settle: () => Promise<void>): Promise<void> {
    const sessions = await sessionStorage.findSessionsByShop(shop);
    if (sessions.length > 0) await sessionStorage.deleteSessions(sessions.map((s) => s.id));
    await settle();
    o.onShopChanged(shop);
  }

  function csrfToken(sessionId: string): string {
    return createHmac('sha256', o.apiSecretKey).update(`tijara-settings:${sessionId}`).digest('base64url');
  }

  async function view(shop: string, extra: Partial<SettingsView> = {}): Promise<SettingsView> {
    const record = await shops.get(shop);
    let saved: Record<string, string> = {};
    if (record?.sealedCredentials) {
      try {
        saved = o.box.open(shop, record.sealedCredentials);
      } catch (error) {
        logger.warn({ shop, err: error }, 'stored gateway credentials cannot be opened');
      }
    }
    return {
      shop,
      gateways: [...o.gateways.values()],
      gateway: record?.gateway,
      testMode: record?.testMode ?? true,
      ready: record?.ready ?? false,
      saved,
      csrf: '',
      action: paths.settings,
      webhookUrl: o.gatewayWebhookUrl(shop),
      ...extra,
    };
  }

  return {
    async home(req, res) {
      const query = new URL(req.url ?? '/', 'http://app.invalid').searchParams;
      const shopParam = query.get('shop');
      if (shopParam && query.get('hmac')) {
        const valid = await shopify.utils.validateHmac(Object.fromEntries(query)).catch(() => false);
        if (!valid)
          return html(
            400,
            installPage(
              paths.auth,
              'The link from Shopify did not verify. Open the app again from your Shopify admin.',
            ),
          );
        const shop = assertShopDomain(shopParam);
        const session = await currentSession(req, res);
        if (session?.shop === shop) return redirect(paths.settings);
        return redirect(`${paths.auth}?shop=${encodeURIComponent(shop)}`);
      }
      const session = await currentSession(req, res);
      if (session) return redirect(paths.settings);
      return html(200, installPage(paths.auth));
    },

    async authBegin(req, res) {
      const query = new URL(req.url ?? '/', 'http://app.invalid').searchParams;
      let shop: string;
      try {
        shop = assertShopDomain(query.get('shop'));
      } catch {
        return html(400, installPage(paths.auth, 'Enter your shop’s domain, like my-shop.myshopify.com.'));
      }
      // Writes the redirect to Shopify's consent screen itself (or 410 to a bot).
      await shopify.auth.begin({
        shop,
        callbackPath: paths.authCallback,
        isOnline: false,
        rawRequest: req,
        rawResponse: res,
      });
      return undefined;
    },

    async authCallback(req, res) {
      let session;
      try {
        ({ session } = await shopify.auth.callback({ rawRequest: req, rawResponse: res }));
      } catch (error) {
        const name = (error as Error).name;
        logger.warn({ err: error }, 'OAuth callback refused');
        if (name === 'BotActivityDetected') return { status: 410 };
        return html(
          400,
          installPage(paths.auth, 'The installation could not be completed. Please start it again.'),
        );
      }
      if (session.isOnline || !session.accessToken) {
        return html(400, installPage(paths.auth, 'Shopify did not grant an offline access token.'));
      }
      await sessionStorage.storeSession(session);
      await shops.markInstalled(session.shop);
      o.onShopChanged(session.shop);
      logger.info({ shop: session.shop, scope: session.scope }, 'app installed');
      return redirect(paths.settings);
    },

    async settings(req, res) {
      const session = await currentSession(req, res);
      if (!session)
        return html(401, installPage(paths.auth, 'Open the app from your Shopify admin to sign in.'));
      return html(200, settingsPage(await view(session.shop, { csrf: csrfToken(session.id) })));
    },

    async saveSettings(req, res) {
      const session = await currentSession(req, res);
      if (!session)
        return html(
          401,
          installPage(paths.auth, 'Your session ended. Open the app from your Shopify admin again.'),
        );
      const shop = session.shop;
      const form = new URLSearchParams((await readRawBody(req, o.bodyLimitBytes)).toString('utf8'));
      const expected = Buffer.from(csrfToken(session.id));
      const given = Buffer.from(form.get('csrf') ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return html(
          403,
          settingsPage(
            await view(shop, { csrf: csrfToken(session.id), error: 'The form expired. Please try again.' }),
          ),
        );
      }
      const render = async (status: number, extra: Partial<SettingsView>) =>
        html(status, settingsPage(await view(shop, { csrf: csrfToken(session.id), ...extra })));

      const gateway = o.gateways.get(form.get('gateway') ?? '');
      if (!gateway) return render(400, { error: 'Choose a gateway.' });
      const testMode = form.get('test_mode') === 'on';
      const record = await shops.get(shop);
      const previous =
        record?.gateway === gateway.name && record.sealedCredentials
          ? safeOpen(o.box, shop, record.sealedCredentials)
          : {};
      const credentials: Record<string, string> = {};
      const missing: string[] = [];
      for (const field of gateway.fields) {
        const entered = (form.get(`${gateway.name}.${field.name}`) ?? '').trim();
        // A secret field left blank keeps the saved value: the page never shows it again.
        const value = entered === '' && field.secret ? (previous[field.name] ?? '') : entered;
        if (value === '' && field.required !== false) missing.push(field.label);
        if (value !== '') credentials[field.name] = value;
      }
      if (missing.length > 0)
        return render(400, { gateway: gateway.name, testMode, error: `Missing: ${missing.join(', ')}` });

      try {
        const driver = createShopDriver(gateway, credentials, { shop, testMode });
        await checkGatewayCredentials(gateway, driver);
      } catch (error) {
        logger.warn({ shop, gateway: gateway.name, err: error }, 'gateway credentials refused');
        return render(400, { gateway: gateway.name, testMode, error: credentialsProblem(gateway, error) });
      }

      await shops.saveSettings(shop, {
        gateway: gateway.name,
        sealedCredentials: o.box.seal(shop, credentials),
        testMode,
      });
      o.onShopChanged(shop);
      const externalHandle = gateway.externalHandle?.(credentials) ?? gateway.label;
      try {
        const result = await o
          .paymentsApi(shop, session.accessToken as string)
          .mutate('paymentsAppConfigure', {
            externalHandle,
            ready: true,
          });
        if (result.userErrors.length > 0) {
          throw new HttpError(502, 'configure_refused', result.userErrors.map((e) => e.message).join('; '));
        }
      } catch (error) {
        logger.error({ shop, err: error }, 'paymentsAppConfigure failed');
        return render(502, {
          error:
            'The credentials work, but Shopify could not be told the gateway is ready. Save again in a moment.',
        });
      }
      await shops.markReady(shop, externalHandle);
      logger.info({ shop, gateway: gateway.name, testMode }, 'payments app configured and ready');
      return render(200, { notice: `${gateway.label} is connected. Shopify can now offer it at checkout.` });
    },

    async webhooks(req) {
      const raw = await readRawBody(req, o.bodyLimitBytes);
      const given = readHeader(req.headers, 'x-shopify-hmac-sha256') ?? '';
      const expected = createHmac('sha256', o.apiSecretKey).update(raw).digest();
      const givenBytes = Buffer.from(given, 'base64');
      if (givenBytes.length !== expected.length || !timingSafeEqual(givenBytes, expected)) {
        logger.warn(
          { topic: readHeader(req.headers, 'x-shopify-topic') },
          'Shopify webhook with a bad HMAC refused',
        );
        return json(401, { error: 'invalid_hmac' });
      }
      const topic = readHeader(req.headers, 'x-shopify-topic');
      let shop: string;
      try {
        shop = assertShopDomain(readHeader(req.headers, 'x-shopify-shop-domain'));
      } catch {
        return json(400, { error: 'missing_shop' });
      }
      switch (topic) {
        case 'app/uninstalled':
          await forgetShop(shop, () => shops.markUninstalled(shop));
          logger.info({ shop }, 'app uninstalled: access tokens deleted');
          return json(200, { ok: true });
        case 'shop/redact':
          await forgetShop(shop, () => shops.delete(shop));
          logger.info({ shop }, 'shop redacted: settings and credentials deleted');
          return json(200, { ok: true });
        default:
          if (topic && COMPLIANCE_TOPICS.has(topic)) {
            // The app keeps no customer data: payment records hold amounts, ids and states, never names,
            // e-mails or addresses (those go to the gateway, which answers for them).
            logger.info({ shop, topic }, 'compliance request: the app holds no customer data');
            return json(200, { ok: true });
          }
          logger.info({ shop, topic }, 'Shopify webhook topic not handled');
          return json(200, { ignored: true });
      }
    },
  };
}

/** What the merchant reads when the gateway could not be connected. */
function credentialsProblem(gateway: GatewayOption, error: unknown): string {
  if (error instanceof ConfigurationError) {
    // The driver refused the settings themselves (a path, a URL), or Shopify cannot use the gateway as configured:
    // the message names the field or the reason and never repeats a secret.
    return error.message.startsWith(gateway.label) ? error.message : `${gateway.label}: ${error.message}`;
  }
  if (error instanceof TijaraError && (error.type === 'authentication' || error.type === 'permission')) {
    return `${gateway.label} refused these credentials.`;
  }
  if (error instanceof TijaraError && (error.type === 'not_found' || error.type === 'invalid_response')) {
    return `${gateway.label} did not answer as expected where the app asked (${error.type}): check the host and the paths.`;
  }
  return `${gateway.label} could not be reached to check these credentials (${error instanceof TijaraError ? error.type : 'error'}). Try again.`;
}

function safeOpen(box: CredentialBox, shop: string, sealed: string): Record<string, string> {
  try {
    return box.open(shop, sealed);
  } catch {
    return {};
  }
}
