import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { payKeysEnv } from '../../server/wechat-emulator/pay-keys';
import { paidTransaction, payAtCashier, signedNotification } from '../helpers/wechatpay';
import { runLoad, printResults, printRatio } from './lib';
import { startBenchProduct } from './setup';

/**
 * npm run bench -- payments [orders] [connections] [repeat share]: WeChat Pay notifications at the
 * BFF's POST /wechatpay/notify. N online orders are placed and given a prepay through the BFF, paid
 * at the emulator's cashier (its own notifications switched off), then one TRANSACTION.SUCCESS per
 * payment is fired, signed with WeChat Pay's key and its resource encrypted as the emulator does,
 * with repeats mixed in: half of them the same bytes right behind the original (in flight with it on
 * another connection, as the emulator's `duplicate` fault sends them), half re-signed under the same
 * notification id later in the run (WeChat's retry). Printed: notifications handled per second,
 * p50/p99, the BFF's GET /healthz with the same connections in the same run, and from MySQL
 * afterwards the double-paid count (a payment or order moved twice, a second payment.paid event, a
 * second notification row, a refund opened: must be 0) and the payments left unpaid (must be 0).
 */
const USERS_ORDERS = 10; // maxOpenUnitsPerUser: one unit of a different SKU per order
const SKUS = 100;

type Notification = { body: string; headers: Record<string, string> };

