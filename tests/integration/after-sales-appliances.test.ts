import { createTestContext, type TestContext } from '../helpers/context';
import { addAppliancesFromOrder } from '../../server/src/modules/after-sales/appliances';
import { boughtAndPickedUp, drainOutbox } from '../helpers/after-sales';

let t: TestContext;
let villager: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true });
  villager = await t.login('demo_villager');
});
afterAll(async () => t.stop());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const VILLAGER_ID = '01DEMO0VILLAGER00000000000';
const count = async (sql: string, args: unknown[]) => Number(((await t.deps.db.query(sql, args))[0] as { n: number }[])[0].n);

describe('我的家电 from orders', () => {
  it('when an order of two air conditioners and a range hood is handed over, then three appliances with warranty and upkeep appear, once however often the event is handled', async () => {
    const order = {
      orderId: '01APPLIANCEORDER000000000A', userId: VILLAGER_ID, storeId: 'DEMO-001',
      items: [
        { skuId: 'AC-GREE-1-A', category: 'air_conditioner', brand: '格力', name: '格力 云佳 1.5匹 挂机', spec: '1.5匹 新一级能效', units: 2 },
        { skuId: 'RH-FOTILE-1-A', category: 'range_hood', brand: '方太', name: '方太 侧吸油烟机', units: 1 },
      ],
      serialNumbers: { 'AC-GREE-1-A': ['GREE-SN-0001', 'GREE-SN-0002'], 'RH-FOTILE-1-A': ['FOTILE-SN-01'] },
    };
    const handedOverAt = new Date('2026-06-01T02:00:00Z');
    await addAppliancesFromOrder(t.deps, order, handedOverAt);
    expect(await count('SELECT COUNT(*) n FROM appliances WHERE order_id = ?', [order.orderId])).toBe(3);
    // replayed, and replayed concurrently: nothing more
    await Promise.all([1, 2, 3].map(() => addAppliancesFromOrder(t.deps, order, handedOverAt)));
    expect(await count('SELECT COUNT(*) n FROM appliances WHERE order_id = ?', [order.orderId])).toBe(3);

    const res = await t.http.get('/api/v1/me/appliances').set(auth(villager));
    expect(res.status).toBe(200);
    const mine = res.body.items.filter((a: { orderId: string }) => a.orderId === order.orderId);
    expect(mine).toHaveLength(3);
    const acs = mine.filter((a: { category: string }) => a.category === 'air_conditioner');
    expect(acs).toHaveLength(2);
    expect(acs.map((a: { serialNumber: string }) => a.serialNumber).sort()).toEqual(['GREE-SN-0001', 'GREE-SN-0002']);
    for (const ac of acs) {
      expect(ac).toMatchObject({ source: 'order', brand: '格力', categoryName: '空调', storeId: 'DEMO-001', warrantyUntil: '2032-06-01T02:00:00.000Z', inWarranty: true, replacement: null });
      expect(ac.nextMaintenanceAt).toBe('2027-04-30T16:00:00.000Z'); // before next summer, in Shanghai
    }
    const hood = mine.find((a: { category: string }) => a.category === 'range_hood');
    expect(hood).toMatchObject({ serialNumber: 'FOTILE-SN-01', warrantyUntil: '2031-06-01T02:00:00.000Z', nextMaintenanceAt: '2026-12-01T02:00:00.000Z' });
  });
});

