import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';

/** The store's side of delivery: technicians, the day's visits, the door (delivery code, exactly once). */
let t: TestContext;
let owner: string;
let owner2: string;
let tech: string;
let tech2: string;
let technicianId: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { safeguards: { maxOpenUnitsPerUser: 1000, maxOpenUnitsPerSku: 1000 } } });
  [owner, owner2] = await Promise.all([t.login('demo_owner'), t.login('demo_owner2')]);
  technicianId = await bind(owner, 'DEMO-001', 'tech_sun', '孙师傅');
  await bind(owner2, 'DEMO-002', 'tech_qian', '钱师傅');
  [tech, tech2] = await Promise.all([t.login('tech_sun'), t.login('tech_qian')]);
}, 180_000);
afterAll(async () => t?.stop());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const tomorrow = () => new Date(Date.now() + 8 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);
const one = async <T>(sql: string, args: unknown[] = []) => ((await t.deps.db.query(sql, args))[0] as T[])[0];

async function bind(ownerToken: string, storeId: string, openid: string, name: string): Promise<string> {
  const user = await t.http.get('/api/v1/me').set(auth(await t.login(openid)));
  const res = await t.http.post('/api/v1/store/technicians').set(auth(ownerToken)).send({ storeId, userId: user.body.id, name, phone: '13600001234' });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function deliveryOrder(openid: string, to = () => technicianId) {
  const token = await t.login(openid);
  const address = await t.http.post('/api/v1/me/addresses').set(auth(token)).send({ villageCode: '130608100201', detail: '东街 6 号', contactName: '周大娘', phone: '13512345678' });
  const slot = (await t.http.get(`/api/v1/stores/DEMO-001/slots?from=${tomorrow()}&days=1`)).body.items[1].id as string;
  await t.deps.db.query('UPDATE delivery_slots SET capacity = 100 WHERE id = ?', [slot]);
  const res = await t.http.post('/api/v1/orders').set(auth(token)).set('Idempotency-Key', `v-${randomBytes(8).toString('hex')}`)
    .send({ storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 1 }], fulfilment: { mode: 'delivery', addressId: address.body.id, slotId: slot, install: true, haulAway: false } });
  expect(res.status).toBe(201);
  const assigned = await t.http.post(`/api/v1/store/appointments/${res.body.appointment.id}/assign`).set(auth(owner)).send({ technicianId: to() });
  expect(assigned.status).toBe(200);
  return { token, orderId: res.body.id as string, visitId: res.body.appointment.id as string, code: res.body.deliveryCode as string };
}

