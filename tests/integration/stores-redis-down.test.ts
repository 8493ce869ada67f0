import { createTestContext, type TestContext } from '../helpers/context';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-services';
import { BUILT_KEY } from '../../server/src/modules/stores/geo';

let t: TestContext;
let redis: PrivateRedis;
beforeAll(async () => {
  redis = await startPrivateRedis();
  t = await createTestContext({ seed: true, overrides: { redisUrl: redis.url } });
});
afterAll(async () => {
  await redis.start().catch(() => undefined);
  await t.stop();
  await redis.stop();
});

const points = [[38.8738, 115.4646, 20, 10], [38.5, 115.0, 100, 50], [39.2, 116.1, 30, 7], [37.1, 114.6, 60, 20]];

test('when Redis goes down and comes back empty, then nearby answers the same stores from MySQL, and the index is rebuilt afterwards', async () => {
  const url = ([lat, lng, r, l]: number[]) => `/api/v1/stores/nearby?lat=${lat}&lng=${lng}&radiusKm=${r}&limit=${l}`;
  const before = [];
  for (const p of points) before.push((await t.http.get(url(p))).body.items);
  expect(before[0][0].id).toBe('DEMO-001');
  for (let i = 0; i < 50 && !(await t.deps.redis.exists(BUILT_KEY)); i++) await new Promise((r) => setTimeout(r, 100));
  expect(await t.deps.redis.exists(BUILT_KEY)).toBe(1);

  await redis.kill();
  for (let i = 0; i < points.length; i++) {
    const res = await t.http.get(url(points[i]));
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual(before[i]);
  }
  const search = await t.http.get(`/api/v1/regions/search?q=${encodeURIComponent('臧村')}`);
  expect(search.status).toBe(200);
  expect(search.body.items.length).toBeGreaterThan(0);

  await redis.start(); // restarts with nothing kept
  for (let i = 0; i < 100 && t.deps.redis.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 100));
  expect(await t.deps.redis.exists(BUILT_KEY)).toBe(0);
  const again = await t.http.get(url(points[0]));
  expect(again.body.items).toEqual(before[0]);
  // Searches go on meanwhile (they check the index's version once a second and find it missing).
  for (let i = 0; i < 100 && !(await t.deps.redis.exists(BUILT_KEY)); i++) {
    await t.http.get(url(points[0]));
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await t.deps.redis.exists(BUILT_KEY)).toBe(1);
  for (let i = 0; i < points.length; i++) expect((await t.http.get(url(points[i]))).body.items).toEqual(before[i]);
});
