import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES_DIR = path.join(__dirname, '..', 'fixtures');

export function readFixture<T>(relative: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, relative), 'utf8')) as T;
}

/** Shaped like real credentials, so literal-secret scrubbing is exercised. */
export const TEST_API_KEY = 'npk_dev_7Hq2Lm9Rt4Xv8Bn1Cz6Wd3Ks5Pf0Gj';
/** The seed's own signature password. */
export const SIGNATURE_PASSWORD = 'spg_test_companyxxxxQyGAheyMqcHVmp8ZMQtkYcev27sCu7RF';
export const CASHIER_URL = 'https://cashier.numipay.co/?token={token}';
