import {
  isSecretHeader,
  isSecretName,
  redact,
  REDACTED,
  redactFieldDetails,
  redactString,
} from '../src/redact.js';

describe('redactString', () => {
  it.each([
    ['key sk_test_51HqAbC_def-ghi end', 'key sk_test_[REDACTED] end'],
    ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'sk_live_[REDACTED]'],
    ['rk_live_abc123', 'rk_live_[REDACTED]'],
    ['whsec_test_abc123', 'whsec_test_[REDACTED]'],
    ['sk_0123456789abcdefXYZ', 'sk_[REDACTED]'],
  ])('hides the API key in %j', (input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it.each([
    ['Authorization: Bearer eyJhbGciOi.abc.def-_~+/=', 'Authorization: Bearer [REDACTED]'],
    ['basic dXNlcjpwYXNz', 'basic [REDACTED]'],
    ['Token 0123abcd', 'Token [REDACTED]'],
  ])('hides the credential in %j', (input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it('replaces a PEM private key, including one cut off before its END line', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';
    expect(redactString(`key: ${pem} tail`)).toBe('key: [REDACTED PRIVATE KEY] tail');
    expect(redactString('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg')).toBe('[REDACTED PRIVATE KEY]');
  });

  it('leaves a public key alone, since it is meant to be shared', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----';
    expect(redactString(pem)).toBe(pem);
  });

  it.each([
    ['card 4111 1111 1111 1111 exp', 'card **** 1111 exp'],
    ['4000-0000-0000-0002', '**** 0002'],
    ['5555555555554444', '**** 4444'],
    ['amex 378282246310005', 'amex **** 0005'],
  ])('masks the card number in %j but keeps its last four digits', (input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it('leaves short numbers such as order ids and amounts alone', () => {
    expect(redactString('order 12345678 amount 1000.50')).toBe('order 12345678 amount 1000.50');
  });

  it('hides extra literal secrets wherever they occur, but ignores ones too short to be a secret', () => {
    expect(redactString('k=opaque-key-123;again opaque-key-123', ['opaque-key-123'])).toBe(
      `k=${REDACTED};again ${REDACTED}`,
    );
    expect(redactString('abc and abc', ['abc', ''])).toBe('abc and abc');
  });
});

describe('redact', () => {
  it('replaces secret-named fields at any depth, whatever their value', () => {
    const out = redact({
      Authorization: 'opaque',
      nested: { password: 'hunter2', client_secret: { deep: true }, 'api-key': 'x', cvv: '123', amount: 100 },
      list: [{ card_number: '4111111111111111', name: 'Ali' }],
    });
    expect(out).toEqual({
      Authorization: REDACTED,
      nested: {
        password: REDACTED,
        client_secret: REDACTED,
        'api-key': REDACTED,
        cvv: REDACTED,
        amount: 100,
      },
      list: [{ card_number: REDACTED, name: 'Ali' }],
    });
  });

  it('keeps empty secret fields empty, so a missing value stays visible as missing', () => {
    expect(redact({ password: '', secret: null, api_key: undefined })).toEqual({
      password: '',
      secret: null,
      api_key: undefined,
    });
  });

  it('redacts secret-shaped strings in ordinary fields, arrays and buffers', () => {
    const out = redact({
      message: 'bad key sk_test_abcdef',
      echo: ['Bearer abc.def', 'fine'],
      body: Buffer.from('raw sk_live_zzz'),
    });
    expect(out).toEqual({
      message: 'bad key sk_test_[REDACTED]',
      echo: ['Bearer [REDACTED]', 'fine'],
      body: 'raw sk_live_[REDACTED]',
    });
  });

  it('applies extra literal secrets to nested strings', () => {
    expect(redact({ a: { b: ['x-opaque-123-x'] } }, ['opaque-123'])).toEqual({
      a: { b: [`x-${REDACTED}-x`] },
    });
  });

  it('copies instead of mutating, and keeps dates and primitives as they are', () => {
    const when = new Date(0);
    const input = { password: 'p', when, n: 1, ok: true, none: null };
    const out = redact(input);
    expect(input.password).toBe('p');
    expect(out.when).toEqual(when);
    expect(out.when).not.toBe(when);
    expect(out).toMatchObject({ n: 1, ok: true, none: null });
    expect(redact(42)).toBe(42);
    expect(redact('sk_test_abc')).toBe('sk_test_[REDACTED]');
  });

  it('survives circular objects', () => {
    const node: Record<string, unknown> = { name: 'root', note: 'sk_test_abc' };
    node.self = node;
    node.children = [{ parent: node }];
    const out = redact(node) as Record<string, unknown>;
    expect(out.self).toBe('[Circular]');
    expect(out.children).toEqual([{ parent: '[Circular]' }]);
    expect(out.note).toBe('sk_test_[REDACTED]');
    expect(() => JSON.stringify(out)).not.toThrow();
  });
});

describe('isSecretHeader', () => {
  it.each(['Authorization', 'authorization', 'Cookie', 'X-Api-Key', 'Proxy-Authorization'])(
    '%s is secret',
    (name) => {
      expect(isSecretHeader(name)).toBe(true);
    },
  );
  it.each(['Content-Type', 'Idempotency-Key', 'X-Request-Id'])('%s is not', (name) => {
    expect(isSecretHeader(name)).toBe(false);
  });
});

describe('redaction keeps what is not secret', () => {
  it('leaves digit runs that fail the Luhn check (timestamps, order numbers)', () => {
    expect(redactString('created 1700000000000 order 4242424242424241')).toBe(
      'created 1700000000000 order 4242424242424241',
    );
    expect(redactString('card 4242 4242 4242 4242')).toBe('card **** 4242');
  });

  it('copies an object that appears twice without calling it circular', () => {
    const address = { city: 'Kuala Lumpur' };
    expect(redact({ billing: address, shipping: address })).toEqual({ billing: address, shipping: address });
  });
});

describe('prose about tokens stays readable', () => {
  it('does not treat "token is" as a credential', () => {
    expect(redactString('Recurring token is invalid.')).toBe('Recurring token is invalid.');
    expect(redactString('token 9f8e7d6c5b4a')).toBe('token [REDACTED]');
  });
});

describe('errors', () => {
  it('keeps an error message and stack, redacted, when an error is logged', () => {
    const logged: unknown = redact({ err: new Error('upstream refused sk_test_abcdef123456') });
    const out = logged as { err: Record<string, unknown> };
    expect(out.err.name).toBe('Error');
    expect(out.err.message).toBe('upstream refused sk_test_[REDACTED]');
    expect(String(out.err.stack)).toContain('upstream refused sk_test_[REDACTED]');
  });
});

describe('hostile and id-shaped input', () => {
  it('stops at a fixed depth instead of exhausting the stack', () => {
    let nested: unknown = 'leaf';
    for (let i = 0; i < 100_000; i += 1) nested = { n: nested };
    const out = JSON.stringify(redact(nested));
    expect(out).toContain('[Too deep]');
    expect(out).not.toContain('leaf');
  });

  it('leaves digit runs inside UUIDs alone', () => {
    const id = 'c2a7e3f0-1b2c-4d5e-8000-000000000003';
    expect(redactString(`purchase ${id}`)).toBe(`purchase ${id}`);
    expect(redactString(`${id} card 4242424242424242`)).toBe(`${id} card **** 4242`);
  });
});

describe('card numbers however they are written', () => {
  it.each([
    ['a JSON number', { card: 4242424242424242 }, { card: '**** 4242' }],
    ['a JSON number in a list', { numbers: [5555555555554444, 42] }, { numbers: ['**** 4444', 42] }],
    ['a bigint', { n: 4000000000000002n }, { n: '**** 0002' }],
  ])('%s', (_case, input, expected) => {
    expect(redact(input)).toEqual(expected);
  });

  it.each([
    ['glued to letters', 'card4242424242424242', 'card**** 4242'],
    ['after an underscore', 'pan_4242424242424242', 'pan_**** 4242'],
    ['before letters', '4242424242424242exp', '**** 4242exp'],
    ['separated by dots', 'n=x 4242.4242.4242.4242 ok', 'n=x **** 4242 ok'],
    ['in JSON text as a number', '{"card":4242424242424242}', '{"card":**** 4242}'],
    ['followed by the expiry', '4242 4242 4242 4242 12/34', '**** 4242 12/34'],
    ['after another number', 'qty 2 4000 0000 0000 0002', 'qty 2 **** 0002'],
  ])('%s', (_case, input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it('keeps numbers that are not cards: ids, amounts, timestamps, UUIDs', () => {
    const kept = [
      { amount: 125_000, at: 1700000000000, id: 12345678 },
      // 1700000000004 passes the Luhn check, but a 13-digit card number is a Visa one and starts with 4.
      { at: 1700000000004, order: 'order-1700000000004-1', ms: Number.MAX_SAFE_INTEGER },
      'purchase c2a7e3f0-1b2c-4d5e-8000-000000000003 order_12345678 v1.2.3 10.0.0.1',
      'paid 4242424242424241 (not Luhn-valid)',
    ];
    for (const value of kept) expect(redact(value)).toEqual(value);
  });
});

describe('secret names by substring', () => {
  it.each([
    'card_cvc',
    'security_code',
    'securityCode',
    'recurring_token',
    'X-Auth-Token',
    'webhookSecret',
    'db_password',
    'DB_PASSWD',
    'card_pan',
    'cardNumber',
    'X-Postpay-Secret-Key',
  ])('%s is secret', (name) => {
    expect(isSecretName(name)).toBe(true);
    expect(redact({ [name]: 'x' })).toEqual({ [name]: REDACTED });
  });

  it.each(['company', 'span', 'public_key', 'idempotencyKey', 'key', 'paymentId', 'expand', 'pinned_at'])(
    '%s is not',
    (name) => {
      expect(isSecretName(name)).toBe(false);
    },
  );

  it('finds them in name=value pairs and in JSON kept as text', () => {
    expect(redactString('GET /x?token=abc123&page=2&api_key=k1 HTTP')).toBe(
      `GET /x?token=${REDACTED}&page=2&api_key=${REDACTED} HTTP`,
    );
    expect(redactString('host=db password=hunter2 user=app')).toBe(`host=db password=${REDACTED} user=app`);
    expect(redactString('{"card_cvc": "123", "name": "Ali", "recurring_token":"tok_9", "n": 1}')).toBe(
      `{"card_cvc": "${REDACTED}", "name": "Ali", "recurring_token":"${REDACTED}", "n": 1}`,
    );
  });
});

describe('credentials inside URLs', () => {
  it.each([
    ['https://user:pass@shop.example/hook', `https://user:${REDACTED}@shop.example/hook`],
    ['postgres://app:s3cr%40t@db:5432/shop', `postgres://app:${REDACTED}@db:5432/shop`],
    ['redis://:hunter2@cache:6379/0', `redis://:${REDACTED}@cache:6379/0`],
    ['calling https://shop.example/a@b fine', 'calling https://shop.example/a@b fine'],
  ])('%s', (input, expected) => {
    expect(redactString(input)).toBe(expected);
    expect(redact({ url: input })).toEqual({ url: expected });
  });
});

describe('error details', () => {
  it('keep their field names and lose only the secrets in their messages', () => {
    expect(
      redactFieldDetails({
        token_id: ['This field may not be blank.'],
        password: ['sk_test_abcdef is wrong'],
      }),
    ).toEqual({ token_id: ['This field may not be blank.'], password: ['sk_test_[REDACTED] is wrong'] });
  });
});

describe('long runs of numbers', () => {
  it('keep what is not a card, and a card at the end of the run is still masked', () => {
    const amounts = Array.from({ length: 20_000 }, (_, i) => String(1000 + (i % 9000))).join(' ');
    const input = `${amounts} 4242 4242 4242 4242`;
    const out = redactString(input);
    expect(out.endsWith('**** 4242')).toBe(true);
    expect(out.startsWith('1000 1001 1002')).toBe(true);
  });
});
