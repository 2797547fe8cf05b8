import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_VERSION } from '../src/version.js';
import { runTijara } from './run-tijara.js';

const COMMANDS = [
  [],
  ['sandbox'],
  ['webhooks'],
  ['webhooks', 'sign'],
  ['webhooks', 'trigger'],
  ['webhooks', 'replay'],
  ['webhooks', 'listen'],
  ['keys'],
  ['keys', 'generate'],
];

describe('--help', () => {
  test.concurrent.each(COMMANDS.map((c) => [c.join(' ') || '(root)', c] as const))(
    'tijara %s --help prints usage on stdout and exits 0',
    async (_name, command) => {
      const result = await runTijara([...command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain(`Usage: tijara${command.length ? ` ${command.join(' ')}` : ''}`);
    },
  );

  test('the root help lists every command', async () => {
    const { stdout } = await runTijara(['--help']);
    for (const name of ['sandbox', 'webhooks', 'keys'])
      expect(stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const webhooks = await runTijara(['webhooks', '--help']);
    for (const name of ['listen', 'trigger', 'replay', 'sign']) {
      expect(webhooks.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
  });
});

test('--version prints the package version', async () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  expect(CLI_VERSION).toBe(pkg.version);
  const result = await runTijara(['--version']);
  expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
});

describe('usage errors: one line on stderr, exit code 2, no stack trace', () => {
  test.concurrent.each([
    [['bogus'], "tijara: error: unknown command 'bogus'"],
    [['webhooks', 'tigger'], "tijara: error: unknown command 'tigger' (Did you mean trigger?)"],
    [['keys', 'generate', '--bogus'], "tijara: error: unknown option '--bogus'"],
    [
      ['sandbox', '--port', 'eighty'],
      "tijara: error: option '-p, --port <port>' argument 'eighty' is invalid. expected a port number 0-65535.",
    ],
    [['webhooks', 'sign'], 'tijara: error: ummah signs with an RSA private key: pass --key <file>'],
    [
      ['webhooks', 'sign', '--gateway', 'paypal'],
      "tijara: error: unknown gateway 'paypal' (known: ummah, postpay",
    ],
    [
      ['webhooks', 'sign', '--gateway', 'postpay', '--key', 'k.pem'],
      'tijara: error: postpay signs with a shared secret: use --secret, not --key',
    ],
    [
      ['webhooks', 'listen', '--gateway', 'uhmi', '--forward-to', 'http://127.0.0.1:9/'],
      'tijara: error: webhooks listen --gateway uhmi: Uhmi signs no webhooks: your server re-reads the transaction (GET /transactions/{id}); there is nothing to listen to',
    ],
    [
      ['webhooks', 'trigger', 'payment.paid', '--gateway', 'uhmi'],
      'tijara: error: webhooks trigger --gateway uhmi: Uhmi signs no webhooks',
    ],
    [
      ['webhooks', 'replay', 'd_1', '--gateway', 'uhmi', '--to', 'http://127.0.0.1:9/'],
      'tijara: error: webhooks replay --gateway uhmi: Uhmi signs no webhooks',
    ],
    [
      [
        'webhooks',
        'listen',
        '--gateway',
        'numipay',
        '--forward-to',
        'http://127.0.0.1:9/',
        '--events',
        'deposit',
      ],
      'tijara: error: Numipay sends every status change to one URL: --events does not apply',
    ],
    [
      [
        'webhooks',
        'listen',
        '--gateway',
        'postpay',
        '--forward-to',
        'http://127.0.0.1:9/',
        '--events',
        'order.paid',
      ],
      "tijara: error: unknown event 'order.paid': Postpay hooks subscribe to order, transaction",
    ],
    [
      ['webhooks', 'trigger', 'order.expired', '--gateway', 'postpay', '--to', 'http://127.0.0.1:9/'],
      'tijara: error: order.expired cannot be caused on Postpay from here (possible: order.approved, order.denied, order.cancelled, order.captured, transaction.order, transaction.refund); pass --file body.json --secret … --to URL to send a signed body instead',
    ],
    [
      ['webhooks', 'replay', 'd_1', '--gateway', 'postpay', '--to', 'http://127.0.0.1:9/', '--object', 'p_1'],
      "tijara: error: --object and --source-type name Ummah's per-object delivery logs; Postpay's deliveries are found by id",
    ],
    [
      ['sandbox', '--host', '0.0.0.0', '--memory'],
      'tijara: error: --host 0.0.0.0 makes the sandbox reachable beyond this machine: pass --control-token',
    ],
    [['webhooks', 'trigger'], "tijara: error: missing required argument 'event'"],
    [
      ['webhooks', 'listen', '--forward-to', 'not a url'],
      "tijara: error: option '--forward-to <url>' argument 'not a url' is invalid. expected an absolute http(s) URL.",
    ],
    [
      ['webhooks', 'trigger', 'purchase.payed', '--key', 'k.pem', '--to', 'http://127.0.0.1:9/'],
      "tijara: error: unknown event 'purchase.payed'",
    ],
    [['webhooks', 'trigger', 'purchase.paid', '--key', 'k.pem'], 'tijara: error: --key needs --to'],
    [['sandbox', '--db', 'x.db', '--memory'], 'tijara: error: --db and --memory cannot be used together'],
  ])('tijara %j', async (args, message) => {
    const result = await runTijara(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('failures: one line on stderr, exit code 1; --debug adds the stack', () => {
  test('a missing key file', async () => {
    const result = await runTijara(['webhooks', 'sign', '--key', 'missing.pem', '--file', 'body.json']);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'tijara: error: cannot read key file missing.pem: no such file\n',
    });
  });

  test('an unreachable gateway names the address and the reason', async () => {
    const result = await runTijara([
      'webhooks',
      'listen',
      '--forward-to',
      'http://127.0.0.1:9/hook',
      '--api-base',
      'http://127.0.0.1:9/api/v1/',
      '--secret-key',
      'sk_test_unreachable',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^tijara: error: .*(ECONNREFUSED|connect)/);
    expect(result.stderr).not.toContain('sk_test_unreachable');
  });

  test.each([
    ['https://10.0.0.7/hook', 'refused to connect to 10.0.0.7 (10.0.0.7 is a private address'],
    ['http://169.254.169.254/latest/meta-data/', 'a cloud metadata address'],
    ['https://[fd00::1]/hook', 'a unique-local address'],
    ['http://192.168.1.20:3000/hook', 'a private address'],
  ])('listen refuses to forward to %s', async (target, reason) => {
    const result = await runTijara(['webhooks', 'listen', '--forward-to', target]);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain(`tijara: error: --forward-to ${target}: `);
    expect(result.stderr).toContain(reason);
  });

  test('Uhmi signs nothing, and says so', async () => {
    const result = await runTijara(['webhooks', 'sign', '--gateway', 'uhmi'], { input: '{}' });
    expect(result).toMatchObject({
      code: 1,
      stderr:
        'tijara: error: Uhmi signs no webhooks: your server re-reads the transaction (GET /transactions/{id})\n',
    });
  });

  test('--debug prints the stack trace after the line', async () => {
    const result = await runTijara(['--debug', 'webhooks', 'sign', '--key', 'missing.pem']);
    expect(result.code).toBe(1);
    const [first, ...rest] = result.stderr.trimEnd().split('\n');
    expect(first).toBe('tijara: error: cannot read key file missing.pem: no such file');
    expect(rest.join('\n')).toMatch(/at .*key-files\.ts/);
  });
});
