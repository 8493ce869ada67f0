import { createTestContext, type TestContext } from '../helpers/context';
import { auth, count } from '../helpers/after-sales';
import { makeDueReminders } from '../../server/src/modules/after-sales/reminders';

let t: TestContext;
let villager: string;
let owner: string;
let owner2: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true });
  [villager, owner, owner2] = await Promise.all([t.login('demo_villager'), t.login('demo_owner'), t.login('demo_owner2')]);
});
afterAll(async () => t.stop());

/** A range hood (every 6 months) whose upkeep fell due yesterday. */
async function dueHood(token: string, storeId: string | null = 'DEMO-001'): Promise<string> {
  const res = await t.http.post('/api/v1/me/appliances').set(auth(token)).send({ category: 'range_hood', brand: '方太', ageYears: 2, storeId });
  expect(res.status).toBe(201);
  await t.deps.db.query('UPDATE appliances SET installed_at = NOW(3) - INTERVAL 6 MONTH - INTERVAL 1 DAY, next_maintenance_at = NOW(3) - INTERVAL 1 DAY WHERE id = ?', [res.body.id]);
  return res.body.id as string;
}
const reminderOf = async (applianceId: string) =>
  ((await t.deps.db.query('SELECT id, notify_status AS status, cycle FROM maintenance_reminders WHERE appliance_id = ?', [applianceId]))[0] as { id: string; status: string; cycle: string }[]);
const nextOf = async (applianceId: string) => ((await t.deps.db.query('SELECT next_maintenance_at AS at FROM appliances WHERE id = ?', [applianceId]))[0] as { at: Date }[])[0].at;

describe('maintenance reminders', () => {
  it('when a subscribed villager\'s range hood falls due, then one reminder is made, a subscribe message goes out, and the next upkeep moves six months on; running again makes none', async () => {
    const id = await dueHood(villager);
    const dueBefore = await nextOf(id);
    t.emulator.messages.length = 0;
    await makeDueReminders(t.deps);
    const [r] = await reminderOf(id);
    expect(r.status).toBe('sent');
    expect(t.emulator.messages.filter((m) => m.template_id === 'maintenance_due').map((m) => m.touser)).toEqual(['demo_villager']);
    const next = await nextOf(id);
    expect(Math.round((next.getTime() - dueBefore.getTime()) / 86_400_000)).toBeGreaterThanOrEqual(181);
    expect(Math.round((next.getTime() - dueBefore.getTime()) / 86_400_000)).toBeLessThanOrEqual(184);
    await makeDueReminders(t.deps);
    expect(await reminderOf(id)).toHaveLength(1);
    expect(t.emulator.messages.filter((m) => m.template_id === 'maintenance_due')).toHaveLength(1);
    const mine = await t.http.get('/api/v1/me/reminders').set(auth(villager));
    expect(mine.body.items.find((x: { id: string }) => x.id === r.id)).toMatchObject({ channel: 'sent', appliance: { id, categoryName: '油烟机' }, customer: null });
  });

  it('when the villager did not subscribe, then the reminder lands on the store\'s call list, where its owner marks it called once', async () => {
    const aunt = await t.login('nosub_aunt');
    const id = await dueHood(aunt);
    await makeDueReminders(t.deps);
    const [r] = await reminderOf(id);
    expect(r.status).toBe('call_list');
    const list = await t.http.get('/api/v1/store/reminders').set(auth(owner));
    expect(list.body.items.find((x: { id: string }) => x.id === r.id)).toMatchObject({ channel: 'call_list', calledAt: null, customer: { nickname: expect.any(String) } });
    expect((await t.http.get('/api/v1/store/reminders').set(auth(owner2))).body.items.map((x: { id: string }) => x.id)).not.toContain(r.id);
    expect((await t.http.post(`/api/v1/store/reminders/${r.id}/called`).set(auth(owner2)).send({})).status).toBe(404);

    const called = await t.http.post(`/api/v1/store/reminders/${r.id}/called`).set(auth(owner)).send({ note: '已约周六上门清洗' });
    expect(called.status).toBe(200);
    expect(called.body).toMatchObject({ calledAt: expect.any(String), callNote: '已约周六上门清洗' });
    const twice = await t.http.post(`/api/v1/store/reminders/${r.id}/called`).set(auth(owner)).send({});
    expect([twice.status, twice.body.error.code]).toEqual([409, 'REMINDER_ALREADY_CALLED']);
    expect((await t.http.get('/api/v1/store/reminders').set(auth(owner))).body.items.map((x: { id: string }) => x.id)).not.toContain(r.id);
    expect((await t.http.get('/api/v1/store/reminders?status=called').set(auth(owner))).body.items.map((x: { id: string }) => x.id)).toContain(r.id);
  });

  it('when a reminder was delivered by WeChat, then it is not on the call list', async () => {
    const id = await dueHood(villager);
    await makeDueReminders(t.deps);
    const [r] = await reminderOf(id);
    const res = await t.http.post(`/api/v1/store/reminders/${r.id}/called`).set(auth(owner)).send({});
    expect([res.status, res.body.error.code]).toEqual([409, 'REMINDER_NOT_ON_CALL_LIST']);
  });

  it('when WeChat is down, then reminders wait and go out once it is back; a claim left by a dead process goes to the call list, never to WeChat twice', async () => {
    const id = await dueHood(villager);
    t.emulator.settings.down = true;
    try {
      await makeDueReminders(t.deps);
      expect((await reminderOf(id))[0].status).toBe('pending');
    } finally {
      t.emulator.settings.down = false;
    }
    await makeDueReminders(t.deps);
    expect((await reminderOf(id))[0].status).toBe('sent');

    const stuck = await dueHood(villager);
    await t.deps.db.query("UPDATE appliances SET next_maintenance_at = NULL WHERE id = ?", [stuck]);
    await t.deps.db.query(
      "INSERT INTO maintenance_reminders (id, appliance_id, user_id, store_id, category, cycle, due_at, notify_status, notify_claimed_at) SELECT '01REMINDERSTUCK00000000000', id, user_id, store_id, category, '2026-01-01', NOW(3), 'sending', NOW(3) - INTERVAL 10 MINUTE FROM appliances WHERE id = ?",
      [stuck],
    );
    t.emulator.messages.length = 0;
    await makeDueReminders(t.deps);
    expect((await reminderOf(stuck))[0].status).toBe('call_list');
    expect(t.emulator.messages).toHaveLength(0);
  });

  it('when five runs of the job race over 30 due appliances, then each gets exactly one reminder and one message', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await dueHood(villager));
    t.emulator.messages.length = 0;
    await Promise.all(Array.from({ length: 5 }, () => makeDueReminders(t.deps)));
    expect(await count(t, 'SELECT COUNT(*) n FROM maintenance_reminders WHERE appliance_id IN (?)', [ids])).toBe(30);
    expect(await count(t, "SELECT COUNT(*) n FROM maintenance_reminders WHERE appliance_id IN (?) AND notify_status = 'sent'", [ids])).toBe(30);
    expect(t.emulator.messages.filter((m) => m.template_id === 'maintenance_due')).toHaveLength(30);
  });
});
