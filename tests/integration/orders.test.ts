import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';

let t: TestContext;
let villager: string;
let owner: string;
let owner2: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true });
  [villager, owner, owner2] = await Promise.all([t.login('demo_villager'), t.login('demo_owner'), t.login('demo_owner2')]);
});
afterAll(async () => t.stop());

const key = () => `k-${randomBytes(8).toString('hex')}`;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const available = async (skuId: string) => {
  const [rows] = await t.deps.db.query('SELECT available FROM skus WHERE id = ?', [skuId]);
  return (rows as { available: number }[])[0].available;
};
const order = (token: string, body: object, k = key()) => t.http.post('/api/v1/orders').set(auth(token)).set('Idempotency-Key', k).send(body);

describe('catalogue', () => {
  it('when products are listed by category and tag, then they come with prices in fen and served images', async () => {
    const res = await t.http.get('/api/v1/products?category=air_conditioner&tag=new_season');
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(2);
    for (const p of res.body.items) {
      expect(p.category).toBe('air_conditioner');
      expect(p.tags).toContain('new_season');
      expect(Number.isInteger(p.priceFen)).toBe(true);
      expect(p.imageUrl).toMatch(/^\/api\/v1\/images\/[a-z_]+\.svg$/);
    }
    const img = await t.http.get(res.body.items[0].imageUrl);
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toContain('image/svg+xml');
  });

  it('when a product is opened, then its SKUs and availability show; an unknown one is 404', async () => {
    const res = await t.http.get('/api/v1/products/AC-GREE-1');
    expect(res.status).toBe(200);
    expect(res.body.skus).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'AC-GREE-1-A', spec: '1.5匹 挂机', priceFen: 299900 })]));
    expect((await t.http.get('/api/v1/products/NOPE')).status).toBe(404);
  });

  it('when pages are walked with the cursor, then every product comes once', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await t.http.get(`/api/v1/products?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.body.items.map((p) => p.id));
      cursor = res.body.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThan(20);
  });
});

describe('placing an order', () => {
  it('when a villager orders at DEMO-001, then the server prices it, reserves the units, and gives an 8-digit pickup code', async () => {
    const before = await available('AC-GREE-1-A');
    const res = await order(villager, { storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 2 }] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), status: 'awaiting_pickup', pickupCode: expect.stringMatching(/^\d{8}$/), price: { itemsFen: 599800, couponFen: 0, tradeInFen: 0, payableFen: 599800 } });
    expect(await available('AC-GREE-1-A')).toBe(before - 2);
    const mine = await t.http.get(`/api/v1/orders/${res.body.id}`).set(auth(villager));
    expect(mine.body).toMatchObject({ status: 'awaiting_pickup', pickupCode: res.body.pickupCode, store: { id: 'DEMO-001' }, items: [{ skuId: 'AC-GREE-1-A', units: 2, unitPriceFen: 299900 }] });
    const [audit] = await t.deps.db.query('SELECT action, to_state FROM order_audit WHERE order_id = ?', [res.body.id]);
    expect(audit).toEqual([{ action: 'create', to_state: 'awaiting_pickup' }]);
    // The buyer is told through WeChat (the emulator records subscribe messages).
    await new Promise((r) => setTimeout(r, 200));
    expect(t.emulator.messages.some((m) => m.touser === 'demo_villager' && m.template_id === 'order_created')).toBe(true);
  });

  it('when the body or key is bad, then 400 with the field named and nothing is stored', async () => {
    const [before] = await t.deps.db.query('SELECT COUNT(*) n FROM orders');
    const noKey = await t.http.post('/api/v1/orders').set(auth(villager)).send({ storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 1 }] });
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.details[0].path).toBe('headers.Idempotency-Key');
    const bad = await order(villager, { storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 0 }], priceFen: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['body.items.0.units', 'body.priceFen']));
    const dup = await order(villager, { storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 1 }, { skuId: 'AC-GREE-1-A', units: 1 }] });
    expect(dup.status).toBe(400);
    expect((await order(villager, { storeId: 'NOPE', items: [{ skuId: 'AC-GREE-1-A', units: 1 }] })).status).toBe(404);
    expect((await order(villager, { storeId: 'DEMO-001', items: [{ skuId: 'NOPE', units: 1 }] })).status).toBe(404);
    const [after] = await t.deps.db.query('SELECT COUNT(*) n FROM orders');
    expect(after).toEqual(before);
  });

  it('when the same key is sent again, then the first response comes back; with another body, 422', async () => {
    const k = key();
    const body = { storeId: 'DEMO-001', items: [{ skuId: 'RF-HAIER-1-A', units: 1 }] };
    const first = await order(villager, body, k);
    const again = await order(villager, body, k);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const other = await order(villager, { ...body, items: [{ skuId: 'RF-HAIER-1-A', units: 2 }] }, k);
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('when the buyer cancels, then the units come back, a second cancel is 409, and someone else gets 404', async () => {
    const before = await available('TV-KONKA-1-A');
    const placed = await order(villager, { storeId: 'DEMO-001', items: [{ skuId: 'TV-KONKA-1-A', units: 3 }] });
    expect(await available('TV-KONKA-1-A')).toBe(before - 3);
    const stranger = await t.login('stranger_1');
    expect((await t.http.post(`/api/v1/orders/${placed.body.id}/cancel`).set(auth(stranger))).status).toBe(404);
    const cancelled = await t.http.post(`/api/v1/orders/${placed.body.id}/cancel`).set(auth(villager));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.pickupCode).toBeNull();
    expect(await available('TV-KONKA-1-A')).toBe(before);
    const again = await t.http.post(`/api/v1/orders/${placed.body.id}/cancel`).set(auth(villager));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ORDER_NOT_CANCELLABLE');
    const [audit] = await t.deps.db.query('SELECT action, from_state, to_state, actor_user_id IS NOT NULL AS byUser FROM order_audit WHERE order_id = ? ORDER BY id', [placed.body.id]);
    expect(audit).toEqual([
      { action: 'create', from_state: null, to_state: 'awaiting_pickup', byUser: 1 },
      { action: 'cancel', from_state: 'awaiting_pickup', to_state: 'cancelled', byUser: 1 },
    ]);
  });

  it('when an order is overdue, then the expiry job expires it and returns its units', async () => {
    const before = await available('WM-MIDEA-1-A');
    const placed = await order(villager, { storeId: 'DEMO-001', items: [{ skuId: 'WM-MIDEA-1-A', units: 1 }] });
    await t.deps.db.query('UPDATE orders SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE id = ?', [placed.body.id]);
    const { expireOverdueOrders } = await import('../../server/src/modules/orders/service');
    expect(await expireOverdueOrders(t.deps)).toBeGreaterThanOrEqual(1);
    expect((await t.http.get(`/api/v1/orders/${placed.body.id}`).set(auth(villager))).body.status).toBe('expired');
    expect(await available('WM-MIDEA-1-A')).toBe(before);
  });
});

describe('pickup at the store', () => {
  it('when the owner verifies the code and confirms, then the order is picked_up once and the buyer sees it', async () => {
    const placed = await order(villager, { storeId: 'DEMO-001', items: [{ skuId: 'SK-JOYOUNG-1-A', units: 1 }] });
    const list = await t.http.get('/api/v1/store/pickups?status=awaiting_pickup').set(auth(owner));
    expect(list.status).toBe(200);
    expect(list.body.items.map((o: { id: string }) => o.id)).toContain(placed.body.id);
    expect(list.body.items.every((o: { pickupCode: string | null }) => o.pickupCode === null)).toBe(true);

    const verify = await t.http.post('/api/v1/store/pickups/verify').set(auth(owner)).send({ code: placed.body.pickupCode });
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ id: placed.body.id, buyer: { nickname: '王大妈' }, price: { payableFen: 39900 } });

    const confirm = await t.http.post(`/api/v1/store/pickups/${placed.body.id}/confirm`).set(auth(owner)).send({ paymentMethod: 'cash' });
    expect(confirm.status).toBe(200);
    expect(confirm.body.status).toBe('picked_up');
    const again = await t.http.post(`/api/v1/store/pickups/${placed.body.id}/confirm`).set(auth(owner)).send({ paymentMethod: 'cash' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_PICKED_UP');
    expect((await t.http.get(`/api/v1/orders/${placed.body.id}`).set(auth(villager))).body.status).toBe('picked_up');
    // The code is closed with the order.
    expect((await t.http.post('/api/v1/store/pickups/verify').set(auth(owner)).send({ code: placed.body.pickupCode })).status).toBe(404);
    await new Promise((r) => setTimeout(r, 200));
    expect(t.emulator.messages.some((m) => m.touser === 'demo_villager' && m.template_id === 'order_picked_up')).toBe(true);
  });

  it('when the buyer has not subscribed (WeChat 43101), then the order still succeeds', async () => {
    const token = await t.login('nosub_buyer');
    const res = await order(token, { storeId: 'DEMO-001', items: [{ skuId: 'SK-SUPOR-1-A', units: 1 }] });
    expect(res.status).toBe(201);
  });

  it('for every store route: this store\'s owner 200, another store\'s owner 404, a villager 403, nobody 401', async () => {
    const placed = await order(villager, { storeId: 'DEMO-001', items: [{ skuId: 'SK-MIDEA-1-A', units: 1 }] });
    const routes: [string, string, unknown][] = [
      ['get', '/api/v1/store/pickups?status=awaiting_pickup', undefined],
      ['post', '/api/v1/store/pickups/verify', { code: placed.body.pickupCode }],
      ['post', `/api/v1/store/pickups/${placed.body.id}/confirm`, { paymentMethod: 'wechat_qr' }],
    ];
    for (const [method, path, body] of routes) {
      const send = (token?: string) => {
        let r = (t.http as unknown as Record<string, (p: string) => import('supertest').Test>)[method](path);
        if (token) r = r.set(auth(token));
        return body ? r.send(body) : r;
      };
      const other = await send(owner2);
      if (method === 'get') {
        expect(other.status).toBe(200);
        expect(other.body.items.map((o: { id: string }) => o.id)).not.toContain(placed.body.id);
      } else {
        expect(other.status).toBe(404);
      }
      expect((await send(villager)).status).toBe(403);
      expect((await send()).status).toBe(401);
      expect((await send(owner)).status).toBe(200);
    }
  });

  it('when codes are tried in bulk from one account, then verification is rate-limited', async () => {
    const brute = await t.login('demo_owner2');
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await t.http.post('/api/v1/store/pickups/verify').set(auth(brute)).send({ code: String(10_000_000 + i) })).status);
    expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(10);
    const limited = await t.http.post('/api/v1/store/pickups/verify').set(auth(brute)).send({ code: '12345678' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
