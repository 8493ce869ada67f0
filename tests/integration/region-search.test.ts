import { createTestContext, type TestContext } from '../helpers/context';

/**
 * Search stays ranked: a village name many places share lists the caller's own county, city and
 * province before far-away namesakes when the caller says where it is (a region, or lat/lng).
 */
let t: TestContext;
beforeAll(async () => {
  t = await createTestContext({ seed: true });
});
afterAll(async () => t.stop());

type Found = { code: string; path: string };
const search = async (query: string) => {
  const r = await t.http.get(`/api/v1/regions/search?${query}`);
  expect(r.status).toBe(200);
  return r.body.items as Found[];
};

describe('ranked village search', () => {
  it('when the caller sends its region or its position, then its own county and city come before namesakes elsewhere', async () => {
    // A village name shared by several cities of the seeded data, and a store standing in the last of them.
    const [names] = await t.deps.db.query(
      `SELECT v.name, MIN(v.code) AS first, MAX(v.code) AS last FROM regions v
       WHERE v.level = 5 AND CHAR_LENGTH(v.name) >= 3 GROUP BY v.name HAVING COUNT(DISTINCT LEFT(v.code, 4)) >= 2 ORDER BY COUNT(*) DESC LIMIT 1`,
    );
    const { name, first, last } = (names as { name: string; first: string; last: string }[])[0];
    const q = encodeURIComponent(name);

    const plain = await search(`q=${q}&limit=5`);
    expect(plain[0].code).toBe(first);

    const byRegion = await search(`q=${q}&limit=5&region=${last.slice(0, 6)}`);
    expect(byRegion[0].code.slice(0, 6)).toBe(last.slice(0, 6));
    // Paging keeps the rank: the whole ranked list equals the pages joined.
    const page2 = await t.http.get(`/api/v1/regions/search?q=${q}&limit=2&region=${last.slice(0, 6)}`);
    const rest = await t.http.get(`/api/v1/regions/search?q=${q}&limit=2&region=${last.slice(0, 6)}&cursor=${page2.body.nextCursor}`);
    expect([...page2.body.items, ...rest.body.items].map((r: Found) => r.code)).toEqual(byRegion.slice(0, 4).map((r) => r.code));

    const [stores] = await t.deps.db.query('SELECT lat, lng FROM stores WHERE region_code LIKE ? LIMIT 1', [`${last.slice(0, 4)}%`]);
    const store = (stores as { lat: number; lng: number }[])[0];
    if (store) {
      const byPosition = await search(`q=${q}&limit=5&lat=${store.lat}&lng=${store.lng}`);
      expect(byPosition[0].code.slice(0, 4)).toBe(last.slice(0, 4));
    }
    expect((await t.http.get(`/api/v1/regions/search?q=${q}&lat=38.8`)).status).toBe(400);
  });
});
