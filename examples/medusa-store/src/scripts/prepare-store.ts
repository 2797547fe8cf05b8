import { writeFileSync } from 'node:fs';
import type { ExecArgs } from '@medusajs/framework/types';
import { ensureAdminUser } from '../seed/admin-user.js';
import { seedStore } from '../seed/seed-store.js';

/**
 * What `npm run start:medusa` runs once the database is migrated (medusa exec): seed the store (a second run
 * answers the first run's data), make sure the admin can log in, and write the result as JSON to
 * TIJARA_PREPARE_OUTPUT.
 */
export default async function prepareStore({ container }: ExecArgs): Promise<void> {
  const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password, TIJARA_PREPARE_OUTPUT: output } = process.env;
  if (!email || !password || !output)
    throw new Error('Set ADMIN_EMAIL, ADMIN_PASSWORD and TIJARA_PREPARE_OUTPUT');
  const seed = await seedStore(container);
  await ensureAdminUser(container, email, password);
  writeFileSync(output, JSON.stringify(seed), { mode: 0o600 });
}
