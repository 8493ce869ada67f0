import { createTestContext, type TestContext } from '../helpers/context';
import { startBffProcess, type BffProcess } from '../helpers/processes';
import { auth, count } from '../helpers/after-sales';

/** Reminders with two BFF processes running the job: one reminder and one message per appliance and cycle. */
let t: TestContext;
beforeAll(async () => {
  t = await createTestContext({ seed: true });
});
afterAll(async () => t.stop());

describe('maintenance reminders on two BFF processes', () => {
  it('when 60 appliances fall due and two processes run the job for a while, then each has exactly one reminder and its villager one message', async () => {
    const villager = await t.login('demo_villager');
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await t.http.post('/api/v1/me/appliances').set(auth(villager)).send({ category: 'water_heater', brand: '海尔', ageYears: 3, storeId: 'DEMO-001' });
      ids.push(res.body.id as string);
    }
    await t.deps.db.query('UPDATE appliances SET next_maintenance_at = NOW(3) - INTERVAL 1 HOUR WHERE id IN (?)', [ids]);
    t.emulator.messages.length = 0;
    const env = { DATABASE_URL: t.config.databaseUrl, REDIS_KEY_PREFIX: t.config.redisKeyPrefix, WECHAT_API_BASE: t.emulator.url, JOBS_ENABLED: 'true', DB_POOL_SIZE: '4', LOG_LEVEL: 'error' };
    const bffs: BffProcess[] = await Promise.all([startBffProcess(env), startBffProcess(env)]);
    try {
      const end = Date.now() + 60_000;
      while ((await count(t, "SELECT COUNT(*) n FROM maintenance_reminders WHERE appliance_id IN (?) AND notify_status = 'sent'", [ids])) < 60) {
        if (Date.now() > end) throw new Error('reminders not all sent within 60 s');
        await new Promise((r) => setTimeout(r, 200));
      }
      // a few more runs of the job (every 500 ms here) change nothing
      const settledAt = Date.now();
      while (Date.now() < settledAt + 2000) await new Promise((r) => setTimeout(r, 200));
      expect(await count(t, 'SELECT COUNT(*) n FROM maintenance_reminders WHERE appliance_id IN (?)', [ids])).toBe(60);
      expect(await count(t, 'SELECT COUNT(DISTINCT appliance_id) n FROM maintenance_reminders WHERE appliance_id IN (?)', [ids])).toBe(60);
      expect(await count(t, 'SELECT COUNT(*) n FROM appliances WHERE id IN (?) AND next_maintenance_at > NOW(3)', [ids])).toBe(60);
      expect(t.emulator.messages.filter((m) => m.template_id === 'maintenance_due')).toHaveLength(60);
    } finally {
      await Promise.all(bffs.map((b) => b.kill()));
    }
  }, 180_000);
});
