import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';
import { payAtCashier, paidTransaction, signedNotification } from '../helpers/wechatpay';
import { waitUntil } from '../helpers/wait';

/** An order is paid once, whatever arrives at the same moment: copies of a notification, the order page's queries, the owner's handover. */
let t: TestContext;
let villager: string;
let owner: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { safeguards: { maxOpenUnitsPerUser: 1000, maxOpenUnitsPerSku: 1000 } } });
  [villager, owner] = await Promise.all([t.login('demo_villager'), t.login('demo_owner')]);
});
afterAll(async () => t.stop());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const count = async (sql: string, args: unknown[]) => Number(((await t.deps.db.query(sql, args))[0] as { n: number }[])[0].n);
const onlineOrder = async () => {
  const res = await t.http.post('/api/v1/orders').set(auth(villager)).set('Idempotency-Key', `k-${randomBytes(8).toString('hex')}`)
    .send({ storeId: 'DEMO-001', items: [{ skuId: 'WM-MIDEA-1-A', units: 1 }], payment: 'online' });
  expect(res.status).toBe(201);
  const paid = await t.http.post(`/api/v1/orders/${res.body.id}/pay`).set(auth(villager));
  expect(paid.status).toBe(200);
  return { orderId: res.body.id as string, pickupCode: res.body.pickupCode as string, ...(paid.body as { paymentId: string; amountFen: number; params: { package: string } & Record<string, string> }) };
};

describe('exactly once under concurrency', () => {
  it('when 30 copies of a notification and 10 order-page polls arrive together, then one payment, one order update, one event, one record', async () => {
    t.emulator.pay.faults.drop = 1; // the emulator's own notification stays out of the way
    const o = await onlineOrder();
    expect((await payAtCashier(t.emulator.url, o.params)).status).toBe(200);
    const trade = t.emulator.pay.trades.get(o.paymentId)!;
    const n = signedNotification(t.emulator.payKeys, paidTransaction({ appId: t.config.wechat.appId, mchId: t.emulator.payKeys.mchId, outTradeNo: o.paymentId, amountFen: o.amountFen, transactionId: trade.transaction_id! }));
    const results = await Promise.all([
      ...Array.from({ length: 30 }, () => t.http.post('/api/v1/wechatpay/notify').set(n.headers).send(n.body)),
      ...Array.from({ length: 10 }, () => t.http.get(`/api/v1/payments/${o.paymentId}`).set(auth(villager))),
    ]);
    t.emulator.pay.faults.drop = 0;
    expect(results.slice(0, 30).map((r) => r.status)).toEqual(Array(30).fill(204));
    expect(results.slice(30).every((r) => r.status === 200)).toBe(true);
    expect(await count("SELECT COUNT(*) AS n FROM payments WHERE id = ? AND status = 'paid'", [o.paymentId])).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM order_audit WHERE order_id = ? AND action = 'paid_online'", [o.orderId])).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM outbox_events WHERE type = 'payment.paid' AND aggregate_id = ?", [o.paymentId])).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM payment_notifications WHERE out_trade_no = ?', [o.paymentId])).toBe(1);
  });

  it('when the owner hands an unpaid online order over for cash while its payment lands, then it is never both: paid online and paid in cash', async () => {
    for (let round = 0; round < 6; round++) {
      const o = await onlineOrder();
      await payAtCashier(t.emulator.url, o.params);
      const trade = t.emulator.pay.trades.get(o.paymentId)!;
      const n = signedNotification(t.emulator.payKeys, paidTransaction({ appId: t.config.wechat.appId, mchId: t.emulator.payKeys.mchId, outTradeNo: o.paymentId, amountFen: o.amountFen, transactionId: trade.transaction_id! }));
      const [confirm, notified] = await Promise.all([
        t.http.post(`/api/v1/store/pickups/${o.orderId}/confirm`).set(auth(owner)).send({ paymentMethod: 'cash' }),
        t.http.post('/api/v1/wechatpay/notify').set(n.headers).send(n.body),
      ]);
      expect(notified.status).toBe(204);
      const [rows] = await t.deps.db.query('SELECT status, paid_at AS paidAt, payment_method AS method FROM orders WHERE id = ?', [o.orderId]);
      const order = (rows as { status: string; paidAt: Date | null; method: string | null }[])[0];
      if (confirm.status === 200) {
        // Handed over for cash first: the online payment is not taken for the order, it goes back.
        expect(order).toMatchObject({ status: 'picked_up', paidAt: null, method: 'cash' });
        await waitUntil('the payment refunded', async () => count("SELECT COUNT(*) AS n FROM payments WHERE id = ? AND status = 'refunded'", [o.paymentId]).then((x) => x === 1));
      } else {
        expect([confirm.status, confirm.body.error.code]).toEqual([409, 'ORDER_PREPAID']);
        expect(order.status).toBe('awaiting_pickup');
        expect(order.paidAt).toBeInstanceOf(Date);
      }
    }
  });
});
