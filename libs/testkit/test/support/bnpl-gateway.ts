import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  sendJson,
  startLoopbackServer,
  type LoopbackServer,
  type RecordedRequest,
} from '../../src/loopback.js';

/**
 * A small stateful buy-now-pay-later gateway shaped like Postpay (seed 003): Basic auth, checkouts that the buyer
 * approves, capture that finalises an approval, merchant-chosen refund ids, no idempotency keys. It lets the
 * conformance suite's keyless paths run against real state before a real driver exists.
 */
export type OrderStatus =
  'pending' | 'approved' | 'denied' | 'captured' | 'partially_refunded' | 'refunded' | 'cancelled';

export interface BnplOrder {
  order_id: string;
  status: OrderStatus;
  total_amount: number;
  currency: string;
  order_ref: string;
  captured_amount: number;
  refunded_amount: number;
  redirect_url: string;
}

export interface BnplRefund {
  refund_id: string;
  order_id: string;
  amount: number;
}

export interface BnplGateway {
  readonly server: LoopbackServer;
  readonly url: string;
  readonly orders: Map<string, BnplOrder>;
  /** An order put straight into `status`, as if the buyer had acted on the hosted page. */
  order(status: OrderStatus, amount?: number): BnplOrder;
  close(): Promise<void>;
}

const error = (response: ServerResponse, status: number, code: string, message: string) =>
  sendJson(response, status, { error: { code, message } });

export async function startBnplGateway(merchantId: string, secretKey: string): Promise<BnplGateway> {
  const orders = new Map<string, BnplOrder>();
  const refunds: BnplRefund[] = [];
  const customers = new Map<string, { id: string; email: string }>();
  const expected = `Basic ${Buffer.from(`${merchantId}:${secretKey}`).toString('base64')}`;

  function order(status: OrderStatus, amount = 2999): BnplOrder {
    const id = `ord_${randomBytes(6).toString('hex')}`;
    const made: BnplOrder = {
      order_id: id,
      status,
      total_amount: amount,
      currency: 'AED',
      order_ref: `ref-${id}`,
      captured_amount: status === 'captured' ? amount : 0,
      refunded_amount: 0,
      redirect_url: `https://checkout.bnpl.example/${id}`,
    };
    orders.set(id, made);
    return made;
  }

  function route(request: RecordedRequest, response: ServerResponse): void {
    if (request.headers.authorization !== expected) {
      return error(response, 401, 'authentication_failed', 'Invalid authentication credentials.');
    }
    const [, first, id, action] = request.path.split('/');
    const body = (request.json ?? {}) as Record<string, unknown>;
    if (request.method === 'POST' && first === 'checkouts') {
      const made = order('pending', Number(body.total_amount));
      made.currency = String(body.currency);
      made.order_ref = String(body.order_ref);
      return sendJson(response, 201, made);
    }
    if (first === 'customers') {
      if (request.method === 'POST' && !id) {
        const customer = { id: `cus_${randomBytes(6).toString('hex')}`, email: String(body.email) };
        customers.set(customer.id, customer);
        return sendJson(response, 201, customer);
      }
      const customer = customers.get(id ?? '');
      if (!customer) return error(response, 404, 'not_found', 'Not found.');
      if (action === 'methods') return sendJson(response, 200, { count: 0, next: null, results: [] });
      return sendJson(response, 200, customer);
    }
    const found = first === 'orders' ? orders.get(id ?? '') : undefined;
    if (!found) return error(response, 404, 'not_found', 'Not found.');
    if (request.method === 'GET' && !action) return sendJson(response, 200, found);
    if (request.method === 'POST' && action === 'capture') {
      if (found.status !== 'approved')
        return error(response, 409, 'invalid_status', 'Order is not approved.');
      found.status = 'captured';
      found.captured_amount = found.total_amount;
      return sendJson(response, 200, found);
    }
    if (request.method === 'POST' && action === 'cancel') {
      if (found.status !== 'pending')
        return error(response, 409, 'invalid_status', 'Order cannot be cancelled.');
      found.status = 'cancelled';
      return sendJson(response, 200, found);
    }
    if (action === 'refunds' && request.method === 'GET') {
      const wanted = request.query.get('refund_id');
      const list = refunds.filter(
        (r) => r.order_id === found.order_id && (!wanted || r.refund_id === wanted),
      );
      return sendJson(response, 200, { count: list.length, next: null, results: list });
    }
    if (action === 'refunds' && request.method === 'POST') {
      const refundId = String(body.refund_id ?? '');
      if (!refundId) return error(response, 400, 'invalid', 'Invalid input.');
      if (refunds.some((r) => r.refund_id === refundId)) {
        return error(response, 409, 'conflict', 'A refund with this refund_id exists.');
      }
      if (found.status !== 'captured' && found.status !== 'partially_refunded') {
        return error(response, 409, 'invalid_status', 'Order is not captured.');
      }
      const left = found.captured_amount - found.refunded_amount;
      const amount = body.amount === undefined ? left : Number(body.amount);
      if (amount > left) return error(response, 409, 'limit_exceeded', 'Refund exceeds the captured total.');
      const made = { refund_id: refundId, order_id: found.order_id, amount };
      refunds.push(made);
      found.refunded_amount += amount;
      found.status = found.refunded_amount === found.captured_amount ? 'refunded' : 'partially_refunded';
      return sendJson(response, 201, made);
    }
    error(response, 405, 'method_not_allowed', 'HTTP method not allowed.');
  }

  const server = await startLoopbackServer(route);
  return { server, url: server.url, orders, order, close: () => server.close() };
}
