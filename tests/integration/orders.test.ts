import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';
import { signInAsNewStoreOwner } from '../helpers/accounts';
import { miniProgramPages, pageOf } from '../helpers/pages';
import { pollUntil } from '../helpers/poll';
import { WechatClient, SUBSCRIBE_TEMPLATES, type SubscribeTemplate } from '../../server/src/lib/wechat';

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
    expect(res.body).toEqual({
      id: expect.any(String), status: 'awaiting_pickup', fulfilment: 'pickup', pickupCode: expect.stringMatching(/^\d{8}$/), deliveryCode: null, appointment: null,
      price: { itemsFen: 599800, couponFen: 0, tradeInFen: 0, payableFen: 599800, deliveryFen: 0, installFen: 0, haulAwayFen: 0, remoteFen: 0 }, paymentMode: 'on_pickup',
    });
    expect(await available('AC-GREE-1-A')).toBe(before - 2);
    const mine = await t.http.get(`/api/v1/orders/${res.body.id}`).set(auth(villager));
    expect(mine.body).toMatchObject({ status: 'awaiting_pickup', pickupCode: res.body.pickupCode, store: { id: 'DEMO-001' }, items: [{ skuId: 'AC-GREE-1-A', units: 2, unitPriceFen: 299900 }] });
    const [audit] = await t.deps.db.query('SELECT action, to_state FROM order_audit WHERE order_id = ?', [res.body.id]);
    expect(audit).toEqual([{ action: 'create', to_state: 'awaiting_pickup' }]);
    // The buyer is told through WeChat (the emulator records subscribe messages).
    await pollUntil('the order message', () => Promise.resolve(t.emulator.messages.some((m) => m.touser === 'demo_villager' && m.template_id === 'order_created' && m.page?.endsWith(res.body.id))), Boolean);
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

    const confirm = await t.http.post(`/api/v1/store/pickups/${placed.body.id}/confirm`).set(auth(owner)).send({ code: placed.body.pickupCode, paymentMethod: 'cash' });
    expect(confirm.status).toBe(200);
    expect(confirm.body.status).toBe('picked_up');
    const again = await t.http.post(`/api/v1/store/pickups/${placed.body.id}/confirm`).set(auth(owner)).send({ code: placed.body.pickupCode, paymentMethod: 'cash' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_PICKED_UP');
    expect((await t.http.get(`/api/v1/orders/${placed.body.id}`).set(auth(villager))).body.status).toBe('picked_up');
    // The code is closed with the order: the counter is told it was handed over already.
    expect((await t.http.post('/api/v1/store/pickups/verify').set(auth(owner)).send({ code: placed.body.pickupCode })).status).toBe(409);
    // The message opens the order's own page, a page the mini-program has.
    const told = await pollUntil('the pickup message', () => Promise.resolve(t.emulator.messages.find((m) => m.touser === 'demo_villager' && m.template_id === 'order_picked_up' && m.page?.endsWith(placed.body.id))), Boolean);
    expect(told!.page).toBe(`pages/order/index?id=${placed.body.id}`);
    expect(miniProgramPages()).toContain(pageOf(told!.page));
  });

  it('when a test environment has no subscribe-message templates configured, then nothing is sent and the order still succeeds', async () => {
    const before = t.emulator.messages.length;
    const quiet = { ...t.deps, wechat: new WechatClient({ ...t.config.wechat, subscribeTemplates: Object.fromEntries(SUBSCRIBE_TEMPLATES.map((k) => [k, ''])) as Record<SubscribeTemplate, string> }, t.deps.logger) };
    expect(await quiet.wechat.notify({ touser: 'demo_villager', template: 'orderCreated', page: 'pages/orders/index', data: {} })).toBe(false);
    expect(await t.deps.wechat.notify({ touser: 'demo_villager', template: 'orderCreated', page: 'pages/orders/index', data: {} })).toBe(true);
    expect(t.emulator.messages.length).toBe(before + 1);
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
      ['post', `/api/v1/store/pickups/${placed.body.id}/confirm`, { code: placed.body.pickupCode, paymentMethod: 'wechat_qr' }],
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
    const { token: brute } = await signInAsNewStoreOwner(t, 'brute_owner', 'DEMO-002');
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await t.http.post('/api/v1/store/pickups/verify').set(auth(brute)).send({ code: String(10_000_000 + i) })).status);
    // The configured budget of failed look-ups (10 in a row), then the lock.
    expect(statuses.filter((s) => s === 404).length).toBe(10);
    const limited = await t.http.post('/api/v1/store/pickups/verify').set(auth(brute)).send({ code: '12345678' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('the counter on opening day', () => {
  it('when 100 customers come in a row and every fourth owner mistypes the code once, then every one is served and nobody waits', async () => {
    await t.deps.db.query("UPDATE skus SET available = 1000 WHERE id = 'DW-MIDEA-1-A'");
    const customers = await Promise.all(Array.from({ length: 100 }, (_, i) => t.login(`queue_customer_${i}`)));
    const codes: string[] = [];
    for (const c of customers) {
      const placed = await order(c, { storeId: 'DEMO-001', items: [{ skuId: 'DW-MIDEA-1-A', units: 1 }] });
      expect(placed.status).toBe(201);
      codes.push(placed.body.pickupCode);
    }
    const counter = await t.login('demo_owner');
    const served: number[] = [];
    for (const [i, code] of codes.entries()) {
      if (i % 4 === 0) {
        // A digit typed wrong: a code no open order at this store has.
        const typo = await t.http.post('/api/v1/store/pickups/verify').set(auth(counter)).send({ code: code.slice(0, 7) + String((Number(code[7]) + 5) % 10) });
        expect([404, 200]).toContain(typo.status);
      }
      const v = await t.http.post('/api/v1/store/pickups/verify').set(auth(counter)).send({ code });
      served.push(v.status);
    }
    expect(served).toEqual(Array(100).fill(200));
  });

  it('when a code was handed over already, then verify says 409 ALREADY_PICKED_UP with the time; another store\'s owner still gets 404', async () => {
    const placed = await order(villager, { storeId: 'DEMO-001', items: [{ skuId: 'DW-MIDEA-1-A', units: 1 }] });
    const confirmed = await t.http.post(`/api/v1/store/pickups/${placed.body.id}/confirm`).set(auth(owner)).send({ code: placed.body.pickupCode, paymentMethod: 'cash' });
    expect(confirmed.status).toBe(200);
    const again = await t.http.post('/api/v1/store/pickups/verify').set(auth(owner)).send({ code: placed.body.pickupCode });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_PICKED_UP');
    expect(again.body.error.pickedUpAt).toBe(confirmed.body.pickedUpAt);
    // The time as the counter reads it, in Beijing time.
    const local = new Date(new Date(confirmed.body.pickedUpAt).getTime() + 8 * 3600_000);
    expect(again.body.error.message).toContain(`${local.getUTCMonth() + 1}月${local.getUTCDate()}日`);
    expect(again.body.error.message).toContain(`${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`);
    const { token: elsewhere } = await signInAsNewStoreOwner(t, 'elsewhere_owner', 'DEMO-002');
    const other = await t.http.post('/api/v1/store/pickups/verify').set(auth(elsewhere)).send({ code: placed.body.pickupCode });
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain(placed.body.id);
  });
});
