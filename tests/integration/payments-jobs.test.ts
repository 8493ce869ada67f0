import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';
import { payAtCashier } from '../helpers/wechatpay';
import { waitUntil } from '../helpers/wait';
import { dispatchOutbox, publishEvent } from '../../server/src/lib/outbox';
import { withTransaction } from '../../server/src/lib/db';
import { subscribers } from '../../server/src/modules/subscribers';
import { closeUnpaidOrders, queryPendingPayments } from '../../server/src/modules/payments/jobs';
import { followRefunds } from '../../server/src/modules/payments/refunds';
import { reconcileBill } from '../../server/src/modules/payments/reconcile';
import { uploadDueShipments } from '../../server/src/modules/payments/shipping';
import { wechatPay } from '../../server/src/modules/payments/wechatpay';

/**
 * The payments module's jobs and reactions, each run by hand (jobs off) so every step is seen:
 * pending payments asked about, unpaid orders closed, refunds followed, shipping info uploaded,
 * the trade bill reconciled; and the outbox subscribers on cancel, expiry, after-sales and handover.
 */
let t: TestContext;
let villager: string;
let owner: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true, jobs: false, overrides: { safeguards: { maxOpenUnitsPerUser: 1000, maxOpenUnitsPerSku: 1000 } } });
  [villager, owner] = await Promise.all([t.login('demo_villager'), t.login('demo_owner')]);
});
afterAll(async () => t.stop());
beforeEach(() => {
  Object.assign(t.emulator.pay.faults, { drop: 0, duplicate: 0, delayMs: 0, reorder: false, serverErrors: 0, refundOutcome: 'SUCCESS' });
  t.emulator.pay.settings.shippingLagMs = 0;
});

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const SKU = 'SK-JOYOUNG-1-A';
const count = async (sql: string, args: unknown[] = []) => Number(((await t.deps.db.query(sql, args))[0] as { n: number }[])[0].n);
const one = async <T>(sql: string, args: unknown[]) => ((await t.deps.db.query(sql, args))[0] as T[])[0];
const available = () => one<{ available: number }>('SELECT available FROM skus WHERE id = ?', [SKU]).then((r) => r.available);
const payment = (id: string) => one<{ status: string; refunded_fen: number; refund_reserved_fen: number; amount_fen: number }>('SELECT * FROM payments WHERE id = ?', [id]);
const drain = async () => {
  for (let i = 0; i < 20 && (await dispatchOutbox(t.deps, subscribers)) > 0; i++);
};
const onlineOrder = async () => {
  const res = await t.http.post('/api/v1/orders').set(auth(villager)).set('Idempotency-Key', `k-${randomBytes(8).toString('hex')}`)
    .send({ storeId: 'DEMO-001', items: [{ skuId: SKU, units: 1 }], payment: 'online' });
  expect(res.status).toBe(201);
  return res.body as { id: string; pickupCode: string; price: { payableFen: number } };
};
const startPaying = async (orderId: string) => (await t.http.post(`/api/v1/orders/${orderId}/pay`).set(auth(villager))).body as { paymentId: string; amountFen: number; params: { package: string } & Record<string, string> };
const paidOrder = async () => {
  const order = await onlineOrder();
  const p = await startPaying(order.id);
  await payAtCashier(t.emulator.url, p.params);
  await waitUntil('paid', async () => (await payment(p.paymentId)).status === 'paid');
  return { order, ...p };
};
const backdate = (table: 'orders' | 'payments', id: string, minutes: number) => t.deps.db.query(`UPDATE ${table} SET created_at = NOW(3) - INTERVAL ? MINUTE WHERE id = ?`, [minutes, id]);

