import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';
import { paySignMessage, rsaVerify } from '../../server/src/lib/wechatpay/crypto';
import { payAtCashier, paidTransaction, signedNotification } from '../helpers/wechatpay';
import { waitUntil } from '../helpers/wait';

let t: TestContext;
let villager: string;
let neighbour: string;
let owner: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { safeguards: { maxOpenUnitsPerUser: 1000, maxOpenUnitsPerSku: 1000 } } });
  [villager, neighbour, owner] = await Promise.all([t.login('demo_villager'), t.login('pay_neighbour'), t.login('demo_owner')]);
});
afterAll(async () => t.stop());
beforeEach(() => Object.assign(t.emulator.pay.faults, { drop: 0, duplicate: 0, delayMs: 0, reorder: false, serverErrors: 0, refundOutcome: 'SUCCESS' }));

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const key = () => `k-${randomBytes(8).toString('hex')}`;
const placeOrder = async (token = villager, payment: 'online' | 'on_pickup' = 'online', skuId = 'TV-KONKA-1-A') => {
  const res = await t.http.post('/api/v1/orders').set(auth(token)).set('Idempotency-Key', key()).send({ storeId: 'DEMO-001', items: [{ skuId, units: 1 }], payment });
  expect(res.status).toBe(201);
  return res.body as { id: string; pickupCode: string; price: { payableFen: number }; paymentMode: string };
};
const pay = (orderId: string, token = villager) => t.http.post(`/api/v1/orders/${orderId}/pay`).set(auth(token));
const row = async <T>(sql: string, args: unknown[]) => ((await t.deps.db.query(sql, args))[0] as T[])[0];
const paymentRow = (id: string) => row<{ status: string; transaction_id: string | null; refund_reserved_fen: number; refunded_fen: number }>('SELECT * FROM payments WHERE id = ?', [id]);
const orderRow = (id: string) => row<{ status: string; paid_at: Date | null; payment_mode: string }>('SELECT status, paid_at, payment_mode FROM orders WHERE id = ?', [id]);
const count = async (sql: string, args: unknown[]) => Number((await row<{ n: number }>(sql, args)).n);
const notify = (n: { body: string; headers: Record<string, string> }) => t.http.post('/api/v1/wechatpay/notify').set(n.headers).send(n.body);
const trade = (paymentId: string, amountFen: number, extra: Record<string, unknown> = {}) =>
  ({ ...paidTransaction({ appId: t.config.wechat.appId, mchId: t.emulator.payKeys.mchId, outTradeNo: paymentId, amountFen }), ...extra });

