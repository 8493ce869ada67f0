import fc from 'fast-check';
import { createTestContext, type TestContext } from '../helpers/context';
import { auth, boughtAndPickedUp } from '../helpers/after-sales';
import { escalateOverdueTickets } from '../../server/src/modules/after-sales/escalation';
import { FINAL_STATES, nextState, OPEN_STATES, type Actor, type TicketAction, type TicketKind, type TicketState } from '../../server/src/modules/after-sales/ticket-machine';

/**
 * Model-based property test on the real MariaDB: random sequences of moves by the villager, the
 * store owner, another store's owner and the clock, through HTTP. Each answer must be what the
 * model says (200 when the move applies, 409 when not, 404 for the stranger), and after every
 * sequence the stored ticket and its history must satisfy the invariants below, which are written
 * from the business rules, not from the code.
 */
let t: TestContext;
let villager: string;
let owner: string;
let owner2: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { afterSales: { respondWithinSeconds: 3600 } } });
  [villager, owner, owner2] = await Promise.all([t.login('demo_villager'), t.login('demo_owner'), t.login('demo_owner2')]);
});
afterAll(async () => t.stop());

type Cmd = 'accept' | 'reject' | 'resolve' | 'refund' | 'cancel' | 'rate' | 'escalate' | 'stranger';
const MOVES: Record<Exclude<Cmd, 'escalate' | 'stranger'>, { action: TicketAction; actor: Actor; path: string; token: () => string; body: object }> = {
  accept: { action: 'accept', actor: 'store', path: '/store/tickets/:id/accept', token: () => owner, body: {} },
  reject: { action: 'reject', actor: 'store', path: '/store/tickets/:id/reject', token: () => owner, body: { reason: '不在服务范围' } },
  resolve: { action: 'resolve', actor: 'store', path: '/store/tickets/:id/resolve', token: () => owner, body: { note: '已修好' } },
  refund: { action: 'refund', actor: 'store', path: '/store/tickets/:id/refund', token: () => owner, body: { amountFen: 100, method: 'cash' } },
  cancel: { action: 'cancel', actor: 'villager', path: '/tickets/:id/cancel', token: () => villager, body: {} },
  rate: { action: 'rate', actor: 'villager', path: '/tickets/:id/rate', token: () => villager, body: { stars: 4 } },
};

type Row = { status: TicketState; kind: string; version: number; open_key: string | null; accepted_at: Date | null; escalated_at: Date | null; resolved_at: Date | null; closed_at: Date | null; reject_reason: string | null; rating_stars: number | null };
type Ev = { seq: number; action: string; from_state: string | null; to_state: string };

const refundsOf = async (id: string) => Number(((await t.deps.db.query('SELECT COUNT(*) n FROM ticket_refunds WHERE ticket_id = ?', [id]))[0] as { n: number }[])[0].n);

