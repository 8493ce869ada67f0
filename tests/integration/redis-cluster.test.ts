import { createTestContext, type TestContext } from '../helpers/context';
import { startPrivateRedisCluster } from '../helpers/private-services';
import { Lease } from '../../server/src/lib/lease';

/** With REDIS_CLUSTER the BFF uses ioredis's cluster client; a real 3-master cluster on loopback. */
let cluster: Awaited<ReturnType<typeof startPrivateRedisCluster>>;
let t: TestContext;

beforeAll(async () => {
  cluster = await startPrivateRedisCluster(3);
  t = await createTestContext({ seed: true, overrides: { redisCluster: true, redisClusterNodes: cluster.nodes } });
}, 120_000);
afterAll(async () => {
  await t?.stop();
  await cluster?.stop();
});

describe('on a Redis Cluster', () => {
  it('when users log in, then sessions live in the cluster and the API answers', async () => {
    const tokens = await Promise.all(['demo_villager', 'demo_owner', 'cluster_user_1', 'cluster_user_2'].map((o) => t.login(o)));
    for (const token of tokens) expect((await t.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect((await t.http.get('/readyz')).status).toBe(200);
  });

  it('when two holders race for a lease, then exactly one gets it', async () => {
    const a = new Lease(t.deps.redis, 'cluster-test', 5000);
    const b = new Lease(t.deps.redis, 'cluster-test', 5000);
    const got = await Promise.all([a.acquire(), b.acquire()]);
    expect(got.filter(Boolean)).toHaveLength(1);
  });
});
