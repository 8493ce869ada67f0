import { createTestContext, type TestContext } from '../helpers/context';
import { auth, count } from '../helpers/after-sales';

let t: TestContext;
let villager: string;
let ownerPhone: string;
let ownerTablet: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { dbPoolSize: 20, afterSales: { respondWithinSeconds: 3600 } } });
  // The same owner signed in on two devices.
  [villager, ownerPhone, ownerTablet] = await Promise.all([t.login('demo_villager'), t.login('demo_owner'), t.login('demo_owner')]);
});
afterAll(async () => t.stop());

async function newTicket(): Promise<string> {
  const appliance = await t.http.post('/api/v1/me/appliances').set(auth(villager)).send({ category: 'water_heater', brand: '海尔', ageYears: 3, storeId: 'DEMO-001' });
  const res = await t.http.post('/api/v1/tickets').set(auth(villager)).send({ kind: 'repair', applianceId: appliance.body.id, description: '热水器不出热水' });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('ticket transitions under concurrency', () => {
  it("when the owner's two devices fire 20 accepts at once, then exactly one is 200, the rest 409 TICKET_STATE_CONFLICT, and the history holds one acceptance", async () => {
    const id = await newTicket();
    const res = await Promise.all(Array.from({ length: 20 }, (_, i) => t.http.post(`/api/v1/store/tickets/${id}/accept`).set(auth(i % 2 ? ownerPhone : ownerTablet)).send({})));
    const ok = res.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0].body.status).toBe('accepted');
    expect(res.filter((r) => r.status === 409 && r.body.error.code === 'TICKET_STATE_CONFLICT')).toHaveLength(19);
    expect(await count(t, "SELECT COUNT(*) n FROM ticket_events WHERE ticket_id = ? AND action = 'accept'", [id])).toBe(1);
    expect(await count(t, 'SELECT COUNT(*) n FROM ticket_events WHERE ticket_id = ?', [id])).toBe(2);
    expect(await count(t, "SELECT COUNT(*) n FROM tickets WHERE id = ? AND status = 'accepted' AND version = 2", [id])).toBe(1);
  });

  it('when the owner rejects while the villager cancels, on 10 tickets at once, then each ticket ends exactly one way, and its history says which', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, () => newTicket()));
    const res = await Promise.all(
      ids.flatMap((id) => [
        t.http.post(`/api/v1/store/tickets/${id}/reject`).set(auth(ownerPhone)).send({ reason: '重复报修' }).then((r) => ({ id, who: 'reject', r })),
        t.http.post(`/api/v1/tickets/${id}/cancel`).set(auth(villager)).send({}).then((r) => ({ id, who: 'cancel', r })),
      ]),
    );
    expect(res.filter((x) => x.r.status >= 500)).toEqual([]);
    for (const id of ids) {
      const mine = res.filter((x) => x.id === id);
      const winners = mine.filter((x) => x.r.status === 200);
      expect(winners).toHaveLength(1);
      expect(mine.filter((x) => x.r.status === 409)).toHaveLength(1);
      const [rows] = await t.deps.db.query('SELECT status FROM tickets WHERE id = ?', [id]);
      const status = (rows as { status: string }[])[0].status;
      expect(status).toBe(winners[0].who === 'reject' ? 'rejected' : 'cancelled');
      expect(await count(t, 'SELECT COUNT(*) n FROM ticket_events WHERE ticket_id = ?', [id])).toBe(2);
    }
  });
});
