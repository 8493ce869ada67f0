import { createTestContext, type TestContext } from '../helpers/context';
import Redis from 'ioredis';
import { startPrivateRedis, startPrivateRedisCluster } from '../helpers/private-services';
import { Lease } from '../../server/src/lib/lease';
import { connectRedis, createRedis } from '../../server/src/lib/redis';

/** With REDIS_CLUSTER the BFF uses ioredis's cluster client; a real 3-master cluster on loopback. */
let cluster: Awaited<ReturnType<typeof startPrivateRedisCluster>>;
let t: TestContext;

beforeAll(async () => {
  cluster = await startPrivateRedisCluster(3);
  t = await createTestContext({ seed: true, overrides: { redisCluster: true, redisClusterNodes: cluster.nodes } });
}, 240_000);
afterAll(async () => {
  await t?.stop();
  await cluster?.stop();
});

describe('on a Redis Cluster', () => {
  it('when users log in, then the API answers on the cluster (session evictions subscribed there too)', async () => {
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

describe('group-buys on a Redis Cluster', () => {
  it('when 60 neighbours join a nearly full group at once and its settlement job runs under a cluster lease, then units stay within maxUnits and it settles once', async () => {
    const { startJobs } = await import('../../server/src/jobs');
    const leader = await t.login('demo_leader');
    // Everyone signs in before the group opens, so a slow machine cannot push the joins past its deadline.
    const tokens = await Promise.all(Array.from({ length: 60 }, (_, i) => t.login(`cluster_nb_${i}`)));
    const opened = await t.http.post('/api/v1/group-buys').set('Authorization', `Bearer ${leader}`).send({
      skuId: 'TV-HISENSE-1-B', storeId: 'DEMO-001', tiers: [{ minUnits: 2, priceFen: 200000 }], deadline: new Date(Date.now() + 6000).toISOString(), maxUnits: 12, maxUnitsPerMember: 2,
    });
    expect(opened.status).toBe(201);
    const res = await Promise.all(tokens.map((token) => t.http.post(`/api/v1/group-buys/${opened.body.id}/join`).set('Authorization', `Bearer ${token}`).send({ units: 2 })));
    expect(res.filter((r) => r.status === 200)).toHaveLength(6);
    expect(res.filter((r) => r.status === 409).every((r) => r.body.error.code === 'GROUP_BUY_FULL')).toBe(true);
    // Two job runners (as two processes would) share the cluster's lease.
    const stops = [startJobs(t.deps), startJobs(t.deps)];
    try {
      const until = Date.now() + 15_000;
      let status = 'open';
      while (Date.now() < until && status !== 'succeeded') {
        await new Promise((r) => setTimeout(r, 200));
        const [rows] = await t.deps.db.query('SELECT status FROM group_buys WHERE id = ?', [opened.body.id]);
        status = (rows as { status: string }[])[0].status;
      }
      expect(status).toBe('succeeded');
      const [orders] = await t.deps.db.query('SELECT COUNT(*) AS n FROM orders WHERE group_buy_id = ?', [opened.body.id]);
      expect(Number((orders as { n: number }[])[0].n)).toBe(6);
    } finally {
      await Promise.all(stops.map((s) => s()));
    }
  });
});

describe('connecting to a Redis Cluster that is still forming', () => {
  it('when the first ready check finds cluster_state:fail, then connecting waits and resolves once the slots are covered', async () => {
    const node = await startPrivateRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes-forming.conf', '--cluster-announce-ip', '127.0.0.1']);
    const admin = new Redis({ port: node.port, host: '127.0.0.1' });
    const client = createRedis({ url: node.url, keyPrefix: 'forming:', cluster: true, clusterNodes: [`127.0.0.1:${node.port}`] });
    try {
      // Only part of the slots: the node answers CLUSTER SLOTS but reports cluster_state:fail.
      await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '99');
      let settled = false;
      const connecting = connectRedis(client, 15_000).then(() => (settled = true));
      await new Promise((r) => setTimeout(r, 1500));
      expect(settled).toBe(false);
      await admin.call('CLUSTER', 'ADDSLOTSRANGE', '100', '16383');
      await connecting;
      expect(client.status).toBe('ready');
      await client.set('{k}x', '1');
      expect(await client.get('{k}x')).toBe('1');
    } finally {
      client.disconnect();
      admin.disconnect();
      await node.stop();
    }
  }, 30_000);
});
