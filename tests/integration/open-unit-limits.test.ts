import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';
import { settleGroupBuy } from '../../server/src/modules/group-buys/service';
import { dispatchOutbox } from '../../server/src/lib/outbox';
import { subscribers } from '../../server/src/modules/subscribers';

/**
 * Hoarding: a buyer holds at most a household's units in open orders (safeguards.maxOpenUnitsPerUser
 * all SKUs together, maxOpenUnitsPerSku per SKU), creates orders at a limited rate, and a group
 * that cannot get its stock fails once, cleanly, with its members told.
 */
let t: TestContext;
let owner: string;
beforeAll(async () => {
  t = await createTestContext({
    seed: true,
    overrides: { safeguards: { maxOpenUnitsPerUser: 5, maxOpenUnitsPerSku: 3 }, rateLimits: { orderPerUser: { points: 30, durationSeconds: 600 } }, dbPoolSize: 20 },
  });
  owner = await t.login('demo_owner');
});
afterAll(async () => t.stop());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const order = (token: string, items: { skuId: string; units: number }[]) =>
  t.http.post('/api/v1/orders').set(auth(token)).set('Idempotency-Key', `cap-${randomBytes(8).toString('hex')}`).send({ storeId: 'DEMO-001', items });
const available = async (skuId: string) => Number(((await t.deps.db.query('SELECT available FROM skus WHERE id = ?', [skuId]))[0] as { available: number }[])[0].available);
const heldUnits = async (openid: string) =>
  Number(((await t.deps.db.query("SELECT COALESCE(SUM(i.units), 0) n FROM orders o JOIN order_items i ON i.order_id = o.id JOIN users u ON u.id = o.user_id WHERE u.openid = ? AND o.status = 'awaiting_pickup'", [openid]))[0] as { n: number }[])[0].n);

describe('open units per buyer', () => {
  it('when a buyer goes past the units of one SKU or of all SKUs in open orders, then 409 OPEN_UNITS_LIMIT and no stock moves', async () => {
    const buyer = await t.login('cap_buyer');
    expect((await order(buyer, [{ skuId: 'AC-GREE-1-A', units: 3 }])).status).toBe(201);
    const before = await available('AC-GREE-1-A');
    const sameSku = await order(buyer, [{ skuId: 'AC-GREE-1-A', units: 1 }]);
    expect(sameSku.status).toBe(409);
    expect(sameSku.body.error.code).toBe('OPEN_UNITS_LIMIT');
    expect(sameSku.body.error.message).toContain('5 台');
    expect(await available('AC-GREE-1-A')).toBe(before);

    expect((await order(buyer, [{ skuId: 'RF-HAIER-1-A', units: 2 }])).status).toBe(201);
    const pastTotal = await order(buyer, [{ skuId: 'TV-KONKA-1-A', units: 1 }]);
    expect(pastTotal.status).toBe(409);
    expect(pastTotal.body.error.code).toBe('OPEN_UNITS_LIMIT');
    expect(await heldUnits('cap_buyer')).toBe(5);
  });

  it('when an open order is cancelled or picked up, then its units count no more', async () => {
    const buyer = await t.login('cap_release');
    const first = await order(buyer, [{ skuId: 'WM-MIDEA-1-A', units: 3 }]);
    expect(first.status).toBe(201);
    expect((await order(buyer, [{ skuId: 'WM-MIDEA-1-A', units: 1 }])).status).toBe(409);
    expect((await t.http.post(`/api/v1/orders/${first.body.id}/cancel`).set(auth(buyer))).status).toBe(200);
    const second = await order(buyer, [{ skuId: 'WM-MIDEA-1-A', units: 3 }]);
    expect(second.status).toBe(201);
    const confirm = await t.http.post(`/api/v1/store/pickups/${second.body.id}/confirm`).set(auth(owner)).send({ code: second.body.pickupCode, paymentMethod: 'cash' });
    expect(confirm.status).toBe(200);
    expect((await order(buyer, [{ skuId: 'WM-MIDEA-1-A', units: 3 }])).status).toBe(201);
  });

  it('when one buyer fires 20 one-unit orders for one SKU at once, then exactly 3 are placed and the rest are refused', async () => {
    const buyer = await t.login('cap_racer');
    const before = await available('DW-BSH-1-A');
    const res = await Promise.all(Array.from({ length: 20 }, () => order(buyer, [{ skuId: 'DW-BSH-1-A', units: 1 }])));
    expect(res.filter((r) => r.status === 201)).toHaveLength(3);
    expect(res.filter((r) => r.status === 409 && r.body.error.code === 'OPEN_UNITS_LIMIT')).toHaveLength(17);
    expect(await available('DW-BSH-1-A')).toBe(before - 3);
    expect(await heldUnits('cap_racer')).toBe(3);
  });

  it('when a buyer creates orders faster than the budget, then 429 RATE_LIMITED with Retry-After, and nothing is stored', async () => {
    const limited = await createTestContext({ seed: true, overrides: { rateLimits: { orderPerUser: { points: 3, durationSeconds: 600 } } } });
    try {
      const buyer = await limited.login('rate_buyer');
      const place = () => limited.http.post('/api/v1/orders').set(auth(buyer)).set('Idempotency-Key', `rl-${randomBytes(8).toString('hex')}`).send({ storeId: 'DEMO-001', items: [{ skuId: 'SK-MIDEA-1-A', units: 1 }] });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await place()).status);
      expect(statuses).toEqual([201, 201, 201, 429, 429]);
      const last = await place();
      expect(last.body.error.code).toBe('RATE_LIMITED');
      expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
      const [rows] = await limited.deps.db.query("SELECT COUNT(*) n FROM orders o JOIN users u ON u.id = o.user_id WHERE u.openid = 'rate_buyer'");
      expect(Number((rows as { n: number }[])[0].n)).toBe(3);
    } finally {
      await limited.stop();
    }
  });
});

