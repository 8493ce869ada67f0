import { startAbuseContext, type AbuseContext } from './attacker';

/**
 * PIPL: a villager who deletes the account (DELETE /me) leaves nothing personal behind that others
 * can read, and nothing held: the store owner no longer sees the leader application (real name,
 * phone), the neighbours the leader joined keep no phone, open orders are cancelled with their
 * units, coupon and trade-in quote given back, and open group-buys are left. Finished orders stay,
 * anonymised (docs/privacy.md).
 */
let t: AbuseContext;
let owner: string;

beforeAll(async () => {
  t = await startAbuseContext();
  owner = await t.login('demo_owner');
});
afterAll(() => t?.stop());
afterEach(() => expect(t.serverErrors).toEqual([]));

const AC_SKU = 'AC-GREE-1-A';
const available = (skuId: string) => t.count('SELECT available AS n FROM skus WHERE id = ?', [skuId]);

describe('deleting an account', () => {
  it('when a leader with an open order, a coupon, a quote, an open group and neighbours deletes the account, then none of it stays visible or held', async () => {
    const me = await t.login('leaving_leader');
    const userId = (await t.http.get('/api/v1/me').set(t.auth(me))).body.id as string;

    // A leader: applied with a real name and a phone, approved by the owner.
    const applied = await t.http.post('/api/v1/leaders/apply').set(t.auth(me)).send({ storeId: 'DEMO-001', villageCode: '130608100201', realName: '钱离开', phone: '13955550001' });
    expect(applied.status).toBe(201);
    expect((await t.http.post(`/api/v1/store/leaders/${userId}/approve`).set(t.auth(owner))).status).toBe(200);
    const leader = await t.login('leaving_leader');

    // A group of theirs with a neighbour joined by phone, and their own units in it.
    const [[sku]] = (await t.deps.db.query('SELECT price_fen AS priceFen FROM skus WHERE id = ?', ['TV-KONKA-1-A'])) as unknown as [{ priceFen: number }[]];
    const group = await t.http.post('/api/v1/group-buys').set(t.auth(leader)).send({
      skuId: 'TV-KONKA-1-A', storeId: 'DEMO-001', tiers: [{ minUnits: 3, priceFen: Math.round(sku.priceFen * 0.95) }], deadline: new Date(Date.now() + 3_600_000).toISOString(), maxUnits: 10, maxUnitsPerMember: 3,
    });
    expect(group.status).toBe(201);
    expect((await t.http.post(`/api/v1/group-buys/${group.body.id}/proxy-members`).set(t.auth(leader)).send({ name: '孙大娘', phone: '13955550002', units: 1 })).status).toBe(201);
    expect((await t.http.post(`/api/v1/group-buys/${group.body.id}/join`).set(t.auth(leader)).send({ units: 2 })).status).toBe(200);

    // An open order with a coupon and a trade-in quote.
    const stockBefore = await available(AC_SKU);
    const coupon = await t.http.post('/api/v1/coupons/claim').set(t.auth(leader)).send({ templateId: 'NSNOW-AC100' });
    expect(coupon.status).toBe(201);
    const quote = await t.http.post('/api/v1/trade-in/quotes').set(t.auth(leader)).send({ category: 'air_conditioner', brand: '格力', ageYears: 8, condition: 'good', working: true, horsepower: 1.5 });
    expect(quote.status).toBe(201);
    const order = await t.http.post('/api/v1/orders').set(t.auth(leader)).set('Idempotency-Key', t.idem())
      .send({ storeId: 'DEMO-001', items: [{ skuId: AC_SKU, units: 1 }], couponId: coupon.body.coupon.id, tradeInQuoteId: quote.body.id });
    expect(order.status).toBe(201);
    expect(await available(AC_SKU)).toBe(stockBefore - 1);

    const deleted = await t.http.delete('/api/v1/me').set(t.auth(leader));
    expect(deleted.status).toBe(204);

    // The owner no longer sees the application, in any status.
    for (const status of ['pending', 'approved']) {
      const list = await t.http.get(`/api/v1/store/leaders?status=${status}&limit=50`).set(t.auth(owner));
      expect(list.status).toBe(200);
      expect(JSON.stringify(list.body)).not.toContain('钱离开');
      expect(JSON.stringify(list.body)).not.toContain(userId);
    }
    expect(await t.count('SELECT COUNT(*) AS n FROM leaders WHERE user_id = ?', [userId])).toBe(0);

    // The neighbour keeps their place but no phone; the leaver's units are out of the open group.
    const [members] = await t.deps.db.query('SELECT user_id AS userId, proxy_phone_enc AS enc, proxy_phone_hash AS hash, units FROM group_buy_members WHERE group_buy_id = ?', [group.body.id]);
    const rows = members as { userId: string | null; enc: Buffer | null; hash: string | null; units: number }[];
    expect(rows.filter((m) => m.userId === null).map((m) => [m.enc, m.hash, m.units])).toEqual([[null, null, 1]]);
    expect(rows.filter((m) => m.userId === userId && m.units > 0)).toEqual([]);
    expect(await t.count('SELECT units_joined AS n FROM group_buys WHERE id = ?', [group.body.id])).toBe(1);
    const view = await t.http.get(`/api/v1/group-buys/${group.body.id}`);
    expect(JSON.stringify(view.body)).not.toMatch(/1395555000[12]|钱离开/);

    // The order is cancelled: the unit, the coupon and the quote are back.
    expect(await t.count('SELECT COUNT(*) AS n FROM orders WHERE id = ? AND status = ?', [order.body.id, 'cancelled'])).toBe(1);
    expect(await available(AC_SKU)).toBe(stockBefore);
    expect(await t.count("SELECT COUNT(*) AS n FROM coupons WHERE id = ? AND status = 'unused' AND order_id IS NULL", [coupon.body.coupon.id])).toBe(1);
    expect(await t.count('SELECT COUNT(*) AS n FROM trade_in_quotes WHERE id = ? AND order_id IS NULL', [quote.body.id])).toBe(1);

    // The account itself: no openid, no phone; the token is dead.
    expect(await t.count('SELECT COUNT(*) AS n FROM users WHERE id = ? AND openid IS NULL AND phone_enc IS NULL AND deleted_at IS NOT NULL', [userId])).toBe(1);
    expect((await t.http.get('/api/v1/me').set(t.auth(leader))).status).toBe(401);
  });

  it('when a villager with a finished order deletes the account, then the order stays for the store, with no name or phone', async () => {
    const me = await t.login('leaving_buyer');
    const placed = await t.http.post('/api/v1/orders').set(t.auth(me)).set('Idempotency-Key', t.idem()).send({ storeId: 'DEMO-001', items: [{ skuId: 'TV-KONKA-1-A', units: 1 }] });
    expect(placed.status).toBe(201);
    const handed = await t.http.post(`/api/v1/store/pickups/${placed.body.id}/confirm`).set(t.auth(owner)).send({ code: placed.body.pickupCode, paymentMethod: 'cash' });
    expect(handed.status).toBe(200);
    expect((await t.http.delete('/api/v1/me').set(t.auth(me))).status).toBe(204);
    expect(await t.count("SELECT COUNT(*) AS n FROM orders WHERE id = ? AND status = 'picked_up'", [placed.body.id])).toBe(1);
    const history = await t.http.get('/api/v1/store/pickups?status=picked_up&limit=50').set(t.auth(owner));
    expect(JSON.stringify(history.body)).not.toContain('leaving_buyer');
  });
});
