import { ORDER_LIST, HOOK_LIST } from '@tijara/postpay';
import {
  applyListQuery,
  FilterError,
  InvalidPageError,
  pageBody,
  type Accessors,
} from '../src/gateways/postpay/list-query.js';

interface Row {
  order_id: string;
  status: string;
  total_amount: number;
  currency: string;
  created: string;
}

const rows: Row[] = [
  {
    order_id: 'o-1',
    status: 'captured',
    total_amount: 81480,
    currency: 'AED',
    created: '2020-05-08T10:53:57Z',
  },
  {
    order_id: 'o-2',
    status: 'denied',
    total_amount: 10050,
    currency: 'AED',
    created: '2020-05-20T23:10:00Z',
  },
  {
    order_id: 'o-3',
    status: 'pending',
    total_amount: 5000,
    currency: 'SAR',
    created: '2020-05-21T08:00:00Z',
  },
  {
    order_id: 'o-4',
    status: 'captured',
    total_amount: 12000,
    currency: 'AED',
    created: '2021-01-03T10:00:00Z',
  },
];
const accessors: Accessors<Row> = {
  order_id: (r) => r.order_id,
  status: (r) => r.status,
  total_amount: (r) => r.total_amount,
  currency: (r) => r.currency,
  created: (r) => r.created,
};
const ids = (query: string) =>
  applyListQuery(rows, new URLSearchParams(query), ORDER_LIST, accessors, '-created').results.map(
    (r) => r.order_id,
  );

describe('Postpay list queries in the sandbox', () => {
  it('applies the seed’s example filters', () => {
    expect(ids('order_id=o-1')).toEqual(['o-1']);
    expect(ids('status__in=captured,denied')).toEqual(['o-4', 'o-2', 'o-1']);
    expect(ids('total_amount__gte=10050')).toEqual(['o-4', 'o-2', 'o-1']);
    expect(ids('currency=AED&total_amount__lt=20000')).toEqual(['o-4', 'o-2']);
    expect(ids('created__date__gt=2020-05-20')).toEqual(['o-4', 'o-3']);
    expect(ids('created__year=2020&created__month=5&created__day__lte=20')).toEqual(['o-2', 'o-1']);
    expect(ids('created__week_day=1')).toEqual(['o-4']); // 2021-01-03 was a Sunday: Django's 1
    expect(ids('created__hour__gte=10')).toEqual(['o-4', 'o-2', 'o-1']);
    expect(ids('created__gte=2020-05-21T00:00:00Z')).toEqual(['o-4', 'o-3']);
  });

  it('orders by documented fields, ignores the rest, and ignores unknown filters as Django does', () => {
    expect(ids('ordering=total_amount')).toEqual(['o-3', 'o-2', 'o-4', 'o-1']);
    expect(ids('ordering=-total_amount')).toEqual(['o-1', 'o-4', 'o-2', 'o-3']);
    expect(ids('ordering=status')).toEqual(['o-4', 'o-3', 'o-2', 'o-1']);
    expect(ids('colour=red')).toHaveLength(4);
  });

  it('answers a bad value with the field’s message', () => {
    let error: unknown;
    try {
      ids('total_amount__gt=lots&created__date=2020-99-01&created__lt=yesterday');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FilterError);
    expect((error as FilterError).fields).toEqual({
      total_amount__gt: ['Enter a number.'],
      created__date: ['Enter a valid date.'],
      created__lt: ['Enter a valid date/time.'],
    });
  });

  it('pages 20 by default, at most 50, with links that keep the query', () => {
    const many = Array.from({ length: 120 }, (_, i) => ({
      ...rows[0]!,
      order_id: `o-${i}`,
      total_amount: i,
    }));
    const query = (q: string) =>
      applyListQuery(many, new URLSearchParams(q), ORDER_LIST, accessors, 'total_amount');
    expect(query('').results).toHaveLength(20);
    expect(query('page_size=500').results).toHaveLength(50);
    const page = query('page=2&page_size=50&status=captured');
    expect(page.results[0]!.total_amount).toBe(50);
    const body = pageBody(
      page,
      new URL('http://127.0.0.1/postpay/orders?page=2&page_size=50&status=captured'),
      (r) => r.order_id,
    );
    expect(body).toMatchObject({
      count: 120,
      next: 'http://127.0.0.1/postpay/orders?page=3&page_size=50&status=captured',
      previous: 'http://127.0.0.1/postpay/orders?page_size=50&status=captured',
    });
    expect(
      pageBody(query('page=3&page_size=50'), new URL('http://h/o?page=3&page_size=50'), (r) => r).next,
    ).toBeNull();
    expect(() => query('page=4&page_size=50')).toThrow(InvalidPageError);
    expect(() => query('page=0')).toThrow(InvalidPageError);
  });

  it('filters lists and booleans (hooks)', () => {
    const hooks = [
      { id: 'h1', events: ['order'], url: 'https://a.example/hooks', active: true, code: 200 },
      { id: 'h2', events: ['order', 'transaction'], url: 'http://b.example/x', active: false, code: 500 },
    ];
    const hookAccessors: Accessors<(typeof hooks)[number]> = {
      id: (h) => h.id,
      events: (h) => h.events,
      url: (h) => h.url,
      active: (h) => h.active,
      last_response_code: (h) => h.code,
      created: () => '2020-05-06T02:14:16Z',
    };
    const hookIds = (q: string) =>
      applyListQuery(hooks, new URLSearchParams(q), HOOK_LIST, hookAccessors, '-created').results.map(
        (h) => h.id,
      );
    expect(hookIds('events__contains=transaction')).toEqual(['h2']);
    expect(hookIds('events=order')).toEqual(['h1']);
    expect(hookIds('url__startswith=https')).toEqual(['h1']);
    expect(hookIds('url__iregex=B\\.EXAMPLE')).toEqual(['h2']);
    expect(hookIds('active=false')).toEqual(['h2']);
    expect(hookIds('last_response_code__in=200,404')).toEqual(['h1']);
  });
});
