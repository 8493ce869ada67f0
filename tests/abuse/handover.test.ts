import { startAbuseContext, type AbuseContext } from './attacker';
import { RULES_V1 } from '../../prisma/seed/trade-in';

/**
 * The counter, gamed: an owner marks an order handed over without the buyer there (no code, a
 * guessed code), skips the old unit's inspection to keep a self-reported quote, and a buyer stacks a
 * flattering quote on a cheap appliance to get it for nothing.
 */
let t: AbuseContext;
let owner: string;
let admin: string;
beforeAll(async () => {
  t = await startAbuseContext();
  [owner, admin] = await Promise.all([t.login('demo_owner'), t.login('demo_admin')]);
  // A ¥1,999 air conditioner, as in issue 13.
  await t.deps.db.query("UPDATE skus SET price_fen = 199900 WHERE id = 'AC-AUX-1-A'");
});
afterAll(async () => {
  await t?.stop();
});
afterEach(() => expect(t.serverErrors).toEqual([]));

const order = async (token: string, body: Record<string, unknown>) => {
  const res = await t.http.post('/api/v1/orders').set(t.auth(token)).set('Idempotency-Key', t.idem()).send({ storeId: 'DEMO-001', ...body });
  expect(res.status).toBe(201);
  return res.body as { id: string; pickupCode: string; price: { itemsFen: number; tradeInFen: number; payableFen: number } };
};
const statusOf = async (id: string) => ((await t.deps.db.query('SELECT status FROM orders WHERE id = ?', [id]))[0] as { status: string }[])[0].status;
const confirm = (id: string, body: Record<string, unknown>) => t.http.post(`/api/v1/store/pickups/${id}/confirm`).set(t.auth(owner)).send(body);
/** 0 years old, 5匹, "excellent", working: the self-reported answers that quoted ¥2,500 in issue 13. */
const FLATTERING = { category: 'air_conditioner', brand: '格力', ageYears: 0, condition: 'excellent', working: true, horsepower: 5 };

describe('handing over without the buyer', () => {
  it('when the owner confirms an order from the list without its code, or with a wrong one, then nothing is handed over; guessing is cut off', async () => {
    const buyer = await t.login('ho_buyer');
    const placed = await order(buyer, { items: [{ skuId: 'TV-KONKA-1-A', units: 1 }] });
    const noCode = await confirm(placed.id, { paymentMethod: 'cash' });
    expect(noCode.status).toBe(400);
    expect(noCode.body.error.details).toContainEqual(expect.objectContaining({ path: 'body.code' }));
    const wrong = placed.pickupCode === '12345678' ? '87654321' : '12345678';
    const guessed = await confirm(placed.id, { code: wrong, paymentMethod: 'cash' });
    expect(guessed.status).toBe(409);
    expect(guessed.body.error.code).toBe('PICKUP_CODE_MISMATCH');
    expect(await statusOf(placed.id)).toBe('awaiting_pickup');

    // Guessing through confirm counts like guessing through verify: the owner is locked out, in Chinese.
    const statuses: number[] = [];
    for (let i = 0; i < t.config.rateLimits.pickupVerifyFailuresPerOwner.points + 2; i++) {
      statuses.push((await confirm(placed.id, { code: String(10_000_000 + i), paymentMethod: 'cash' })).status);
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 409 && s !== 429)).toEqual([]);
    const locked = await confirm(placed.id, { code: placed.pickupCode, paymentMethod: 'cash' });
    expect(locked.status).toBe(429);
    expect(locked.body.error.message).toMatch(/后再试/);
    expect(await statusOf(placed.id)).toBe('awaiting_pickup');
    // The lock is the owner's, on a budget that clears by itself; the buyer's order is untouched.
    await t.deps.redis.del(`rl:pickupVerifyFailuresPerOwner:${(await t.http.get('/api/v1/me').set(t.auth(owner))).body.id}`);
  });
});

describe('a trade-in without the inspection', () => {
  it('when the owner confirms an order with a trade-in and no inspection, then 400 and the order and the quote are untouched', async () => {
    const buyer = await t.login('ho_tradein');
    const quote = await t.http.post('/api/v1/trade-in/quotes').set(t.auth(buyer)).send(FLATTERING);
    expect(quote.status).toBe(201);
    const placed = await order(buyer, { items: [{ skuId: 'AC-AUX-1-A', units: 1 }], tradeInQuoteId: quote.body.id });
    const res = await confirm(placed.id, { code: placed.pickupCode, paymentMethod: 'cash' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.tradeInInspection' })]);
    expect(await statusOf(placed.id)).toBe('awaiting_pickup');
    expect(await t.count('SELECT COUNT(*) n FROM trade_in_quotes WHERE id = ? AND inspected_at IS NOT NULL', [quote.body.id])).toBe(0);
    const inspected = await confirm(placed.id, { code: placed.pickupCode, paymentMethod: 'cash', tradeInInspection: { condition: 'poor', working: false } });
    expect(inspected.status).toBe(200);
    expect(inspected.body.tradeIn.finalFen).toBeLessThan(inspected.body.tradeIn.quotedFen);
  });
});

describe('a flattering quote on a cheap appliance', () => {
  it('when a ¥2,500 self-reported quote meets a ¥1,999 air conditioner, then the credit stops at the rules\' cap (30%) and an "excellent" inspection cannot raise it', async () => {
    const buyer = await t.login('ho_flatter');
    const quote = await t.http.post('/api/v1/trade-in/quotes').set(t.auth(buyer)).send(FLATTERING);
    expect(quote.body.totalFen).toBe(250_000);
    const placed = await order(buyer, { items: [{ skuId: 'AC-AUX-1-A', units: 1 }], tradeInQuoteId: quote.body.id });
    expect(placed.price).toMatchObject({ itemsFen: 199_900, tradeInFen: 59_970, payableFen: 139_930 });
    const res = await confirm(placed.id, { code: placed.pickupCode, paymentMethod: 'cash', tradeInInspection: { condition: 'excellent', working: true } });
    expect(res.status).toBe(200);
    expect(res.body.price).toMatchObject({ tradeInFen: 59_970, payableFen: 139_930 });
  });

  it('when the rules in force have no cap (a version published before caps), then the payable floor (50%) still holds', async () => {
    const uncapped = { ...RULES_V1, categories: Object.fromEntries(Object.entries(RULES_V1.categories).map(([k, v]) => [k, { ...v, creditCap: undefined }])) };
    expect((await t.http.post('/api/v1/admin/trade-in/rules').set(t.auth(admin)).send(JSON.parse(JSON.stringify(uncapped)))).status).toBe(201);
    try {
      const buyer = await t.login('ho_uncapped');
      const quote = await t.http.post('/api/v1/trade-in/quotes').set(t.auth(buyer)).send(FLATTERING);
      const placed = await order(buyer, { items: [{ skuId: 'AC-AUX-1-A', units: 1 }], tradeInQuoteId: quote.body.id });
      expect(placed.price.payableFen).toBe(Math.ceil((199_900 * t.config.safeguards.payableFloorBps) / 10_000));
      expect(placed.price.tradeInFen).toBe(199_900 - placed.price.payableFen);
    } finally {
      expect((await t.http.post('/api/v1/admin/trade-in/rules').set(t.auth(admin)).send(RULES_V1)).status).toBe(201);
    }
  });
});
