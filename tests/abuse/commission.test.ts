import { startAbuseContext, type AbuseContext } from './attacker';

/**
 * The attack of issue 13: a leader opens a group that settles at 1 unit, joins a made-up neighbour
 * for 5 units, lets it settle (the commission used to be booked on units joined), then cancels the
 * order, which sits in the leader's own account, or lets it expire. No commission may stay.
 */
let t: AbuseContext;
let leader: string;
beforeAll(async () => {
  t = await startAbuseContext();
  leader = await t.login('demo_leader');
});
afterAll(async () => {
  await t?.stop();
});
afterEach(() => expect(t.serverErrors).toEqual([]));

async function fakeSettledGroup(skuId: string) {
  const [sku] = await t.deps.db.query('SELECT price_fen AS priceFen, available FROM skus WHERE id = ?', [skuId]);
  const { priceFen, available } = (sku as { priceFen: number; available: number }[])[0];
  const opened = await t.http.post('/api/v1/group-buys').set(t.auth(leader)).send({
    skuId, storeId: 'DEMO-001', tiers: [{ minUnits: 1, priceFen: Math.round(priceFen * 0.95) }], deadline: new Date(Date.now() + 60_000).toISOString(), maxUnits: 5, maxUnitsPerMember: 5,
  });
  expect(opened.status).toBe(201);
  const proxy = await t.http.post(`/api/v1/group-buys/${opened.body.id}/proxy-members`).set(t.auth(leader)).send({ name: '不存在的邻居', phone: '13900000000', units: 5 });
  expect(proxy.status).toBe(201);
  await t.deps.db.query('UPDATE group_buys SET deadline = NOW(3) WHERE id = ?', [opened.body.id]);
  // The settlement job, not the test, settles it.
  await t.eventually(async () => (await t.http.get(`/api/v1/group-buys/${opened.body.id}`)).body.status === 'succeeded');
  const orders = (await t.http.get('/api/v1/orders?status=awaiting_pickup').set(t.auth(leader))).body.items as { id: string; groupBuyId: string }[];
  const order = orders.find((o) => o.groupBuyId === opened.body.id)!;
  expect(order).toBeDefined();
  return { groupId: opened.body.id as string, orderId: order.id, available };
}

const ledgerOf = async (groupId: string) => {
  const res = await t.http.get('/api/v1/leaders/me/commissions?limit=100').set(t.auth(leader));
  expect(res.status).toBe(200);
  return (res.body.items as { groupBuyId: string; amountFen: number }[]).filter((e) => e.groupBuyId === groupId);
};
const eventsHandled = (orderId: string) =>
  t.eventually(async () => (await t.count("SELECT COUNT(*) n FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id WHERE e.aggregate_id = ? AND d.status <> 'done'", [orderId])) === 0);

describe('commission on fake sales', () => {
  it('when a leader settles a group on a made-up neighbour and cancels the order, then no commission is kept and the stock is back', async () => {
    const fake = await fakeSettledGroup('AC-GREE-1-A');
    const cancelled = await t.http.post(`/api/v1/orders/${fake.orderId}/cancel`).set(t.auth(leader));
    expect(cancelled.status).toBe(200);
    await eventsHandled(fake.orderId);
    expect(await ledgerOf(fake.groupId)).toEqual([]);
    expect(await t.count("SELECT COALESCE(SUM(amount_fen), 0) n FROM commission_entries WHERE group_buy_id = ?", [fake.groupId])).toBe(0);
    expect(await t.count('SELECT available n FROM skus WHERE id = ?', ['AC-GREE-1-A'])).toBe(fake.available);
  });

  it('when the made-up neighbour never comes and the order expires, then no commission is kept', async () => {
    const fake = await fakeSettledGroup('RF-HAIER-1-A');
    await t.deps.db.query('UPDATE orders SET expires_at = NOW(3) WHERE id = ?', [fake.orderId]);
    await t.eventually(async () => (await t.http.get(`/api/v1/orders/${fake.orderId}`).set(t.auth(leader))).body.status === 'expired');
    await eventsHandled(fake.orderId);
    expect(await ledgerOf(fake.groupId)).toEqual([]);
    expect(await t.count('SELECT COALESCE(SUM(amount_fen), 0) n FROM commission_entries WHERE group_buy_id = ?', [fake.groupId])).toBe(0);
  });
});
