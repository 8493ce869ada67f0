import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';

/** Delivery orders (送装一体): fees, the visit's slot place taken once and given back once, preview, reschedule. */
let t: TestContext;
let owner: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { safeguards: { maxOpenUnitsPerUser: 1000, maxOpenUnitsPerSku: 1000 } } });
  owner = await t.login('demo_owner');
}, 180_000);
afterAll(async () => t?.stop());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const key = () => `dlv-${randomBytes(8).toString('hex')}`;
const shanghaiDate = (daysAhead: number) => new Date(Date.now() + 8 * 3_600_000 + daysAhead * 86_400_000).toISOString().slice(0, 10);
const one = async <T>(sql: string, args: unknown[] = []) => ((await t.deps.db.query(sql, args))[0] as T[])[0];
const VILLAGE = '130608100201';

async function villagerWithAddress(openid: string, villageCode = VILLAGE) {
  const token = await t.login(openid);
  const res = await t.http.post('/api/v1/me/addresses').set(auth(token)).send({ villageCode, detail: '南街 8 号', contactName: '刘奶奶', phone: '13812345678' });
  expect(res.status).toBe(201);
  return { token, addressId: res.body.id as string };
}

async function slot(daysAhead: number, window: 'morning' | 'afternoon' | 'evening', capacity?: number) {
  const date = shanghaiDate(daysAhead);
  if (capacity !== undefined) {
    const set = await t.http.post('/api/v1/store/slots/capacity').set(auth(owner)).send({ storeId: 'DEMO-001', date, window, capacity });
    expect(set.status).toBe(200);
    return set.body.id as string;
  }
  const res = await t.http.get(`/api/v1/stores/DEMO-001/slots?from=${date}&days=1`);
  return res.body.items.find((s: { window: string }) => s.window === window).id as string;
}

const booked = async (slotId: string) => (await one<{ booked: number }>('SELECT booked FROM delivery_slots WHERE id = ?', [slotId])).booked;
const available = async (sku: string) => (await one<{ available: number }>('SELECT available FROM skus WHERE id = ?', [sku])).available;

function order(token: string, body: object) {
  return t.http.post('/api/v1/orders').set(auth(token)).set('Idempotency-Key', key()).send({ storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 1 }], ...body });
}

