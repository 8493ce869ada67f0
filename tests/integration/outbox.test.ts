import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';
import { dispatchOutbox, publishEvent, MAX_ATTEMPTS, type OutboxEvent, type Subscriber } from '../../server/src/lib/outbox';
import { withTransaction } from '../../server/src/lib/db';

let t: TestContext;
let villager: string;
let owner: string;
beforeAll(async () => {
  // Jobs off: these tests run the dispatcher themselves, with subscribers of their own.
  t = await createTestContext({ seed: true, jobs: false });
  [villager, owner] = await Promise.all([t.login('demo_villager'), t.login('demo_owner')]);
});
afterAll(async () => t.stop());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const placeOrder = async () => {
  const res = await t.http.post('/api/v1/orders').set(auth(villager)).set('Idempotency-Key', `k-${randomBytes(8).toString('hex')}`).send({ storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 1 }] });
  expect(res.status).toBe(201);
  return res.body as { id: string; pickupCode: string };
};
const eventsOf = async (aggregateId: string) => {
  const [rows] = await t.deps.db.query('SELECT type, payload FROM outbox_events WHERE aggregate_id = ? ORDER BY id', [aggregateId]);
  return (rows as { type: string; payload: string | object }[]).map((r) => ({ type: r.type, payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload }));
};
/** Runs the dispatcher until nothing is due any more (a few passes), like the job would. */
const drain = async (subs: Subscriber[]) => {
  for (let i = 0; i < 20 && (await dispatchOutbox(t.deps, subs)) > 0; i++);
};

