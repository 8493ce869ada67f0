import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';
import { reconcileCoupons } from '../../server/src/modules/coupons/consumer';

let t: TestContext;
let admin: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true, jobs: true });
  admin = await t.login('demo_admin');
});
afterAll(async () => t.stop());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString().replace('Z', '+00:00');

async function campaign(coupons: Record<string, unknown>[], startsIn = -60_000, endsIn = 3_600_000) {
  const res = await t.http.post('/api/v1/admin/campaigns').set(auth(admin)).send({ name: '测试活动', startsAt: iso(startsIn), endsAt: iso(endsIn), coupons });
  expect(res.status).toBe(201);
  return res.body as { id: string; coupons: { templateId: string }[] };
}

const acCoupon = { title: '空调 满3000减300', kind: 'threshold', thresholdFen: 300000, discountFen: 30000, categories: ['air_conditioner'], total: 5, perUserLimit: 1, validDays: 30 };
const claim = (token: string, templateId: string) => t.http.post('/api/v1/coupons/claim').set(auth(token)).send({ templateId });
const order = (token: string, body: object) => t.http.post('/api/v1/orders').set(auth(token)).set('Idempotency-Key', `k-${randomBytes(6).toString('hex')}`).send(body);

describe('campaigns', () => {
  it('when the demo seed ran, then the running copy and the 21 February campaign are active with live remaining counts and the server time', async () => {
    const res = await t.http.get('/api/v1/campaigns/active');
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.serverTime)).toBeGreaterThan(0);
    const running = res.body.items.find((c: { id: string }) => c.id === 'NS-NOW');
    expect(running.name).toContain('超级新品季暨空调厨卫节');
    expect(running.coupons).toEqual(expect.arrayContaining([expect.objectContaining({ templateId: 'NSNOW-AC300', kind: 'threshold', thresholdFen: 300000, discountFen: 30000, total: 50, remaining: 50, perUserLimit: 1 })]));
  });

  it('when a non-admin creates a campaign, then 403; bad coupons are 400 with the field named and nothing is stored', async () => {
    const villager = await t.login('demo_villager');
    expect((await t.http.post('/api/v1/admin/campaigns').set(auth(villager)).send({})).status).toBe(403);
    const [before] = await t.deps.db.query('SELECT COUNT(*) n FROM campaigns');
    const bad = await t.http.post('/api/v1/admin/campaigns').set(auth(admin)).send({ name: 'x', startsAt: iso(0), endsAt: iso(-1000), coupons: [{ ...acCoupon, total: -1, categories: ['spaceship'] }] });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.coupons.0.total', 'body.coupons.0.categories.0']));
    const [after] = await t.deps.db.query('SELECT COUNT(*) n FROM campaigns');
    expect(after).toEqual(before);
  });
});

