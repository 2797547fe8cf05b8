import { MedusaError } from '@medusajs/framework/utils';
import { generateUmmahTestKeys } from '@tijara/ummah';
import { PostpayPaymentProvider } from '../src/providers/postpay/index.js';
import { UmmahPaymentProvider } from '../src/providers/ummah/index.js';

const SECRET = 'sk_test_9f8e7d6c5b4a39281706f5e4';
const valid = {
  secretKey: SECRET,
  brandId: '409eb80e-3782-4b1d-afa8-b779759266a5',
  returnUrl: 'https://shop.example/checkout/return',
};

function problemsOf(run: () => void): { error: MedusaError; lines: string[] } {
  try {
    run();
  } catch (error) {
    expect(MedusaError.isMedusaError(error)).toBe(true);
    const medusa = error as MedusaError;
    return {
      error: medusa,
      lines: medusa.message
        .split('\n')
        .slice(1)
        .map((l) => l.trim()),
    };
  }
  throw new Error('the options were accepted');
}

describe('provider options, validated when Medusa loads the provider', () => {
  it('accepts a complete configuration', () => {
    expect(() => UmmahPaymentProvider.validateOptions(valid)).not.toThrow();
    expect(() =>
      UmmahPaymentProvider.validateOptions({
        ...valid,
        baseUrl: 'http://127.0.0.1:4010/api/v1/',
        backendUrl: 'https://api.shop.example',
        capture: 'manual',
        webhookPublicKeys: [generateUmmahTestKeys().publicKey],
        providerId: 'ummah-my',
        allowedReturnOrigins: ['https://shop.example', 'https://m.shop.example'],
      }),
    ).not.toThrow();
  });

  it('lists every problem at once', () => {
    const { error, lines } = problemsOf(() =>
      UmmahPaymentProvider.validateOptions({
        secretKey: 42,
        returnUrl: 'shop.example/return',
        backendUrl: 'ftp://files.example',
        capture: 'later',
        providerId: 'my provider',
        webhookPublicKey: 'typo',
      }),
    );
    expect(error.type).toBe(MedusaError.Types.INVALID_ARGUMENT);
    expect(error.message).toMatch(/^Invalid options for the Tijara ummah payment provider \(7 problems\):/);
    expect(lines.sort()).toEqual(
      [
        '- secretKey: Invalid input: expected string, received number',
        '- brandId: is required',
        '- returnUrl: must be an http(s) URL',
        '- backendUrl: must be an http(s) URL',
        '- capture: Invalid option: expected one of "automatic"|"manual"',
        '- providerId: must be letters, digits, "_" or "-" (the id of the provider entry)',
        '- (options): Unrecognized key: "webhookPublicKey"',
      ].sort(),
    );
  });

  it('never repeats a secret, even when it is the problem', () => {
    const publicKey = 'pk_test_0a1b2c3d4e5f60718293a4b5';
    const { error } = problemsOf(() =>
      UmmahPaymentProvider.validateOptions({ ...valid, secretKey: publicKey }),
    );
    expect(error.message).toMatch(/public \(pk_…\) key/);
    expect(error.message).not.toContain(publicKey);

    const { error: typeError } = problemsOf(() =>
      PostpayPaymentProvider.validateOptions({
        merchantId: 'id_test',
        secretKey: SECRET,
        hookSecrets: ['hook-secret-value-123', 7],
        returnUrl: valid.returnUrl,
        numInstalments: 40,
      }),
    );
    expect(typeError.message).toMatch(/hookSecrets\.1: Invalid input/);
    expect(typeError.message).toMatch(/numInstalments: Too big/);
    expect(typeError.message).not.toContain(SECRET);
    expect(typeError.message).not.toContain('hook-secret-value-123');
  });

  it("reports what the gateway's driver refuses, such as a key that is not a public key", () => {
    const { error } = problemsOf(() =>
      UmmahPaymentProvider.validateOptions({
        ...valid,
        webhookPublicKeys: [generateUmmahTestKeys().privateKey],
      }),
    );
    expect(error.message).toMatch(/ummah configuration failed: .*(PEM|public key)/);
    expect(error.message).not.toMatch(/PRIVATE KEY/);
  });

  it('refuses a capture mode the gateway does not have', () => {
    const { lines } = problemsOf(() =>
      PostpayPaymentProvider.validateOptions({
        merchantId: 'id_test',
        secretKey: SECRET,
        returnUrl: valid.returnUrl,
        capture: 'manual',
      }),
    );
    expect(lines).toEqual(['- capture: postpay supports automatic capture only']);
  });
});
