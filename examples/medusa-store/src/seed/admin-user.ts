import type { IAuthModuleService, IUserModuleService, MedusaContainer } from '@medusajs/framework/types';
import { Modules } from '@medusajs/framework/utils';
import { createUsersWorkflow } from '@medusajs/medusa/core-flows';

/**
 * An admin who can log in with `email` and `password` (emailpass), created on the first call; later calls set the
 * password again, so the login the start command prints always works.
 */
export async function ensureAdminUser(
  container: MedusaContainer,
  email: string,
  password: string,
): Promise<string> {
  const users = container.resolve<IUserModuleService>(Modules.USER);
  const auth = container.resolve<IAuthModuleService>(Modules.AUTH);
  const [existing] = await users.listUsers({ email });
  if (existing) {
    const { success, error } = await auth.updateProvider('emailpass', { entity_id: email, password });
    if (!success) throw new Error(`Could not set the admin password: ${error ?? 'unknown error'}`);
    return existing.id;
  }
  const {
    result: [user],
  } = await createUsersWorkflow(container).run({ input: { users: [{ email }] } });
  const { authIdentity, error } = await auth.register('emailpass', { body: { email, password } });
  if (error || !authIdentity)
    throw new Error(`Could not register the admin login: ${error ?? 'unknown error'}`);
  await auth.updateAuthIdentities({ id: authIdentity.id, app_metadata: { user_id: user!.id } });
  return user!.id;
}
