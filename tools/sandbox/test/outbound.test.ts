import {
  classifyAddress,
  guardTarget,
  RefusedTarget,
  type Resolver,
  type RunningSandbox,
} from '../src/index.js';
import {
  client,
  control,
  createPurchase,
  pay,
  start,
  startReceiver,
  type Json,
  type Receiver,
} from './helpers.js';

/**
 * Webhook deliveries connect only to loopback, or to public addresses over HTTPS: never to private networks,
 * link-local or unique-local addresses, or a cloud's metadata service. Names are resolved when each attempt is
 * made, so one that later points inward is refused then.
 */
test.each([
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.10', 'private'],
  ['100.64.0.1', 'private'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:a00:1', 'private'],
  ['fec0::1', 'private'],
  ['169.254.169.254', 'metadata'],
  ['169.254.170.2', 'metadata'],
  ['100.100.100.200', 'metadata'],
  ['fd00:ec2::254', 'metadata'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['64:ff9b::a9fe:a9fe', 'metadata'],
  ['2002:a9fe:a9fe::1', 'metadata'],
  ['169.254.1.1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['fd12:3456::1', 'unique-local'],
  ['fc00::1', 'unique-local'],
  ['0.0.0.0', 'unspecified'],
  ['::', 'unspecified'],
  ['224.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  ['ff02::1', 'reserved'],
  ['8.8.8.8', 'public'],
  ['172.32.0.1', 'public'],
  ['2606:4700:4700::1111', 'public'],
])('%s is %s', (address, kind) => {
  expect(classifyAddress(address)).toBe(kind);
});

test('the rules: HTTPS to public addresses, anything to loopback, nothing inward', () => {
  const refused = (url: string) => {
    try {
      guardTarget(new URL(url), () => Promise.resolve([]));
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(RefusedTarget);
      return (error as Error).message;
    }
  };
  expect(refused('https://8.8.8.8/hook')).toBeUndefined();
  expect(refused('http://127.0.0.1:3000/hook')).toBeUndefined();
  expect(refused('http://[::1]:3000/hook')).toBeUndefined();
  expect(refused('http://8.8.8.8/hook')).toMatch(/over plain HTTP/);
  expect(refused('https://10.0.0.5/hook')).toMatch(/refused to connect to 10\.0\.0\.5 .*a private address/);
  expect(refused('https://169.254.169.254/latest/meta-data/')).toMatch(/a cloud metadata address/);
  expect(refused('https://[fd00::1]/hook')).toMatch(/a unique-local address/);
  expect(refused('https://[::ffff:192.168.0.1]/hook')).toMatch(/a private address/);
  expect(refused('ftp://8.8.8.8/hook')).toMatch(/not an HTTP URL/);
  // Names are judged when the socket looks them up.
  expect(refused('https://hooks.example.test/')).toBeUndefined();
});

describe('deliveries', () => {
  let sandbox: RunningSandbox;
  let receiver: Receiver;
  /** What the test's DNS answers for hooks.example.test right now. */
  let answers: Array<{ address: string; family: number }> = [];
  const resolver: Resolver = (hostname) =>
    hostname === 'hooks.example.test'
      ? Promise.resolve(answers)
      : Promise.reject(Object.assign(new Error(`unknown host ${hostname}`), { code: 'ENOTFOUND' }));

  beforeAll(async () => {
    sandbox = await start({ resolver, webhookTimeScale: 1 });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await sandbox.close();
  });

  async function deliveriesTo(callback: string): Promise<Json[]> {
    const api = client(sandbox);
    const webhook = (await api.post('/webhooks/', { callback, events: ['purchase.paid'] })).body;
    const purchase = await createPurchase(api, sandbox.brandId);
    await pay(sandbox, purchase.id);
    await sandbox.settle();
    await api.del(`/webhooks/${webhook.id}/`);
    return (await control(sandbox, 'GET', `/deliveries?source_id=${purchase.id}`)).body.results;
  }

  test.each([
    ['https://10.20.30.40/hook', /refused to connect to 10\.20\.30\.40 .*a private address/],
    ['https://169.254.169.254/latest/meta-data/', /cloud metadata address/],
    ['https://[fd00::1]:8443/hook', /a unique-local address/],
    ['https://192.168.0.1/hook', /a private address/],
  ])('to %s: refused before connecting', async (callback, reason) => {
    const [delivery] = await deliveriesTo(callback);
    expect(delivery).toMatchObject({ callback, status: 'pending', attempt_count: 1 });
    expect(delivery.attempts[0]).toMatchObject({ response_code: null, error: expect.stringMatching(reason) });
  });

  test('a name is resolved at every attempt: one that comes to point inward is refused then', async () => {
    answers = [{ address: '127.0.0.1', family: 4 }];
    const callback = `https://hooks.example.test:${new URL(receiver.url).port}/hook`;
    const api = client(sandbox);
    const webhook = (await api.post('/webhooks/', { callback, events: ['purchase.paid'] })).body;
    const purchase = await createPurchase(api, sandbox.brandId);
    await pay(sandbox, purchase.id);
    await sandbox.settle();
    // It reached the loopback receiver (which speaks plain HTTP, so the TLS handshake failed there).
    const first = (await control(sandbox, 'GET', `/deliveries?source_id=${purchase.id}`)).body.results[0];
    expect(first.attempts[0].error).not.toMatch(/refused to connect/);

    answers = [{ address: '10.9.8.7', family: 4 }];
    await sandbox.advanceClock(120);
    await sandbox.settle();
    const second = (await control(sandbox, 'GET', `/deliveries?source_id=${purchase.id}`)).body.results[0];
    expect(second.attempts[1].error).toMatch(
      /refused to connect to 10\.9\.8\.7 \(hooks\.example\.test is a private/,
    );

    // A name answering with a public and an internal address is not trusted with either.
    answers = [
      { address: '93.184.215.14', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ];
    await sandbox.advanceClock(480);
    await sandbox.settle();
    const third = (await control(sandbox, 'GET', `/deliveries?source_id=${purchase.id}`)).body.results[0];
    expect(third.attempts[2].error).toMatch(/cloud metadata address/);
    await api.del(`/webhooks/${webhook.id}/`);
  });

  test('loopback receivers still get their deliveries', async () => {
    const [delivery] = await deliveriesTo(`${receiver.url}/ok`);
    expect(delivery).toMatchObject({ status: 'delivered', response_code: 200 });
  });
});
