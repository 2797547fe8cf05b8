import type { z } from 'zod';
import {
  createPaymentRequestSchema,
  isWellFormedText,
  LIMITS,
  updatePaymentRequestSchema,
  type CreatePaymentRequest,
} from '@tijara/uhmi';

const content: CreatePaymentRequest = { type: 'content', title: 'My video', price: 0.25 };
const subscription: CreatePaymentRequest = {
  type: 'subscription',
  title: 'Letter',
  price: 4.5,
  interval: 'month',
};

function fieldsRefused(input: unknown, schema: z.ZodType = createPaymentRequestSchema): string[] {
  const result = schema.safeParse(input);
  return result.success ? [] : [...new Set(result.error.issues.map((issue) => issue.path.join('.')))];
}

describe('create payment: every documented field and limit', () => {
  it("accepts the seed's own example", () => {
    const seed = {
      type: 'content',
      title: 'My video',
      price: 0.25,
      pwyw: true,
      category: 'video',
      refundable: true,
      repeatable: false,
      cover: 'https://yourwebsite.com/images/image.png',
      metadata: { video_id: '8690' },
      success_url: 'https://yourwebsite.com/success',
    };
    expect(createPaymentRequestSchema.parse(seed)).toEqual(seed);
  });

  it.each(['content', 'donation', 'subscription'])('knows the %s type', (type) => {
    const input = type === 'subscription' ? subscription : { ...content, type };
    expect(fieldsRefused(input)).toEqual([]);
  });

  it('requires type, title and price', () => {
    expect(fieldsRefused({}).sort()).toEqual(['price', 'title', 'type']);
  });

  it(`keeps titles to ${LIMITS.titleMaxLength} characters, counted as characters, not UTF-16 units`, () => {
    expect(fieldsRefused({ ...content, title: 'a'.repeat(160) })).toEqual([]);
    expect(fieldsRefused({ ...content, title: '😀'.repeat(160) })).toEqual([]);
    expect(fieldsRefused({ ...content, title: 'a'.repeat(161) })).toEqual(['title']);
  });

  it('free (0) and pay-what-you-want payments', () => {
    expect(fieldsRefused({ ...content, price: 0 })).toEqual([]);
    expect(fieldsRefused({ ...content, price: 0, pwyw: true })).toEqual([]);
    expect(fieldsRefused({ ...content, pwyw: 'yes' })).toEqual(['pwyw']);
  });

  it('subscriptions: interval required, interval_count 1–52, trial_days 0–365, never refundable', () => {
    expect(fieldsRefused({ ...subscription, interval: undefined })).toEqual(['interval']);
    expect(fieldsRefused({ ...subscription, interval: 'fortnight' })).toEqual(['interval']);
    expect(fieldsRefused({ ...subscription, interval_count: 52, trial_days: 365 })).toEqual([]);
    expect(fieldsRefused({ ...subscription, interval_count: 53 })).toEqual(['interval_count']);
    expect(fieldsRefused({ ...subscription, interval_count: 0 })).toEqual(['interval_count']);
    expect(fieldsRefused({ ...subscription, interval_count: 1.5 })).toEqual(['interval_count']);
    expect(fieldsRefused({ ...subscription, trial_days: 366 })).toEqual(['trial_days']);
    expect(fieldsRefused({ ...subscription, refundable: true })).toEqual(['refundable']);
    expect(fieldsRefused({ ...subscription, refundable: false })).toEqual([]);
  });

  it('subscription fields on a one-off payment are a mistake', () => {
    expect(fieldsRefused({ ...content, interval: 'month' })).toEqual(['interval']);
    expect(fieldsRefused({ ...content, trial_days: 7 })).toEqual(['trial_days']);
  });

  it(`metadata up to ${LIMITS.maxMetadataBytes} bytes of JSON, counted in UTF-8`, () => {
    const fits = { note: 'x'.repeat(LIMITS.maxMetadataBytes - '{"note":""}'.length) };
    expect(fieldsRefused({ ...content, metadata: fits })).toEqual([]);
    expect(fieldsRefused({ ...content, metadata: { ...fits, n: 1 } })).toEqual(['metadata']);
    // Two bytes per "é": half as many characters fit.
    expect(fieldsRefused({ ...content, metadata: { note: 'é'.repeat(600) } })).toEqual(['metadata']);
    expect(fieldsRefused({ ...content, metadata: { nested: { no: 1 } } })).toEqual(['metadata.nested']);
  });

  it('URLs for cover and success_url', () => {
    expect(fieldsRefused({ ...content, cover: 'javascript:alert(1)' })).toEqual(['cover']);
    expect(fieldsRefused({ ...content, success_url: 'not a url' })).toEqual(['success_url']);
  });

  it('text that is not valid UTF-8 (a lone surrogate) is refused before Uhmi answers 415', () => {
    expect(isWellFormedText('Café 😀')).toBe(true);
    expect(isWellFormedText('broken \uD83D')).toBe(false);
    expect(fieldsRefused({ ...content, title: 'broken \uD83D' })).toEqual(['title']);
    expect(fieldsRefused({ ...content, metadata: { k: '\uDE00' } })).toEqual(['metadata']);
  });
});

describe('update payment', () => {
  it('takes any subset and checks what it is given', () => {
    expect(fieldsRefused({}, updatePaymentRequestSchema)).toEqual([]);
    expect(fieldsRefused({ title: 'New' }, updatePaymentRequestSchema)).toEqual([]);
    expect(fieldsRefused({ price: 200 }, updatePaymentRequestSchema)).toEqual(['price']);
    expect(fieldsRefused({ type: 'subscription', refundable: true }, updatePaymentRequestSchema)).toEqual([
      'refundable',
    ]);
    expect(fieldsRefused({ type: 'content', interval: 'week' }, updatePaymentRequestSchema)).toEqual([
      'interval',
    ]);
  });
});
