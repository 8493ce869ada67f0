import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';
import { RULES_V1 } from '../../prisma/seed/trade-in';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { dbPoolSize: 20 } });
});
afterAll(async () => t.stop());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const GREE_AC = { category: 'air_conditioner', brand: '格力', ageYears: 8, condition: 'good', working: true, horsepower: 1.5 };
const AC_SKU = 'AC-GREE-1-A';
const available = async (sku: string) => Number((((await t.deps.db.query('SELECT available FROM skus WHERE id = ?', [sku]))[0]) as { available: number }[])[0].available);

describe('trade-in under concurrency', () => {
  it('when 20 orders race with one quote, then exactly one gets the credit, the others are 409 and reserve nothing', async () => {
    const token = await t.login('ti_racer');
    const q = await t.http.post('/api/v1/trade-in/quotes').set(auth(token)).send(GREE_AC);
    expect(q.status).toBe(201);
    const before = await available(AC_SKU);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.http.post('/api/v1/orders').set(auth(token)).set('Idempotency-Key', `race-${randomBytes(6).toString('hex')}`)
          .send({ storeId: 'DEMO-001', items: [{ skuId: AC_SKU, units: 1 }], tradeInQuoteId: q.body.id }),
      ),
    );
    const won = results.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 201)) {
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('QUOTE_ALREADY_USED');
    }
    const [orders] = await t.deps.db.query('SELECT id, trade_in_fen AS f FROM orders WHERE trade_in_quote_id = ?', [q.body.id]);
    expect(orders).toEqual([{ id: won[0].body.id, f: 49_376 }]);
    const [quotes] = await t.deps.db.query('SELECT order_id AS o FROM trade_in_quotes WHERE id = ?', [q.body.id]);
    expect(quotes).toEqual([{ o: won[0].body.id }]);
    expect(await available(AC_SKU)).toBe(before - 1);
  });

  it('when a cancel and a new order race for a released quote, then the quote is held by at most one open order', async () => {
    const token = await t.login('ti_flipper');
    const q = await t.http.post('/api/v1/trade-in/quotes').set(auth(token)).send(GREE_AC);
    const first = await t.http.post('/api/v1/orders').set(auth(token)).set('Idempotency-Key', `flip-${randomBytes(6).toString('hex')}`)
      .send({ storeId: 'DEMO-001', items: [{ skuId: AC_SKU, units: 1 }], tradeInQuoteId: q.body.id });
    expect(first.status).toBe(201);
    await Promise.all([
      t.http.post(`/api/v1/orders/${first.body.id}/cancel`).set(auth(token)),
      ...Array.from({ length: 10 }, () =>
        t.http.post('/api/v1/orders').set(auth(token)).set('Idempotency-Key', `flip-${randomBytes(6).toString('hex')}`)
          .send({ storeId: 'DEMO-001', items: [{ skuId: AC_SKU, units: 1 }], tradeInQuoteId: q.body.id }),
      ),
    ]);
    const [open] = await t.deps.db.query("SELECT id FROM orders WHERE trade_in_quote_id = ? AND status = 'awaiting_pickup'", [q.body.id]);
    const [quotes] = await t.deps.db.query('SELECT order_id AS o FROM trade_in_quotes WHERE id = ?', [q.body.id]);
    const holder = (quotes as { o: string | null }[])[0].o;
    expect((open as unknown[]).length).toBeLessThanOrEqual(1);
    expect(holder).toBe((open as { id: string }[])[0]?.id ?? null);
  });

  it('when 10 admins publish rules at once, then each gets its own consecutive version and none is overwritten', async () => {
    const admin = await t.login('demo_admin');
    const [[{ v }]] = (await t.deps.db.query('SELECT MAX(version) AS v FROM trade_in_rule_versions')) as unknown as [{ v: number }[]];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => t.http.post('/api/v1/admin/trade-in/rules').set(auth(admin)).send({ ...RULES_V1, notWorkingBps: 1_000 + i })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(results.map((r) => r.body.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => v + 1 + i));
    const [rows] = await t.deps.db.query('SELECT version, rules FROM trade_in_rule_versions WHERE version > ?', [v]);
    const stored = new Map((rows as { version: number; rules: unknown }[]).map((r) => [r.version, (typeof r.rules === 'string' ? JSON.parse(r.rules) : r.rules).notWorkingBps]));
    for (const r of results) expect(stored.get(r.body.version)).toBe(r.body.rules.notWorkingBps);
  });
});
