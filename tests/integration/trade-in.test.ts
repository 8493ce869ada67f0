import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';
import { RULES_V1 } from '../../prisma/seed/trade-in';

let t: TestContext;
let villager: string;
let admin: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true });
  villager = await t.login('demo_villager');
  admin = await t.login('demo_admin');
});
afterAll(async () => t.stop());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const GREE_AC = { category: 'air_conditioner', brand: '格力', ageYears: 8, condition: 'good', working: true, horsepower: 1.5 };
const AC_SKU = 'AC-GREE-1-A'; // 1.5匹 挂机, 2999.00
const FRIDGE_SKU = 'RF-MEILING-1-A';
const quote = (token: string, body: object) => t.http.post('/api/v1/trade-in/quotes').set(auth(token)).send(body);
const order = (token: string, body: object) => t.http.post('/api/v1/orders').set(auth(token)).set('Idempotency-Key', `k-${randomBytes(6).toString('hex')}`).send(body);
const quoteRow = async (id: string) => {
  const [rows] = await t.deps.db.query('SELECT order_id AS orderId, credit_fen AS creditFen, final_fen AS finalFen, inspected_condition AS cond FROM trade_in_quotes WHERE id = ?', [id]);
  return (rows as Record<string, unknown>[])[0];
};
const countQuotes = async () => Number(((await t.deps.db.query('SELECT COUNT(*) AS n FROM trade_in_quotes'))[0] as { n: number }[])[0].n);

describe('categories', () => {
  it('when anyone asks, then every trade-in category describes brand, age, condition, working and its own size question', async () => {
    const res = await t.http.get('/api/v1/trade-in/categories');
    expect(res.status).toBe(200);
    expect(res.body.map((c: { category: string }) => c.category)).toEqual(['air_conditioner', 'refrigerator', 'washing_machine', 'tv', 'water_heater', 'range_hood', 'gas_hob']);
    for (const c of res.body as { questions: { id: string; options: unknown[] }[] }[]) {
      const ids = c.questions.map((q) => q.id);
      expect(ids).toEqual(expect.arrayContaining(['brand', 'ageYears', 'condition', 'working']));
      expect(ids.length).toBeGreaterThanOrEqual(5);
      for (const q of c.questions) expect(q.options.length).toBeGreaterThan(0);
    }
    const ac = res.body.find((c: { category: string }) => c.category === 'air_conditioner');
    expect(ac.questions.find((q: { id: string }) => q.id === 'horsepower')).toMatchObject({ type: 'number', unit: '匹', options: expect.arrayContaining([{ value: 1.5, label: '1.5匹' }]) });
    const wh = res.body.find((c: { category: string }) => c.category === 'water_heater');
    expect(wh.questions.map((q: { id: string }) => q.id)).toEqual(expect.arrayContaining(['litres', 'heaterType']));
  });
});

