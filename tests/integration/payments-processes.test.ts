import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';
import { startBffProcess, type BffProcess } from '../helpers/processes';
import { startBalancer, type Balancer } from '../helpers/balancer';
import { payAtCashier } from '../helpers/wechatpay';
import { waitUntil } from '../helpers/wait';
import { payKeysEnv } from '../../server/wechat-emulator/pay-keys';

/**
 * Exactly once across two BFF processes behind a load balancer, as WeChat Pay reaches them: with
 * notifications duplicated and reordered, with the order page polling both processes, and with a
 * process killed (SIGKILL) after it did the work but before WeChat heard its answer.
 */
let t: TestContext;
let balancer: Balancer;
let bffs: BffProcess[] = [];
let env: Record<string, string>;
let villager: string;
let killNextAnswerer = false;

beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { safeguards: { maxOpenUnitsPerUser: 1000, maxOpenUnitsPerSku: 1000 } } });
  balancer = await startBalancer({
    targets: () => bffs.filter((b) => b.child.exitCode === null && b.child.signalCode === null).map((b) => b.baseUrl),
    beforeAnswer: async (target, status) => {
      if (!killNextAnswerer || status !== 204) return 'relay';
      killNextAnswerer = false;
      await bffs.find((b) => b.baseUrl === target)!.kill('SIGKILL');
      return 'drop';
    },
  });
  const notifyUrl = `${balancer.url}/api/v1/wechatpay/notify`;
  // Prepays made here (the test's own BFF) also send WeChat Pay's notifications to the two processes.
  t.config.wechatPay.notifyUrl = notifyUrl;
  env = {
    DATABASE_URL: t.config.databaseUrl, REDIS_KEY_PREFIX: t.config.redisKeyPrefix, WECHAT_API_BASE: t.emulator.url, WECHATPAY_API_BASE: t.emulator.url,
    WECHATPAY_NOTIFY_URL: notifyUrl, JOBS_ENABLED: 'false', ...payKeysEnv(t.emulator.payKeys),
  };
  bffs = await Promise.all([startBffProcess(env), startBffProcess(env)]);
  villager = await t.login('demo_villager');
}, 120_000);
afterAll(async () => {
  await Promise.allSettled(bffs.map((b) => b.kill('SIGKILL')));
  await balancer?.close();
  await t?.stop();
});
beforeEach(() => Object.assign(t.emulator.pay.faults, { drop: 0, duplicate: 0, delayMs: 0, reorder: false, serverErrors: 0 }));

const auth = () => ({ Authorization: `Bearer ${villager}` });
const count = async (sql: string, args: unknown[]) => Number(((await t.deps.db.query(sql, args))[0] as { n: number }[])[0].n);
const startPayment = async () => {
  const order = await t.http.post('/api/v1/orders').set(auth()).set('Idempotency-Key', `k-${randomBytes(8).toString('hex')}`)
    .send({ storeId: 'DEMO-001', items: [{ skuId: 'TV-TCL-1-A', units: 1 }], payment: 'online' });
  expect(order.status).toBe(201);
  const pay = await t.http.post(`/api/v1/orders/${order.body.id}/pay`).set(auth());
  expect(pay.status).toBe(200);
  return { orderId: order.body.id as string, paymentId: pay.body.paymentId as string, params: pay.body.params as { package: string } & Record<string, string> };
};
const exactlyOnce = async (p: { orderId: string; paymentId: string }) => {
  expect(await count("SELECT COUNT(*) AS n FROM payments WHERE id = ? AND status = 'paid'", [p.paymentId])).toBe(1);
  expect(await count('SELECT COUNT(*) AS n FROM orders WHERE id = ? AND paid_at IS NOT NULL', [p.orderId])).toBe(1);
  expect(await count("SELECT COUNT(*) AS n FROM order_audit WHERE order_id = ? AND action = 'paid_online'", [p.orderId])).toBe(1);
  expect(await count("SELECT COUNT(*) AS n FROM outbox_events WHERE type = 'payment.paid' AND aggregate_id = ?", [p.paymentId])).toBe(1);
  expect(await count('SELECT COUNT(*) AS n FROM payment_notifications WHERE out_trade_no = ?', [p.paymentId])).toBe(1);
};

describe('two BFF processes behind a balancer', () => {
  it('when notifications come duplicated and reordered while the order page polls both processes, then each order is paid exactly once', async () => {
    Object.assign(t.emulator.pay.faults, { duplicate: 0.5, reorder: true });
    const payments: Awaited<ReturnType<typeof startPayment>>[] = [];
    for (let i = 0; i < 16; i++) payments.push(await startPayment());
    await Promise.all(payments.map((p) => payAtCashier(t.emulator.url, p.params)));
    const polls = Promise.all(payments.flatMap((p) => bffs.map((b) => fetch(`${b.baseUrl}/api/v1/payments/${p.paymentId}`, { headers: auth() }).then((r) => r.status))));
    await waitUntil('every payment paid and every notification acknowledged', async () => {
      const paid = await count(`SELECT COUNT(*) AS n FROM payments WHERE status = 'paid' AND id IN (?)`, [payments.map((p) => p.paymentId)]);
      const acked = t.emulator.pay.notifications.filter((n) => payments.some((p) => p.paymentId === n.outTradeNo)).every((n) => n.acknowledged);
      return paid === payments.length && acked;
    }, { timeoutMs: 60_000 });
    expect((await polls).every((s) => s === 200)).toBe(true);
    for (const p of payments) await exactlyOnce(p);
    const sent = t.emulator.pay.notifications.filter((n) => payments.some((p) => p.paymentId === n.outTradeNo)).reduce((s, n) => s + n.sent, 0);
    expect(sent).toBeGreaterThan(payments.length); // duplicates did arrive
    expect([...balancer.forwarded.values()].filter((n) => n > 0)).toHaveLength(2); // both processes took notifications
  });

  it('when the process that handled a notification is killed before WeChat hears its 204, then WeChat retries, the other process answers 204, and nothing happens twice', async () => {
    const p = await startPayment();
    killNextAnswerer = true;
    await payAtCashier(t.emulator.url, p.params);
    const record = await waitUntil('acknowledged after the retry', () => t.emulator.pay.notifications.find((n) => n.outTradeNo === p.paymentId && n.acknowledged), { timeoutMs: 60_000 });
    expect(record.attempts).toBeGreaterThanOrEqual(2);
    expect(bffs.filter((b) => b.child.signalCode === 'SIGKILL')).toHaveLength(1);
    await exactlyOnce(p);
    bffs = [...bffs.filter((b) => b.child.signalCode === null), await startBffProcess(env)];
  });

  it('when a process is killed while many notifications are in flight, then every payment is still applied exactly once', async () => {
    const payments: Awaited<ReturnType<typeof startPayment>>[] = [];
    for (let i = 0; i < 12; i++) payments.push(await startPayment());
    const paying = Promise.all(payments.map((p) => payAtCashier(t.emulator.url, p.params)));
    await new Promise((r) => setTimeout(r, 30));
    await bffs[0].kill('SIGKILL');
    await paying;
    await waitUntil('every payment paid', async () => (await count(`SELECT COUNT(*) AS n FROM payments WHERE status = 'paid' AND id IN (?)`, [payments.map((p) => p.paymentId)])) === payments.length, { timeoutMs: 60_000 });
    for (const p of payments) await exactlyOnce(p);
  });
});
