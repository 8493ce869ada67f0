import { createTestContext, type TestContext } from '../helpers/context';
import { createDeps, closeDeps } from '../../server/src/lib/deps';
import { BUILT_KEY, geoKey, rebuildGeoIndex } from '../../server/src/modules/stores/geo';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext({ seed: true });
});
afterAll(async () => {
  await t.stop();
});

const dropIndex = () => t.deps.redis.del(geoKey(), geoKey('appliance'), geoKey('smart_kitchen'), BUILT_KEY);

test('when 60 nearby searches find the geo index missing at once, then all answer correctly and it is rebuilt once, complete', async () => {
  await dropIndex();
  const rebuilt: unknown[] = [];
  const info = t.deps.logger.info.bind(t.deps.logger);
  t.deps.logger.info = ((obj: unknown, msg?: string) => {
    if (msg === 'stores geo index rebuilt') rebuilt.push(obj);
    return info(obj as object, msg);
  });
  const answers = await Promise.all(Array.from({ length: 60 }, () => t.http.get('/api/v1/stores/nearby?lat=38.8738&lng=115.4646&limit=5')));
  for (const a of answers) {
    expect(a.status).toBe(200);
    expect(a.body.items[0].id).toBe('DEMO-001');
    expect(a.body.items.map((s: { id: string }) => s.id)).toEqual(answers[0].body.items.map((s: { id: string }) => s.id));
  }
  for (let i = 0; i < 50 && !(await t.deps.redis.exists(BUILT_KEY)); i++) await new Promise((r) => setTimeout(r, 100));
  t.deps.logger.info = info;
  expect(rebuilt).toHaveLength(1);
  const [[{ n }]] = (await t.deps.db.query('SELECT COUNT(*) AS n FROM stores')) as unknown as [{ n: number }[]];
  expect(await t.deps.redis.zcard(geoKey())).toBe(Number(n));
});

test('when two BFF processes rebuild at the same moment, then the index ends complete with no staging left; while another holds the lock, a process does not rebuild', async () => {
  await dropIndex();
  const other = await createDeps(t.config);
  try {
    const same = [rebuildGeoIndex(t.deps), rebuildGeoIndex(t.deps)];
    expect(same[0]).toBe(same[1]);
    const results = await Promise.all([...same, rebuildGeoIndex(other), rebuildGeoIndex(other)]);
    expect(results.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    const [[{ n, k }]] = (await t.deps.db.query("SELECT COUNT(*) AS n, SUM(type = 'smart_kitchen') AS k FROM stores")) as unknown as [{ n: number; k: number }[]];
    expect(await t.deps.redis.zcard(geoKey())).toBe(Number(n));
    expect(await t.deps.redis.zcard(geoKey('smart_kitchen'))).toBe(Number(k));
    expect(await t.deps.redis.zcard(geoKey('appliance'))).toBe(Number(n) - Number(k));
    expect(await t.deps.redis.exists(`${geoKey()}:staging`, `${geoKey('appliance')}:staging`, `${geoKey('smart_kitchen')}:staging`)).toBe(0);

    await dropIndex();
    await other.redis.set(`${geoKey()}:rebuilding`, 'another-process', 'PX', 5000);
    expect(await rebuildGeoIndex(t.deps)).toBe(false);
    expect(await t.deps.redis.exists(BUILT_KEY)).toBe(0);
    await other.redis.del(`${geoKey()}:rebuilding`);
    expect(await rebuildGeoIndex(t.deps)).toBe(true);
  } finally {
    await closeDeps(other);
  }
});
