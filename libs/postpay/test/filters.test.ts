import { fieldDetailsFromIssues } from '@tijara/core';
import {
  filterKeys,
  HOOK_LIST,
  listQuerySchema,
  MAX_PAGE_SIZE,
  ORDER_LIST,
  parseFilterKey,
  REFUND_LIST,
  TRANSACTION_LIST,
  type ListQuery,
} from '@tijara/postpay';

const orders = listQuerySchema(ORDER_LIST);

function refusal(schema: ReturnType<typeof listQuerySchema>, input: unknown) {
  const result = schema.safeParse(input);
  if (result.success) throw new Error(`expected a refusal of ${JSON.stringify(input)}`);
  return fieldDetailsFromIssues(result.error.issues);
}

describe('list filters', () => {
  it('encodes the seed’s own examples', () => {
    const query: ListQuery<typeof ORDER_LIST> = {
      order_id: 'order-01',
      status__in: ['captured', 'denied'],
      total_amount__gte: 10050,
      currency: 'AED',
      created__date__gt: '2020-05-20',
      ordering: '-created',
    };
    expect(orders.parse(query)).toEqual({
      order_id: 'order-01',
      status__in: 'captured,denied',
      total_amount__gte: 10050,
      currency: 'AED',
      created__date__gt: '2020-05-20',
      ordering: '-created',
    });
    expect(listQuerySchema(TRANSACTION_LIST).parse({ paid__isnull: true, created__hour: 10 })).toEqual({
      paid__isnull: true,
      created__hour: 10,
    });
    expect(listQuerySchema(HOOK_LIST).parse({ url__startswith: 'https', last_response_code: 500 })).toEqual({
      url__startswith: 'https',
      last_response_code: 500,
    });
    expect(listQuerySchema(REFUND_LIST).parse({ description__contains: '@', created__year: 2020 })).toEqual({
      description__contains: '@',
      created__year: 2020,
    });
  });

  it('sends Dates as ISO 8601 and several orderings comma-separated', () => {
    const at = new Date('2020-05-08T10:53:57.095Z');
    expect(
      orders.parse({ created__gte: at, created__date: at, ordering: ['-total_amount', 'created'] }),
    ).toEqual({
      created__gte: '2020-05-08T10:53:57.095Z',
      created__date: '2020-05-08',
      ordering: '-total_amount,created',
    });
  });

  it('refuses what the list does not document instead of sending a filter Django would ignore', () => {
    // The type knows the documented keys too.
    // @ts-expect-error `state` is not a filter of GET /orders
    const typo: ListQuery<typeof ORDER_LIST> = { state: 'captured' };
    // @ts-expect-error a year is a number
    const year: ListQuery<typeof ORDER_LIST> = { created__year: '2020' };
    expect(refusal(orders, typo)).toEqual({ state: ['Unknown field.'] });
    expect(refusal(orders, year)).toEqual({ created__year: ['A valid integer is required.'] });
    expect(refusal(orders, { state: 'captured', total_amount__contains: '1', ordering: 'status' })).toEqual({
      state: ['Unknown field.'],
      total_amount__contains: ['Unknown field.'],
      ordering: ['"status" is not a valid choice.'],
    });
  });

  it('refuses values of the wrong type, in the gateway’s words', () => {
    expect(
      refusal(orders, {
        total_amount__gt: 10.5,
        created__lt: 'yesterday',
        created__date: '2020-13-45',
        created__year: '2020',
        status__in: [],
        order_id: '',
      }),
    ).toEqual({
      total_amount__gt: ['A valid integer is required.'],
      created__lt: [expect.stringContaining('Datetime has wrong format')],
      created__date: [expect.stringContaining('Date has wrong format')],
      created__year: ['A valid integer is required.'],
      status__in: ['Expected a list of items.'],
      order_id: ['This field may not be blank.'],
    });
  });

  it(`keeps page_size within the documented ${MAX_PAGE_SIZE}`, () => {
    expect(orders.parse({ page: 2, page_size: MAX_PAGE_SIZE })).toEqual({ page: 2, page_size: 50 });
    expect(refusal(orders, { page: 0, page_size: 51 })).toEqual({
      page: ['Ensure this value is greater than or equal to 1.'],
      page_size: ['Ensure this value is less than or equal to 50.'],
    });
  });

  it('parses keys the way the sandbox filters on them', () => {
    expect(parseFilterKey('created__date__gt', ORDER_LIST)).toEqual({
      field: 'created',
      kind: 'datetime',
      lookup: 'date',
      comparison: 'gt',
    });
    expect(parseFilterKey('status', ORDER_LIST)).toEqual({
      field: 'status',
      kind: 'string',
      lookup: 'exact',
      comparison: 'exact',
    });
    expect(parseFilterKey('total_amount__gte__gt', ORDER_LIST)).toBeUndefined();
    expect(parseFilterKey('paid__isnull', ORDER_LIST)).toBeUndefined();
    expect(parseFilterKey('paid__isnull', TRANSACTION_LIST)).toMatchObject({ lookup: 'isnull' });
    expect(filterKeys(REFUND_LIST)).toContain('created__week_day__lte');
    for (const key of filterKeys(HOOK_LIST)) expect(parseFilterKey(key, HOOK_LIST)).toBeDefined();
  });
});
