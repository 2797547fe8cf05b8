import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CreatePaymentInput } from '@tijara/core';

/** A recorded exchange: what the client must send, and what the gateway answered (seed 003 examples). */
export interface EndpointFixture {
  readonly endpoint: string;
  readonly source: string;
  /** Arguments of the generated method: path parameters, then the input when the endpoint takes one. */
  readonly args: unknown[];
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly query?: Record<string, string>;
    readonly body?: unknown;
  };
  readonly response: { readonly status: number; readonly body: unknown };
}

export const FIXTURES_DIR = path.join(__dirname, '..', 'fixtures');

export function readFixture<T>(relative: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, relative), 'utf8')) as T;
}

export function loadEndpointFixtures(): Map<string, EndpointFixture> {
  const dir = path.join(FIXTURES_DIR, 'endpoints');
  const out = new Map<string, EndpointFixture>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    const fixture = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as EndpointFixture;
    out.set(fixture.endpoint, fixture);
  }
  return out;
}

/** Credentials shaped like real ones, so the redaction patterns and the literal-secret scrubbing both get exercised. */
export const MERCHANT_ID = 'id_3f9a8b7c6d5e4f30';
export const TEST_SECRET_KEY = 'sk_test_2b9c4d6e8f0a1b3c5d7e9f1a3b5c7d9e';
export const HOOK_SECRET = 'whsec_postpay_7d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a';

/** A 29.99 AED payment with what Postpay requires (a shipping address), for the conformance suite and driver tests. */
export function aedPayment(reference: string): CreatePaymentInput {
  return {
    amount: 2999,
    currency: 'AED',
    reference,
    taxAmount: 143,
    customer: {
      email: 'aisha@example.ae',
      name: 'Aisha Rahman',
      shippingAddress: { line1: 'Al Wasl Road 12', city: 'Dubai', country: 'AE' },
    },
    capture: 'automatic',
    returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
  };
}
