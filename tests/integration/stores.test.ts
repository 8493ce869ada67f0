import { createTestContext, type TestContext } from '../helpers/context';
import { regionsStep } from '../../prisma/seed/regions';
import { storesStep, planStores } from '../../prisma/seed/stores';
import { countyOutline, inShape } from '../../prisma/seed/counties';
import { nearbyFromMysql } from '../../server/src/modules/stores/service';
import { BUILT_KEY, geoKey } from '../../server/src/modules/stores/geo';

let t: TestContext;
const rows = async <T>(sql: string, values: unknown[] = []) => (await t.deps.db.query(sql, values))[0] as T[];

beforeAll(async () => {
  t = await createTestContext({ seed: true });
});
afterAll(async () => {
  await t.stop();
});

describe('regions', () => {
  test('when no parent is given, then the provinces answer (the test scale loads 河北省)', async () => {
    const res = await t.http.get('/api/v1/regions');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([{ code: '13', name: '河北省', level: 'province', parentCode: null }]);
  });

  test('when walking 河北省 → 保定市 → 清苑区 → 臧村镇, then each level lists the real children stored in MySQL', async () => {
    const cities = (await t.http.get('/api/v1/regions?parent=13')).body.items;
    expect(cities.map((c: { name: string }) => c.name)).toContain('保定市');
    const counties = (await t.http.get('/api/v1/regions?parent=1306')).body.items;
    expect(counties).toContainEqual({ code: '130608', name: '清苑区', level: 'county', parentCode: '1306' });
    const towns = (await t.http.get('/api/v1/regions?parent=130608')).body.items;
    expect(towns.map((x: { code: string }) => x.code)).toEqual(expect.arrayContaining(['130608100', '130608107']));
    const villages = (await t.http.get('/api/v1/regions?parent=130608107')).body.items;
    const stored = await rows<{ n: number }>("SELECT COUNT(*) AS n FROM regions WHERE parent_code = '130608107' AND level = 5");
    expect(villages).toHaveLength(Number(stored[0].n));
    expect(villages).toContainEqual({ code: '130608107202', name: '臧村村民委员会', level: 'village', parentCode: '130608107' });
  });

  test('when the parent does not exist, then 404; when it is not a code, then 400 naming parent', async () => {
    expect((await t.http.get('/api/v1/regions?parent=99')).status).toBe(404);
    const bad = await t.http.get('/api/v1/regions?parent=abc');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('query.parent');
  });

  test('when searching 臧村, then villages and the town answer with their full paths', async () => {
    const res = await t.http.get(`/api/v1/regions/search?q=${encodeURIComponent('臧村')}`);
    expect(res.status).toBe(200);
    const paths = res.body.items.map((r: { path: string }) => r.path);
    expect(paths).toContain('河北省/保定市/清苑区/臧村镇');
    expect(paths).toContain('河北省/保定市/清苑区/臧村镇/臧村村民委员会');
    expect(paths).toContain('河北省/保定市/清苑区/臧村镇/东臧村村民委员会');
    for (const r of res.body.items) expect(r.name).toContain('臧村');
  });

  test('when searching 清苑, then the county and its town answer; a village searched with its committee suffix is found too', async () => {
    const paths = (await t.http.get(`/api/v1/regions/search?q=${encodeURIComponent('清苑')}`)).body.items.map((r: { path: string }) => r.path);
    expect(paths).toEqual(expect.arrayContaining(['河北省/保定市/清苑区', '河北省/保定市/清苑区/清苑镇']));
    const full = (await t.http.get(`/api/v1/regions/search?q=${encodeURIComponent('臧村村民委员会')}`)).body.items;
    expect(full.map((r: { code: string }) => r.code)).toContain('130608107202');
  });

  test('when the search has one character, then names starting with it answer; when nothing matches, then an empty list', async () => {
    const one = (await t.http.get(`/api/v1/regions/search?q=${encodeURIComponent('臧')}`)).body.items;
    expect(one.length).toBeGreaterThan(0);
    for (const r of one) expect(r.name.startsWith('臧')).toBe(true);
    const none = await t.http.get(`/api/v1/regions/search?q=${encodeURIComponent('不存在的地方')}`);
    expect(none.status).toBe(200);
    expect(none.body.items).toEqual([]);
    const wild = await t.http.get(`/api/v1/regions/search?q=${encodeURIComponent('%_')}`);
    expect(wild.body.items).toEqual([]);
  });

  test('when q is empty, blank or 64 characters long, then 400 naming q', async () => {
    for (const q of ['', '   ', '村'.repeat(64)]) {
      const res = await t.http.get(`/api/v1/regions/search?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain('query.q');
    }
    expect((await t.http.get(`/api/v1/regions/search?q=${encodeURIComponent('村'.repeat(63))}`)).status).toBe(200);
    expect((await t.http.get('/api/v1/regions/search')).status).toBe(400);
  });

  test('when one region is asked for, then it answers with its path', async () => {
    const res = await t.http.get('/api/v1/regions/130608107202');
    expect(res.body).toEqual({ code: '130608107202', name: '臧村村民委员会', level: 'village', parentCode: '130608107', path: '河北省/保定市/清苑区/臧村镇/臧村村民委员会' });
    expect((await t.http.get('/api/v1/regions/130608107999')).status).toBe(404);
  });
});

describe('stores', () => {
  test('when the demo is seeded, then DEMO-001 and DEMO-002 stand where API.md says, among a few hundred generated stores in real 河北 towns', async () => {
    const demo = await rows<{ id: string; region_code: string; lat: string; lng: string; type: string }>("SELECT id, region_code, lat, lng, type FROM stores WHERE id LIKE 'DEMO-%' ORDER BY id");
    expect(demo.map((d) => [d.id, d.region_code, Number(d.lat), Number(d.lng), d.type])).toEqual([
      ['DEMO-001', '130608100', 38.8738, 115.4646, 'appliance'],
      ['DEMO-002', '130608107', 38.9008, 115.4646, 'smart_kitchen'],
    ]);
    const [{ n, orphans, outside }] = await rows<{ n: number; orphans: number; outside: number }>(
      `SELECT COUNT(*) AS n, SUM(r.code IS NULL) AS orphans, SUM(s.lat NOT BETWEEN 36 AND 42.6 OR s.lng NOT BETWEEN 113.4 AND 119.9) AS outside
       FROM stores s LEFT JOIN regions r ON r.code = s.region_code AND r.level = 4`,
    );
    expect(Number(n)).toBeGreaterThan(200);
    expect(Number(orphans)).toBe(0);
    expect(Number(outside)).toBe(0);
  });

  test('when the demo is seeded, then every generated store stands inside its county\'s real outline (邯郸 stores in 邯郸, not by 清苑区)', async () => {
    const stored = await rows<{ id: string; lat: string; lng: string; county: string; countyName: string; cityName: string }>(
      `SELECT s.id, s.lat, s.lng, c.code AS county, c.name AS countyName, ci.name AS cityName
       FROM stores s JOIN regions t ON t.code = s.region_code JOIN regions c ON c.code = t.parent_code JOIN regions ci ON ci.code = c.parent_code
       WHERE s.id LIKE 'XH-%'`,
    );
    const outside = stored.filter((s) => !inShape(countyOutline({ code: s.county, name: s.countyName, cityName: s.cityName }).shape, Number(s.lng), Number(s.lat)));
    expect(stored.length).toBeGreaterThan(200);
    expect(outside).toEqual([]);
  });

  test('when the seed runs again, then nothing changes; the same seed plans the same stores', async () => {
    const snapshot = async () => rows<{ t: string; n: number; c: string }>(
      `SELECT 'regions' t, COUNT(*) n, SUM(CRC32(CONCAT(code, name, level, IFNULL(parent_code, '')))) c FROM regions
       UNION ALL SELECT 'grams', COUNT(*), SUM(CRC32(CONCAT(gram, region_code))) FROM region_grams
       UNION ALL SELECT 'stores', COUNT(*), SUM(CRC32(CONCAT(id, name, lat, lng, phone, services))) FROM stores
       UNION ALL SELECT 'areas', COUNT(*), SUM(CRC32(CONCAT(store_id, region_code))) FROM store_service_areas`,
    );
    const before = await snapshot();
    const ctx = { config: t.config, db: t.deps.db, prisma: t.deps.prisma, progress: () => {}, scale: 'test' as const };
    await regionsStep.run(ctx);
    await storesStep.run(ctx);
    expect(await snapshot()).toEqual(before);
    const towns = [{ code: '130608100', name: '清苑镇', county: '130608', countyName: '清苑区', cityName: '保定市', provinceName: '河北省' },
      { code: '130608101', name: '冉庄镇', county: '130608', countyName: '清苑区', cityName: '保定市', provinceName: '河北省' }];
    expect(planStores(towns, 6)).toEqual(planStores(towns, 6));
  });

  test('when a store page is asked for, then it has hours, services, phone, position and its region path', async () => {
    const res = await t.http.get('/api/v1/stores/DEMO-002');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: 'DEMO-002', name: '星火智慧厨房 臧村镇店', type: 'smart_kitchen', regionCode: '130608107', address: expect.any(String),
      lat: 38.9008, lng: 115.4646, phone: '0312-8012002', openHours: '08:30-19:30', services: ['delivery', 'installation', 'trade_in'],
      regionPath: '河北省/保定市/清苑区/臧村镇',
    });
    expect((await t.http.get('/api/v1/stores/NOPE')).status).toBe(404);
  });

  test('when standing at DEMO-001, then nearby lists DEMO-001 first at 0 m, DEMO-002 about 3 km away, nearest first', async () => {
    const res = await t.http.get('/api/v1/stores/nearby?lat=38.8738&lng=115.4646');
    expect(res.status).toBe(200);
    const items = res.body.items as { id: string; distanceM: number }[];
    expect(items[0]).toMatchObject({ id: 'DEMO-001', distanceM: 0 });
    const demo2 = items.find((s) => s.id === 'DEMO-002')!;
    expect(demo2.distanceM).toBeGreaterThan(2900);
    expect(demo2.distanceM).toBeLessThan(3100);
    expect(items.length).toBeLessThanOrEqual(10);
    for (let i = 1; i < items.length; i++) expect(items[i].distanceM).toBeGreaterThanOrEqual(items[i - 1].distanceM);
    for (const s of items) expect(s.distanceM).toBeLessThanOrEqual(20_000);
    const kitchens = (await t.http.get('/api/v1/stores/nearby?lat=38.8738&lng=115.4646&type=smart_kitchen')).body.items;
    expect(kitchens[0].id).toBe('DEMO-002');
    for (const s of kitchens) expect(s.type).toBe('smart_kitchen');
  });

  test('when points are anywhere, then Redis rings answer exactly what the MySQL scan answers', async () => {
    const r = (seed: number) => () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const rand = r(42);
    for (let i = 0; i < 40; i++) {
      const lat = 36 + rand() * 6.5;
      const lng = 113.5 + rand() * 6.3;
      const radiusKm = [5, 20, 60, 100][i % 4];
      const limit = [1, 10, 50][i % 3];
      const res = await t.http.get(`/api/v1/stores/nearby?lat=${lat}&lng=${lng}&radiusKm=${radiusKm}&limit=${limit}`);
      expect(res.status).toBe(200);
      const truth = await nearbyFromMysql(t.deps, { lat, lng }, radiusKm, limit);
      expect(res.body.items.map((s: { id: string }) => s.id)).toEqual(truth.map((s) => s.id));
      res.body.items.forEach((s: { distanceM: number }, k: number) => expect(Math.abs(s.distanceM - truth[k].distanceM)).toBeLessThanOrEqual(1));
    }
  });

  test('when the geo index is found missing, then nearby still answers correctly and the index is rebuilt from MySQL', async () => {
    await t.deps.redis.del(geoKey(), geoKey('appliance'), geoKey('smart_kitchen'), BUILT_KEY);
    const res = await t.http.get('/api/v1/stores/nearby?lat=38.8738&lng=115.4646&limit=3');
    expect(res.body.items[0].id).toBe('DEMO-001');
    // Searches go on meanwhile (they check the index's version once a second and find it missing).
    for (let i = 0; i < 100 && !(await t.deps.redis.exists(BUILT_KEY)); i++) {
      expect((await t.http.get('/api/v1/stores/nearby?lat=38.8738&lng=115.4646&limit=3')).body.items[0].id).toBe('DEMO-001');
      await new Promise((r) => setTimeout(r, 100));
    }
    const [{ n }] = await rows<{ n: number }>('SELECT COUNT(*) AS n FROM stores');
    expect(await t.deps.redis.zcard(geoKey())).toBe(Number(n));
    const [{ k }] = await rows<{ k: number }>("SELECT COUNT(*) AS k FROM stores WHERE type = 'smart_kitchen'");
    expect(await t.deps.redis.zcard(geoKey('smart_kitchen'))).toBe(Number(k));
  });

  test('when a nearby search is made, then the caller\'s position is stored nowhere in Redis', async () => {
    await t.http.get('/api/v1/stores/nearby?lat=38.123456&lng=115.654321');
    const keys = await t.deps.redis.keys(`${t.config.redisKeyPrefix}*`);
    for (const k of keys) expect(k).not.toMatch(/38\.123|115\.654/);
    for (const k of keys.filter((x) => x.includes('stores'))) {
      const type = await t.deps.redis.type(k.slice(t.config.redisKeyPrefix.length));
      expect(['zset', 'string', 'none']).toContain(type);
    }
  });

  test('when input is out of range, then 400 names the field', async () => {
    const cases: [string, string][] = [
      ['lat=91&lng=115', 'query.lat'], ['lat=-90.5&lng=115', 'query.lat'], ['lat=38&lng=181', 'query.lng'], ['lat=38&lng=-180.1', 'query.lng'],
      ['lat=38&lng=115&radiusKm=101', 'query.radiusKm'], ['lat=38&lng=115&radiusKm=0', 'query.radiusKm'], ['lat=38&lng=115&limit=51', 'query.limit'],
      ['lat=abc&lng=115', 'query.lat'], ['lng=115', 'query.lat'], ['lat=38&lng=115&type=bakery', 'query.type'], ['lat=38&lng=115&extra=1', 'query.extra'],
    ];
    for (const [qs, path] of cases) {
      const res = await t.http.get(`/api/v1/stores/nearby?${qs}`);
      expect([qs, res.status]).toEqual([qs, 400]);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect((await t.http.get('/api/v1/stores/nearby?lat=90&lng=-180&radiusKm=100&limit=50')).status).toBe(200);
    const q = await t.http.get(`/api/v1/stores?q=${encodeURIComponent('店'.repeat(64))}`);
    expect(q.status).toBe(400);
    expect(q.body.error.details[0].path).toBe('query.q');
  });

  test('when listing a region of any level, then the stores inside it answer, paged; for a village, those serving it', async () => {
    const county = (await t.http.get('/api/v1/stores?region=130608&limit=50')).body;
    const ids = county.items.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['DEMO-001', 'DEMO-002']));
    for (const s of county.items) expect(s.regionCode.startsWith('130608')).toBe(true);
    const [{ n }] = await rows<{ n: number }>("SELECT COUNT(*) AS n FROM stores WHERE region_code LIKE '130608%'");
    expect(ids).toHaveLength(Number(n));

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (await t.http.get(`/api/v1/stores?region=13&limit=7${cursor ? `&cursor=${cursor}` : ''}`)).body;
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    const [{ all }] = await rows<{ all: number }>("SELECT COUNT(*) AS `all` FROM stores WHERE region_code LIKE '13%'");
    expect(new Set(seen).size).toBe(Number(all));

    const village = (await t.http.get('/api/v1/stores?region=130608107202')).body.items;
    expect(village.map((s: { id: string }) => s.id)).toContain('DEMO-002');
    const served = await rows<{ store_id: string }>("SELECT store_id FROM store_service_areas WHERE region_code = '130608107202' ORDER BY store_id");
    expect(village.map((s: { id: string }) => s.id)).toEqual(served.map((s) => s.store_id));

    const kitchens = (await t.http.get(`/api/v1/stores?region=130608&type=smart_kitchen&q=${encodeURIComponent('臧村')}`)).body.items;
    expect(kitchens.map((s: { id: string }) => s.id)).toEqual(['DEMO-002']);
  });

  test('when stores are seeded, then each serves every village of its town, and some serve a neighbouring town too', async () => {
    const [{ missing }] = await rows<{ missing: number }>(
      `SELECT COUNT(*) AS missing FROM stores s JOIN regions v ON v.parent_code = s.region_code AND v.level = 5
       LEFT JOIN store_service_areas a ON a.store_id = s.id AND a.region_code = v.code WHERE a.store_id IS NULL`,
    );
    expect(Number(missing)).toBe(0);
    const [{ more }] = await rows<{ more: number }>(
      `SELECT COUNT(DISTINCT a.store_id) AS more FROM store_service_areas a JOIN stores s ON s.id = a.store_id
       JOIN regions v ON v.code = a.region_code WHERE v.parent_code <> s.region_code`,
    );
    expect(Number(more)).toBeGreaterThan(0);
  });
});