describe('我的家电 through the outbox', () => {
  it('when the owner hands an order over, then the order.picked_up event adds its appliance; delivered again, nothing more', async () => {
    const owner = await t.login('demo_owner');
    const orderId = await boughtAndPickedUp(t, villager, owner, 'WH-HAIER-1-A');
    await drainOutbox(t);
    const [rows] = await t.deps.db.query('SELECT category, brand, name, model, source, store_id AS storeId FROM appliances WHERE order_id = ?', [orderId]);
    expect(rows).toEqual([{ category: 'water_heater', brand: '海尔', name: '海尔 一级能效 电热水器', model: '60升 电', source: 'order', storeId: 'DEMO-001' }]);
    // the dispatcher delivers at least once: a second delivery of the same event changes nothing
    await t.deps.db.query("UPDATE outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id SET d.status = 'pending', d.next_attempt_at = NOW(3) WHERE e.aggregate_id = ? AND d.subscriber = 'after-sales.add-appliances'", [orderId]);
    await drainOutbox(t);
    expect(await count('SELECT COUNT(*) n FROM appliances WHERE order_id = ?', [orderId])).toBe(1);
    const [deliveries] = await t.deps.db.query("SELECT d.status FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id WHERE e.aggregate_id = ? AND d.subscriber = 'after-sales.add-appliances'", [orderId]);
    expect(deliveries).toEqual([{ status: 'done' }]);
  });
});

describe('我的家电 by hand', () => {
  it('when a villager adds a 12-year-old washing machine bought elsewhere, then it is out of warranty and suggests 换新 with the trade-in answers prefilled', async () => {
    const res = await t.http.post('/api/v1/me/appliances').set(auth(villager)).send({ category: 'washing_machine', brand: '小天鹅', ageYears: 12 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      source: 'self', name: '小天鹅洗衣机', ageYears: 12, inWarranty: false, typicalLifeYears: 8, storeId: null, orderId: null,
      replacement: { suggested: true, tradeInPrefill: { category: 'washing_machine', brand: '小天鹅', ageYears: 12 } },
    });
    const got = await t.http.get(`/api/v1/me/appliances/${res.body.id}`).set(auth(villager));
    expect(got.status).toBe(200);
    expect(got.body.id).toBe(res.body.id);
  });

  it('when the appliance is young, or of a category trade-in does not take, then no 换新 or no prefill', async () => {
    const young = await t.http.post('/api/v1/me/appliances').set(auth(villager)).send({ category: 'refrigerator', brand: '海尔', ageYears: 2, storeId: 'DEMO-001' });
    expect(young.status).toBe(201);
    expect(young.body).toMatchObject({ replacement: null, inWarranty: true, storeId: 'DEMO-001', nextMaintenanceAt: null });
    const vacuum = await t.http.post('/api/v1/me/appliances').set(auth(villager)).send({ category: 'robot_vacuum', brand: '科沃斯', ageYears: 9 });
    expect(vacuum.body.replacement).toEqual({ suggested: true, tradeInPrefill: null });
  });

  it('when the body is bad, then 400 naming the field and nothing is stored', async () => {
    const before = await count('SELECT COUNT(*) n FROM appliances WHERE user_id = ?', [VILLAGER_ID]);
    for (const body of [
      { category: 'spaceship', brand: '格力', ageYears: 3 },
      { category: 'tv', brand: '', ageYears: 3 },
      { category: 'tv', brand: '海信', ageYears: -1 },
      { category: 'tv', brand: '海信', ageYears: 3, userId: 'someone-else' },
    ]) {
      const res = await t.http.post('/api/v1/me/appliances').set(auth(villager)).send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.length).toBeGreaterThan(0);
    }
    const unknownStore = await t.http.post('/api/v1/me/appliances').set(auth(villager)).send({ category: 'tv', brand: '海信', ageYears: 3, storeId: 'NO-SUCH-STORE' });
    expect(unknownStore.status).toBe(404);
    expect(await count('SELECT COUNT(*) n FROM appliances WHERE user_id = ?', [VILLAGER_ID])).toBe(before);
  });

  it("when another user asks for my appliance, then 404", async () => {
    const mine = await t.http.post('/api/v1/me/appliances').set(auth(villager)).send({ category: 'tv', brand: '海信', ageYears: 3 });
    const other = await t.login('appliance_stranger');
    const res = await t.http.get(`/api/v1/me/appliances/${mine.body.id}`).set(auth(other));
    expect(res.status).toBe(404);
    expect((await t.http.get('/api/v1/me/appliances').set(auth(other))).body.items).toEqual([]);
  });
});
