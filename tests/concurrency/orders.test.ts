import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { dbPoolSize: 30 } });
});
afterAll(async () => t.stop());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('orders under concurrency', () => {
  it('when 50 retries with one Idempotency-Key arrive at once, then exactly one order exists and all get its response', async () => {
    const token = await t.login('retrier');
    const k = `retry-${randomBytes(6).toString('hex')}`;
    const body = { storeId: 'DEMO-001', items: [{ skuId: 'AC-MIDEA-1-A', units: 1 }] };
    const res = await Promise.all(Array.from({ length: 50 }, () => t.http.post('/api/v1/orders').set(auth(token)).set('Idempotency-Key', k).send(body)));
    expect(res.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(new Set(res.map((r) => r.body.id)).size).toBe(1);
    const [rows] = await t.deps.db.query('SELECT COUNT(*) n FROM orders o JOIN users u ON u.id = o.user_id WHERE u.openid = ?', ['retrier']);
    expect(Number((rows as { n: number }[])[0].n)).toBe(1);
  });

  it('when 40 buyers race for the last 10 units, then exactly 10 orders exist, the rest get 409 INSUFFICIENT_STOCK, and availability ends at 0', async () => {
    await t.deps.db.query("UPDATE skus SET available = 10 WHERE id = 'DW-BSH-1-A'");
    const tokens = await Promise.all(Array.from({ length: 40 }, (_, i) => t.login(`racer_${i}`)));
    const res = await Promise.all(
      tokens.map((token) => t.http.post('/api/v1/orders').set(auth(token)).set('Idempotency-Key', `race-${randomBytes(6).toString('hex')}`).send({ storeId: 'DEMO-001', items: [{ skuId: 'DW-BSH-1-A', units: 1 }] })),
    );
    expect(res.filter((r) => r.status === 201)).toHaveLength(10);
    expect(res.filter((r) => r.status === 409).every((r) => r.body.error.code === 'INSUFFICIENT_STOCK')).toBe(true);
    expect(res.filter((r) => r.status === 409)).toHaveLength(30);
    const [sku] = await t.deps.db.query("SELECT available FROM skus WHERE id = 'DW-BSH-1-A'");
    expect((sku as { available: number }[])[0].available).toBe(0);
    const [orders] = await t.deps.db.query("SELECT COALESCE(SUM(i.units), 0) n FROM order_items i WHERE i.sku_id = 'DW-BSH-1-A'");
    expect(Number((orders as { n: number }[])[0].n)).toBe(10);
  });

  it('when two confirmations of one order arrive at the same moment, then one is picked_up and the other 409 ALREADY_PICKED_UP', async () => {
    const villager = await t.login('demo_villager');
    const owner = await t.login('demo_owner');
    for (let round = 0; round < 5; round++) {
      const placed = await t.http.post('/api/v1/orders').set(auth(villager)).set('Idempotency-Key', `c-${randomBytes(6).toString('hex')}`).send({ storeId: 'DEMO-001', items: [{ skuId: 'SK-MIDEA-1-A', units: 1 }] });
      const both = await Promise.all([0, 1].map(() => t.http.post(`/api/v1/store/pickups/${placed.body.id}/confirm`).set(auth(owner)).send({ code: placed.body.pickupCode, paymentMethod: 'cash' })));
      expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(both.find((r) => r.status === 409)!.body.error.code).toBe('ALREADY_PICKED_UP');
      const [audit] = await t.deps.db.query("SELECT COUNT(*) n FROM order_audit WHERE order_id = ? AND action = 'confirm_pickup'", [placed.body.id]);
      expect(Number((audit as { n: number }[])[0].n)).toBe(1);
    }
  });
});