export default async function run(args: string[]): Promise<void> {
  const orders = Number(args[0] ?? 1000);
  const connections = Number(args[1] ?? 50);
  const repeatShare = Number(args[2] ?? 0.3);
  const warmUp = 100;
  // The BFF gets the emulator's merchant keys; the emulator's own notifications are dropped below, so its notify address is never called.
  const p = await startBenchProduct((t) => ({
    WECHATPAY_API_BASE: t.emulator.url, WECHATPAY_NOTIFY_URL: 'http://127.0.0.1:9/api/v1/wechatpay/notify', ...payKeysEnv(t.emulator.payKeys),
  }));
  const { t, bff } = p;
  try {
    t.emulator.pay.faults.drop = 1;
    await t.deps.db.query("INSERT INTO products (id, name, brand, category, description, image_url, tags, price_fen) VALUES ('BENCH', '压测商品', '海尔', 'tv', '', '/api/v1/images/tv.svg', '', 100000)");
    await t.deps.db.query('INSERT INTO skus (id, product_id, spec, price_fen, available) VALUES ?', [Array.from({ length: SKUS }, (_, i) => [`BENCH-${i}`, 'BENCH', `规格 ${i}`, 100000 + i, 1_000_000])]);

    const total = orders + warmUp;
    const started = Date.now();
    const tokens: string[] = [];
    for (let u = 0; u < Math.ceil(total / USERS_ORDERS); u++) tokens.push(await patiently(() => t.login(`bench_payer_${u}`)));
    const payments = await placeAndPay(bff.baseUrl, t.emulator.url, tokens, total);
    console.log(`prepared ${payments.length} online orders with prepay, paid at the emulator's cashier, in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const keys = t.emulator.payKeys;
    const notificationOf = (pay: Payment, id?: string): Notification => {
      const trade = t.emulator.pay.trades.get(pay.paymentId)!;
      return signedNotification(keys, paidTransaction({ appId: t.config.wechat.appId, mchId: keys.mchId, outTradeNo: pay.paymentId, amountFen: pay.amountFen, transactionId: trade.transaction_id!, openid: trade.openid }), { id });
    };
    const warm = payments.slice(0, warmUp).map((pay) => notificationOf(pay));
    const queue = notificationQueue(payments.slice(warmUp), notificationOf, repeatShare, connections);
    const fire = (list: Notification[]) => {
      let i = 0;
      // autocannon may prepare a request or two past `amount`: those are repeats as well.
      return () => ({ path: '/api/v1/wechatpay/notify', method: 'POST', ...list[i++ % list.length] });
    };
    await runLoad({ name: 'warm-up', url: bff.baseUrl, connections: 10, amount: warm.length, method: 'POST', request: fire(warm) });
    const ours = await runLoad({ name: `BFF POST /wechatpay/notify (${orders} + ${queue.repeats} repeats)`, url: bff.baseUrl, connections, amount: queue.list.length, method: 'POST', request: fire(queue.list) });
    const seconds = Math.max(5, Math.round(ours.requests / Math.max(1, ours.rps)));
    const healthz = await runLoad({ name: 'BFF GET /healthz (no work)', url: bff.baseUrl, connections, durationSeconds: seconds, request: () => ({ path: '/healthz' }) });

    printResults(`WeChat Pay notifications: ${connections} connections; ${queue.concurrent} repeats in flight with their original, ${queue.late} re-signed later`, [ours, healthz]);
    const [load1] = loadavg();
    console.log(`machine: ${availableParallelism()} cores, load average ${load1.toFixed(1)} over the last minute (other work on the machine shares them)`);
    console.log(`notifications: ${Math.round(ours.rps)}/s, p50 ${ours.p50} ms, p99 ${ours.p99} ms; answers ${JSON.stringify(ours.statuses)} (every one must be 204)`);
    printRatio('notifications/s vs BFF /healthz', ours.rps, healthz.rps);

    const metrics = await (await fetch(`${bff.baseUrl}/metrics`)).text();
    const outcomes = [...metrics.matchAll(/^wechatpay_notifications_total\{event="TRANSACTION.SUCCESS",outcome="(\w+)"\} (\d+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    console.log(`the BFF's outcomes: ${outcomes.join(', ')}`);
    await readBack(t.deps.db, payments);
  } finally {
    await p.stop();
  }
}

type Payment = { orderId: string; paymentId: string; amountFen: number };

/** Online orders placed and given a prepay through the BFF, then paid at the emulator's cashier, 10 at a time. */
async function placeAndPay(baseUrl: string, emulatorUrl: string, tokens: string[], total: number): Promise<Payment[]> {
  const out: Payment[] = [];
  const post = async (path: string, token: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const one = async (n: number): Promise<Payment> => {
    const user = Math.floor(n / USERS_ORDERS);
    const skuId = `BENCH-${(user * USERS_ORDERS + (n % USERS_ORDERS)) % SKUS}`;
    const order = await post('/api/v1/orders', tokens[user], { storeId: 'DEMO-001', items: [{ skuId, units: 1 }], payment: 'online' }, { 'idempotency-key': `p-${randomBytes(8).toString('hex')}` });
    const pay = (await patiently(() => post(`/api/v1/orders/${order.id as string}/pay`, tokens[user]))) as { paymentId: string; amountFen: number; params: { package: string } & Record<string, string> };
    const cashier = await payAtCashier(emulatorUrl, pay.params);
    if (cashier.status !== 200) throw new Error(`cashier: ${cashier.status} ${cashier.errMsg}`);
    return { orderId: order.id as string, paymentId: pay.paymentId, amountFen: pay.amountFen };
  };
  for (let i = 0; i < total; i += 10) out.push(...(await Promise.all(Array.from({ length: Math.min(10, total - i) }, (_, k) => one(i + k)))));
  return out;
}

/** Preparation on a busy shared machine: a step WeChat's stand-in was too slow for (502/503) is tried again, as a client would. */
async function patiently<T>(step: () => Promise<T>, tries = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (attempt >= tries || !/\b50[23]\b/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

/**
 * One notification per payment in order, and `share` of them repeated: half as the same bytes right
 * behind the original (the next free connection sends it while the original is in flight), half
 * re-signed under the same notification id at a random later place, at least two rounds of
 * connections after the original.
 */
function notificationQueue(payments: Payment[], notificationOf: (p: Payment, id?: string) => Notification, share: number, connections: number) {
  const keyed: { key: number; n: Notification }[] = [];
  let concurrent = 0;
  let late = 0;
  payments.forEach((pay, i) => {
    const n = notificationOf(pay);
    keyed.push({ key: i, n });
    if (Math.random() >= share) return;
    if (Math.random() < 0.5) {
      concurrent++;
      keyed.push({ key: i + 0.5, n });
    } else {
      late++;
      const id = (JSON.parse(n.body) as { id: string }).id;
      keyed.push({ key: i + 2 * connections + Math.random() * Math.max(1, payments.length - i), n: notificationOf(pay, id) });
    }
  });
  keyed.sort((a, b) => a.key - b.key);
  return { list: keyed.map((k) => k.n), repeats: concurrent + late, concurrent, late };
}

/** What MySQL says afterwards: every payment paid once, each order moved once, one event and one notification row each, no refund. */
async function readBack(db: { query: (sql: string, values?: unknown[]) => Promise<unknown> }, payments: Payment[]): Promise<void> {
  const paymentIds = payments.map((x) => x.paymentId);
  const orderIds = payments.map((x) => x.orderId);
  const count = async (sql: string, values: unknown[]) => Number(((await db.query(sql, values)) as [{ n: number | string }[]])[0][0].n);
  const paid = await count("SELECT COUNT(*) AS n FROM payments WHERE status = 'paid' AND id IN (?)", [paymentIds]);
  const ordersPaid = await count('SELECT COUNT(*) AS n FROM orders WHERE paid_at IS NOT NULL AND id IN (?)', [orderIds]);
  const twice = {
    'orders moved twice (paid_online audit rows > 1)': await count("SELECT COUNT(*) AS n FROM (SELECT order_id FROM order_audit WHERE action = 'paid_online' AND order_id IN (?) GROUP BY order_id HAVING COUNT(*) > 1) x", [orderIds]),
    'payments moved twice (payment.paid events > 1)': await count("SELECT COUNT(*) AS n FROM (SELECT aggregate_id FROM outbox_events WHERE type = 'payment.paid' AND aggregate_id IN (?) GROUP BY aggregate_id HAVING COUNT(*) > 1) x", [paymentIds]),
    'payments with more than one notification row': await count('SELECT COUNT(*) AS n FROM (SELECT out_trade_no FROM payment_notifications WHERE out_trade_no IN (?) GROUP BY out_trade_no HAVING COUNT(*) > 1) x', [paymentIds]),
    'refunds opened': await count('SELECT COUNT(*) AS n FROM payment_refunds WHERE payment_id IN (?)', [paymentIds]),
  };
  const doublePaid = Object.values(twice).reduce((a, b) => a + b, 0);
  console.log(`MySQL afterwards: ${paid} of ${payments.length} payments paid, ${ordersPaid} orders with paid_at; ${Object.entries(twice).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`double-paid: ${doublePaid} (must be 0); left unpaid: ${payments.length - paid} (must be 0)`);
}