describe('placing a delivery order', () => {
  it('when a villager orders an air conditioner delivered, installed and the old one hauled away, then the order awaits delivery with a 6-digit code, an appointment, the fees, and the slot holds one booking', async () => {
    const { token, addressId } = await villagerWithAddress('dlv_buyer');
    const slotId = await slot(1, 'morning');
    const res = await order(token, { fulfilment: { mode: 'delivery', addressId, slotId, install: true, haulAway: true } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'awaiting_delivery', fulfilment: 'delivery', pickupCode: null, appointment: { slotId, status: 'booked', technician: null, install: true, haulAway: true } });
    expect(res.body.deliveryCode).toMatch(/^\d{6}$/);
    expect(res.body.appointment.startsAt).toBe(new Date(`${shanghaiDate(1)}T09:00:00+08:00`).toISOString());
    const p = res.body.price;
    expect(p).toMatchObject({ deliveryFen: 0, installFen: 15000, haulAwayFen: 5000, remoteFen: 0 });
    expect(p.payableFen).toBe(p.itemsFen + 20000);
    expect(await booked(slotId)).toBe(1);

    const mine = await t.http.get(`/api/v1/orders/${res.body.id}`).set(auth(token));
    expect(mine.body).toMatchObject({ status: 'awaiting_delivery', deliveryCode: res.body.deliveryCode, appointment: { id: res.body.appointment.id } });
    // Nobody but the buyer sees the code.
    const counter = await t.http.get('/api/v1/store/pickups?status=awaiting_delivery').set(auth(owner));
    const seen = counter.body.items.find((o: { id: string }) => o.id === res.body.id);
    expect(seen.deliveryCode).toBeNull();
    expect(seen.appointment.id).toBe(res.body.appointment.id);
  });

  it('when the village lies beyond the free kilometres, then the remote fee is charged per started kilometre; beyond maxKm it is 409 OUT_OF_SERVICE_AREA', async () => {
    const { token, addressId } = await villagerWithAddress('dlv_far', '130608100202');
    const store = await one<{ lat: string; lng: string }>("SELECT lat, lng FROM stores WHERE id = 'DEMO-001'");
    // 0.11° north of the store: about 12.2 km, so 5 started km beyond the free 8 at 150 fen.
    await t.deps.db.query('REPLACE INTO village_centres (region_code, lat, lng) VALUES (?, ?, ?)', ['130608100202', Number(store.lat) + 0.11, store.lng]);
    const slotId = await slot(1, 'afternoon');
    const res = await order(token, { fulfilment: { mode: 'delivery', addressId, slotId, install: false, haulAway: false } });
    expect(res.status).toBe(201);
    expect(res.body.price).toMatchObject({ installFen: 0, haulAwayFen: 0, remoteFen: 5 * 150 });

    await t.deps.db.query('REPLACE INTO village_centres (region_code, lat, lng) VALUES (?, ?, ?)', ['130608100202', Number(store.lat) + 0.3, store.lng]);
    const before = await booked(slotId);
    const far = await order(token, { fulfilment: { mode: 'delivery', addressId, slotId, install: false, haulAway: false } });
    expect(far.status).toBe(409);
    expect(far.body.error.code).toBe('OUT_OF_SERVICE_AREA');
    expect(await booked(slotId)).toBe(before);
  });

  it("when the village is outside the store's area, then 409 OUT_OF_SERVICE_AREA and nothing is taken", async () => {
    const [outside] = (await t.deps.db.query("SELECT code FROM regions WHERE level = 5 AND code NOT LIKE '130608%' ORDER BY code LIMIT 1"))[0] as { code: string }[];
    const { token, addressId } = await villagerWithAddress('dlv_outside', outside.code);
    const slotId = await slot(2, 'morning');
    const stock = await available('AC-GREE-1-A');
    const res = await order(token, { fulfilment: { mode: 'delivery', addressId, slotId, install: false, haulAway: false } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('OUT_OF_SERVICE_AREA');
    expect(await booked(slotId)).toBe(0);
    expect(await available('AC-GREE-1-A')).toBe(stock);
  });

  it("when the address is another villager's or the slot another store's, then 404 and nothing is taken", async () => {
    const a = await villagerWithAddress('dlv_a');
    const b = await villagerWithAddress('dlv_b');
    const slotId = await slot(2, 'afternoon');
    const res = await order(b.token, { fulfilment: { mode: 'delivery', addressId: a.addressId, slotId, install: false, haulAway: false } });
    expect(res.status).toBe(404);
    const other = (await t.http.get(`/api/v1/stores/DEMO-002/slots?from=${shanghaiDate(2)}&days=1`)).body.items[0].id as string;
    const res2 = await order(b.token, { fulfilment: { mode: 'delivery', addressId: b.addressId, slotId: other, install: false, haulAway: false } });
    expect(res2.status).toBe(404);
    expect(await booked(slotId)).toBe(0);
    expect(await booked(other)).toBe(0);
  });

  it('when a slot is full, then the next order is 409 SLOT_FULL and its stock and caps are untouched', async () => {
    const { token, addressId } = await villagerWithAddress('dlv_full');
    const slotId = await slot(3, 'evening', 1);
    const body = { storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 1 }], fulfilment: { mode: 'delivery', addressId, slotId, install: false, haulAway: false } };
    const first = await t.http.post('/api/v1/orders').set(auth(token)).set('Idempotency-Key', 'full-slot-retry-1').send(body);
    expect(first.status).toBe(201);
    // The buyer's retry of that order, after the slot filled, is answered with the order, not SLOT_FULL.
    const retry = await t.http.post('/api/v1/orders').set(auth(token)).set('Idempotency-Key', 'full-slot-retry-1').send(body);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    const stock = await available('AC-GREE-1-A');
    const res = await order(token, { fulfilment: { mode: 'delivery', addressId, slotId, install: false, haulAway: false } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('SLOT_FULL');
    expect(await available('AC-GREE-1-A')).toBe(stock);
    expect(await booked(slotId)).toBe(1);
  });
});

describe('preview', () => {
  it('when a delivery order is previewed, then it answers the price the order gets, and nothing is kept', async () => {
    const { token, addressId } = await villagerWithAddress('dlv_preview');
    const slotId = await slot(4, 'morning', 1);
    const fulfilment = { mode: 'delivery', addressId, slotId, install: true, haulAway: false };
    const stock = await available('AC-GREE-1-A');
    const orders = async () => (await one<{ n: number }>('SELECT COUNT(*) n FROM orders')).n;
    const before = await orders();
    const preview = await t.http.post('/api/v1/orders/preview').set(auth(token)).send({ storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 2 }], fulfilment });
    expect(preview.status).toBe(200);
    expect(preview.body.price).toMatchObject({ installFen: 30000, haulAwayFen: 0 });
    expect(await available('AC-GREE-1-A')).toBe(stock);
    expect(await booked(slotId)).toBe(0);
    expect(await orders()).toBe(before);
    const placed = await order(token, { items: [{ skuId: 'AC-GREE-1-A', units: 2 }], fulfilment });
    expect(placed.body.price).toEqual(preview.body.price);
    const full = await t.http.post('/api/v1/orders/preview').set(auth(token)).send({ storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 1 }], fulfilment });
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('SLOT_FULL');
  });

  it('when a pickup order is previewed, then the price has no fees', async () => {
    const token = await t.login('dlv_preview_pickup');
    const res = await t.http.post('/api/v1/orders/preview').set(auth(token)).send({ storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 1 }] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ fulfilment: 'pickup', price: { deliveryFen: 0, installFen: 0, haulAwayFen: 0, remoteFen: 0 } });
    expect(res.body.price.payableFen).toBe(res.body.price.itemsFen);
  });
});