describe('claiming', () => {
  it('when a user claims, then the coupon is in MySQL and in /me/coupons at once; a second claim over the limit is 409', async () => {
    const c = await campaign([acCoupon]);
    const token = await t.login('claimer_1');
    const res = await claim(token, c.coupons[0].templateId);
    expect(res.status).toBe(201);
    expect(res.body.coupon).toEqual({ id: expect.any(String), templateId: c.coupons[0].templateId, status: 'unused', expiresAt: expect.any(String) });
    const mine = await t.http.get('/api/v1/me/coupons?status=unused').set(auth(token));
    expect(mine.body.items.map((x: { id: string }) => x.id)).toContain(res.body.coupon.id);
    const [rows] = await t.deps.db.query('SELECT status FROM coupons WHERE id = ?', [res.body.coupon.id]);
    expect(rows).toEqual([{ status: 'unused' }]);
    const again = await claim(token, c.coupons[0].templateId);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('COUPON_LIMIT_REACHED');
  });

  it('when the stock is gone, then 409 COUPON_SOLD_OUT and remaining shows 0', async () => {
    const c = await campaign([{ ...acCoupon, total: 2 }]);
    const tokens = await Promise.all([1, 2, 3].map((i) => t.login(`sold_${i}`)));
    const statuses = [];
    for (const token of tokens) statuses.push((await claim(token, c.coupons[0].templateId)).status);
    expect(statuses).toEqual([201, 201, 409]);
    const active = await t.http.get('/api/v1/campaigns/active');
    const tpl = active.body.items.flatMap((x: { coupons: { templateId: string; remaining: number }[] }) => x.coupons).find((x: { templateId: string }) => x.templateId === c.coupons[0].templateId);
    expect(tpl.remaining).toBe(0);
  });

  it('when the campaign has not opened or has ended, then 409 CAMPAIGN_NOT_STARTED / CAMPAIGN_ENDED', async () => {
    const future = await campaign([acCoupon], 3_600_000, 7_200_000);
    const token = await t.login('early_bird');
    const early = await claim(token, future.coupons[0].templateId);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('CAMPAIGN_NOT_STARTED');
    const ended = await campaign([acCoupon], -7_200_000, -3_600_000);
    expect((await claim(token, ended.coupons[0].templateId)).body.error.code).toBe('CAMPAIGN_ENDED');
    expect((await claim(token, 'NO-SUCH-TEMPLATE')).status).toBe(404);
  });

  it('when Redis forgets the counters, then they are rebuilt from MySQL before any claim: no oversell, no limit passed', async () => {
    const c = await campaign([{ ...acCoupon, total: 3 }]);
    const tpl = c.coupons[0].templateId;
    const tokens = await Promise.all([1, 2, 3, 4].map((i) => t.login(`forget_${i}`)));
    expect((await claim(tokens[0], tpl)).status).toBe(201);
    expect((await claim(tokens[1], tpl)).status).toBe(201);
    const keys = await t.deps.redis.keys(`${t.config.redisKeyPrefix}coupon:{tpl:${tpl}}*`);
    await t.deps.redis.del(...keys.map((k) => k.slice(t.config.redisKeyPrefix.length)));
    expect((await claim(tokens[0], tpl)).body.error.code).toBe('COUPON_LIMIT_REACHED');
    expect((await claim(tokens[2], tpl)).status).toBe(201);
    expect((await claim(tokens[3], tpl)).body.error.code).toBe('COUPON_SOLD_OUT');
    const [rows] = await t.deps.db.query('SELECT COUNT(*) n FROM coupons WHERE template_id = ?', [tpl]);
    expect(Number((rows as { n: number }[])[0].n)).toBe(3);
  });

  it('when an admitted claim was not written by its handler, then the stream consumer writes it', async () => {
    const c = await campaign([acCoupon]);
    const tpl = c.coupons[0].templateId;
    const [u] = await t.deps.db.query("SELECT id FROM users WHERE openid = 'demo_villager'");
    const userId = (u as { id: string }[])[0].id;
    // As a handler that died after admission would leave it: on the stream, not in MySQL.
    await claim(await t.login('warmup_1'), tpl);
    await t.deps.redis.xadd(`coupon:{tpl:${tpl}}:claims`, '*', 'claimId', '01ORPHANCLAIM0000000000000', 'userId', userId, 'seq', '1', 'slot', '5', 'at', String(Date.now()));
    const deadline = Date.now() + 10_000;
    let found = 0;
    while (Date.now() < deadline && !found) {
      const [rows] = await t.deps.db.query("SELECT COUNT(*) n FROM coupons WHERE id = '01ORPHANCLAIM0000000000000'");
      found = Number((rows as { n: number }[])[0].n);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toBe(1);
  });
});

describe('reconciliation', () => {
  it('when Redis has admitted a claim that MySQL does not hold, then the reconcile job reports the difference in a metric', async () => {
    const c = await campaign([acCoupon]);
    const tpl = c.coupons[0].templateId;
    expect((await claim(await t.login('reconciled_1'), tpl)).status).toBe(201);
    const metric = async () => {
      await reconcileCoupons(t.deps);
      const text = (await t.http.get('/metrics').set('Authorization', `Bearer ${t.config.ops.metricsToken}`)).text;
      return Number(new RegExp(`coupon_reconcile_difference\\{templateId="${tpl}"\\} (-?\\d+)`).exec(text)?.[1]);
    };
    expect(await metric()).toBe(0);
    // As after an admission whose claim has not reached MySQL yet.
    await t.deps.redis.decr(`coupon:{tpl:${tpl}}:stock`);
    expect(await metric()).toBe(1);
  });
});

describe('using a coupon on an order', () => {
  it('when a threshold coupon meets its threshold in scope, then couponFen shows it; the same coupon cannot be used twice; cancelling gives it back', async () => {
    const token = await t.login('spender_1');
    const claimed = await claim(token, 'NSNOW-AC300');
    expect(claimed.status).toBe(201);
    const couponId = claimed.body.coupon.id;
    // 2,999 yuan of air conditioner does not reach 满3000.
    const tooSmall = await order(token, { storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 1 }], couponId });
    expect(tooSmall.status).toBe(409);
    expect(tooSmall.body.error.code).toBe('COUPON_NOT_APPLICABLE');
    const wrongCategory = await order(token, { storeId: 'DEMO-001', items: [{ skuId: 'TV-TCL-1-A', units: 1 }], couponId });
    expect(wrongCategory.body.error.code).toBe('COUPON_NOT_APPLICABLE');
    const ok = await order(token, { storeId: 'DEMO-001', items: [{ skuId: 'AC-MIDEA-1-B', units: 1 }, { skuId: 'TV-TCL-1-A', units: 1 }], couponId });
    expect(ok.status).toBe(201);
    expect(ok.body.price).toMatchObject({ itemsFen: 359900 + 499900, couponFen: 30000, tradeInFen: 0, payableFen: 359900 + 499900 - 30000 });
    const twice = await order(token, { storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 1 }], couponId });
    expect(twice.body.error.code).toBe('COUPON_NOT_APPLICABLE');
    expect((await t.http.get('/api/v1/me/coupons?status=used').set(auth(token))).body.items.map((c: { id: string }) => c.id)).toContain(couponId);
    await t.http.post(`/api/v1/orders/${ok.body.id}/cancel`).set(auth(token));
    expect((await t.http.get('/api/v1/me/coupons?status=unused').set(auth(token))).body.items.map((c: { id: string }) => c.id)).toContain(couponId);
    const other = await t.login('not_the_owner');
    expect((await order(other, { storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 1 }], couponId })).status).toBe(404);
  });

  it('when two orders race with one coupon, then one succeeds and the other gets 409', async () => {
    const token = await t.login('racer_coupon');
    const couponId = (await claim(token, 'NSNOW-AC100')).body.coupon.id;
    const both = await Promise.all([0, 1].map(() => order(token, { storeId: 'DEMO-001', items: [{ skuId: 'AC-MIDEA-1-A', units: 1 }], couponId })));
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = both.find((r) => r.status === 201)!;
    expect(winner.body.price.couponFen).toBe(10000);
    const [rows] = await t.deps.db.query('SELECT COUNT(*) n FROM orders WHERE coupon_id = ? AND status = ?', [couponId, 'awaiting_pickup']);
    expect(Number((rows as { n: number }[])[0].n)).toBe(1);
  });
});

