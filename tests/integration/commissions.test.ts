import { createTestContext, type TestContext } from '../helpers/context';
import { dispatchOutbox, publishEvent } from '../../server/src/lib/outbox';
import { withTransaction } from '../../server/src/lib/db';
import { settleGroupBuy } from '../../server/src/modules/group-buys/service';
import { subscribers } from '../../server/src/modules/subscribers';
import { accrueCommission, reverseCommission } from '../../server/src/modules/group-buys/commissions';

/**
 * The leader's commission follows real sales: it accrues when a group order is picked up, is
 * reversed by a cancel, an expiry or a refund, each entry names its cause, and replays or events
 * arriving out of order never leave a commission for an order that was not sold.
 */
let t: TestContext;
let leader: string;
let owner: string;
beforeAll(async () => {
  // Jobs off: the tests run the dispatcher themselves, so they know when every event was handled.
  t = await createTestContext({ seed: true });
  [leader, owner] = await Promise.all([t.login('demo_leader'), t.login('demo_owner')]);
});
afterAll(async () => t.stop());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const RATE_BP = 500; // config/default.json: DEMO-001's rate
const drain = async () => {
  for (let i = 0; i < 20 && (await dispatchOutbox(t.deps, subscribers)) > 0; i++);
};
const ledger = async () => (await t.http.get('/api/v1/leaders/me/commissions').set(auth(leader))).body as {
  items: { kind: string; cause: string; orderId: string; groupBuyId: string; amountFen: number; salesFen: number; rateBp: number }[]; totalFen: number;
};

/** A group of the demo leader at DEMO-001 that has settled: its orders by member openid ('proxy' for the neighbour). */
async function settledGroup(members: Record<string, number>, proxyUnits = 0) {
  const opened = await t.http.post('/api/v1/group-buys').set(auth(leader)).send({
    skuId: 'AC-MIDEA-1-A', storeId: 'DEMO-001', tiers: [{ minUnits: 2, priceFen: 259900 }], deadline: new Date(Date.now() + 60_000).toISOString(), maxUnits: 20, maxUnitsPerMember: 3,
  });
  expect(opened.status).toBe(201);
  const id = opened.body.id as string;
  const tokens: Record<string, string> = {};
  for (const [openid, units] of Object.entries(members)) {
    tokens[openid] = await t.login(openid);
    expect((await t.http.post(`/api/v1/group-buys/${id}/join`).set(auth(tokens[openid])).send({ units })).status).toBe(200);
  }
  if (proxyUnits) {
    const proxy = await t.http.post(`/api/v1/group-buys/${id}/proxy-members`).set(auth(leader)).send({ name: '吴奶奶', phone: '13500003333', units: proxyUnits });
    expect(proxy.status).toBe(201);
  }
  // The deadline moved into the past instead of waiting for it.
  await t.deps.db.query('UPDATE group_buys SET deadline = NOW(3) - INTERVAL 1 SECOND WHERE id = ?', [id]);
  expect(await settleGroupBuy(t.deps, id)).toBe('succeeded');
  const [rows] = await t.deps.db.query(
    'SELECT o.id, o.pickup_code AS code, o.payable_fen AS payableFen, u.openid, o.proxy_member_id AS proxy FROM orders o JOIN users u ON u.id = o.user_id WHERE o.group_buy_id = ?',
    [id],
  );
  const orders: Record<string, { id: string; code: string; payableFen: number }> = {};
  for (const r of rows as { id: string; code: string; payableFen: number; openid: string; proxy: string | null }[]) orders[r.proxy ? 'proxy' : r.openid] = r;
  return { id, tokens, orders };
}

const pickUp = async (order: { id: string; code: string }) => {
  const res = await t.http.post(`/api/v1/store/pickups/${order.id}/confirm`).set(auth(owner)).send({ code: order.code, paymentMethod: 'cash' });
  expect(res.status).toBe(200);
};

