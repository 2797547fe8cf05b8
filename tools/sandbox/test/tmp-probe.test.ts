import { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';
test('probe', () => {
  const db = new DatabaseSync(':memory:');
  db.exec('create table t (a text)');
  db.prepare('insert into t values (?)').run('x');
  expect(db.prepare('select * from t').all()).toEqual([{ a: 'x' }]);
  expect(z.toJSONSchema(z.object({ a: z.string() }))).toBeTruthy();
});
