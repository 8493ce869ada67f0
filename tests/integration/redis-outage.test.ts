import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-services';

/**
 * Through a Redis outage (a Redis server of this test's own, killed and started again): signed-in
 * users keep working from MySQL sessions, rate limits hold per process, the nearest stores come
 * from MySQL, orders and pickups go on; coupon claims answer 503 with Retry-After at once; and when
 * Redis is back, claims resume with the counters rebuilt from MySQL.
 */
let t: TestContext;
let redis: PrivateRedis;
let redisDown = false;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();

beforeAll(async () => {
  redis = await startPrivateRedis();
  t = await createTestContext({ seed: true, overrides: { redisUrl: redis.url } });
});
afterAll(async () => {
  if (redisDown) await redis.start();
  await t?.stop();
  await redis?.stop();
});

async function until<T>(what: string, check: () => Promise<T | null | false>, seconds = 30): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a Redis outage', () => {
  it('when Redis is down, then sessions, orders, pickups, limits and nearby stores keep working and claims answer 503 at once; when it is back, claims resume', async () => {
    const villager = await t.login('outage_villager');
    const owner = await t.login('demo_owner');
    const admin = await t.login('demo_admin');
    const created = await t.http.post('/api/v1/admin/campaigns').set(auth(admin)).send({
      name: '停电演练', startsAt: iso(-60_000), endsAt: iso(3_600_000),
      coupons: [{ title: '电视 立减50', kind: 'direct', thresholdFen: 0, discountFen: 5000, categories: ['tv'], total: 3, perUserLimit: 5, validDays: 30 }],
    });
    const templateId = created.body.coupons[0].templateId as string;
    const claim = (token: string) => t.http.post('/api/v1/coupons/claim').set(auth(token)).send({ templateId });
    expect((await claim(villager)).status).toBe(201);

    await redis.kill();
    redisDown = true;

    // Signed in before, and signing in now: MySQL sessions.
    expect((await t.http.get('/api/v1/me').set(auth(villager))).status).toBe(200);
    const newcomer = await t.login(`outage_newcomer_${randomBytes(3).toString('hex')}`);
    expect((await t.http.get('/api/v1/me').set(auth(newcomer))).status).toBe(200);

    // Browsing: the nearest stores from MySQL, the catalogue.
    const nearby = await t.http.get('/api/v1/stores/nearby?lat=38.8738&lng=115.4646&radiusKm=20');
    expect(nearby.status).toBe(200);
    expect(nearby.body.items.map((s: { id: string }) => s.id)).toContain('DEMO-001');
    expect((await t.http.get('/api/v1/products')).status).toBe(200);

    // An order and its pickup.
    const placed = await t.http.post('/api/v1/orders').set(auth(newcomer)).set('Idempotency-Key', `outage-${randomBytes(6).toString('hex')}`)
      .send({ storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 1 }] });
    expect(placed.status).toBe(201);
    expect((await t.http.post('/api/v1/store/pickups/verify').set(auth(owner)).send({ code: placed.body.pickupCode })).status).toBe(200);
    expect((await t.http.post(`/api/v1/store/pickups/${placed.body.id as string}/confirm`).set(auth(owner)).send({ code: placed.body.pickupCode, paymentMethod: 'cash' })).status).toBe(200);
    const [rows] = await t.deps.db.query('SELECT status FROM orders WHERE id = ?', [placed.body.id]);
    expect(rows).toEqual([{ status: 'picked_up' }]);

    // Limits still hold, in the process: wrong pickup codes are limited per owner (10 failures).
    const verifies: number[] = [];
    while (verifies.length < 30 && verifies[verifies.length - 1] !== 429) {
      verifies.push((await t.http.post('/api/v1/store/pickups/verify').set(auth(owner)).send({ code: '00000000' })).status);
    }
    expect(verifies.slice(0, -1)).toEqual(Array.from({ length: t.config.rateLimits.pickupVerifyFailuresPerOwner.points }, () => 404));
    expect(verifies[verifies.length - 1]).toBe(429);

    // Claims need Redis: 503 with Retry-After, and no waiting for it.
    const asked = Date.now();
    const refused = await claim(villager);
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Date.now() - asked).toBeLessThan(5000);

    // A logout ends the session here and now, even with Redis down.
    const leaving = await t.login(`outage_leaving_${randomBytes(3).toString('hex')}`);
    expect((await t.http.get('/api/v1/me').set(auth(leaving))).status).toBe(200);
    expect((await t.http.post('/api/v1/auth/logout').set(auth(leaving))).status).toBe(204);
    expect((await t.http.get('/api/v1/me').set(auth(leaving))).status).toBe(401);

    // Redis returns empty: the counters are rebuilt from MySQL (1 of 3 claimed) before claims go on.
    await redis.start();
    redisDown = false;
    const resumed = await until('a claim after Redis is back', async () => {
      const r = await claim(villager);
      return r.status === 201 ? r : null;
    });
    expect(resumed.status).toBe(201);
    expect((await claim(villager)).status).toBe(201);
    const last = await claim(villager);
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe('COUPON_SOLD_OUT');
    const [coupons] = await t.deps.db.query('SELECT COUNT(*) AS n FROM coupons WHERE template_id = ?', [templateId]);
    expect(coupons).toEqual([{ n: 3 }]);
  });
});