describe('paying an online order', () => {
  it('when a villager pays, then requestPayment params are signed with the merchant key, and once WeChat notifies, the payment and the order are paid once', async () => {
    const order = await placeOrder();
    expect(order.paymentMode).toBe('online');
    const res = await pay(order.id);
    expect(res.status).toBe(200);
    const { paymentId, params, amountFen, h5CashierUrl } = res.body;
    expect(amountFen).toBe(order.price.payableFen);
    expect(params).toMatchObject({ signType: 'RSA', package: expect.stringMatching(/^prepay_id=wx/), timeStamp: expect.stringMatching(/^\d{10}$/) });
    expect(rsaVerify(paySignMessage(t.config.wechat.appId, params.timeStamp, params.nonceStr, params.package), params.paySign, createPublicKey(t.emulator.payKeys.merchantPublicKey))).toBe(true);
    expect(h5CashierUrl).toBe(`${t.emulator.url}/_emulator/pay/${params.package.slice('prepay_id='.length)}`);
    expect((await t.http.get(`/api/v1/payments/${paymentId}`).set(auth(villager))).body).toMatchObject({ status: 'created', orderId: order.id, amountFen });

    expect(await payAtCashier(t.emulator.url, params)).toEqual({ status: 200, errMsg: 'requestPayment:ok' });
    await waitUntil('paid', async () => (await paymentRow(paymentId)).status === 'paid');
    expect((await orderRow(order.id)).paid_at).toBeInstanceOf(Date);
    expect((await t.http.get(`/api/v1/orders/${order.id}`).set(auth(villager))).body).toMatchObject({ paymentMode: 'online', paidAt: expect.any(String) });
    expect((await t.http.get(`/api/v1/orders/${order.id}/payment`).set(auth(villager))).body).toMatchObject({ id: paymentId, status: 'paid', refundedFen: 0 });
    expect(await count("SELECT COUNT(*) AS n FROM outbox_events WHERE type = 'payment.paid' AND aggregate_id = ?", [paymentId])).toBe(1);
    expect((await pay(order.id)).body.error.code).toBe('ALREADY_PAID');
  });

  it('when pay is asked again within the prepay id\'s life, then it is reused; after, a new one comes for the same out_trade_no', async () => {
    const order = await placeOrder();
    const first = (await pay(order.id)).body;
    const again = (await pay(order.id)).body;
    expect(again.paymentId).toBe(first.paymentId);
    expect(again.params.package).toBe(first.params.package);
    expect(again.params.nonceStr).not.toBe(first.params.nonceStr);
    await t.deps.db.query('UPDATE payments SET prepay_expires_at = NOW(3) WHERE id = ?', [first.paymentId]);
    t.emulator.pay.trades.get(first.paymentId)!.prepay.expiresAt = Date.now() - 1;
    const renewed = (await pay(order.id)).body;
    expect(renewed.paymentId).toBe(first.paymentId);
    expect(renewed.params.package).not.toBe(first.params.package);
    expect((await payAtCashier(t.emulator.url, first.params)).status).toBe(400);
    expect((await payAtCashier(t.emulator.url, renewed.params)).status).toBe(200);
    await waitUntil('paid', async () => (await paymentRow(first.paymentId)).status === 'paid');
  });

  it('when the order is paid at pickup, or is someone else\'s, then pay is refused and nothing is made', async () => {
    const counter = await placeOrder(villager, 'on_pickup');
    expect(counter.paymentMode).toBe('on_pickup');
    const refused = await pay(counter.id);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'ORDER_NOT_PAYABLE']);
    const theirs = await placeOrder(neighbour);
    expect((await pay(theirs.id, villager)).status).toBe(404);
    expect((await t.http.get(`/api/v1/orders/${theirs.id}/payment`).set(auth(villager))).status).toBe(404);
    expect(await count('SELECT COUNT(*) AS n FROM payments WHERE order_id IN (?, ?)', [counter.id, theirs.id])).toBe(0);
    const paymentOfTheirs = (await pay(theirs.id, neighbour)).body.paymentId;
    expect((await t.http.get(`/api/v1/payments/${paymentOfTheirs}`).set(auth(villager))).status).toBe(404);
  });

  it('when every notification is lost, then the order page polling GET /payments/:id learns of the payment from WeChat Pay', async () => {
    t.emulator.pay.faults.drop = 1;
    const order = await placeOrder();
    const { paymentId, params } = (await pay(order.id)).body;
    await payAtCashier(t.emulator.url, params);
    const seen = await waitUntil('paid through the query', async () => {
      const res = await t.http.get(`/api/v1/payments/${paymentId}`).set(auth(villager));
      return res.body.status === 'paid' ? res.body : undefined;
    });
    expect(seen.paidAt).toEqual(expect.any(String));
    expect((await orderRow(order.id)).paid_at).toBeInstanceOf(Date);
    expect(await count("SELECT COUNT(*) AS n FROM outbox_events WHERE type = 'payment.paid' AND aggregate_id = ?", [paymentId])).toBe(1);
  });
});

