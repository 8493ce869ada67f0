import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';
import { applianceOf, auth, boughtAndPickedUp, count, drainOutbox, openTicket } from '../helpers/after-sales';

let t: TestContext;
let villager: string;
let owner: string;
let owner2: string;
let grid: string;
let admin: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { afterSales: { respondWithinSeconds: 3600 } } });
  [villager, owner, owner2, grid, admin] = await Promise.all(['demo_villager', 'demo_owner', 'demo_owner2', 'demo_grid', 'demo_admin'].map((o) => t.login(o)));
});
afterAll(async () => t.stop());

const post = (path: string, token: string, body: object = {}) => t.http.post(`/api/v1${path}`).set(auth(token)).send(body);
const get = (path: string, token: string) => t.http.get(`/api/v1${path}`).set(auth(token));

async function repairTicket(description = '空调不制冷，开机十分钟还是热风') {
  const orderId = await boughtAndPickedUp(t, villager, owner);
  const applianceId = await applianceOf(t, orderId);
  const res = await openTicket(t, villager, { kind: 'repair', applianceId, description });
  expect(res.status).toBe(201);
  return { orderId, applianceId, ticket: res.body };
}

describe('opening a ticket', () => {
  it('when a villager reports a broken air conditioner, then the ticket is submitted at its store with a deadline 1 h away (configured) and one history line', async () => {
    const before = Date.now();
    const { applianceId, orderId, ticket } = await repairTicket();
    expect(ticket).toMatchObject({ kind: 'repair', status: 'submitted', applianceId, orderId, store: { id: 'DEMO-001' }, overdue: false, customer: null });
    const respondIn = Date.parse(ticket.respondBy) - before;
    expect(respondIn).toBeGreaterThan(3590_000);
    expect(respondIn).toBeLessThan(3660_000);
    expect(ticket.events).toEqual([expect.objectContaining({ seq: 1, actor: 'villager', action: 'submit', fromState: null, toState: 'submitted' })]);
    expect((await get(`/tickets/${ticket.id}`, villager)).body).toEqual(ticket);
    expect((await get('/tickets', villager)).body.items.map((x: { id: string }) => x.id)).toContain(ticket.id);
  });

  it('when the same appliance already has an open repair ticket, then 409 TICKET_ALREADY_OPEN naming it; once cancelled, a new one opens', async () => {
    const { applianceId, ticket } = await repairTicket();
    const again = await openTicket(t, villager, { kind: 'repair', applianceId, description: '还是不制冷' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'TICKET_ALREADY_OPEN', details: [{ path: 'ticketId', message: ticket.id }] });
    const cancelled = await post(`/tickets/${ticket.id}/cancel`, villager, { reason: '自己修好了' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await openTicket(t, villager, { kind: 'repair', applianceId, description: '又坏了' })).status).toBe(201);
  });

  it('when a request is retried with its Idempotency-Key, then the first ticket comes back; the key with another body is 422', async () => {
    const orderId = await boughtAndPickedUp(t, villager, owner);
    const applianceId = await applianceOf(t, orderId);
    const key = `tk-${randomBytes(6).toString('hex')}`;
    const body = { kind: 'install_issue', applianceId, description: '外机支架有点晃' };
    const results = await Promise.all([1, 2, 3].map(() => t.http.post('/api/v1/tickets').set(auth(villager)).set('Idempotency-Key', key).send(body)));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await count(t, 'SELECT COUNT(*) n FROM tickets WHERE appliance_id = ?', [applianceId])).toBe(1);
    const other = await t.http.post('/api/v1/tickets').set(auth(villager)).set('Idempotency-Key', key).send({ ...body, description: '别的' });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('when a return is asked within 7 days of pickup, then it opens; after the window, 409 AFTER_SALES_WINDOW_CLOSED; before pickup, 409 ORDER_NOT_HANDED_OVER', async () => {
    const fresh = await boughtAndPickedUp(t, villager, owner, 'TV-KONKA-1-A');
    expect((await openTicket(t, villager, { kind: 'return', orderId: fresh, description: '屏幕有坏点' })).status).toBe(201);

    const old = await boughtAndPickedUp(t, villager, owner, 'TV-KONKA-1-A');
    await t.deps.db.query('UPDATE orders SET picked_up_at = NOW(3) - INTERVAL 8 DAY WHERE id = ?', [old]);
    const late = await openTicket(t, villager, { kind: 'return', orderId: old, description: '不想要了' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('AFTER_SALES_WINDOW_CLOSED');
    // an exchange for a quality problem still fits its 15 days
    expect((await openTicket(t, villager, { kind: 'exchange', orderId: old, description: '遥控器失灵' })).status).toBe(201);

    const placed = await t.http.post('/api/v1/orders').set(auth(villager)).set('Idempotency-Key', `as-${randomBytes(6).toString('hex')}`).send({ storeId: 'DEMO-001', items: [{ skuId: 'TV-KONKA-1-A', units: 1 }] });
    const waiting = await openTicket(t, villager, { kind: 'return', orderId: placed.body.id, description: '不想要了' });
    expect(waiting.status).toBe(409);
    expect(waiting.body.error.code).toBe('ORDER_NOT_HANDED_OVER');
  });

  it("when the body is bad or names another user's order or appliance, then 4xx with a code and nothing stored", async () => {
    const theirs = await boughtAndPickedUp(t, await t.login('ticket_neighbour'), owner);
    const before = await count(t, 'SELECT COUNT(*) n FROM tickets');
    const cases: [object, number, string][] = [
      [{ kind: 'repair', description: '坏了' }, 400, 'VALIDATION_FAILED'],
      [{ kind: 'fix_it', orderId: theirs, description: '坏了' }, 400, 'VALIDATION_FAILED'],
      [{ kind: 'repair', orderId: theirs, description: '' }, 400, 'VALIDATION_FAILED'],
      [{ kind: 'repair', orderId: theirs, description: '坏了', status: 'accepted' }, 400, 'VALIDATION_FAILED'],
      [{ kind: 'repair', orderId: theirs, description: '坏了' }, 404, 'NOT_FOUND'],
      [{ kind: 'repair', applianceId: '01NOSUCHAPPLIANCE000000000', description: '坏了' }, 404, 'NOT_FOUND'],
    ];
    for (const [body, status, code] of cases) {
      const res = await openTicket(t, villager, body as Record<string, unknown>);
      expect([res.status, res.body.error?.code]).toEqual([status, code]);
    }
    expect(await count(t, 'SELECT COUNT(*) n FROM tickets')).toBe(before);
  });
});

describe('the store answers', () => {
  it('when the owner accepts, resolves and the villager rates, then the ticket is closed with four history lines in order, and every other move is 409', async () => {
    const { ticket } = await repairTicket();
    const accepted = await post(`/store/tickets/${ticket.id}/accept`, owner, { note: '明天上午师傅上门' });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', customer: { nickname: '王大妈' } });
    const twice = await post(`/store/tickets/${ticket.id}/accept`, owner);
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'TICKET_STATE_CONFLICT', details: [{ path: 'status', message: 'accepted' }] });
    expect((await post(`/store/tickets/${ticket.id}/resolve`, owner, { note: '清洗了滤网，加了冷媒' })).body.status).toBe('resolved');
    expect((await post(`/tickets/${ticket.id}/cancel`, villager)).status).toBe(409);
    const rated = await post(`/tickets/${ticket.id}/rate`, villager, { stars: 5, comment: '师傅很专业' });
    expect(rated.status).toBe(200);
    expect(rated.body).toMatchObject({ status: 'closed', rating: { stars: 5, comment: '师傅很专业', wallStatus: null } });
    expect(rated.body.events.map((e: { action: string; fromState: string; toState: string }) => `${e.action}:${e.fromState}>${e.toState}`)).toEqual([
      'submit:null>submitted', 'accept:submitted>accepted', 'resolve:accepted>resolved', 'rate:resolved>closed',
    ]);
    expect(rated.body.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4]);
    for (const [path, token] of [['/store/tickets/:id/accept', owner], ['/store/tickets/:id/resolve', owner], ['/tickets/:id/rate', villager]] as const) {
      const res = await post(path.replace(':id', ticket.id), token, path.endsWith('rate') ? { stars: 1 } : {});
      expect([res.status, res.body.error.code]).toEqual([409, 'TICKET_STATE_CONFLICT']);
    }
    expect(await count(t, 'SELECT COUNT(*) n FROM ticket_events WHERE ticket_id = ?', [ticket.id])).toBe(4);
  });

  it('when the store answers, then each move is published through the outbox and the villager gets a message that opens the ticket', async () => {
    const { ticket } = await repairTicket();
    await post(`/store/tickets/${ticket.id}/accept`, owner, { note: '下午上门' });
    const [rows] = await t.deps.db.query('SELECT type FROM outbox_events WHERE aggregate_id = ? ORDER BY id', [ticket.id]);
    expect((rows as { type: string }[]).map((r) => r.type)).toEqual(['ticket.submitted', 'ticket.accepted']);
    t.emulator.messages.length = 0;
    await drainOutbox(t);
    const told = t.emulator.messages.filter((m) => m.template_id === 'ticket_updated');
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ touser: 'demo_villager', page: `pages/ticket/index?id=${ticket.id}` });
  });

  it('when the owner rejects, then a reason is required and the villager reads it', async () => {
    const { ticket } = await repairTicket();
    expect((await post(`/store/tickets/${ticket.id}/reject`, owner, {})).status).toBe(400);
    const rejected = await post(`/store/tickets/${ticket.id}/reject`, owner, { reason: '人为损坏，不在保修范围，可付费维修' });
    expect(rejected.body.status).toBe('rejected');
    expect((await get(`/tickets/${ticket.id}`, villager)).body).toMatchObject({ status: 'rejected', rejectReason: '人为损坏，不在保修范围，可付费维修' });
  });

  it('when a return ticket is asked to resolve, then 409: a return ends with a refund', async () => {
    const orderId = await boughtAndPickedUp(t, villager, owner, 'TV-KONKA-1-A');
    const ret = (await openTicket(t, villager, { kind: 'return', orderId, description: '颜色不喜欢' })).body;
    await post(`/store/tickets/${ret.id}/accept`, owner);
    const res = await post(`/store/tickets/${ret.id}/resolve`, owner);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('TICKET_STATE_CONFLICT');
  });

  it("when another store's owner, the villager or a stranger acts on the ticket, then 404/403 and nothing moves; the grid manager and admins read it", async () => {
    const { ticket } = await repairTicket();
    expect((await post(`/store/tickets/${ticket.id}/accept`, owner2)).status).toBe(404);
    expect((await get(`/store/tickets/${ticket.id}`, owner2)).status).toBe(404);
    expect((await get('/store/tickets', owner2)).body.items.map((x: { id: string }) => x.id)).not.toContain(ticket.id);
    expect((await post(`/store/tickets/${ticket.id}/accept`, villager)).status).toBe(403);
    expect((await post(`/store/tickets/${ticket.id}/accept`, grid)).status).toBe(403);
    expect((await get(`/tickets/${ticket.id}`, await t.login('ticket_stranger'))).status).toBe(404);
    expect((await post(`/tickets/${ticket.id}/cancel`, owner)).status).toBe(404);
    for (const token of [grid, admin, owner]) {
      const inbox = await get('/store/tickets?status=open', token);
      expect(inbox.status).toBe(200);
      expect(inbox.body.items.map((x: { id: string }) => x.id)).toContain(ticket.id);
    }
    expect((await get(`/tickets/${ticket.id}`, villager)).body.status).toBe('submitted');
  });

  it("when the owner opens the inbox, then open tickets come nearest deadline first", async () => {
    const a = (await repairTicket()).ticket;
    const b = (await repairTicket()).ticket;
    await t.deps.db.query('UPDATE tickets SET respond_by = NOW(3) + INTERVAL 10 MINUTE WHERE id = ?', [b.id]);
    const items = (await get('/store/tickets?status=open&limit=50', owner)).body.items as { id: string; respondBy: string; status: string }[];
    const ids = items.map((x) => x.id);
    expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));
    const waiting = items.filter((x) => x.status === 'submitted').map((x) => Date.parse(x.respondBy));
    expect(waiting).toEqual([...waiting].sort((x, y) => x - y));
  });
});