describe('pending payments', () => {
  it('when a payment waits more than 5 minutes and its notifications were lost, then the job asks WeChat Pay and applies it once', async () => {
    t.emulator.pay.faults.drop = 1;
    const order = await onlineOrder();
    const p = await startPaying(order.id);
    await payAtCashier(t.emulator.url, p.params);
    await queryPendingPayments(t.deps);
    expect((await payment(p.paymentId)).status).toBe('created');
    await backdate('payments', p.paymentId, 6);
    await queryPendingPayments(t.deps);
    expect((await payment(p.paymentId)).status).toBe('paid');
    await queryPendingPayments(t.deps);
    expect(await count("SELECT COUNT(*) AS n FROM outbox_events WHERE type = 'payment.paid' AND aggregate_id = ?", [p.paymentId])).toBe(1);
  });
});

describe('closing unpaid orders', () => {
  it('when an online order is not paid within its window, then WeChat Pay\'s side is closed, the order expires and its units come back, once', async () => {
    const before = await available();
    const order = await onlineOrder();
    const p = await startPaying(order.id);
    const neverPressedPay = await onlineOrder();
    expect(await available()).toBe(before - 2);
    await closeUnpaidOrders(t.deps);
    expect((await one<{ status: string }>('SELECT status FROM orders WHERE id = ?', [order.id])).status).toBe('awaiting_pickup');
    await backdate('orders', order.id, 31);
    await backdate('orders', neverPressedPay.id, 31);
    await Promise.all([closeUnpaidOrders(t.deps), closeUnpaidOrders(t.deps)]);
    expect(t.emulator.pay.trades.get(p.paymentId)!.trade_state).toBe('CLOSED');
    expect((await payment(p.paymentId)).status).toBe('closed');
    for (const id of [order.id, neverPressedPay.id]) expect((await one<{ status: string }>('SELECT status FROM orders WHERE id = ?', [id])).status).toBe('expired');
    expect(await available()).toBe(before);
    expect((await payAtCashier(t.emulator.url, p.params)).status).toBe(400);
    expect((await t.http.post(`/api/v1/orders/${order.id}/pay`).set(auth(villager))).body.error.code).toBe('ORDER_NOT_PAYABLE');
  });

  it('when the user paid just before the window closed but WeChat\'s notification is late, then the close finds it paid and the order is kept', async () => {
    t.emulator.pay.faults.drop = 1;
    const order = await onlineOrder();
    const p = await startPaying(order.id);
    await payAtCashier(t.emulator.url, p.params);
    await backdate('orders', order.id, 31);
    await closeUnpaidOrders(t.deps);
    expect((await payment(p.paymentId)).status).toBe('paid');
    expect(await one('SELECT status, paid_at IS NOT NULL AS paid FROM orders WHERE id = ?', [order.id])).toEqual({ status: 'awaiting_pickup', paid: 1 });
  });
});