describe('technicians', () => {
  it("when a user is bound twice, or by another store's owner, then 409 and 404; the owner lists their own technicians only", async () => {
    const user = await t.http.get('/api/v1/me').set(auth(tech));
    expect(user.body.roles).toContain('technician');
    const again = await t.http.post('/api/v1/store/technicians').set(auth(owner)).send({ storeId: 'DEMO-001', userId: user.body.id, name: '孙师傅', phone: '13600001234' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('TECHNICIAN_ALREADY_BOUND');
    const other = await t.http.post('/api/v1/store/technicians').set(auth(owner2)).send({ storeId: 'DEMO-001', userId: user.body.id, name: 'x', phone: '13600001234' });
    expect(other.status).toBe(404);
    const list = await t.http.get('/api/v1/store/technicians').set(auth(owner));
    expect(list.body.items.map((x: { name: string; phoneMasked: string }) => [x.name, x.phoneMasked])).toEqual([['孙师傅', '136****1234']]);
    expect((await t.http.get('/api/v1/store/technicians').set(auth(owner2))).body.items.map((x: { name: string }) => x.name)).toEqual(['钱师傅']);
  });
});

describe('a visit from the console to the door', () => {
  it('when the owner assigns a visit, then the technician sees it with the full phone; depart, arrive, then complete with the code delivers the order once', async () => {
    const v = await deliveryOrder('visit_buyer');
    const day = await t.http.get(`/api/v1/store/appointments?date=${tomorrow()}`).set(auth(owner));
    const seen = day.body.items.find((x: { id: string }) => x.id === v.visitId);
    expect(seen).toMatchObject({ status: 'assigned', technician: { id: technicianId, name: '孙师傅' }, phoneMasked: '135****5678', tasks: ['deliver', 'install'] });
    expect(seen.phone).toBeUndefined();
    expect((await t.http.get(`/api/v1/store/appointments?date=${tomorrow()}`).set(auth(owner2))).body.items).toEqual([]);

    const tasks = await t.http.get(`/api/v1/technician/tasks?date=${tomorrow()}`).set(auth(tech));
    expect(tasks.body.items.find((x: { id: string }) => x.id === v.visitId)).toMatchObject({ phone: '13512345678', address: { detail: '东街 6 号' } });
    expect((await t.http.get(`/api/v1/technician/tasks?date=${tomorrow()}`).set(auth(tech2))).body.items).toEqual([]);
    expect((await t.http.post(`/api/v1/technician/tasks/${v.visitId}/depart`).set(auth(tech2))).status).toBe(404);

    expect((await t.http.post(`/api/v1/technician/tasks/${v.visitId}/depart`).set(auth(tech))).body.status).toBe('en_route');
    expect((await t.http.post(`/api/v1/technician/tasks/${v.visitId}/arrive`).set(auth(tech))).body.status).toBe('arrived');
    const back = await t.http.post(`/api/v1/technician/tasks/${v.visitId}/depart`).set(auth(tech));
    expect(back.status).toBe(409);
    expect(back.body.error.code).toBe('VISIT_STATE_CONFLICT');

    const wrong = await t.http.post(`/api/v1/technician/tasks/${v.visitId}/complete`).set(auth(tech)).send({ deliveryCode: v.code === '000000' ? '000001' : '000000', paymentMethod: 'cash' });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.code).toBe('DELIVERY_CODE_MISMATCH');
    expect((await one<{ status: string }>('SELECT status FROM orders WHERE id = ?', [v.orderId])).status).toBe('awaiting_delivery');

    const both = await Promise.all([0, 1].map(() => t.http.post(`/api/v1/technician/tasks/${v.visitId}/complete`).set(auth(tech)).send({ deliveryCode: v.code, serialNumbers: ['GREE-SN-1'], paymentMethod: 'cash' })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 409)!.body.error.code).toBe('ALREADY_COMPLETED');
    expect(both.find((r) => r.status === 200)!.body.status).toBe('completed');
    const order = await t.http.get(`/api/v1/orders/${v.orderId}`).set(auth(v.token));
    expect(order.body).toMatchObject({ status: 'delivered', deliveryCode: null, appointment: { status: 'completed' } });
    expect((await one<{ n: number }>("SELECT COUNT(*) n FROM order_audit WHERE order_id = ? AND action = 'confirm_delivery'", [v.orderId])).n).toBe(1);
    expect((await one<{ n: number }>("SELECT COUNT(*) n FROM outbox_events WHERE aggregate_id = ? AND type = 'order.delivered'", [v.orderId])).n).toBe(1);
    // A delivered order cannot be cancelled.
    expect((await t.http.post(`/api/v1/orders/${v.orderId}/cancel`).set(auth(v.token))).status).toBe(409);
  });

  it('when a technician guesses codes, then after 5 wrong ones the door is locked (429) and the order stays undelivered', async () => {
    // A technician of their own: the budget counts per technician.
    const guesserId = await bind(owner, 'DEMO-001', 'tech_zhou', '周师傅');
    const guesser = await t.login('tech_zhou');
    const v = await deliveryOrder('visit_guess', () => guesserId);
    const codes = Array.from({ length: 7 }, (_, i) => String(100000 + i)).filter((c) => c !== v.code).slice(0, 6);
    const res = [];
    for (const code of codes) res.push((await t.http.post(`/api/v1/technician/tasks/${v.visitId}/complete`).set(auth(guesser)).send({ deliveryCode: code, paymentMethod: 'cash' })).status);
    expect(res.slice(0, 5)).toEqual([409, 409, 409, 409, 409]);
    expect(res.slice(5)).toEqual([429]);
    const right = await t.http.post(`/api/v1/technician/tasks/${v.visitId}/complete`).set(auth(guesser)).send({ deliveryCode: v.code, paymentMethod: 'cash' });
    expect(right.status).toBe(429);
    expect((await one<{ status: string }>('SELECT status FROM orders WHERE id = ?', [v.orderId])).status).toBe('awaiting_delivery');
  });
});
