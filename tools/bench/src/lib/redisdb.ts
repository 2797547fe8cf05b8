/** Remove every key a run wrote under its own prefix. */
import { Redis } from 'ioredis';

export async function dropPrefix(url: string, prefix: string): Promise<number> {
  if (!prefix.startsWith('tijara-bench:'))
    throw new Error(`refusing to drop keys outside tijara-bench: (${prefix})`);
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await client.connect();
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) removed += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await client.quit();
  }
  return removed;
}