async function invariants(id: string): Promise<string[]> {
  const [[row]] = (await t.deps.db.query('SELECT status, kind, version, open_key, accepted_at, escalated_at, resolved_at, closed_at, reject_reason, rating_stars FROM tickets WHERE id = ?', [id])) as unknown as [Row[]];
  const [events] = (await t.deps.db.query('SELECT seq, action, from_state, to_state FROM ticket_events WHERE ticket_id = ? ORDER BY seq', [id])) as unknown as [Ev[]];
  const bad: string[] = [];
  const check = (ok: boolean, what: string) => void (ok || bad.push(what));
  check(events.length === row.version && events.every((e, i) => e.seq === i + 1), 'history is numbered 1..version without gaps');
  check(events[0]?.action === 'submit' && events[0].from_state === null && events[0].to_state === 'submitted', 'history starts with the submission');
  check(events.every((e, i) => i === 0 || e.from_state === events[i - 1].to_state), 'each line starts where the last one ended');
  check(events[events.length - 1].to_state === row.status, 'the last line ends in the stored state');
  check(events.every((e, i) => i === events.length - 1 || !FINAL_STATES.includes(e.to_state as TicketState)), 'nothing follows a final state');
  check((row.open_key !== null) === OPEN_STATES.includes(row.status), 'the open key is held exactly while the ticket is open');
  check((row.accepted_at !== null) === events.some((e) => e.action === 'accept'), 'accepted_at iff accepted');
  check(events.filter((e) => e.action === 'escalate').length <= 1 && (row.escalated_at !== null) === events.some((e) => e.action === 'escalate'), 'escalated at most once, and escalated_at says so');
  check(row.status !== 'closed' || (row.rating_stars !== null && row.closed_at !== null && ['resolved', 'refunded'].includes(events[events.length - 1].from_state ?? '')), 'closed only by a rating after resolution');
  check(row.status !== 'rejected' || !!row.reject_reason, 'a rejection has its reason');
  check(row.status !== 'resolved' || row.resolved_at !== null, 'resolved has its time');
  check(!['submitted', 'escalated'].includes(row.status) || row.accepted_at === null, 'a waiting ticket was never accepted');
  const refunds = await refundsOf(id);
  check(refunds === (events.some((e) => e.action === 'refund') ? 1 : 0), 'a refunded ticket has exactly one refund, others none');
  check(refunds === 0 || row.kind === 'return', 'only returns are refunded');
  return bad;
}

describe('tickets on MariaDB: no sequence of moves leaves a forbidden state', () => {
  it('when the villager, the owner, another owner and the clock make random moves, then every answer matches the model and every invariant holds', async () => {
    const cmd = fc.constantFrom<Cmd>('accept', 'reject', 'resolve', 'refund', 'cancel', 'rate', 'escalate', 'stranger', 'accept', 'resolve', 'refund', 'rate');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<TicketKind>('repair', 'install_issue', 'maintenance', 'return', 'exchange'), fc.array(cmd, { minLength: 1, maxLength: 7 }), async (kind, cmds) => {
        // returns and exchanges are of an order handed over; the other kinds of an appliance
        const subject = kind === 'return' || kind === 'exchange'
          ? { orderId: await boughtAndPickedUp(t, villager, owner, 'TV-KONKA-1-A') }
          : { applianceId: (await t.http.post('/api/v1/me/appliances').set(auth(villager)).send({ category: 'range_hood', brand: '方太', ageYears: 2, storeId: 'DEMO-001' })).body.id };
        const opened = await t.http.post('/api/v1/tickets').set(auth(villager)).send({ kind, ...subject, description: '吸力变小了' });
        expect(opened.status).toBe(201);
        const id = opened.body.id as string;
        let model: TicketState = 'submitted';
        for (const c of cmds) {
          if (c === 'escalate') {
            await t.deps.db.query('UPDATE tickets SET respond_by = NOW(3) - INTERVAL 1 SECOND WHERE id = ? AND status = ?', [id, 'submitted']);
            await escalateOverdueTickets(t.deps);
            model = nextState(model, 'escalate', kind, 'system') ?? model;
            continue;
          }
          if (c === 'stranger') {
            const res = await t.http.post(`/api/v1/store/tickets/${id}/accept`).set(auth(owner2)).send({});
            expect(res.status).toBe(404);
            continue;
          }
          const m = MOVES[c];
          const res = await t.http.post(`/api/v1${m.path.replace(':id', id)}`).set(auth(m.token())).send(m.body);
          const expected = nextState(model, m.action, kind, m.actor);
          expect([c, model, res.status]).toEqual([c, model, expected ? 200 : 409]);
          if (expected) model = expected;
          else expect(res.body.error).toMatchObject({ code: 'TICKET_STATE_CONFLICT', details: [{ path: 'status', message: model }] });
        }
        expect(await invariants(id)).toEqual([]);
        const [[row]] = (await t.deps.db.query('SELECT status FROM tickets WHERE id = ?', [id])) as unknown as [{ status: string }[]];
        expect(row.status).toBe(model);
      }),
      { numRuns: 40 },
    );
  }, 300_000);
});
