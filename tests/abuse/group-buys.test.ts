import { startAbuseContext, type AbuseContext } from './attacker';

/**
 * Group-buy rules an attacker with a leader's account (or none) tries to game: 1-fen tiers, the
 * same neighbour added again and again past the per-member limit, opening groups at a store that
 * never approved them, racing first joins, and reading who leads which group.
 */
let t: AbuseContext;
let leader: string;
beforeAll(async () => {
  t = await startAbuseContext();
  leader = await t.login('demo_leader');
});
afterAll(async () => {
  await t?.stop();
});
afterEach(() => expect(t.serverErrors).toEqual([]));

const open = (over: Record<string, unknown> = {}) =>
  t.http.post('/api/v1/group-buys').set(t.auth(leader)).send({
    skuId: 'AC-GREE-1-A', storeId: 'DEMO-001', tiers: [{ minUnits: 2, priceFen: 279900 }], deadline: new Date(Date.now() + 3600_000).toISOString(), maxUnits: 20, maxUnitsPerMember: 2, ...over,
  });
const groupsOfLeader = () => t.count("SELECT COUNT(*) n FROM group_buys g JOIN users u ON u.id = g.leader_id WHERE u.openid = 'demo_leader'");

describe('giveaway prices', () => {
  it('when a leader prices a tier at 1 fen (or anywhere below the floor), then 400 names the tier in Chinese and no group is stored', async () => {
    const before = await groupsOfLeader();
    for (const priceFen of [1, 100, Math.floor(299900 * 0.7) - 1]) {
      const res = await open({ tiers: [{ minUnits: 1, priceFen }] });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message).toMatch(/^第1档团购价不能低于 ¥2099\.30/);
      expect(res.body.error.details).toContainEqual(expect.objectContaining({ path: 'body.tiers.0.priceFen' }));
    }
    const second = await open({ tiers: [{ minUnits: 1, priceFen: 280000 }, { minUnits: 3, priceFen: 5000 }] });
    expect(second.body.error.message).toMatch(/^第2档/);
    expect(await groupsOfLeader()).toBe(before);
    expect((await open({ tiers: [{ minUnits: 1, priceFen: Math.ceil(299900 * 0.7) }] })).status).toBe(201);
  });
});

