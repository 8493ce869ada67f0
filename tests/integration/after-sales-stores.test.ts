import sharp from 'sharp';
import { createTestContext, type TestContext } from '../helpers/context';
import { auth, boughtAndPickedUp, drainOutbox, openTicket, userIdOf } from '../helpers/after-sales';
import { makeDueReminders } from '../../server/src/modules/after-sales/reminders';

let t: TestContext;
let villager: string;
let owner: string;
let owner2: string;
let admin: string;
let grid: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { afterSales: { respondWithinSeconds: 3600 } } });
  [villager, owner, owner2, admin, grid] = await Promise.all(['demo_villager', 'demo_owner', 'demo_owner2', 'demo_admin', 'demo_grid'].map((o) => t.login(o)));
});
afterAll(async () => t.stop());

const get = (path: string, token?: string) => (token ? t.http.get(`/api/v1${path}`).set(auth(token)) : t.http.get(`/api/v1${path}`));
const post = (path: string, token: string, body: object = {}) => t.http.post(`/api/v1${path}`).set(auth(token)).send(body);

async function hoodTicket(token = villager, storeId = 'DEMO-001'): Promise<string> {
  const a = await post('/me/appliances', token, { category: 'range_hood', brand: '华帝', ageYears: 4, storeId });
  const res = await openTicket(t, token, { kind: 'repair', applianceId: a.body.id, description: '油烟机不吸烟' });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function photo(token: string): Promise<string> {
  const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#e8480c' } }).jpeg().toBuffer();
  const res = await t.http.post('/api/v1/photos').set(auth(token)).attach('file', jpeg, { filename: 'wall.jpg', contentType: 'image/jpeg' });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('grid managers', () => {
  it('when an admin appoints a user to DEMO-002, then they hold the role and see only DEMO-002; an empty list ends it', async () => {
    const someone = await t.login('grid_new');
    const userId = await userIdOf(t, 'grid_new');
    const theirs = await hoodTicket(villager, 'DEMO-002');
    const notTheirs = await hoodTicket();
    expect((await post('/admin/grid-managers', owner, { userId, storeIds: ['DEMO-002'] })).status).toBe(403);
    expect((await post('/admin/grid-managers', admin, { userId, storeIds: ['NO-SUCH-STORE'] })).status).toBe(404);
    const appointed = await post('/admin/grid-managers', admin, { userId, storeIds: ['DEMO-002'] });
    expect(appointed.body).toEqual({ userId, storeIds: ['DEMO-002'] });
    expect((await get('/me', someone)).body.roles).toContain('grid_manager');

    const stores = await get('/grid/stores', someone);
    expect(stores.body.items.map((s: { id: string }) => s.id)).toEqual(['DEMO-002']);
    const inbox = (await get('/store/tickets?status=open&limit=50', someone)).body.items.map((x: { id: string }) => x.id);
    expect(inbox).toContain(theirs);
    expect(inbox).not.toContain(notTheirs);
    expect((await get(`/store/tickets/${notTheirs}`, someone)).status).toBe(404);
    expect((await get('/grid/stores/DEMO-001/weekly', someone)).status).toBe(404);
    expect((await post(`/store/tickets/${theirs}/accept`, someone)).status).toBe(403);
    expect((await get('/admin/grid-managers', admin)).body.items).toEqual(expect.arrayContaining([expect.objectContaining({ userId, storeIds: ['DEMO-002'] })]));

    expect((await post('/admin/grid-managers', admin, { userId, storeIds: [] })).status).toBe(200);
    expect((await get('/grid/stores', someone)).status).toBe(403);
  });

  it("when a week has tickets answered in time and late, ratings and reminders done, then the store's weekly figures count them, and last week's ticket counts in last week", async () => {
    const base = (await get('/grid/stores/DEMO-001/weekly?weeks=2', grid)).body;
    const [inTime, rejected, late, lastWeek] = [await hoodTicket(), await hoodTicket(), await hoodTicket(), await hoodTicket()];
    await post(`/store/tickets/${inTime}/accept`, owner);
    await post(`/store/tickets/${rejected}/reject`, owner, { reason: '非本店售出' });
    await t.deps.db.query('UPDATE tickets SET respond_by = NOW(3) - INTERVAL 1 MINUTE WHERE id = ?', [late]);
    await post(`/store/tickets/${late}/accept`, owner);
    await t.deps.db.query('UPDATE tickets SET created_at = NOW(3) - INTERVAL 7 DAY WHERE id = ?', [lastWeek]);
    await post(`/store/tickets/${inTime}/resolve`, owner);
    await post(`/store/tickets/${late}/resolve`, owner);
    await post(`/tickets/${inTime}/rate`, villager, { stars: 5 });
    await post(`/tickets/${late}/rate`, villager, { stars: 2 });
    const aunt = await t.login('nosub_grid_aunt');
    const hood = await post('/me/appliances', aunt, { category: 'range_hood', brand: '帅康', ageYears: 1, storeId: 'DEMO-001' });
    const sent = await post('/me/appliances', villager, { category: 'range_hood', brand: '帅康', ageYears: 1, storeId: 'DEMO-001' });
    await t.deps.db.query('UPDATE appliances SET next_maintenance_at = NOW(3) - INTERVAL 1 HOUR WHERE id IN (?)', [[hood.body.id, sent.body.id]]);
    await makeDueReminders(t.deps);
    const toCall = (await get('/store/reminders', owner)).body.items.find((r: { appliance: { id: string } }) => r.appliance.id === hood.body.id);
    await post(`/store/reminders/${toCall.id}/called`, owner, {});

    const weekly = (await get('/grid/stores/DEMO-001/weekly?weeks=2', grid)).body;
    const [prev, now] = weekly.weeks;
    const [prev0, now0] = base.weeks;
    expect(now.ticketsOpened - now0.ticketsOpened).toBe(3);
    expect(now.answeredInTime - now0.answeredInTime).toBe(2);
    expect(now.ratings - now0.ratings).toBe(2);
    expect(now.remindersDone - now0.remindersDone).toBe(2);
    // the same time a week ago is always in the week before this one
    expect(prev.ticketsOpened - prev0.ticketsOpened).toBe(1);
    expect(weekly).toMatchObject({ store: { id: 'DEMO-001' }, open: expect.any(Number), asOf: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    if (now0.ratings === 0) expect(now.averageRating).toBe(3.5);
    const list = (await get('/grid/stores', grid)).body.items;
    expect(list.map((s: { id: string }) => s.id)).toEqual(['DEMO-001', 'DEMO-002']);
    expect(list[0].thisWeek).toEqual(now);
  });
});

describe('the photo wall', () => {
  it('when a villager rates with a photo for the wall and the owner approves it, then the store page shows it; declined or not offered never', async () => {
    const ids = [await hoodTicket(), await hoodTicket(), await hoodTicket()];
    for (const id of ids) {
      await post(`/store/tickets/${id}/accept`, owner);
      await post(`/store/tickets/${id}/resolve`, owner);
    }
    const [shown, declined, quiet] = ids;
    const rated = await post(`/tickets/${shown}/rate`, villager, { stars: 5, comment: '师傅修得好，又快又干净', showOnWall: true, photoId: await photo(villager) });
    expect(rated.body.rating).toMatchObject({ wallStatus: 'pending', photoUrl: expect.stringContaining('/photos/') });
    await post(`/tickets/${declined}/rate`, villager, { stars: 4, showOnWall: true, photoId: await photo(villager) });
    await post(`/tickets/${quiet}/rate`, villager, { stars: 3, photoId: await photo(villager) });
    expect((await post(`/tickets/${quiet}/rate`, villager, { stars: 3 })).status).toBe(409);

    const pending = (await get('/store/tickets?wall=pending', owner)).body.items.map((x: { id: string }) => x.id);
    expect(pending).toEqual(expect.arrayContaining([shown, declined]));
    expect(pending).not.toContain(quiet);
    expect((await post(`/store/tickets/${shown}/wall`, owner2, { approve: true })).status).toBe(404);
    expect((await post(`/store/tickets/${shown}/wall`, owner, { approve: true })).body.rating.wallStatus).toBe('approved');
    const twice = await post(`/store/tickets/${shown}/wall`, owner, { approve: false });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'WALL_NOT_PENDING']);
    expect((await post(`/store/tickets/${declined}/wall`, owner, { approve: false })).status).toBe(200);
    expect((await post(`/store/tickets/${quiet}/wall`, owner, { approve: true })).status).toBe(409);

    const wall = await get('/stores/DEMO-001/wall');
    expect(wall.status).toBe(200);
    expect(wall.body.items.map((x: { ticketId: string }) => x.ticketId)).toEqual([shown]);
    expect(wall.body.items[0]).toMatchObject({ stars: 5, comment: '师傅修得好，又快又干净', nickname: '王**', applianceName: '华帝油烟机', photo: { width: 800, height: 600 } });
    expect((await t.http.get(wall.body.items[0].photo.url)).status).toBe(200);
    expect((await get('/stores/DEMO-002/wall')).body.items).toEqual([]);
    expect((await get('/stores/NO-SUCH/wall')).status).toBe(404);
  });

  it('when a villager whose photo is on the wall deletes the account, then the wall no longer shows it', async () => {
    const leaver = await t.login('wall_leaver');
    const id = await hoodTicket(leaver);
    await post(`/store/tickets/${id}/accept`, owner);
    await post(`/store/tickets/${id}/resolve`, owner);
    expect((await post(`/tickets/${id}/rate`, leaver, { stars: 5, comment: '我要注销了', showOnWall: true, photoId: await photo(leaver) })).status).toBe(200);
    expect((await post(`/store/tickets/${id}/wall`, owner, { approve: true })).status).toBe(200);
    const ids = async () => ((await get('/stores/DEMO-001/wall?limit=50')).body.items as { ticketId: string }[]).map((x) => x.ticketId);
    expect(await ids()).toContain(id);
    expect((await t.http.delete('/api/v1/me').set(auth(leaver))).status).toBe(204);
    expect(await ids()).not.toContain(id);
  });

  it('when a villager offers the wall a rating without a photo, then 400', async () => {
    const id = await hoodTicket();
    await post(`/store/tickets/${id}/accept`, owner);
    await post(`/store/tickets/${id}/resolve`, owner);
    expect((await post(`/tickets/${id}/rate`, villager, { stars: 5, showOnWall: true })).status).toBe(400);
  });
});

describe("the owner's today", () => {
  it('when the owner opens today, then pickups waiting, the day\'s visits, tickets by deadline and reminders to call are counted, with a few of each', async () => {
    const placed = await t.http.post('/api/v1/orders').set(auth(villager)).set('Idempotency-Key', `today-${Date.now()}`).send({ storeId: 'DEMO-001', items: [{ skuId: 'TV-KONKA-1-A', units: 1 }] });
    expect(placed.status).toBe(201);
    const visit = await hoodTicket();
    await post(`/store/tickets/${visit}/accept`, owner);
    await t.deps.db.query("UPDATE tickets SET status = 'scheduled', visit_id = '01TODAYVISIT00000000000000', visit_starts_at = NOW(3), visit_ends_at = NOW(3) + INTERVAL 4 HOUR WHERE id = ?", [visit]);
    await hoodTicket();
    await boughtAndPickedUp(t, villager, owner);
    await drainOutbox(t);

    const today = await get('/store/today', owner);
    expect(today.status).toBe(200);
    expect(today.body.pickups.count).toBeGreaterThanOrEqual(1);
    expect(today.body.pickups.items.map((p: { orderId: string }) => p.orderId)).toContain(placed.body.id);
    expect(today.body.visits.items.map((v: { ticketId: string }) => v.ticketId)).toContain(visit);
    expect(today.body.tickets.open).toBeGreaterThanOrEqual(2);
    const deadlines = today.body.tickets.items.filter((x: { status: string }) => x.status === 'submitted').map((x: { respondBy: string }) => Date.parse(x.respondBy));
    expect(deadlines).toEqual([...deadlines].sort((a, b) => a - b));
    expect(today.body.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await get('/store/today', owner2)).body.pickups.items.map((p: { orderId: string }) => p.orderId)).not.toContain(placed.body.id);
    expect((await get('/store/today', grid)).status).toBe(403);
  });
});
