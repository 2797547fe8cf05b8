import { readFileSync } from 'node:fs';
import { listEndpoints } from '@tijara/ummah';
test('t', () => {
  const rows = readFileSync(__dirname + '/../README.md', 'utf8').split('\n').filter((l) => /^\| (GET|POST|PUT|PATCH|DELETE) /.test(l));
  const want = listEndpoints().map(({ name, endpoint }) => `| ${endpoint.method} | \`${endpoint.path}\` | \`client.${name}\` |`);
  const bad = rows.filter((r, i) => r !== want[i]);
  console.log(rows.length, want.length, bad.length, '\n' + bad.join('\n'));
});