describe('refunds', () => {
  it('when a paid order is cancelled, then it is refunded in full with its own out_refund_no; the event handled twice refunds once', async () => {
    const p = await paidOrder();
    expect((await t.http.post(`/api/v1/orders/${p.order.id}/cancel`).set(auth(villager))).status).toBe(200);
    await drain();
    await waitUntil('refunded', async () => (await payment(p.paymentId)).status === 'refunded');
    await t.deps.db.query("UPDATE outbox_deliveries SET status = 'pending', next_attempt_at = NOW(3) WHERE subscriber = 'payments.settle-closed-order'");
    await drain();
    expect(await count('SELECT COUNT(*) AS n FROM payment_refunds WHERE payment_id = ?', [p.paymentId])).toBe(1);
    const wechatRefunds = [...t.emulator.pay.refunds.values()].filter((r) => r.out_trade_no === p.paymentId);
    expect(wechatRefunds).toEqual([expect.objectContaining({ refund: p.amountFen, status: 'SUCCESS' })]);
    expect(await count("SELECT COUNT(*) AS n FROM outbox_events WHERE type = 'payment.refunded' AND aggregate_id = ?", [p.paymentId])).toBe(1);
    const view = (await t.http.get(`/api/v1/payments/${p.paymentId}`).set(auth(villager))).body;
    expect(view).toMatchObject({ status: 'refunded', refundedFen: p.amountFen, refunds: [{ status: 'success', reason: '订单已取消，款项原路退回' }] });
  });

  it('when an unpaid order is cancelled, then its WeChat transaction is closed so it cannot be paid afterwards', async () => {
    const order = await onlineOrder();
    const p = await startPaying(order.id);
    expect((await t.http.post(`/api/v1/orders/${order.id}/cancel`).set(auth(villager))).status).toBe(200);
    await drain();
    expect((await payment(p.paymentId)).status).toBe('closed');
    expect((await payAtCashier(t.emulator.url, p.params)).status).toBe(400);
  });

  it('when after-sales refunds come for an order paid online, then each is a partial refund of its own, never more than paid in all', async () => {
    const p = await paidOrder();
    const third = Math.floor(p.amountFen / 3);
    const refunded = (refundId: string, amountFen: number, method = 'online') =>
      withTransaction(t.deps.db, (conn) => publishEvent(conn, 'order.refunded', p.order.id, { orderId: p.order.id, refundId, amountFen, method }));
    await refunded('AS-1', third);
    await refunded('AS-1', third); // the same after-sales refund told twice
    await refunded('AS-2', third);
    await refunded('AS-3', p.amountFen); // more than is left: not sent
    await refunded('AS-4', third, 'cash'); // the store gave cash back: nothing online
    await drain();
    await waitUntil('two refunds done', async () => (await payment(p.paymentId)).refunded_fen === 2 * third);
    expect(await payment(p.paymentId)).toMatchObject({ status: 'paid', refund_reserved_fen: 2 * third });
    expect(await count('SELECT COUNT(*) AS n FROM payment_refunds WHERE payment_id = ?', [p.paymentId])).toBe(2);
    expect([...t.emulator.pay.refunds.values()].filter((r) => r.out_trade_no === p.paymentId).map((r) => r.refund)).toEqual([third, third]);
  });

  it('when WeChat Pay does not answer a refund, then it stays requested and the job sends it again with the same out_refund_no; a lost outcome is asked for', async () => {
    const p = await paidOrder();
    t.emulator.pay.faults.serverErrors = 1;
    expect((await t.http.post(`/api/v1/orders/${p.order.id}/cancel`).set(auth(villager))).status).toBe(200);
    await drain();
    const [refund] = ((await t.deps.db.query('SELECT id, status FROM payment_refunds WHERE payment_id = ?', [p.paymentId]))[0] as { id: string; status: string }[]);
    expect(refund.status).toBe('requested');
    expect((await payment(p.paymentId)).status).toBe('refunding');
    t.emulator.pay.faults.serverErrors = 0;
    t.emulator.pay.faults.drop = 1; // its outcome will not be notified either
    await t.deps.db.query('UPDATE payment_refunds SET next_attempt_at = NOW(3) WHERE id = ?', [refund.id]);
    await followRefunds(t.deps);
    expect((await one<{ status: string }>('SELECT status FROM payment_refunds WHERE id = ?', [refund.id])).status).toBe('processing');
    expect(t.emulator.pay.refunds.get(refund.id)).toBeDefined();
    await waitUntil('WeChat settled it', () => t.emulator.pay.refunds.get(refund.id)!.status === 'SUCCESS');
    await t.deps.db.query('UPDATE payment_refunds SET next_attempt_at = NOW(3) WHERE id = ?', [refund.id]);
    await followRefunds(t.deps);
    expect((await payment(p.paymentId)).status).toBe('refunded');
  });

  it('when WeChat closes a refund, then the reservation comes back and the payment is paid again', async () => {
    t.emulator.pay.faults.refundOutcome = 'CLOSED';
    const p = await paidOrder();
    expect((await t.http.post(`/api/v1/orders/${p.order.id}/cancel`).set(auth(villager))).status).toBe(200);
    await drain();
    await waitUntil('closed', async () => (await one<{ status: string }>('SELECT status FROM payment_refunds WHERE payment_id = ?', [p.paymentId])).status === 'closed');
    expect(await payment(p.paymentId)).toMatchObject({ status: 'paid', refund_reserved_fen: 0, refunded_fen: 0 });
  });
});