describe('cancel and reschedule give a place back exactly once', () => {
  it('when a delivery order is cancelled twice, then the slot gets one place back and the second cancel is 409', async () => {
    const { token, addressId } = await villagerWithAddress('dlv_cancel');
    const slotId = await slot(5, 'morning', 3);
    const placed = await order(token, { fulfilment: { mode: 'delivery', addressId, slotId, install: false, haulAway: false } });
    const other = await order(token, { fulfilment: { mode: 'delivery', addressId, slotId, install: false, haulAway: false } });
    expect(other.status).toBe(201);
    expect(await booked(slotId)).toBe(2);
    const both = await Promise.all([0, 1].map(() => t.http.post(`/api/v1/orders/${placed.body.id}/cancel`).set(auth(token))));
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await booked(slotId)).toBe(1);
    expect((await t.http.post(`/api/v1/orders/${placed.body.id}/cancel`).set(auth(token))).status).toBe(409);
    expect(await booked(slotId)).toBe(1);
    const cancelled = await t.http.get(`/api/v1/orders/${placed.body.id}`).set(auth(token));
    expect(cancelled.body).toMatchObject({ status: 'cancelled', deliveryCode: null, appointment: { status: 'cancelled' } });
  });

  it('when a cancelled order is rescheduled, then 409 RESCHEDULE_NOT_ALLOWED and neither slot moves', async () => {
    const { token, addressId } = await villagerWithAddress('dlv_cancel_move');
    const from = await slot(5, 'afternoon', 3);
    const to = await slot(5, 'evening', 3);
    const placed = await order(token, { fulfilment: { mode: 'delivery', addressId, slotId: from, install: false, haulAway: false } });
    expect((await t.http.post(`/api/v1/orders/${placed.body.id}/cancel`).set(auth(token))).status).toBe(200);
    const move = await t.http.post(`/api/v1/orders/${placed.body.id}/reschedule`).set(auth(token)).send({ slotId: to });
    expect(move.status).toBe(409);
    expect(move.body.error.code).toBe('RESCHEDULE_NOT_ALLOWED');
    expect([await booked(from), await booked(to)]).toEqual([0, 0]);
  });

  it('when a visit is moved, then the place moves with it; a third move is 409; within 2 h of the window it is 409; moving into a full slot is 409 SLOT_FULL and nothing moves', async () => {
    const { token, addressId } = await villagerWithAddress('dlv_move');
    const [a, b, c] = [await slot(6, 'morning', 2), await slot(6, 'afternoon', 2), await slot(6, 'evening', 2)];
    const placed = await order(token, { fulfilment: { mode: 'delivery', addressId, slotId: a, install: false, haulAway: false } });
    const first = await t.http.post(`/api/v1/orders/${placed.body.id}/reschedule`).set(auth(token)).send({ slotId: b });
    expect(first.status).toBe(200);
    expect(first.body.appointment).toMatchObject({ slotId: b, reschedules: 1 });
    expect([await booked(a), await booked(b)]).toEqual([0, 1]);

    // c is full: nothing moves.
    await t.deps.db.query('UPDATE delivery_slots SET booked = capacity WHERE id = ?', [c]);
    const full = await t.http.post(`/api/v1/orders/${placed.body.id}/reschedule`).set(auth(token)).send({ slotId: c });
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('SLOT_FULL');
    expect([await booked(b), await booked(c)]).toEqual([1, 2]);
    await t.deps.db.query('UPDATE delivery_slots SET booked = 0 WHERE id = ?', [c]);

    // Two moves at once from b: one wins, b gives back one place only.
    const race = await Promise.all([a, c].map((to) => t.http.post(`/api/v1/orders/${placed.body.id}/reschedule`).set(auth(token)).send({ slotId: to })));
    expect(race.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await booked(a)) + (await booked(b)) + (await booked(c))).toBe(1);
    expect(await booked(b)).toBe(0);
    const third = await t.http.post(`/api/v1/orders/${placed.body.id}/reschedule`).set(auth(token)).send({ slotId: b });
    expect(third.status).toBe(409);
    expect(third.body.error.code).toBe('RESCHEDULE_NOT_ALLOWED');

    const soon = await order(token, { fulfilment: { mode: 'delivery', addressId, slotId: b, install: false, haulAway: false } });
    await t.deps.db.query('UPDATE delivery_slots SET starts_at = ?, ends_at = ? WHERE id = ?', [new Date(Date.now() + 90 * 60_000), new Date(Date.now() + 210 * 60_000), b]);
    const late = await t.http.post(`/api/v1/orders/${soon.body.id}/reschedule`).set(auth(token)).send({ slotId: c });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('RESCHEDULE_NOT_ALLOWED');
  });
});