describe('quotes', () => {
  it('when a villager quotes an 8-year-old working 1.5匹 Gree air conditioner in good condition, then 201 with the breakdown, the subsidy, the rule version, 7 days of validity, stored', async () => {
    const before = Date.now();
    const res = await quote(villager, GREE_AC);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ amountFen: 24_480, subsidyFen: 24_896, totalFen: 49_376, ruleVersion: 1, status: 'valid', category: 'air_conditioner', orderId: null });
    expect(res.body.breakdown.reduce((n: number, l: { amountFen: number }) => n + l.amountFen, 0)).toBe(49_376);
    expect(res.body.breakdown.map((l: { label: string }) => l.label).join()).toContain('以旧换新补贴');
    const days = (Date.parse(res.body.expiresAt) - before) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    const [rows] = await t.deps.db.query('SELECT user_id, rule_version, total_fen, expires_at FROM trade_in_quotes WHERE id = ?', [res.body.id]);
    expect(rows).toEqual([expect.objectContaining({ rule_version: 1, total_fen: 49_376 })]);
    const again = await t.http.get(`/api/v1/trade-in/quotes/${res.body.id}`).set(auth(villager));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
  });

  it('when the same answers are quoted again, then the amounts and breakdown are the same', async () => {
    const [a, b] = [await quote(villager, GREE_AC), await quote(villager, { ...GREE_AC })];
    expect(b.body.id).not.toBe(a.body.id);
    for (const k of ['amountFen', 'subsidyFen', 'totalFen', 'breakdown', 'ruleVersion']) expect(b.body[k]).toEqual(a.body[k]);
  });

  it("when another user asks for a villager's quote, then 404; nobody at all gets 401", async () => {
    const q = await quote(villager, GREE_AC);
    const other = await t.login('trade_in_neighbour');
    const res = await t.http.get(`/api/v1/trade-in/quotes/${q.body.id}`).set(auth(other));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect((await t.http.get(`/api/v1/trade-in/quotes/${q.body.id}`)).status).toBe(401);
    const mine = await t.http.get('/api/v1/trade-in/quotes').set(auth(other));
    expect(mine.body.items).toEqual([]);
  });

  it('when the brand is unknown, then it is quoted at the lowest tier', async () => {
    const res = await quote(villager, { ...GREE_AC, brand: '山寨牌' });
    expect(res.status).toBe(201);
    expect(res.body.breakdown.find((l: { rule: string }) => l.rule === 'brand').label).toContain('其他品牌');
    expect(res.body.amountFen).toBeLessThan(24_480);
  });

  it.each([
    ['an age of -1', { ...GREE_AC, ageYears: -1 }, 'body.ageYears'],
    ['a fractional age', { ...GREE_AC, ageYears: 2.5 }, 'body.ageYears'],
    ['a condition not in the list', { ...GREE_AC, condition: 'broken' }, 'body.condition'],
    ['a horsepower not offered', { ...GREE_AC, horsepower: 1.7 }, 'body.horsepower'],
    ['a fridge of 5000 litres', { category: 'refrigerator', brand: '海尔', ageYears: 3, condition: 'good', working: true, litres: 5000 }, 'body.litres'],
    ['a missing size', { category: 'tv', brand: '海信', ageYears: 3, condition: 'good', working: true }, 'body.inches'],
    ['an unknown key', { ...GREE_AC, colour: 'white' }, 'body.colour'],
    ["another category's size question", { ...GREE_AC, litres: 200 }, 'body.litres'],
    ['a water heater without its type', { category: 'water_heater', brand: '能率', ageYears: 3, condition: 'good', working: true, litres: 16 }, 'body.heaterType'],
    ['an unknown category', { ...GREE_AC, category: 'spaceship' }, 'body.category'],
    ['working as a string', { ...GREE_AC, working: 'yes' }, 'body.working'],
  ])('when the answers have %s, then 400 naming the field and nothing is stored', async (_what, body, path) => {
    const before = await countQuotes();
    const res = await quote(villager, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { path: string }) => d.path).join(' ')).toContain(path);
    expect(await countQuotes()).toBe(before);
  });

  it('when a gas water heater is quoted, then the heater type is a line of the breakdown', async () => {
    const res = await quote(villager, { category: 'water_heater', brand: '能率', ageYears: 2, condition: 'excellent', working: true, litres: 16, heaterType: 'gas' });
    expect(res.status).toBe(201);
    expect(res.body.breakdown.find((l: { rule: string }) => l.rule === 'variant')).toMatchObject({ label: expect.stringContaining('燃气'), amountFen: 6_000 });
  });
});

describe('rule versions', () => {
  it('when a non-admin publishes rules, then 403; invalid rules are 400 with the field named and no version is added', async () => {
    expect((await t.http.post('/api/v1/admin/trade-in/rules').set(auth(villager)).send(RULES_V1)).status).toBe(403);
    const [before] = await t.deps.db.query('SELECT COUNT(*) AS n FROM trade_in_rule_versions');
    const bad = await t.http.post('/api/v1/admin/trade-in/rules').set(auth(admin)).send({ ...RULES_V1, depreciationBps: [5_000, 9_000], notWorkingBps: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['body.notWorkingBps']));
    const [after] = await t.deps.db.query('SELECT COUNT(*) AS n FROM trade_in_rule_versions');
    expect(after).toEqual(before);
  });

  it('when an admin publishes a new version, then new quotes use it and old quotes keep their version and amounts', async () => {
    const old = await quote(villager, GREE_AC);
    const current = await t.http.get('/api/v1/admin/trade-in/rules').set(auth(admin));
    const next = { ...current.body.rules, categories: { ...current.body.rules.categories, air_conditioner: { ...current.body.rules.categories.air_conditioner, bands: current.body.rules.categories.air_conditioner.bands.map((b: { upTo: number; baseFen: number }) => ({ ...b, baseFen: b.baseFen * 2 })) } } };
    const pub = await t.http.post('/api/v1/admin/trade-in/rules').set(auth(admin)).send(next);
    expect(pub.status).toBe(201);
    expect(pub.body.version).toBe(current.body.version + 1);
    const fresh = await quote(villager, GREE_AC);
    expect(fresh.body.ruleVersion).toBe(pub.body.version);
    expect(fresh.body.amountFen).toBe(48_960);
    const reread = await t.http.get(`/api/v1/trade-in/quotes/${old.body.id}`).set(auth(villager));
    expect(reread.body).toMatchObject({ ruleVersion: old.body.ruleVersion, totalFen: old.body.totalFen });
    // Put version 1's prices back on top, so the other tests' amounts hold.
    expect((await t.http.post('/api/v1/admin/trade-in/rules').set(auth(admin)).send(RULES_V1)).status).toBe(201);
  });
});

