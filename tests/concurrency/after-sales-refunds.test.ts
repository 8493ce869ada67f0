import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context';
import { startBffProcess, type BffProcess } from '../helpers/processes';
import { auth, availableOf, boughtWithCouponAndPickedUp, count, openTicket } from '../helpers/after-sales';

/** A refund is exactly once across two BFF processes, and so are the units and the coupon it gives back. */
let t: TestContext;
beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { dbPoolSize: 20, afterSales: { respondWithinSeconds: 3600 } } });
});
afterAll(async () => t.stop());

async function until(what: string, probe: () => Promise<boolean>, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('refunds on two BFF processes', () => {
  it('when the owner presses refund 20 times at once on two processes, then one refund, one event, one unit and one coupon come back', async () => {
    const [villager, ownerPhone, ownerTablet] = await Promise.all([t.login('demo_villager'), t.login('demo_owner'), t.login('demo_owner')]);
    const before = await availableOf(t, 'AC-GREE-1-A');
    const { orderId, couponId } = await boughtWithCouponAndPickedUp(t, villager, ownerPhone);
    const ticket = await openTicket(t, villager, { kind: 'return', orderId, description: '有异响，退货' });
    expect((await t.http.post(`/api/v1/store/tickets/${ticket.body.id}/accept`).set(auth(ownerPhone)).send({})).status).toBe(200);

    const env = { DATABASE_URL: t.config.databaseUrl, REDIS_KEY_PREFIX: t.config.redisKeyPrefix, WECHAT_API_BASE: t.emulator.url, JOBS_ENABLED: 'true', DB_POOL_SIZE: '8', LOG_LEVEL: 'error' };
    const bffs: BffProcess[] = await Promise.all([startBffProcess(env), startBffProcess(env)]);
    try {
      const res = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          request(bffs[i % 2].baseUrl).post(`/api/v1/store/tickets/${ticket.body.id}/refund`).set(auth(i % 3 ? ownerPhone : ownerTablet)).send({ amountFen: 289900, method: 'cash' }),
        ),
      );
      const ok = res.filter((r) => r.status === 200);
      expect(ok).toHaveLength(1);
      expect(ok[0].body).toMatchObject({ status: 'refunded', refund: { amountFen: 289900, method: 'cash' } });
      expect(res.filter((r) => r.status === 409 && r.body.error.code === 'TICKET_STATE_CONFLICT')).toHaveLength(19);
      expect(await count(t, 'SELECT COUNT(*) n FROM ticket_refunds WHERE order_id = ?', [orderId])).toBe(1);
      expect(await count(t, "SELECT COUNT(*) n FROM outbox_events WHERE type = 'order.refunded' AND aggregate_id = ?", [orderId])).toBe(1);
      expect(await count(t, "SELECT COUNT(*) n FROM ticket_events WHERE ticket_id = ? AND action = 'refund'", [ticket.body.id])).toBe(1);

      // the processes' own outbox jobs give the unit and the coupon back, once
      await until('the order refunded', async () => (await count(t, "SELECT COUNT(*) n FROM orders WHERE id = ? AND status = 'refunded'", [orderId])) === 1);
      await until('the delivery done', async () => (await count(t, "SELECT COUNT(*) n FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id WHERE e.aggregate_id = ? AND e.type = 'order.refunded' AND d.status = 'pending'", [orderId])) === 0);
      expect(await availableOf(t, 'AC-GREE-1-A')).toBe(before);
      expect(await count(t, "SELECT COUNT(*) n FROM coupons WHERE id = ? AND status = 'unused' AND order_id IS NULL", [couponId])).toBe(1);
      expect(await count(t, "SELECT COUNT(*) n FROM order_audit WHERE order_id = ? AND action = 'refund'", [orderId])).toBe(1);
    } finally {
      await Promise.all(bffs.map((b) => b.kill()));
    }
  }, 180_000);
});
