import { createTestContext, type TestContext } from '../helpers/context';
import { startPrivateRedisCluster } from '../helpers/private-services';

/**
 * The claim script's keys share the template's hash tag, so admission works on a Redis Cluster:
 * a real 3-master cluster on loopback, a rush on two templates (in different slots), the invariants in MySQL.
 */
let cluster: Awaited<ReturnType<typeof startPrivateRedisCluster>>;
let t: TestContext;

beforeAll(async () => {
  cluster = await startPrivateRedisCluster(3);
  t = await createTestContext({ seed: true, jobs: true, overrides: { redisCluster: true, redisClusterNodes: cluster.nodes } });
}, 240_000);
afterAll(async () => {
  await t?.stop();
  await cluster?.stop();
});

describe('coupons on a Redis Cluster', () => {
  it('when 150 users each claim two templates twice at once, then each template has exactly its stock in MySQL, nobody over the limit, every 201 stored, remaining 0', async () => {
    const admin = await t.login('demo_admin');
    const created = await t.http.post('/api/v1/admin/campaigns').set('Authorization', `Bearer ${admin}`).send({
      name: '集群抢券', startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      coupons: [
        { title: '空调 立减100', kind: 'direct', thresholdFen: 0, discountFen: 10000, categories: ['air_conditioner'], total: 40, perUserLimit: 1, validDays: 30 },
        { title: '厨卫 满2000减200', kind: 'threshold', thresholdFen: 200000, discountFen: 20000, categories: ['range_hood'], total: 60, perUserLimit: 1, validDays: 30 },
      ],
    });
    expect(created.status).toBe(201);
    const templateIds = (created.body.coupons as { templateId: string }[]).map((c) => c.templateId);
    const tokens: string[] = [];
    for (let i = 0; i < 150; i += 50) tokens.push(...(await Promise.all(Array.from({ length: 50 }, (_, k) => t.login(`cluster_claimer_${i + k}`)))));

    const results = await Promise.all(
      tokens.flatMap((token) => templateIds.flatMap((templateId) => [0, 1].map(async () => {
        const res = await t.http.post('/api/v1/coupons/claim').set('Authorization', `Bearer ${token}`).send({ templateId });
        return { templateId, status: res.status, id: res.body.coupon?.id as string | undefined };
      }))),
    );
    expect(results.filter((r) => ![201, 409].includes(r.status))).toEqual([]);
    const active = await t.http.get('/api/v1/campaigns/active');
    const remaining = Object.fromEntries(active.body.items.flatMap((c: { coupons: { templateId: string; remaining: number }[] }) => c.coupons.map((k) => [k.templateId, k.remaining])));
    for (const [i, templateId] of templateIds.entries()) {
      const total = [40, 60][i];
      const [rows] = await t.deps.db.query('SELECT id, user_id AS u FROM coupons WHERE template_id = ?', [templateId]);
      const stored = rows as { id: string; u: string }[];
      const ok = results.filter((r) => r.templateId === templateId && r.status === 201);
      expect(stored).toHaveLength(total);
      expect(ok).toHaveLength(total);
      expect(new Set(stored.map((r) => r.u)).size).toBe(total);
      const ids = new Set(stored.map((r) => r.id));
      expect(ok.filter((r) => !ids.has(r.id!))).toEqual([]);
      expect(remaining[templateId]).toBe(0);
    }
  }, 120_000);
});