describe('notifications: verified before anything, applied once', () => {
  const unpaid = async () => {
    const order = await placeOrder();
    const { paymentId, amountFen } = (await pay(order.id)).body;
    return { order, paymentId, amountFen: amountFen as number };
  };
  const unchanged = async (p: { order: { id: string }; paymentId: string }) => {
    expect((await paymentRow(p.paymentId)).status).toBe('created');
    expect((await orderRow(p.order.id)).paid_at).toBeNull();
    expect(await count('SELECT COUNT(*) AS n FROM payment_notifications WHERE out_trade_no = ?', [p.paymentId])).toBe(0);
  };

  it('when a well-signed notification comes, then 204 and paid; the same notification again is 204 and changes nothing', async () => {
    const p = await unpaid();
    const n = signedNotification(t.emulator.payKeys, trade(p.paymentId, p.amountFen));
    expect((await notify(n)).status).toBe(204);
    expect((await paymentRow(p.paymentId)).status).toBe('paid');
    const tx = (await paymentRow(p.paymentId)).transaction_id;
    expect((await notify(n)).status).toBe(204);
    const again = signedNotification(t.emulator.payKeys, trade(p.paymentId, p.amountFen, { transaction_id: '4200000000000000000000000009' }), { id: JSON.parse(n.body).id });
    expect((await notify(again)).status).toBe(204);
    expect((await paymentRow(p.paymentId)).transaction_id).toBe(tx);
    expect(await count('SELECT COUNT(*) AS n FROM payment_notifications WHERE out_trade_no = ?', [p.paymentId])).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM outbox_events WHERE type = 'payment.paid' AND aggregate_id = ?", [p.paymentId])).toBe(1);
  });

  it('when a notification is tampered with, stale, from an unknown serial or signed by another key, then 401 and nothing changes', async () => {
    const p = await unpaid();
    const good = signedNotification(t.emulator.payKeys, trade(p.paymentId, p.amountFen));
    const tampered = { ...good, body: good.body.replace('"TRANSACTION.SUCCESS"', '"TRANSACTION.SUCCESS" ') };
    const stale = signedNotification(t.emulator.payKeys, trade(p.paymentId, p.amountFen), { now: Date.now() - 6 * 60_000 });
    const wrongSerial = signedNotification(t.emulator.payKeys, trade(p.paymentId, p.amountFen), { serial: 'PUB_KEY_ID_0000000000000000000000000000' });
    const forged = signedNotification(t.emulator.payKeys, trade(p.paymentId, p.amountFen), { signingKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey });
    const unsigned = Object.fromEntries(Object.entries(good.headers).filter(([k]) => k !== 'Wechatpay-Signature'));
    for (const n of [tampered, stale, wrongSerial, forged, { body: good.body, headers: unsigned }]) {
      const res = await notify(n);
      expect([res.status, res.body.error?.code]).toEqual([401, 'SIGNATURE_INVALID']);
    }
    await unchanged(p);
    expect((await notify(good)).status).toBe(204);
  });

  it('when a correctly signed notification carries another amount, appid or merchant, then it is refused and nothing changes', async () => {
    const p = await unpaid();
    for (const wrong of [{ amount: { total: 1, payer_total: 1 } }, { appid: 'wx_someone_else' }, { mchid: '1234567890' }]) {
      const res = await notify(signedNotification(t.emulator.payKeys, trade(p.paymentId, p.amountFen, wrong)));
      expect([res.status, res.body.error?.code]).toEqual([400, 'NOTIFICATION_MISMATCH']);
    }
    await unchanged(p);
  });

  it('when the resource is encrypted under another key, then it cannot be read and WeChat is asked to retry (5xx), nothing changes', async () => {
    const p = await unpaid();
    const res = await notify(signedNotification(t.emulator.payKeys, trade(p.paymentId, p.amountFen), { apiV3Key: 'Z'.repeat(32) }));
    expect(res.status).toBe(503);
    await unchanged(p);
  });

  it('when the user pays after cancelling, then the payment is taken and the money goes back with a refund of its own', async () => {
    const order = await placeOrder();
    const { paymentId, params, amountFen } = (await pay(order.id)).body;
    expect((await t.http.post(`/api/v1/orders/${order.id}/cancel`).set(auth(villager))).status).toBe(200);
    await payAtCashier(t.emulator.url, params);
    await waitUntil('refunded', async () => (await paymentRow(paymentId)).status === 'refunded');
    expect((await orderRow(order.id))).toMatchObject({ status: 'cancelled', paid_at: null });
    const payment = (await t.http.get(`/api/v1/payments/${paymentId}`).set(auth(villager))).body;
    expect(payment).toMatchObject({ status: 'refunded', refundedFen: amountFen, refunds: [{ amountFen, status: 'success' }] });
    expect([...t.emulator.pay.refunds.values()].filter((r) => r.out_trade_no === paymentId)).toHaveLength(1);
  });
});

describe('handover of an order paid online', () => {
  it('when the owner hands over a paid order, then only "prepaid" is accepted; an unpaid one cannot be marked prepaid', async () => {
    const paid = await placeOrder();
    const { paymentId, params } = (await pay(paid.id)).body;
    await payAtCashier(t.emulator.url, params);
    await waitUntil('paid', async () => (await paymentRow(paymentId)).status === 'paid');
    const pickups = (await t.http.get('/api/v1/store/pickups').set(auth(owner))).body.items as { id: string; paymentMode: string; paidAt: string | null }[];
    expect(pickups.find((o) => o.id === paid.id)).toMatchObject({ paymentMode: 'online', paidAt: expect.any(String) });
    const cash = await t.http.post(`/api/v1/store/pickups/${paid.id}/confirm`).set(auth(owner)).send({ paymentMethod: 'cash' });
    expect([cash.status, cash.body.error.code]).toEqual([409, 'ORDER_PREPAID']);
    expect((await t.http.post(`/api/v1/store/pickups/${paid.id}/confirm`).set(auth(owner)).send({ paymentMethod: 'prepaid' })).status).toBe(200);

    const unpaidOrder = await placeOrder();
    const prepaid = await t.http.post(`/api/v1/store/pickups/${unpaidOrder.id}/confirm`).set(auth(owner)).send({ paymentMethod: 'prepaid' });
    expect([prepaid.status, prepaid.body.error.code]).toEqual([409, 'ORDER_NOT_PAID']);
    expect((await orderRow(unpaidOrder.id)).status).toBe('awaiting_pickup');
  });
});