describe('rate limits on claiming', () => {
  let limited: TestContext;
  beforeAll(async () => {
    limited = await createTestContext({ seed: true, overrides: { rateLimits: { claimPerUser: { points: 3, durationSeconds: 60 }, claimPerIp: { points: 5, durationSeconds: 60 } } } });
  });
  afterAll(async () => limited?.stop());

  it('when one user or one address claims faster than configured, then 429 RATE_LIMITED with Retry-After, and no coupon is stored for it', async () => {
    const send = (token: string) => limited.http.post('/api/v1/coupons/claim').set(auth(token)).send({ templateId: 'NSNOW-KB200' });
    const eager = await limited.login('eager_1');
    const mine = [];
    for (let i = 0; i < 4; i++) mine.push(await send(eager));
    expect(mine.map((r) => r.status)).toEqual([201, 201, 409, 429]);
    expect(mine[3].body.error.code).toBe('RATE_LIMITED');
    expect(Number(mine[3].headers['retry-after'])).toBeGreaterThan(0);
    // The address has spent 3 of its 5 (the refused fourth never reached it): a neighbour gets two through, then 429.
    const neighbour = await limited.login('eager_2');
    expect((await send(neighbour)).status).toBe(201);
    expect((await send(neighbour)).status).toBe(201);
    const blocked = await send(neighbour);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    const [rows] = await limited.deps.db.query("SELECT COUNT(*) n FROM coupons WHERE template_id = 'NSNOW-KB200'");
    expect(Number((rows as { n: number }[])[0].n)).toBe(4);
  });
});
