import { createTestContext, type TestContext } from '../helpers/context';

/**
 * GET /group-buys reads a page of groups in a fixed number of MySQL queries, however many groups
 * the page holds (it used to make four per group), for anyone, a member and the leader alike.
 */
let t: TestContext;
let leader: string;
let villager: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true });
  [leader, villager] = await Promise.all([t.login('demo_leader'), t.login('list_villager')]);
});
afterAll(async () => t.stop());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

async function openGroups(storeId: string, n: number) {
  for (let i = 0; i < n; i++) {
    const res = await t.http.post('/api/v1/group-buys').set(auth(leader)).send({
      skuId: 'AC-MIDEA-1-A', storeId, tiers: [{ minUnits: 2, priceFen: 259900 }], deadline: new Date(Date.now() + 3600_000).toISOString(), maxUnits: 20, maxUnitsPerMember: 3,
    });
    expect(res.status).toBe(201);
    expect((await t.http.post(`/api/v1/group-buys/${res.body.id}/join`).set(auth(villager)).send({ units: 1 })).status).toBe(200);
    expect((await t.http.post(`/api/v1/group-buys/${res.body.id}/proxy-members`).set(auth(leader)).send({ name: `邻居${i}`, phone: `1370000${String(1000 + i)}`, units: 1 })).status).toBe(201);
  }
}

/** MySQL queries made while answering one request (the session is warm: authentication reads Redis). */
async function queriesFor(path: string, token?: string): Promise<{ queries: number; items: number }> {
  const spy = jest.spyOn(t.deps.db, 'query');
  try {
    const req = t.http.get(path);
    const res = await (token ? req.set(auth(token)) : req);
    expect(res.status).toBe(200);
    return { queries: spy.mock.calls.length, items: res.body.items.length };
  } finally {
    spy.mockRestore();
  }
}

describe('listing groups', () => {
  it('when a page holds 2 or 12 groups, then the same number of queries reads it, anonymous, as a member and as the leader', async () => {
    const seeded = (await t.http.get('/api/v1/group-buys?storeId=DEMO-001')).body.items.length as number;
    await openGroups('DEMO-001', 2);
    const small = { anonymous: await queriesFor('/api/v1/group-buys?storeId=DEMO-001'), member: await queriesFor('/api/v1/group-buys?storeId=DEMO-001', villager), leader: await queriesFor('/api/v1/group-buys?mine=true', leader) };
    await openGroups('DEMO-001', 10);
    const large = { anonymous: await queriesFor('/api/v1/group-buys?storeId=DEMO-001'), member: await queriesFor('/api/v1/group-buys?storeId=DEMO-001', villager), leader: await queriesFor('/api/v1/group-buys?mine=true', leader) };
    expect(small.anonymous.items).toBe(seeded + 2);
    expect(large.anonymous.items).toBe(seeded + 12);
    expect(large.leader.items).toBeGreaterThanOrEqual(12);
    expect(large.anonymous.queries).toBe(small.anonymous.queries);
    expect(large.member.queries).toBe(small.member.queries);
    expect(large.leader.queries).toBe(small.leader.queries);
    expect(large.leader.queries).toBeLessThanOrEqual(7);
  });

  it('when there are more groups than a page, then nextCursor leads to the rest, each group once', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const res = await t.http.get(`/api/v1/group-buys?storeId=DEMO-001&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      for (const g of res.body.items) {
        expect(seen.has(g.id)).toBe(false);
        seen.add(g.id);
      }
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.size).toBe(await t.deps.db.query("SELECT COUNT(*) n FROM group_buys WHERE store_id = 'DEMO-001'").then(([r]) => Number((r as { n: number }[])[0].n)));
    expect(seen.size).toBeGreaterThan(5);
  });
});
