import { createTestContext, type TestContext } from '../helpers/context';

/**
 * A scraper without an account: wildcards that match the whole catalogue, the chain's store list
 * (phones included) in one sweep, and an address hammering the public routes.
 */
let t: TestContext;
const BUDGET = 25;

beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { rateLimits: { publicPerAddress: { points: BUDGET, durationSeconds: 600 } } } });
});
afterAll(() => t.stop());

describe('scraping the public routes', () => {
  it('when a search is only wildcards, then it matches nothing literal, not everything', async () => {
    const token = await t.login('scraper_with_account');
    const all = await t.http.get('/api/v1/products?limit=50').set('Authorization', `Bearer ${token}`);
    expect(all.body.items.length).toBeGreaterThan(0);
    for (const q of ['%', '_', '%%', '\\', '%_%']) {
      const res = await t.http.get(`/api/v1/products?q=${encodeURIComponent(q)}&limit=50`).set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([]);
    }
    const stores = await t.http.get(`/api/v1/stores?q=${encodeURIComponent('%')}&limit=50`).set('Authorization', `Bearer ${token}`);
    expect(stores.body.items).toEqual([]);
  });

  it('when the store list is asked for without a region or a name, then it is refused', async () => {
    const token = await t.login('scraper_with_account');
    const res = await t.http.get('/api/v1/stores?limit=50').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].message).toBe('a region or q is required');
  });

  it('when one address calls public routes anonymously past its budget, then it gets 429 with Retry-After; pictures and signed-in callers are not counted', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < BUDGET + 5; i++) {
      const res = await t.http.get(i % 2 ? '/api/v1/products?limit=5' : '/api/v1/stores/DEMO-001');
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.body.error.code).toBe('RATE_LIMITED');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(BUDGET);
    expect(statuses.slice(-5)).toEqual([429, 429, 429, 429, 429]);
    // The same address, signed in, is served: a village behind one address keeps working once its phones have signed in.
    const token = await t.login('villager_behind_the_same_nat');
    expect((await t.http.get('/api/v1/products?limit=5').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect((await t.http.get('/api/v1/images/tv.svg')).status).toBe(200);
  });
});