describe('the same neighbour again and again', () => {
  it('when a leader adds one phone twice (another name, another spelling), then the second is 409 PROXY_MEMBER_EXISTS and the person holds the per-member limit at most', async () => {
    const g = (await open()).body;
    const first = await t.http.post(`/api/v1/group-buys/${g.id}/proxy-members`).set(t.auth(leader)).send({ name: '王大妈', phone: '13811112222', units: 2 });
    expect(first.status).toBe(201);
    for (const name of ['王大妈', '王 大妈', '大妈']) {
      const again = await t.http.post(`/api/v1/group-buys/${g.id}/proxy-members`).set(t.auth(leader)).send({ name, phone: '13811112222', units: 2 });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('PROXY_MEMBER_EXISTS');
      expect(again.body.error.details).toEqual([expect.objectContaining({ path: 'body.phone' })]);
    }
    const racing = await Promise.all(Array.from({ length: 8 }, (_, i) => t.http.post(`/api/v1/group-buys/${g.id}/proxy-members`).set(t.auth(leader)).send({ name: `邻居${i}`, phone: '13833334444', units: 2 })));
    expect(racing.filter((r) => r.status === 201)).toHaveLength(1);
    expect(racing.filter((r) => r.status === 409 && r.body.error.code === 'PROXY_MEMBER_EXISTS')).toHaveLength(7);
    const detail = (await t.http.get(`/api/v1/group-buys/${g.id}`).set(t.auth(leader))).body;
    expect(detail).toMatchObject({ unitsJoined: 4, membersCount: 2 });
  });

  it('when the leader adds their own phone as a neighbour, then 409 PROXY_MEMBER_EXISTS', async () => {
    const g = (await open()).body;
    const [rows] = await t.deps.db.query("SELECT l.phone_enc AS enc FROM leaders l JOIN users u ON u.id = l.user_id WHERE u.openid = 'demo_leader' AND l.store_id = 'DEMO-001'");
    const { decryptPhone } = await import('../../server/src/lib/phone');
    const own = decryptPhone(t.config.crypto, (rows as { enc: Buffer }[])[0].enc);
    const res = await t.http.post(`/api/v1/group-buys/${g.id}/proxy-members`).set(t.auth(leader)).send({ name: '我自己', phone: own, units: 2 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('PROXY_MEMBER_EXISTS');
  });

  it('when the leader removes a neighbour while the group is open, then their units leave the group; another leader, a villager or a closed group cannot', async () => {
    const g = (await open()).body;
    const added = (await t.http.post(`/api/v1/group-buys/${g.id}/proxy-members`).set(t.auth(leader)).send({ name: '赵伯', phone: '13855556666', units: 2 })).body.member;
    const villager = await t.login('gb_villager');
    expect((await t.http.delete(`/api/v1/group-buys/${g.id}/proxy-members/${added.id}`).set(t.auth(villager))).status).toBe(403);
    const joined = await t.http.post(`/api/v1/group-buys/${g.id}/join`).set(t.auth(villager)).send({ units: 1 });
    expect(joined.status).toBe(200);
    const villagerMember = (await t.http.get(`/api/v1/group-buys/${g.id}`).set(t.auth(leader))).body.members.find((m: { proxy: boolean }) => !m.proxy);
    // A villager who joined themselves is not the leader's to remove.
    expect((await t.http.delete(`/api/v1/group-buys/${g.id}/proxy-members/${villagerMember.id}`).set(t.auth(leader))).status).toBe(404);
    const removed = await t.http.delete(`/api/v1/group-buys/${g.id}/proxy-members/${added.id}`).set(t.auth(leader));
    expect(removed.status).toBe(204);
    expect((await t.http.get(`/api/v1/group-buys/${g.id}`).set(t.auth(leader))).body).toMatchObject({ unitsJoined: 1, membersCount: 1 });
    expect((await t.http.delete(`/api/v1/group-buys/${g.id}/proxy-members/${added.id}`).set(t.auth(leader))).status).toBe(404);
    // After removal the same person may be added again (once).
    const back = await t.http.post(`/api/v1/group-buys/${g.id}/proxy-members`).set(t.auth(leader)).send({ name: '赵伯', phone: '13855556666', units: 1 });
    expect(back.status).toBe(201);
    await t.deps.db.query("UPDATE group_buys SET deadline = NOW(3) - INTERVAL 1 SECOND WHERE id = ?", [g.id]);
    const late = await t.http.delete(`/api/v1/group-buys/${g.id}/proxy-members/${back.body.member.id}`).set(t.auth(leader));
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('GROUP_BUY_CLOSED');
  });
});

describe('a leader of another store', () => {
  it('when the leader of DEMO-001 opens a group at DEMO-002 (applied there, not approved), then 403 until DEMO-002\'s owner approves', async () => {
    const other = { storeId: 'DEMO-002' };
    expect((await open(other)).status).toBe(403);
    const applied = await t.http.post('/api/v1/leaders/apply').set(t.auth(leader)).send({ storeId: 'DEMO-002', villageCode: '130608100201', realName: '李团长', phone: '13912340000' });
    expect(applied.status).toBe(201);
    expect((await open(other)).status).toBe(403);
    const owner1 = await t.login('demo_owner');
    // DEMO-001's owner cannot approve for DEMO-002.
    const [ids] = await t.deps.db.query("SELECT id FROM users WHERE openid = 'demo_leader'");
    const leaderId = (ids as { id: string }[])[0].id;
    const wrong = await t.http.post(`/api/v1/store/leaders/${leaderId}/approve`).set(t.auth(owner1));
    expect([404, 409]).toContain(wrong.status);
    expect((await open(other)).status).toBe(403);
    const owner2 = await t.login('demo_owner2');
    expect((await t.http.post(`/api/v1/store/leaders/${leaderId}/approve`).set(t.auth(owner2))).status).toBe(200);
    expect((await open(other)).status).toBe(201);
  });
});

describe('racing first joins', () => {
  it('when one villager fires 10 first joins of one group at once, then every answer is 200 with the same units and the group counts one member', async () => {
    const g = (await open()).body;
    const villager = await t.login('gb_racer');
    const res = await Promise.all(Array.from({ length: 10 }, () => t.http.post(`/api/v1/group-buys/${g.id}/join`).set(t.auth(villager)).send({ units: 2 })));
    expect(res.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(res.every((r) => r.body.myUnits === 2)).toBe(true);
    expect((await t.http.get(`/api/v1/group-buys/${g.id}`)).body).toMatchObject({ unitsJoined: 2, membersCount: 1 });
  });
});

describe('reading who leads what', () => {
  it('when anyone lists groups without a store, then 400; with a store, no leader id appears anywhere in the answer', async () => {
    const all = await t.http.get('/api/v1/group-buys');
    expect(all.status).toBe(400);
    expect(all.body.error.details).toEqual([expect.objectContaining({ path: 'query', message: expect.stringContaining('storeId') })]);
    const [ids] = await t.deps.db.query("SELECT id FROM users WHERE openid = 'demo_leader'");
    const leaderId = (ids as { id: string }[])[0].id;
    const list = await t.http.get('/api/v1/group-buys?storeId=DEMO-001');
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(JSON.stringify(list.body)).not.toContain(leaderId);
    expect(list.body.items[0].leader).toEqual({ nickname: expect.any(String) });
    const one = await t.http.get(`/api/v1/group-buys/${list.body.items[0].id}`);
    expect(JSON.stringify(one.body)).not.toContain(leaderId);
  });
});
