import { forgetUser } from '../../server/src/lib/auth';
import { pollUntil } from '../helpers/poll';
import { createTestContext, uniqueName, type TestContext } from '../helpers/context';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';

/**
 * MariaDB restarting under a signed-in user: the BFF reaches it through a proxy this test cuts
 * (open connections reset, new ones refused) and heals. A dependency failure is 503
 * DEPENDENCY_UNAVAILABLE, never 401: nobody is signed out because the database blinked.
 */
let proxy: TcpProxy;
let t: TestContext;
beforeAll(async () => {
  proxy = await startTcpProxy({ host: '127.0.0.1', port: 3306 });
  t = await createTestContext({ seed: true, overrides: { databaseUrl: `mysql://root@127.0.0.1:${proxy.port}/${uniqueName('xh_t')}` } });
});
afterAll(async () => {
  await proxy.heal().catch(() => undefined);
  await t.stop();
  await proxy.close();
});

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });


describe('MariaDB restarts', () => {
  it('when MariaDB is down, then signed-in requests and logins answer 503 DEPENDENCY_UNAVAILABLE with Retry-After, never 401; once it is back the same token works', async () => {
    const villager = await t.login('demo_villager');
    const owner = await t.login('demo_owner');
    expect((await t.http.get('/api/v1/me').set(auth(villager))).status).toBe(200);
    // The owner's user is no longer cached (as 60 s after its last load): its next request needs MySQL.
    const [rows] = await t.deps.db.query("SELECT id FROM users WHERE openid = 'demo_owner'");
    await forgetUser(t.deps.redis, (rows as { id: string }[])[0].id);

    await proxy.cut();
    const answers = [
      await t.http.get('/api/v1/me').set(auth(owner)),
      await t.http.get('/api/v1/store/pickups').set(auth(owner)),
      await t.http.get('/api/v1/orders').set(auth(villager)),
      await t.http.post('/api/v1/orders').set(auth(villager)).set('Idempotency-Key', 'outage-order-1').send({ storeId: 'DEMO-001', items: [{ skuId: 'SK-SUPOR-1-A', units: 1 }] }),
      await t.http.post('/api/v1/auth/wechat/login').send({ code: 'test_demo_villager.outage1' }),
      await t.http.post('/api/v1/auth/wechat/login').send({ code: 'test_first_timer.outage2' }),
    ];
    expect(answers.map((a) => [a.status, a.body.error?.code])).toEqual(Array(answers.length).fill([503, 'DEPENDENCY_UNAVAILABLE']));
    expect(answers.every((a) => Number(a.headers['retry-after']) > 0)).toBe(true);

    await proxy.heal();
    for (const token of [villager, owner]) {
      const back = await pollUntil('MariaDB to answer again', () => t.http.get('/api/v1/me').set(auth(token)), (r) => r.status !== 503);
      expect(back.status).toBe(200);
    }
  });
});