describe('the transactional outbox', () => {
  it('when an order is placed, picked up and another cancelled, then each change has its event with the order, in the same transaction', async () => {
    const picked = await placeOrder();
    const confirm = await t.http.post(`/api/v1/store/pickups/${picked.id}/confirm`).set(auth(owner)).send({ code: picked.pickupCode, paymentMethod: 'cash' });
    expect(confirm.status).toBe(200);
    const cancelled = await placeOrder();
    expect((await t.http.post(`/api/v1/orders/${cancelled.id}/cancel`).set(auth(villager))).status).toBe(200);

    const item = { skuId: 'AC-GREE-1-A', productId: 'AC-GREE-1', category: 'air_conditioner', brand: expect.any(String), name: expect.any(String), spec: '1.5匹 挂机', units: 1, unitPriceFen: 299900 };
    const common = { userId: expect.any(String), storeId: 'DEMO-001', source: 'direct', groupBuyId: null, payableFen: 299900, items: [item] };
    expect(await eventsOf(picked.id)).toEqual([
      { type: 'order.created', payload: { orderId: picked.id, ...common, paymentMethod: null } },
      { type: 'order.picked_up', payload: { orderId: picked.id, ...common, paymentMethod: 'cash' } },
    ]);
    expect((await eventsOf(cancelled.id)).map((e) => e.type)).toEqual(['order.created', 'order.cancelled']);
  });

  it('when the change rolls back, then its event is gone with it', async () => {
    const aggregateId = `rollback-${randomBytes(4).toString('hex')}`;
    await expect(
      withTransaction(t.deps.db, async (conn) => {
        await publishEvent(conn, 'test.rolled_back', aggregateId, {});
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await eventsOf(aggregateId)).toEqual([]);
  });

  it('when two dispatchers run at once, then every subscriber handles each event exactly once, and subscribers of other types see nothing', async () => {
    const seen: string[] = [];
    const other: string[] = [];
    const subs: Subscriber[] = [
      { name: 'test.once', events: ['test.once'], handle: (_d, e) => Promise.resolve(void seen.push(e.aggregateId)) },
      { name: 'test.other', events: ['test.never'], handle: (_d, e) => Promise.resolve(void other.push(e.aggregateId)) },
    ];
    const ids = Array.from({ length: 30 }, (_, i) => `once-${i}-${randomBytes(3).toString('hex')}`);
    await withTransaction(t.deps.db, async (conn) => {
      for (const id of ids) await publishEvent(conn, 'test.once', id, { n: 1 });
    });
    await Promise.all([drain(subs), drain(subs), drain(subs)]);
    expect(seen.filter((s) => ids.includes(s)).sort()).toEqual([...ids].sort());
    expect(other).toEqual([]);
    const [rows] = await t.deps.db.query(`SELECT status, COUNT(*) AS n FROM outbox_deliveries WHERE subscriber = 'test.once' GROUP BY status`);
    expect(rows).toEqual([{ status: 'done', n: ids.length }]);
  });

  it('when a handler fails, then its delivery is retried with backoff until it succeeds, and the error is kept meanwhile', async () => {
    let calls = 0;
    const aggregateId = `flaky-${randomBytes(4).toString('hex')}`;
    const subs: Subscriber[] = [{ name: 'test.flaky', events: ['test.flaky'], handle: () => (++calls < 3 ? Promise.reject(new Error(`boom ${calls}`)) : Promise.resolve()) }];
    await withTransaction(t.deps.db, (conn) => publishEvent(conn, 'test.flaky', aggregateId, {}));
    await dispatchOutbox(t.deps, subs);
    const row = async () => {
      const [r] = await t.deps.db.query(`SELECT d.status, d.attempts, d.last_error AS lastError FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id WHERE e.aggregate_id = ?`, [aggregateId]);
      return (r as { status: string; attempts: number; lastError: string | null }[])[0];
    };
    expect(await row()).toEqual({ status: 'pending', attempts: 1, lastError: 'boom 1' });
    // Not due yet: backoff.
    await dispatchOutbox(t.deps, subs);
    expect(calls).toBe(1);
    for (let i = 0; i < 2; i++) {
      await t.deps.db.query(`UPDATE outbox_deliveries SET next_attempt_at = NOW(3) WHERE subscriber = 'test.flaky'`);
      await dispatchOutbox(t.deps, subs);
    }
    expect(calls).toBe(3);
    expect(await row()).toEqual({ status: 'done', attempts: 3, lastError: null });
  });

  it('when a process dies while handling (its claim is never finished), then the delivery is offered again once the claim lapses', async () => {
    const aggregateId = `crash-${randomBytes(4).toString('hex')}`;
    const handled: OutboxEvent[] = [];
    const dying: Subscriber[] = [{ name: 'test.crash', events: ['test.crash'], handle: () => new Promise<void>(() => undefined) }];
    const healthy: Subscriber[] = [{ name: 'test.crash', events: ['test.crash'], handle: (_d, e) => Promise.resolve(void handled.push(e)) }];
    await withTransaction(t.deps.db, (conn) => publishEvent(conn, 'test.crash', aggregateId, { x: 1 }));
    void dispatchOutbox(t.deps, dying);
    const claimed = async () => {
      const [r] = await t.deps.db.query(`SELECT attempts FROM outbox_deliveries WHERE subscriber = 'test.crash'`);
      return (r as { attempts: number }[])[0]?.attempts ?? 0;
    };
    for (const deadline = Date.now() + 10_000; (await claimed()) < 1 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    expect(await claimed()).toBe(1);
    await dispatchOutbox(t.deps, healthy);
    expect(handled).toEqual([]);
    await t.deps.db.query(`UPDATE outbox_deliveries SET next_attempt_at = NOW(3) WHERE subscriber = 'test.crash'`);
    await dispatchOutbox(t.deps, healthy);
    expect(handled.map((e) => e.payload)).toEqual([{ x: 1 }]);
  });

  it('when a handler keeps failing, then the delivery is given up after the last attempt and counted', async () => {
    const aggregateId = `dead-${randomBytes(4).toString('hex')}`;
    const subs: Subscriber[] = [{ name: 'test.dead', events: ['test.dead'], handle: () => Promise.reject(new Error('always')) }];
    await withTransaction(t.deps.db, (conn) => publishEvent(conn, 'test.dead', aggregateId, {}));
    await dispatchOutbox(t.deps, subs);
    await t.deps.db.query(`UPDATE outbox_deliveries SET attempts = ?, next_attempt_at = NOW(3) WHERE subscriber = 'test.dead'`, [MAX_ATTEMPTS - 1]);
    await dispatchOutbox(t.deps, subs);
    const [r] = await t.deps.db.query(`SELECT status FROM outbox_deliveries WHERE subscriber = 'test.dead'`);
    expect(r).toEqual([{ status: 'dead' }]);
    const metrics = await t.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/outbox_dead_deliveries_total\{subscriber="test.dead"\} 1/);
  });
});
