import type { UmmahDriver } from '@tijara/ummah';

/** Everything beyond payments (clients, billing, webhooks, statements…) is on `ummah.client`, typed and validated. */
export async function clientEmails(ummah: UmmahDriver): Promise<string[]> {
  const emails: string[] = [];
  for await (const client of ummah.client.clients.list()) emails.push(client.email ?? '');
  return emails;
}
