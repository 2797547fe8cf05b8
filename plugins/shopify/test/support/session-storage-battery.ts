/**
 * One battery every Shopify session storage the app can use must pass (the idea of shopify-app-js's storage
 * test utilities, written for this project): offline and online sessions round-trip field for field, writes
 * replace, deletes are idempotent, and lookups by shop see only that shop.
 */
import { Session } from '@shopify/shopify-api';
import type { SessionStorage } from '@shopify/shopify-app-session-storage';

export function sessionStorageBattery(
  name: string,
  open: () => Promise<SessionStorage & { close?(): Promise<void> }>,
): void {
  describe(`${name} passes the session storage battery`, () => {
    let storage: SessionStorage & { close?(): Promise<void> };
    const shop = `battery-${process.pid}-${Math.random().toString(36).slice(2, 8)}.myshopify.com`;
    beforeAll(async () => {
      storage = await open();
    });
    afterAll(async () => {
      await storage.close?.();
    });

    const offline = (id = `offline_${shop}`) =>
      new Session({
        id,
        shop,
        state: 'state-1',
        isOnline: false,
        scope: 'write_payment_gateways,write_payment_sessions',
        accessToken: 'shpat_battery',
      });

    it('stores and loads an offline session (access token, scope, no expiry)', async () => {
      const session = offline();
      expect(await storage.storeSession(session)).toBe(true);
      const loaded = await storage.loadSession(session.id);
      expect(loaded).toBeInstanceOf(Session);
      expect(loaded?.equals(session)).toBe(true);
      expect(loaded?.toPropertyArray(true)).toEqual(session.toPropertyArray(true));
    });

    it('stores and loads an online session with its expiry, refresh token and user', async () => {
      const expires = new Date(Math.floor(Date.now() / 1000 + 3600) * 1000);
      const session = new Session({
        id: `${shop}_42`,
        shop,
        state: 'state-2',
        isOnline: true,
        scope: 'read_orders',
        accessToken: 'shpua_online',
        expires,
        refreshToken: 'refresh-1',
        refreshTokenExpires: new Date(Math.floor(Date.now() / 1000 + 7200) * 1000),
        onlineAccessInfo: {
          expires_in: 3600,
          associated_user_scope: 'read_orders',
          associated_user: {
            id: 42,
            first_name: 'Aïsha',
            last_name: "O'Neil",
            email: 'aisha@example.com',
            account_owner: true,
            locale: 'ar',
            collaborator: false,
            email_verified: true,
          },
        },
      });
      await storage.storeSession(session);
      const loaded = await storage.loadSession(session.id);
      expect(loaded?.expires?.getTime()).toBe(expires.getTime());
      expect(loaded?.onlineAccessInfo?.associated_user).toMatchObject({
        id: 42,
        first_name: 'Aïsha',
        last_name: "O'Neil",
        locale: 'ar',
      });
      expect(loaded?.equals(session)).toBe(true);
      expect(loaded?.isActive('read_orders')).toBe(true);
    });

    it('replaces a session stored again under the same id', async () => {
      const session = offline();
      session.accessToken = 'shpat_rotated';
      await storage.storeSession(session);
      expect((await storage.loadSession(session.id))?.accessToken).toBe('shpat_rotated');
      expect((await storage.findSessionsByShop(shop)).filter((s) => s.id === session.id)).toHaveLength(1);
    });

    it('answers undefined for an unknown id', async () => {
      expect(await storage.loadSession('offline_nobody.myshopify.com')).toBeUndefined();
    });

    it('finds the sessions of one shop only', async () => {
      const other = new Session({
        id: `offline_other-${shop}`,
        shop: `other-${shop}`,
        state: 's',
        isOnline: false,
        accessToken: 'x',
      });
      await storage.storeSession(other);
      const found = (await storage.findSessionsByShop(shop)).map((s) => s.id).sort();
      expect(found).toEqual([`${shop}_42`, `offline_${shop}`].sort());
      expect(await storage.findSessionsByShop('nobody.myshopify.com')).toEqual([]);
      await storage.deleteSession(other.id);
    });

    it('deletes one session, then several, and deleting what is gone still succeeds', async () => {
      expect(await storage.deleteSession(`${shop}_42`)).toBe(true);
      expect(await storage.loadSession(`${shop}_42`)).toBeUndefined();
      expect(await storage.deleteSession(`${shop}_42`)).toBe(true);
      await storage.storeSession(offline(`extra_${shop}`));
      expect(await storage.deleteSessions([`offline_${shop}`, `extra_${shop}`, 'never-existed'])).toBe(true);
      expect(await storage.findSessionsByShop(shop)).toEqual([]);
    });
  });
}