describe('commission on real sales', () => {
  it('when a group settles, then nothing accrues; when an order is picked up, then its commission accrues with its cause; a cancel of another accrues nothing', async () => {
    const g = await settledGroup({ cm_a: 2, cm_b: 1 });
    await drain();
    expect((await ledger()).items.filter((e) => e.groupBuyId === g.id)).toEqual([]);

    await pickUp(g.orders.cm_a);
    expect((await t.http.post(`/api/v1/orders/${g.orders.cm_b.id}/cancel`).set(auth(g.tokens.cm_b))).status).toBe(200);
    await drain();
    const mine = (await ledger()).items.filter((e) => e.groupBuyId === g.id);
    expect(mine).toEqual([
      expect.objectContaining({ kind: 'accrual', cause: 'order.picked_up', orderId: g.orders.cm_a.id, salesFen: 2 * 259900, rateBp: RATE_BP, amountFen: Math.floor((2 * 259900 * RATE_BP) / 10_000) }),
    ]);
  });

  it('when the same events are delivered again, then the ledger does not change', async () => {
    const g = await settledGroup({ cm_c: 2 });
    await pickUp(g.orders.cm_c);
    await drain();
    const before = await ledger();
    await t.deps.db.query(
      "UPDATE outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id SET d.status = 'pending', d.next_attempt_at = NOW(3) WHERE e.aggregate_id = ?",
      [g.orders.cm_c.id],
    );
    await drain();
    expect(await ledger()).toEqual(before);
    const [rows] = await t.deps.db.query('SELECT COUNT(*) n FROM commission_entries WHERE order_id = ?', [g.orders.cm_c.id]);
    expect(Number((rows as { n: number }[])[0].n)).toBe(1);
  });

  it('when a picked-up order is refunded, then the commission is reversed with the refund as its cause', async () => {
    const g = await settledGroup({ cm_d: 2 });
    await pickUp(g.orders.cm_d);
    await drain();
    const accrued = (await ledger()).items.find((e) => e.orderId === g.orders.cm_d.id)!;
    expect(accrued.amountFen).toBeGreaterThan(0);
    await withTransaction(t.deps.db, (conn) =>
      publishEvent(conn, 'order.refunded', g.orders.cm_d.id, { orderId: g.orders.cm_d.id, groupBuyId: g.id, storeId: 'DEMO-001', payableFen: g.orders.cm_d.payableFen, items: [] }),
    );
    await drain();
    const entries = (await ledger()).items.filter((e) => e.orderId === g.orders.cm_d.id);
    expect(entries).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'reversal', cause: 'order.refunded', amountFen: -accrued.amountFen }),
      expect.objectContaining({ kind: 'accrual', cause: 'order.picked_up', amountFen: accrued.amountFen }),
    ]));
    expect(entries.reduce((n, e) => n + e.amountFen, 0)).toBe(0);
  });

  it('when the refund is handled before the pickup (events out of order), then no commission is ever kept for the order', async () => {
    const g = await settledGroup({ cm_e: 2 });
    const event = (type: string) => ({ id: `EV${type.length}${g.orders.cm_e.id.slice(4)}`, type, aggregateId: g.orders.cm_e.id, createdAt: new Date(), payload: { orderId: g.orders.cm_e.id, groupBuyId: g.id, payableFen: g.orders.cm_e.payableFen } });
    await reverseCommission(t.deps, event('order.refunded'));
    await accrueCommission(t.deps, event('order.picked_up'));
    const [rows] = await t.deps.db.query('SELECT kind, amount_fen AS amountFen FROM commission_entries WHERE order_id = ?', [g.orders.cm_e.id]);
    expect(rows).toEqual([{ kind: 'reversal', amountFen: 0 }]);
  });

  it('when the pickup and the refund of many orders are handled at the same moment, then every order nets to zero', async () => {
    const g = await settledGroup({ cm_f: 1, cm_g: 1, cm_h: 1, cm_i: 1, cm_j: 1, cm_k: 1 });
    const orders = Object.values(g.orders);
    const event = (type: string, o: { id: string; payableFen: number }) => ({ id: `E${type.length}${o.id.slice(3)}`, type, aggregateId: o.id, createdAt: new Date(), payload: { orderId: o.id, groupBuyId: g.id, payableFen: o.payableFen } });
    await Promise.all(orders.flatMap((o) => [accrueCommission(t.deps, event('order.picked_up', o)), reverseCommission(t.deps, event('order.refunded', o))]));
    const [rows] = await t.deps.db.query('SELECT order_id AS orderId, SUM(amount_fen) AS net, SUM(kind = \'reversal\') AS reversals FROM commission_entries WHERE group_buy_id = ? GROUP BY order_id', [g.id]);
    const nets = rows as { orderId: string; net: number | string; reversals: number | string }[];
    expect(nets).toHaveLength(orders.length);
    for (const n of nets) {
      expect(Number(n.net)).toBe(0);
      expect(Number(n.reversals)).toBe(1);
    }
  });
});