describe('shipping info', () => {
  it('when a paid order is handed over, then its shipping info is uploaded as self pickup, retried until WeChat has the payment', async () => {
    const p = await paidOrder();
    t.emulator.pay.settings.shippingLagMs = 60_000; // WeChat has not indexed the payment yet: 10060001
    const confirm = await t.http.post(`/api/v1/store/pickups/${p.order.id}/confirm`).set(auth(owner)).send({ paymentMethod: 'prepaid' });
    expect(confirm.status).toBe(200);
    await drain();
    const pending = await one<{ status: string; last_error: string; attempts: number }>('SELECT status, last_error, attempts FROM payment_shipments WHERE payment_id = ?', [p.paymentId]);
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.stringContaining('10060001') });
    t.emulator.pay.settings.shippingLagMs = 0;
    await waitUntil('uploaded by the job', async () => {
      await uploadDueShipments(t.deps);
      return (await one<{ status: string }>('SELECT status FROM payment_shipments WHERE payment_id = ?', [p.paymentId])).status === 'uploaded';
    });
    expect(t.emulator.pay.shipping.filter((s) => s.outTradeNo === p.paymentId)).toEqual([expect.objectContaining({ logisticsType: 4, itemDesc: expect.stringContaining('*1') })]);
  });
});

describe('reconciliation with the trade bill', () => {
  it('when the bill and our records differ, then every mismatch is recorded once, with the metric', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const matching = await paidOrder();
    const refundedOrder = await paidOrder();
    expect((await t.http.post(`/api/v1/orders/${refundedOrder.order.id}/cancel`).set(auth(villager))).status).toBe(200);
    await drain();
    await waitUntil('refunded', async () => (await payment(refundedOrder.paymentId)).status === 'refunded');
    // Paid at WeChat Pay under an out_trade_no we never made.
    const stranger = `X${Date.now()}`;
    const prepayId = await wechatPay(t.deps).prepayJsapi({ outTradeNo: stranger, description: '陌生', amountFen: 100, openid: 'demo_villager', timeExpire: new Date(Date.now() + 600_000) });
    await payAtCashier(t.emulator.url, wechatPay(t.deps).requestPaymentParams(prepayId));
    // Paid here, unknown there; and an amount that differs.
    const ghost = await paidOrder();
    t.emulator.pay.trades.delete(ghost.paymentId);
    await t.deps.db.query('UPDATE payments SET amount_fen = amount_fen + 1 WHERE id = ?', [matching.paymentId]);

    const first = await reconcileBill(t.deps, today);
    const kinds = first.mismatches.map((m) => `${m.kind}:${m.ref}`).sort();
    expect(kinds).toEqual([`amount_differs:${matching.paymentId}`, `missing_here:${stranger}`, `missing_there:${ghost.paymentId}`].sort());
    expect(first.mismatches.find((m) => m.kind === 'amount_differs')).toMatchObject({ hereFen: matching.amountFen + 1, thereFen: matching.amountFen });
    await reconcileBill(t.deps, today);
    expect(await count('SELECT COUNT(*) AS n FROM payment_mismatches WHERE bill_date = ?', [today])).toBe(3);
    expect(await count('SELECT COUNT(*) AS n FROM payment_bill_runs WHERE bill_date = ?', [today])).toBe(1);
    const metrics = await t.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/wechatpay_reconciliation_mismatches\{kind="missing_here"\} 1/);
    expect(metrics).toMatch(/wechatpay_reconciliation_mismatches\{kind="missing_there"\} 1/);
  });
});
