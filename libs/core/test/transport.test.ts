import got from 'got';
it('loads got', async () => {
  expect(typeof got.extend).toBe('function');
});