describe('a settlement that cannot get stock', () => {
  const openAndJoin = async (skuId: string) => {
    const leader = await t.login('demo_leader');
    const opened = await t.http.post('/api/v1/group-buys').set(auth(leader)).send({
      skuId, storeId: 'DEMO-001', tiers: [{ minUnits: 2, priceFen: 180000 }], deadline: new Date(Date.now() + 60_000).toISOString(), maxUnits: 10, maxUnitsPerMember: 3,
    });
    expect(opened.status).toBe(201);
    for (const who of ['stock_a', 'stock_b']) {
      expect((await t.http.post(`/api/v1/group-buys/${opened.body.id}/join`).set(auth(await t.login(who))).send({ units: 2 })).status).toBe(200);
    }
    await t.deps.db.query('UPDATE group_buys SET deadline = NOW(3) - INTERVAL 1 SECOND WHERE id = ?', [opened.body.id]);
    return opened.body.id as string;
  };

  it('when the stock is gone at the deadline, then the group fails once (out_of_stock), members are told, nothing is owed and it is not retried', async () => {
    const id = await openAndJoin('GH-FOTILE-1-A');
    await t.deps.db.query("UPDATE skus SET available = 3 WHERE id = 'GH-FOTILE-1-A'");
    expect(await settleGroupBuy(t.deps, id)).toBe('failed');
    expect(await settleGroupBuy(t.deps, id)).toBeNull();
    const [rows] = await t.deps.db.query('SELECT status, failure_reason AS reason FROM group_buys WHERE id = ?', [id]);
    expect(rows).toEqual([{ status: 'failed', reason: 'out_of_stock' }]);
    expect(await available('GH-FOTILE-1-A')).toBe(3);
    const [orders] = await t.deps.db.query('SELECT COUNT(*) n FROM orders WHERE group_buy_id = ?', [id]);
    expect(Number((orders as { n: number }[])[0].n)).toBe(0);
    const detail = await t.http.get(`/api/v1/group-buys/${id}`);
    expect(detail.body).toMatchObject({ status: 'failed', failureReason: 'out_of_stock' });
    // Members are told through the outbox (jobs are off here: the dispatcher runs by hand).
    await dispatchOutbox(t.deps, subscribers);
    const told = t.emulator.messages.filter((m) => m.template_id === 'group_buy_failed' && JSON.stringify(m.data).includes('库存不足')).map((m) => m.touser);
    expect(told.filter((to) => to.startsWith('stock_')).sort()).toEqual(['stock_a', 'stock_b']);
  });

  it('when a settlement keeps failing for another reason, then after the configured tries the group fails (settlement_error) instead of retrying forever', async () => {
    const id = await openAndJoin('RH-SACON-1-A');
    await t.deps.db.query("UPDATE group_buys SET status = 'settling', settling_since = NOW(3) - INTERVAL 1 HOUR, settle_attempts = ? WHERE id = ?", [t.config.safeguards.maxSettleAttempts, id]);
    expect(await settleGroupBuy(t.deps, id)).toBe('failed');
    const [rows] = await t.deps.db.query('SELECT status, failure_reason AS reason FROM group_buys WHERE id = ?', [id]);
    expect(rows).toEqual([{ status: 'failed', reason: 'settlement_error' }]);
  });
});
