import { createTestContext, type TestContext } from '../helpers/context';
import { auth, count } from '../helpers/after-sales';

let t: TestContext;
let villager: string;
let owner: string;
let grid: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true, jobs: true, overrides: { afterSales: { respondWithinSeconds: 2, escalationSweepMs: 250 } } });
  [villager, owner, grid] = await Promise.all([t.login('demo_villager'), t.login('demo_owner'), t.login('demo_grid')]);
});
afterAll(async () => t.stop());

async function newTicket(): Promise<{ id: string; respondBy: string }> {
  const appliance = await t.http.post('/api/v1/me/appliances').set(auth(villager)).send({ category: 'air_conditioner', brand: '格力', ageYears: 4, storeId: 'DEMO-001' });
  const res = await t.http.post('/api/v1/tickets').set(auth(villager)).send({ kind: 'repair', applianceId: appliance.body.id, description: '空调滴水' });
  expect(res.status).toBe(201);
  return res.body;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, deadlineMs = 30_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the 24-hour clock (2 s here)', () => {
  it('when nobody accepts a ticket by respondBy, then it escalates once, within a minute, the grid manager and admins are told, and the breach is counted', async () => {
    const late = await newTicket();
    const answered = await newTicket();
    expect((await t.http.post(`/api/v1/store/tickets/${answered.id}/accept`).set(auth(owner)).send({})).status).toBe(200);
    t.emulator.messages.length = 0;

    const escalatedAt = await until('the escalation', async () => {
      const [rows] = await t.deps.db.query("SELECT escalated_at AS at FROM tickets WHERE id = ? AND status = 'escalated'", [late.id]);
      return (rows as { at: Date }[])[0]?.at;
    });
    const lateBy = escalatedAt.getTime() - Date.parse(late.respondBy);
    expect(lateBy).toBeGreaterThanOrEqual(0);
    expect(lateBy).toBeLessThan(60_000);
    // several more sweeps run: still one escalation
    await until('three more sweeps', async () => (await count(t, "SELECT COUNT(*) n FROM tickets WHERE id = ? AND NOW(3) > escalated_at + INTERVAL 1 SECOND", [late.id])) === 1);
    expect(await count(t, "SELECT COUNT(*) n FROM ticket_events WHERE ticket_id = ? AND action = 'escalate'", [late.id])).toBe(1);
    expect(await count(t, 'SELECT COUNT(*) n FROM ticket_events WHERE ticket_id = ?', [answered.id])).toBe(2);
    expect(await count(t, "SELECT COUNT(*) n FROM tickets WHERE id = ? AND status = 'accepted' AND escalated_at IS NULL", [answered.id])).toBe(1);

    const told = await until('the messages', () => {
      const m = t.emulator.messages.filter((x) => x.template_id === 'ticket_escalated');
      return Promise.resolve(m.length >= 2 && m);
    });
    expect(told.map((m) => m.touser).sort()).toEqual(['demo_admin', 'demo_grid']);
    const metrics = (await t.http.get('/metrics').set('Authorization', `Bearer ${t.config.ops.metricsToken}`)).text;
    expect(Number(/after_sales_sla_breaches_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);

    const seen = await t.http.get('/api/v1/store/tickets?status=escalated').set(auth(grid));
    expect(seen.body.items.map((x: { id: string }) => x.id)).toContain(late.id);
    expect(seen.body.items.find((x: { id: string }) => x.id === late.id)).toMatchObject({ overdue: true, escalatedAt: expect.any(String) });
    // the owner can still take it on
    const accepted = await t.http.post(`/api/v1/store/tickets/${late.id}/accept`).set(auth(owner)).send({});
    expect(accepted.body).toMatchObject({ status: 'accepted', escalatedAt: expect.any(String) });
  });
});
