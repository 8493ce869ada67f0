import { createTestContext, type TestContext } from '../helpers/context';

let t: TestContext;
let owner: string;
let owner2: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true });
  [owner, owner2] = await Promise.all([t.login('demo_owner'), t.login('demo_owner2')]);
}, 180_000);
afterAll(async () => t?.stop());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const shanghaiDate = (daysAhead: number) => new Date(Date.now() + 8 * 3_600_000 + daysAhead * 86_400_000).toISOString().slice(0, 10);

describe('service area and fees', () => {
  it("when anyone asks for DEMO-001's service area, then it lists every village of 清苑区 and the store's fees per category", async () => {
    const res = await t.http.get('/api/v1/stores/DEMO-001/service-area');
    expect(res.status).toBe(200);
    const [villages] = await t.deps.db.query("SELECT COUNT(*) n FROM regions WHERE level = 5 AND code LIKE '130608%'");
    expect(res.body.regionCodes).toHaveLength(Number((villages as { n: number }[])[0].n));
    expect(res.body.regionCodes.every((c: string) => c.startsWith('130608'))).toBe(true);
    expect(res.body.fees).toMatchObject({ freeKm: 8, remoteFenPerKm: 150, maxKm: 30 });
    expect(res.body.fees.byCategory.find((f: { category: string }) => f.category === 'air_conditioner')).toEqual({ category: 'air_conditioner', deliveryFen: 0, installFen: 15000, haulAwayFen: 5000 });
  });

  it('when the store does not exist, then 404', async () => {
    expect((await t.http.get('/api/v1/stores/NO-SUCH-STORE/service-area')).status).toBe(404);
  });
});

describe('appointment slots', () => {
  it('when a week of slots is asked for, then each day has morning, afternoon and evening in Asia/Shanghai with the configured capacity, made once', async () => {
    const from = shanghaiDate(1);
    const res = await t.http.get(`/api/v1/stores/DEMO-001/slots?from=${from}&days=3`);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(9);
    const first = res.body.items[0];
    expect(first).toMatchObject({ date: from, window: 'morning', capacity: 4, remaining: 4 });
    expect(first.startsAt).toBe(new Date(`${from}T09:00:00+08:00`).toISOString());
    expect(res.body.items[2]).toMatchObject({ window: 'evening', startsAt: new Date(`${from}T18:00:00+08:00`).toISOString(), endsAt: new Date(`${from}T20:00:00+08:00`).toISOString() });
    const again = await t.http.get(`/api/v1/stores/DEMO-001/slots?from=${from}&days=3`);
    expect(again.body.items.map((s: { id: string }) => s.id)).toEqual(res.body.items.map((s: { id: string }) => s.id));
  });

  it('when a date in the past or beyond two weeks is asked for, then 400 naming query.from', async () => {
    for (const from of [shanghaiDate(-1), shanghaiDate(20), '2026-13-45']) {
      const res = await t.http.get(`/api/v1/stores/DEMO-001/slots?from=${from}`);
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe('query.from');
    }
  });

  it("when the owner sets a window's capacity, then the list shows it; another store's owner gets 404; below the booked places is 409", async () => {
    const date = shanghaiDate(2);
    const set = await t.http.post('/api/v1/store/slots/capacity').set(auth(owner)).send({ storeId: 'DEMO-001', date, window: 'afternoon', capacity: 7 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ date, window: 'afternoon', capacity: 7, remaining: 7 });
    const list = await t.http.get(`/api/v1/stores/DEMO-001/slots?from=${date}&days=1`);
    expect(list.body.items.find((s: { window: string }) => s.window === 'afternoon').capacity).toBe(7);

    const other = await t.http.post('/api/v1/store/slots/capacity').set(auth(owner2)).send({ storeId: 'DEMO-001', date, window: 'afternoon', capacity: 0 });
    expect(other.status).toBe(404);

    await t.deps.db.query('UPDATE delivery_slots SET booked = 3 WHERE id = ?', [set.body.id]);
    const below = await t.http.post('/api/v1/store/slots/capacity').set(auth(owner)).send({ storeId: 'DEMO-001', date, window: 'afternoon', capacity: 2 });
    expect(below.status).toBe(409);
    expect(below.body.error.code).toBe('SLOT_CAPACITY_BELOW_BOOKED');
    const [rows] = await t.deps.db.query('SELECT capacity, booked FROM delivery_slots WHERE id = ?', [set.body.id]);
    expect((rows as { capacity: number; booked: number }[])[0]).toEqual({ capacity: 7, booked: 3 });
  });
});

describe('delivery addresses', () => {
  it('when a villager adds an address, then it answers with the village path and a masked phone, the phone is encrypted at rest, and the list shows it', async () => {
    const villager = await t.login('addr_villager');
    const res = await t.http.post('/api/v1/me/addresses').set(auth(villager)).send({ villageCode: '130608100201', detail: '村东头 3 排 5 号', contactName: '李大爷', phone: '13912345678' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ villageCode: '130608100201', detail: '村东头 3 排 5 号', contactName: '李大爷', phoneMasked: '139****5678' });
    expect(res.body.path).toMatch(/^河北省\/保定市\/清苑区\//);
    const [rows] = await t.deps.db.query('SELECT phone_enc AS enc, phone_hash AS h FROM user_addresses WHERE id = ?', [res.body.id]);
    const row = (rows as { enc: Buffer; h: string }[])[0];
    expect(row.enc.toString('latin1')).not.toContain('13912345678');
    expect(row.h).toHaveLength(64);
    const list = await t.http.get('/api/v1/me/addresses?limit=1').set(auth(villager));
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [res.body], nextCursor: null });
  });

  it("when someone deletes another villager's address, then 404 and it stays; its owner deletes it once (then 404)", async () => {
    const [mine, stranger] = await Promise.all([t.login('addr_owner'), t.login('addr_stranger')]);
    const made = await t.http.post('/api/v1/me/addresses').set(auth(mine)).send({ villageCode: '130608100201', detail: '西街 1 号', contactName: '王婶', phone: '13700001234' });
    expect((await t.http.delete(`/api/v1/me/addresses/${made.body.id}`).set(auth(stranger))).status).toBe(404);
    expect((await t.http.get('/api/v1/me/addresses').set(auth(mine))).body.items).toHaveLength(1);
    expect((await t.http.get('/api/v1/me/addresses').set(auth(stranger))).body.items).toHaveLength(0);
    expect((await t.http.delete(`/api/v1/me/addresses/${made.body.id}`).set(auth(mine))).status).toBe(204);
    expect((await t.http.delete(`/api/v1/me/addresses/${made.body.id}`).set(auth(mine))).status).toBe(404);
  });

  it('when the village code is a town, unknown, or the phone is not a mobile number, then 400 naming the field', async () => {
    const villager = await t.login('addr_bad');
    for (const [body, path] of [
      [{ villageCode: '130608100000', detail: 'x', contactName: 'y', phone: '13912345678' }, 'body.villageCode'],
      [{ villageCode: '999999999999', detail: 'x', contactName: 'y', phone: '13912345678' }, 'body.villageCode'],
      [{ villageCode: '130608100201', detail: 'x', contactName: 'y', phone: '12345' }, 'body.phone'],
    ] as const) {
      const res = await t.http.post('/api/v1/me/addresses').set(auth(villager)).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe(path);
    }
  });
});
