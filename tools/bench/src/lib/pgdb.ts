/**
 * A throwaway PostgreSQL database per run, so runs never see each other's (or the tests') tables. Named and
 * dropped like the tests' databases (testkit's `createTestDatabase`), so CI's clean-up of what a killed run left
 * behind covers these too.
 */
import { createTestDatabase, type TestDatabase } from '@tijara/testkit';

export function createDatabase(adminUrl: string, label: string): Promise<TestDatabase> {
  return createTestDatabase(label, { adminUrl });
}
