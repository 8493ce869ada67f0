import { createTestContext, type TestContext } from '../helpers/context';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-services';
import { startBackground } from '../../server/src/modules/background';

/**
 * The rush: 1,000 users each sending 3 claims at once against a stock of 100. Exactly 100 coupons
 * exist in MySQL, nobody holds more than the limit, every 201 is in MySQL — also while the stream
 * consumer is killed and restarted, and while Redis is restarted (a private Redis of this test's own).
 */
const USERS = 1000;
const STOCK = 100;

async function rush(t: TestContext, midRun?: () => Promise<void>) {
  const admin = await t.login('demo_admin');
  const now = Date.now();
  const created = await fetch(`${t.baseUrl}/api/v1/admin/campaigns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({
      name: '抢券', startsAt: new Date(now - 60_000).toISOString(), endsAt: new Date(now + 3_600_000).toISOString(),
      coupons: [{ title: '空调 立减500', kind: 'direct', thresholdFen: 0, discountFen: 50000, categories: ['air_conditioner'], total: STOCK, perUserLimit: 1, validDays: 30 }],
    }),
  }).then((r) => r.json() as Promise<{ coupons: { templateId: string }[] }>);
  const templateId = created.coupons[0].templateId;
  const tokens: string[] = [];
  for (let i = 0; i < USERS; i += 50) tokens.push(...(await Promise.all(Array.from({ length: 50 }, (_, k) => t.login(`rush_${templateId.slice(-6)}_${i + k}`)))));

  const results: { status: number; couponId?: string }[] = [];
  const claims = tokens.flatMap((token) => [token, token, token]);
  let next = 0;
  let midRunDone: Promise<void> | null = null;
  const worker = async () => {
    while (next < claims.length) {
      const token = claims[next++];
      if (midRun && !midRunDone && next > claims.length / 3) midRunDone = midRun();
      try {
        const res = await fetch(`${t.baseUrl}/api/v1/coupons/claim`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ templateId }) });
        const body = (await res.json()) as { coupon?: { id: string } };
        results.push({ status: res.status, couponId: body.coupon?.id });
      } catch {
        results.push({ status: 0 });
      }
    }
  };
  await Promise.all(Array.from({ length: 300 }, worker));
  await midRunDone;
  return { templateId, results };
}

async function checkInvariants(t: TestContext, templateId: string, results: { status: number; couponId?: string }[]) {
  // Claims admitted but not written by their handler are written by the consumer within moments.
  await new Promise((r) => setTimeout(r, 1500));
  const [rows] = await t.deps.db.query('SELECT id, user_id AS userId FROM coupons WHERE template_id = ?', [templateId]);
  const stored = rows as { id: string; userId: string }[];
  const ok = results.filter((r) => r.status === 201);
  const perUser = new Map<string, number>();
  for (const r of stored) perUser.set(r.userId, (perUser.get(r.userId) ?? 0) + 1);
  const storedIds = new Set(stored.map((r) => r.id));
  return {
    acknowledged: ok.length,
    stored: stored.length,
    lost: ok.filter((r) => !storedIds.has(r.couponId!)).length,
    overLimit: [...perUser.values()].filter((n) => n > 1).length,
    statuses: results.reduce<Record<number, number>>((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {}),
  };
}

describe('the coupon rush', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext({ seed: true, jobs: true, overrides: { dbPoolSize: 20 } });
  }, 120_000);
  afterAll(async () => t?.stop());

  it('when 1,000 users send 3 claims each at once for 100 coupons, then exactly 100 exist, nobody has two, every 201 is stored', async () => {
    const { templateId, results } = await rush(t);
    const r = await checkInvariants(t, templateId, results);
    expect(r).toMatchObject({ acknowledged: STOCK, stored: STOCK, lost: 0, overLimit: 0 });
    expect(r.statuses[500]).toBeUndefined();
  }, 300_000);

  it('when the stream consumer is killed and restarted mid-run, then the invariants hold', async () => {
    // A second consumer runs beside the context's; stopping it mid-run leaves its pending entries to the other.
    let stopExtra = await startBackground(t.deps);
    const { templateId, results } = await rush(t, async () => {
      await stopExtra();
      stopExtra = await startBackground(t.deps);
    });
    await stopExtra();
    const r = await checkInvariants(t, templateId, results);
    expect(r.stored).toBeLessThanOrEqual(STOCK);
    expect(r).toMatchObject({ acknowledged: r.stored, lost: 0, overLimit: 0 });
    expect(r.stored).toBe(STOCK);
  }, 300_000);
});

describe('the coupon rush while Redis restarts', () => {
  let redis: PrivateRedis;
  let t: TestContext;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await createTestContext({ seed: true, jobs: true, overrides: { redisUrl: redis.url, dbPoolSize: 20 } });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await redis?.stop();
  });

  it('when Redis is killed and restarted mid-run, then claims meanwhile get 503 and nothing is oversold, over the limit or lost', async () => {
    const { templateId, results } = await rush(t, async () => {
      await redis.kill();
      await new Promise((r) => setTimeout(r, 500));
      await redis.start();
    });
    const r = await checkInvariants(t, templateId, results);
    console.log('rush with a Redis restart', r);
    expect(r.stored).toBeLessThanOrEqual(STOCK);
    expect(r).toMatchObject({ lost: 0, overLimit: 0 });
    expect(r.acknowledged).toBe(r.stored);
    expect(r.statuses[500]).toBeUndefined();
    // After the restart, counters were rebuilt from MySQL and the rush went on.
    expect(r.stored).toBeGreaterThan(0);
  }, 300_000);
});
