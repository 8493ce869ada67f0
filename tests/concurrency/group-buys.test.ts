import { createTestContext, type TestContext } from '../helpers/context';
import { startBffProcess, type BffProcess } from '../helpers/processes';

let t: TestContext;
let leader: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { dbPoolSize: 20 } });
  leader = await t.login('demo_leader');
});
afterAll(async () => t.stop());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const count = async (sql: string, args: unknown[]) => Number(((await t.deps.db.query(sql, args))[0] as { n: number }[])[0].n);

async function open(maxUnits: number, deadlineSeconds: number) {
  const res = await t.http.post('/api/v1/group-buys').set(auth(leader)).send({
    skuId: 'TV-HISENSE-1-B', storeId: 'DEMO-001', tiers: [{ minUnits: 2, priceFen: 200000 }], deadline: inSeconds(deadlineSeconds), maxUnits, maxUnitsPerMember: 3,
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('group-buys under concurrency', () => {
  it('when 200 neighbours join a nearly full group at once, then units never pass maxUnits and nobody passes maxUnitsPerMember', async () => {
    const id = await open(30, 120);
    const early = await Promise.all(Array.from({ length: 9 }, (_, i) => t.login(`early_${i}`)));
    for (const token of early) await t.http.post(`/api/v1/group-buys/${id}/join`).set(auth(token)).send({ units: 3 });
    const crowd = await Promise.all(Array.from({ length: 200 }, (_, i) => t.login(`crowd_${i}`)));
    const res = await Promise.all(crowd.map((token, i) => t.http.post(`/api/v1/group-buys/${id}/join`).set(auth(token)).send({ units: 1 + (i % 3) })));
    const statuses = res.reduce<Record<number, number>>((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {});
    expect(statuses[500]).toBeUndefined();
    expect(res.filter((r) => r.status === 409).every((r) => r.body.error.code === 'GROUP_BUY_FULL')).toBe(true);
    const [g] = await t.deps.db.query('SELECT units_joined AS u, members_count AS m FROM group_buys WHERE id = ?', [id]);
    const { u, m } = (g as { u: number; m: number }[])[0];
    expect(u).toBeLessThanOrEqual(30);
    expect(await count('SELECT COALESCE(SUM(units), 0) n FROM group_buy_members WHERE group_buy_id = ?', [id])).toBe(u);
    expect(await count('SELECT COUNT(*) n FROM group_buy_members WHERE group_buy_id = ? AND units > 0', [id])).toBe(m);
    expect(await count('SELECT COUNT(*) n FROM group_buy_members WHERE group_buy_id = ? AND units > 3', [id])).toBe(0);
    expect(u).toBeGreaterThanOrEqual(28);
  });

  it('when one user changes their units from several requests at once, then the group total matches the member rows', async () => {
    const id = await open(20, 120);
    const token = await t.login('fidget');
    await Promise.all([1, 2, 3, 1, 2, 3, 2, 1].map((units) => t.http.post(`/api/v1/group-buys/${id}/join`).set(auth(token)).send({ units })));
    const [g] = await t.deps.db.query('SELECT units_joined AS u, members_count AS m FROM group_buys WHERE id = ?', [id]);
    const sum = await count('SELECT COALESCE(SUM(units), 0) n FROM group_buy_members WHERE group_buy_id = ?', [id]);
    expect((g as { u: number }[])[0].u).toBe(sum);
    expect((g as { m: number }[])[0].m).toBe(1);
  });

  it('when two BFF processes run their settlement jobs, then a due group settles once, within 5 seconds of its deadline', async () => {
    const id = await open(20, 3);
    const members = await Promise.all(Array.from({ length: 6 }, (_, i) => t.login(`twoproc_${i}`)));
    for (const token of members) await t.http.post(`/api/v1/group-buys/${id}/join`).set(auth(token)).send({ units: 2 });
    const env = { DATABASE_URL: t.config.databaseUrl, REDIS_KEY_PREFIX: t.config.redisKeyPrefix, WECHAT_API_BASE: t.emulator.url, JOBS_ENABLED: 'true', DB_POOL_SIZE: '5', LOG_LEVEL: 'error' };
    const bffs: BffProcess[] = await Promise.all([startBffProcess(env), startBffProcess(env)]);
    try {
      const [d] = await t.deps.db.query('SELECT deadline FROM group_buys WHERE id = ?', [id]);
      const deadline = (d as { deadline: Date }[])[0].deadline.getTime();
      let settledAt = 0;
      while (Date.now() < deadline + 15_000) {
        const [rows] = await t.deps.db.query('SELECT status, settled_at AS at FROM group_buys WHERE id = ?', [id]);
        const row = (rows as { status: string; at: Date | null }[])[0];
        if (row.status === 'succeeded') {
          settledAt = row.at!.getTime();
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(settledAt).toBeGreaterThan(0);
      expect(settledAt - deadline).toBeLessThan(5000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await count('SELECT COUNT(*) n FROM orders WHERE group_buy_id = ?', [id])).toBe(6);
      // Nothing is picked up yet: no commission for the group however many processes settled it.
      expect(await count('SELECT COUNT(*) n FROM commission_entries WHERE group_buy_id = ?', [id])).toBe(0);
    } finally {
      await Promise.all(bffs.map((b) => b.kill()));
    }
  });
});