describe('on an order, and at the store', () => {
  it('when a villager orders a new air conditioner with the quote, then the credit is on the order and the quote is taken once', async () => {
    const token = await t.login('ti_buyer_1');
    const q = await quote(token, GREE_AC);
    const res = await order(token, { storeId: 'DEMO-001', items: [{ skuId: AC_SKU, units: 1 }], tradeInQuoteId: q.body.id });
    expect(res.status).toBe(201);
    expect(res.body.price).toMatchObject({ itemsFen: 299_900, couponFen: 0, tradeInFen: 49_376, payableFen: 250_524 });
    expect(await quoteRow(q.body.id)).toMatchObject({ orderId: res.body.id, creditFen: 49_376 });
    const [orders] = await t.deps.db.query('SELECT trade_in_quote_id AS q, trade_in_fen AS f FROM orders WHERE id = ?', [res.body.id]);
    expect(orders).toEqual([{ q: q.body.id, f: 49_376 }]);
    const second = await order(token, { storeId: 'DEMO-001', items: [{ skuId: AC_SKU, units: 1 }], tradeInQuoteId: q.body.id });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('QUOTE_ALREADY_USED');
    expect((await t.http.get(`/api/v1/trade-in/quotes/${q.body.id}`).set(auth(token))).body.status).toBe('used');
  });

  it('when the order holds no new appliance of the quote’s category, then 409 TRADE_IN_NOT_APPLICABLE and nothing is reserved', async () => {
    const token = await t.login('ti_buyer_2');
    const q = await quote(token, GREE_AC);
    const [[before]] = (await t.deps.db.query('SELECT available FROM skus WHERE id = ?', [FRIDGE_SKU])) as unknown as [{ available: number }[]];
    const res = await order(token, { storeId: 'DEMO-001', items: [{ skuId: FRIDGE_SKU, units: 1 }], tradeInQuoteId: q.body.id });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('TRADE_IN_NOT_APPLICABLE');
    const [[after]] = (await t.deps.db.query('SELECT available FROM skus WHERE id = ?', [FRIDGE_SKU])) as unknown as [{ available: number }[]];
    expect(after.available).toBe(before.available);
    expect(await quoteRow(q.body.id)).toMatchObject({ orderId: null });
  });

  it('when the quote has expired, then 409 QUOTE_EXPIRED; someone else’s quote is 404', async () => {
    const token = await t.login('ti_buyer_3');
    const q = await quote(token, GREE_AC);
    await t.deps.db.query('UPDATE trade_in_quotes SET expires_at = ? WHERE id = ?', [new Date(Date.now() - 1000), q.body.id]);
    const res = await order(token, { storeId: 'DEMO-001', items: [{ skuId: AC_SKU, units: 1 }], tradeInQuoteId: q.body.id });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('QUOTE_EXPIRED');
    expect((await t.http.get(`/api/v1/trade-in/quotes/${q.body.id}`).set(auth(token))).body.status).toBe('expired');
    const theirs = await quote(villager, GREE_AC);
    const stolen = await order(token, { storeId: 'DEMO-001', items: [{ skuId: AC_SKU, units: 1 }], tradeInQuoteId: theirs.body.id });
    expect(stolen.status).toBe(404);
    expect(await quoteRow(theirs.body.id)).toMatchObject({ orderId: null });
  });

  it('when the order is cancelled, then the quote is free again for a new order', async () => {
    const token = await t.login('ti_buyer_4');
    const q = await quote(token, GREE_AC);
    const first = await order(token, { storeId: 'DEMO-001', items: [{ skuId: AC_SKU, units: 1 }], tradeInQuoteId: q.body.id });
    expect((await t.http.post(`/api/v1/orders/${first.body.id}/cancel`).set(auth(token))).status).toBe(200);
    expect(await quoteRow(q.body.id)).toMatchObject({ orderId: null, creditFen: null });
    const second = await order(token, { storeId: 'DEMO-001', items: [{ skuId: AC_SKU, units: 1 }], tradeInQuoteId: q.body.id });
    expect(second.status).toBe(201);
    expect(second.body.price.tradeInFen).toBe(49_376);
  });

  it('when the new appliance costs less than the credit, then the credit stops at the category\'s cap in the rules (30% of the new gas hob) and the buyer still pays', async () => {
    const token = await t.login('ti_buyer_5');
    const q = await quote(token, { category: 'gas_hob', brand: '方太', ageYears: 0, condition: 'excellent', working: true, burners: 3 });
    expect(q.body.totalFen).toBe(21_800);
    const [[sku]] = (await t.deps.db.query("SELECT id FROM skus WHERE product_id = 'GH-SUPOR-1'")) as unknown as [{ id: string }[]];
    await t.deps.db.query('UPDATE skus SET price_fen = 20000 WHERE id = ?', [sku.id]);
    const res = await order(token, { storeId: 'DEMO-001', items: [{ skuId: sku.id, units: 1 }], tradeInQuoteId: q.body.id });
    expect(res.status).toBe(201);
    expect(res.body.price).toMatchObject({ itemsFen: 20_000, couponFen: 0, tradeInFen: 6_000, payableFen: 14_000 });
  });

  it('when a coupon and a trade-in are on one order, then both are taken off and the payable amount is never below zero', async () => {
    const token = await t.login('ti_buyer_6');
    const claim = await t.http.post('/api/v1/coupons/claim').set(auth(token)).send({ templateId: 'NSNOW-AC100' });
    expect(claim.status).toBe(201);
    const q = await quote(token, GREE_AC);
    const res = await order(token, { storeId: 'DEMO-001', items: [{ skuId: AC_SKU, units: 1 }], tradeInQuoteId: q.body.id, couponId: claim.body.coupon.id });
    expect(res.status).toBe(201);
    expect(res.body.price).toMatchObject({ itemsFen: 299_900, couponFen: 10_000, tradeInFen: 49_376, payableFen: 240_524 });
  });

  it('when the store owner records "fair" at pickup, then the credit is recomputed with the quote’s version, the payable changes, the audit has the difference and the buyer sees it', async () => {
    const token = await t.login('ti_buyer_7');
    const q = await quote(token, GREE_AC);
    const placed = await order(token, { storeId: 'DEMO-001', items: [{ skuId: AC_SKU, units: 1 }], tradeInQuoteId: q.body.id });
    expect(placed.status).toBe(201);
    // A newer version with other prices must not change this quote's inspection.
    const doubled = { ...RULES_V1, conditionBps: { excellent: 10_000, good: 10_000, fair: 10_000, poor: 10_000 } };
    expect((await t.http.post('/api/v1/admin/trade-in/rules').set(auth(admin)).send(doubled)).status).toBe(201);
    const owner = await t.login('demo_owner');
    const verify = await t.http.post('/api/v1/store/pickups/verify').set(auth(owner)).send({ code: placed.body.pickupCode });
    expect(verify.status).toBe(200);
    const confirm = await t.http.post(`/api/v1/store/pickups/${placed.body.id}/confirm`).set(auth(owner)).send({ code: placed.body.pickupCode, paymentMethod: 'cash', tradeInInspection: { condition: 'fair', working: true } });
    expect((await t.http.post('/api/v1/admin/trade-in/rules').set(auth(admin)).send(RULES_V1)).status).toBe(201);
    expect(confirm.status).toBe(200);
    // fair: 28,800 × 65% = 18,720; subsidy 20,000 + 20% = 23,744; 42,464 in all (6,912 less than quoted).
    expect(confirm.body.tradeIn).toMatchObject({ quotedFen: 49_376, finalFen: 42_464 });
    expect(await quoteRow(q.body.id)).toMatchObject({ finalFen: 42_464, cond: 'fair' });
    const mine = await t.http.get(`/api/v1/orders/${placed.body.id}`).set(auth(token));
    expect(mine.body.status).toBe('picked_up');
    expect(mine.body.price).toMatchObject({ itemsFen: 299_900, couponFen: 0, tradeInFen: 42_464, payableFen: 257_436 });
    const [audit] = await t.deps.db.query("SELECT detail FROM order_audit WHERE order_id = ? AND action = 'confirm_pickup'", [placed.body.id]);
    expect(JSON.parse((audit as { detail: string }[])[0].detail).tradeIn).toMatchObject({ quotedFen: 49_376, finalFen: 42_464, differenceFen: -6_912 });
    const seen = await t.http.get(`/api/v1/trade-in/quotes/${q.body.id}`).set(auth(token));
    expect(seen.body.inspection).toMatchObject({ condition: 'fair', working: true, finalFen: 42_464 });
    expect(seen.body.inspection.breakdown.reduce((n: number, l: { amountFen: number }) => n + l.amountFen, 0)).toBe(42_464);
  });
});
