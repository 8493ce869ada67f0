import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context';
import { startBffProcess, type BffProcess } from '../helpers/processes';

/**
 * A slot never holds more bookings than its capacity, and a place comes back exactly once, with two
 * BFF processes on one database: 200 villagers rush a slot of 5; cancels and reschedules race.
 */
let t: TestContext;
let bffs: BffProcess[] = [];
let owner: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { dbPoolSize: 20 } });
  owner = await t.login('demo_owner');
  const env = { DATABASE_URL: t.config.databaseUrl, REDIS_KEY_PREFIX: t.config.redisKeyPrefix, WECHAT_API_BASE: t.emulator.url, JOBS_ENABLED: 'false', DB_POOL_SIZE: '10', LOG_LEVEL: 'error' };
  bffs = await Promise.all([startBffProcess(env), startBffProcess(env)]);
}, 180_000);
afterAll(async () => {
  await Promise.all(bffs.map((b) => b.kill()));
  await t?.stop();
});

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const shanghaiDate = (daysAhead: number) => new Date(Date.now() + 8 * 3_600_000 + daysAhead * 86_400_000).toISOString().slice(0, 10);
const count = async (sql: string, args: unknown[] = []) => Number(((await t.deps.db.query(sql, args))[0] as { n: number }[])[0].n);
/** Requests alternate between the two processes. */
const via = (i: number) => request(bffs[i % 2].baseUrl);

async function villagers(prefix: string, n: number) {
  const out: { token: string; addressId: string }[] = [];
  for (let i = 0; i < n; i += 50) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, async (_, k) => {
      const token = await t.login(`${prefix}_${i + k}`);
      const res = await t.http.post('/api/v1/me/addresses').set(auth(token)).send({ villageCode: '130608100201', detail: '北街 2 号', contactName: '赵大爷', phone: '13911112222' });
      return { token, addressId: res.body.id as string };
    }))));
  }
  return out;
}

async function slotWithCapacity(daysAhead: number, window: string, capacity: number): Promise<string> {
  const res = await t.http.post('/api/v1/store/slots/capacity').set(auth(owner)).send({ storeId: 'DEMO-001', date: shanghaiDate(daysAhead), window, capacity });
  expect(res.status).toBe(200);
  return res.body.id as string;
}

const book = (i: number, v: { token: string; addressId: string }, slotId: string) =>
  via(i).post('/api/v1/orders').set(auth(v.token)).set('Idempotency-Key', `rush-${randomBytes(8).toString('hex')}`)
    .send({ storeId: 'DEMO-001', items: [{ skuId: 'WM-HAIER-1-A', units: 1 }], fulfilment: { mode: 'delivery', addressId: v.addressId, slotId, install: true, haulAway: false } });

/** Every slot's count equals the visits that still hold a place in it. */
async function expectCountsMatchVisits(slotIds: string[]) {
  for (const id of slotIds) {
    const holding = await count("SELECT COUNT(*) n FROM delivery_appointments WHERE slot_id = ? AND status IN ('booked', 'assigned')", [id]);
    expect({ slot: id, booked: await count('SELECT booked n FROM delivery_slots WHERE id = ?', [id]) }).toEqual({ slot: id, booked: holding });
  }
}

describe('delivery slots under concurrency, two BFF processes', () => {
  it('when 200 villagers book a slot of capacity 5 at once through two processes, then exactly 5 succeed, the rest 409 SLOT_FULL, and the slot says 5', async () => {
    await t.deps.db.query("UPDATE skus SET available = 1000 WHERE id = 'WM-HAIER-1-A'");
    const people = await villagers('rush', 200);
    const slotId = await slotWithCapacity(1, 'morning', 5);
    const res = await Promise.all(people.map((v, i) => book(i, v, slotId)));
    const statuses = res.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(res.filter((r) => r.status === 409 && r.body.error.code === 'SLOT_FULL')).toHaveLength(195);
    expect(await count('SELECT booked n FROM delivery_slots WHERE id = ?', [slotId])).toBe(5);
    expect(await count('SELECT COUNT(*) n FROM delivery_appointments WHERE slot_id = ?', [slotId])).toBe(5);
    expect(await count("SELECT COUNT(*) n FROM orders WHERE status = 'awaiting_delivery'")).toBe(5);
    expect(await count("SELECT available n FROM skus WHERE id = 'WM-HAIER-1-A'")).toBe(995);
  }, 180_000);

  it('when each of 20 delivery orders is cancelled twice and rescheduled twice at the same moment, then no slot ever gets two places back for one visit', async () => {
    const people = await villagers('cheat', 20);
    const [from, to] = [await slotWithCapacity(2, 'morning', 20), await slotWithCapacity(2, 'afternoon', 20)];
    const orders = await Promise.all(people.map(async (v, i) => {
      const res = await book(i, v, from);
      expect(res.status).toBe(201);
      return { ...v, orderId: res.body.id as string };
    }));
    expect(await count('SELECT booked n FROM delivery_slots WHERE id = ?', [from])).toBe(20);
    const res = await Promise.all(orders.flatMap((o, i) => [
      via(i).post(`/api/v1/orders/${o.orderId}/cancel`).set(auth(o.token)),
      via(i + 1).post(`/api/v1/orders/${o.orderId}/cancel`).set(auth(o.token)),
      via(i).post(`/api/v1/orders/${o.orderId}/reschedule`).set(auth(o.token)).send({ slotId: to }),
      via(i + 1).post(`/api/v1/orders/${o.orderId}/reschedule`).set(auth(o.token)).send({ slotId: to }),
    ]));
    expect(res.filter((r) => r.status >= 500)).toEqual([]);
    expect(res.filter((r) => ![200, 409].includes(r.status)).map((r) => r.status)).toEqual([]);
    // Every order was cancelled once (a reschedule does not stop a cancel), and nothing holds a place any more.
    expect(await count("SELECT COUNT(*) n FROM orders WHERE id IN (?) AND status = 'cancelled'", [orders.map((o) => o.orderId)])).toBe(20);
    expect(await count("SELECT COUNT(*) n FROM order_audit WHERE order_id IN (?) AND action = 'cancel'", [orders.map((o) => o.orderId)])).toBe(20);
    await expectCountsMatchVisits([from, to]);
    expect(await count('SELECT booked n FROM delivery_slots WHERE id = ?', [from])).toBe(0);
    expect(await count('SELECT booked n FROM delivery_slots WHERE id = ?', [to])).toBe(0);
  }, 180_000);
});
