import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readmeExamples, sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { connect, refundOnce } from '../examples/gateway-api.js';
import { main as moneyExample } from '../examples/money.js';
import { answerFor } from '../examples/next-action.js';
import { nextStep } from '../examples/status.js';
import { main as signaturesExample } from '../examples/webhook-signatures.js';

const packageDir = path.join(__dirname, '..');

describe('README', () => {
  it('shows every example file verbatim, and only examples', () => {
    const examples = readmeExamples(packageDir);
    const files = readdirSync(path.join(packageDir, 'examples')).map((name) => `examples/${name}`);
    expect(examples.map((e) => e.file).sort()).toEqual(files.sort());
    for (const example of examples) expect(example.block).toBe(example.source);
    const tsBlocks = readFileSync(path.join(packageDir, 'README.md'), 'utf8').match(/^```ts$/gm) ?? [];
    expect(tsBlocks).toHaveLength(examples.length);
  });

  it('money example prints what its comments say', () => {
    expect(moneyExample()).toEqual(['12300', '5', '1500', 'invalid_amount']);
  });

  it('next action: redirect, auto-submitting form, widget, or the order page', () => {
    expect(
      answerFor({ type: 'redirect', url: 'https://pay.example/c/1', method: 'GET' }, '/orders/1'),
    ).toEqual({
      status: 303,
      headers: { location: 'https://pay.example/c/1' },
      body: '',
    });
    const form = answerFor(
      { type: 'redirect', url: 'https://acs.example/3ds', method: 'POST', fields: { PaReq: 'a"b<c' } },
      '/orders/1',
    );
    expect(form.body).toContain('<form method="post" action="https://acs.example/3ds">');
    expect(form.body).toContain('name="PaReq" value="a&#34;b&#60;c"');
    const widget = answerFor(
      { type: 'widget', script: 'https://widget.example/w.js', params: { payment: 'p_1' } },
      '/orders/1',
    );
    expect(widget.body).toContain('<script src="https://widget.example/w.js"></script>');
    expect(widget.body).toContain('&#34;payment&#34;:&#34;p_1&#34;');
    expect(answerFor({ type: 'none' }, '/orders/1').headers).toEqual({ location: '/orders/1' });
  });

  it('webhook signatures: fresh HMAC verified, a replay refused by its timestamp, a digest verified', async () => {
    expect(await signaturesExample()).toEqual([
      'hmac: verified',
      'hmac: timestamp_out_of_tolerance',
      'digest: verified',
    ]);
  });

  it('status: one vocabulary decides the next step', () => {
    const order = { amount: 2999, currency: 'AED', captureMode: 'automatic' as const };
    const bnpl = { captureOnApproval: true, amountPolicy: 'exact' as const };
    const approved = { status: 'authorized' as const, amount: 2999, currency: 'AED', capturedAmount: 0 };
    expect(nextStep(approved, order, bnpl)).toBe('capture now (an approval is not a sale)');
    expect(nextStep({ ...approved, status: 'paid', capturedAmount: 2999 }, order, bnpl)).toBe(
      'fulfil; refunds possible',
    );
    expect(nextStep({ ...approved, status: 'pending' }, order, bnpl)).toBe(
      'wait; the reconciler re-reads it',
    );
    expect(nextStep({ ...approved, amount: 3500 }, order, bnpl)).toBe('refuse: amount or currency differs');
    const tips = { captureOnApproval: false, amountPolicy: 'at_least' as const };
    expect(nextStep({ ...approved, status: 'paid', amount: 3500 }, order, tips)).toBe(
      'fulfil; refunds possible',
    );
    expect(nextStep(approved, { ...order, captureMode: 'manual' }, bnpl)).toBe('nothing to do (authorized)');
  });

  describe('gateway API: a refund whose answer is lost is found, not sent again', () => {
    const refunds: Array<{ refund_id: string; amount: number }> = [];
    let gateway: LoopbackServer;
    beforeAll(async () => {
      gateway = await startLoopbackServer((request, response, socket) => {
        if (request.method === 'POST') {
          refunds.push(request.json as { refund_id: string; amount: number });
          // The gateway refunded, then the connection dropped before the answer.
          return void socket.destroy();
        }
        const wanted = request.query.get('refund_id');
        sendJson(response, 200, { next: null, results: refunds.filter((r) => r.refund_id === wanted) });
      });
    });
    afterAll(() => gateway.close());

    it('answers the refund the gateway made, with one POST', async () => {
      const postpay = connect(gateway.url, 'id_merchant', 'sk_test_readmeExampleKey123');
      await expect(refundOnce(postpay, 'ord_1', 'rf_ord_1_1', 500)).resolves.toEqual({
        refund_id: 'rf_ord_1_1',
        amount: 500,
      });
      expect(gateway.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
      expect(gateway.requests[0]?.headers.authorization).toMatch(/^Basic /);
      expect(gateway.requests[0]?.headers.accept).toBe('application/vnd.postpay+json; version=v1');
      expect(refunds).toHaveLength(1);
    });
  });
});
