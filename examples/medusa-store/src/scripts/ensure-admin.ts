import type { ExecArgs } from '@medusajs/framework/types';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { ensureAdminUser } from '../seed/admin-user.js';

/** `medusa exec ./src/scripts/ensure-admin.ts` with ADMIN_EMAIL and ADMIN_PASSWORD set. */
export default async function ensureAdmin({ container }: ExecArgs): Promise<void> {
  const email = process.env.ADMIN_EMAIL;
  const password = process.env.ADMIN_PASSWORD;
  if (!email || !password) throw new Error('Set ADMIN_EMAIL and ADMIN_PASSWORD');
  await ensureAdminUser(container, email, password);
  container.resolve(ContainerRegistrationKeys.LOGGER).info(`Admin ${email} can log in`);
}
