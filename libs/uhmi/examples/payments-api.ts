import type { UhmiDriver } from '@tijara/uhmi';

/** The whole payments API is on `client`: here a quarterly subscription with a trial, then a price change. */
export async function quarterlyLetter(uhmi: UhmiDriver): Promise<string> {
  const created = await uhmi.client.payments.create({
    type: 'subscription',
    title: 'Monthly letter',
    price: 4.5, // decimal euros, as Uhmi writes them; 4.505 is refused, never rounded
    interval: 'month',
    interval_count: 3, // at most 52
    trial_days: 14, // at most 365
    category: 'newsletter',
    repeatable: true,
    cover: 'https://shop.example/cover.png',
    metadata: { plan: 'letter-3m' }, // at most 1 kB
    success_url: 'https://shop.example/uhmi/return/letter',
  });
  await uhmi.client.payments.update(created.payment_id, { title: 'Quarterly letter', price: '5.00' });
  return created.payment_id;
}
