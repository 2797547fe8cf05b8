import { isSecretHeader, redact, REDACTED, redactString } from '../src/redact.js';

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
    const node: Record<string, unknown> = { name: 'root', token: 'sk_test_abc' };
    node.self = node;
    node.children = [{ parent: node }];
    const out = redact(node) as Record<string, unknown>;
    expect(out.self).toBe('[Circular]');
    expect(out.children).toEqual([{ parent: '[Circular]' }]);
    expect(out.token).toBe('sk_test_[REDACTED]');
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
