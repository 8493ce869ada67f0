import { newId } from '../../server/src/lib/ids';
import { createTestContext, type TestContext } from '../helpers/context';
import { startBffProcess, type BffProcess } from '../helpers/processes';
import { count } from '../helpers/after-sales';

/**
 * The escalation timer with several BFF processes, one of them killed (SIGKILL) in the middle of
 * its sweep: every overdue ticket still escalates exactly once, within a minute of its deadline.
 */
let t: TestContext;
beforeAll(async () => {
  t = await createTestContext({ seed: true });
});
afterAll(async () => t.stop());

const VILLAGER_ID = '01DEMO0VILLAGER00000000000';
const TICKETS = 400;

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, deadlineMs: number, everyMs = 50): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe('escalation with a BFF killed mid-sweep', () => {
  it('when 400 tickets fall due and the process sweeping them is killed, then the others finish: each ticket escalated once, within a minute', async () => {
    const ids = Array.from({ length: TICKETS }, () => newId());
    const env = { DATABASE_URL: t.config.databaseUrl, REDIS_KEY_PREFIX: t.config.redisKeyPrefix, WECHAT_API_BASE: t.emulator.url, JOBS_ENABLED: 'true', DB_POOL_SIZE: '4', LOG_LEVEL: 'error' };
    const escalated = () => count(t, "SELECT COUNT(*) n FROM tickets WHERE status = 'escalated' AND id IN (?)", [ids]);

    // The first process takes the sweep's lease at start and keeps renewing it; the two started after it wait.
    const first = await startBffProcess(env);
    let others: BffProcess[] = [];
    try {
      others = await Promise.all([startBffProcess(env), startBffProcess(env)]);
      // 400 tickets submitted at once, due in 2 s (written directly: the subject of this test is the sweep)
      await t.deps.db.query(
        'INSERT INTO tickets (id, user_id, store_id, kind, status, version, description, open_key, respond_by) VALUES ?',
        [ids.map((id) => [id, VILLAGER_ID, 'DEMO-001', 'repair', 'submitted', 1, '空调不制冷', `repair:test:${id}`, new Date(Date.now() + 2000)])],
      );
      await t.deps.db.query('INSERT INTO ticket_events (ticket_id, seq, actor_user_id, actor, action, from_state, to_state) VALUES ?', [
        ids.map((id) => [id, 1, VILLAGER_ID, 'villager', 'submit', null, 'submitted']),
      ]);
      await until('the first escalations', async () => (await escalated()) > 0, 30_000, 10);
      await first.kill('SIGKILL');
      const atKill = await escalated();
      console.log(`killed the sweeping BFF with ${atKill} of ${TICKETS} tickets escalated`);
      expect(atKill).toBeGreaterThan(0);
      expect(atKill).toBeLessThan(TICKETS);

      await until('every escalation', async () => (await escalated()) === TICKETS, 90_000, 200);
      expect(await count(t, "SELECT COUNT(*) n FROM ticket_events WHERE action = 'escalate' AND ticket_id IN (?)", [ids])).toBe(TICKETS);
      expect(await count(t, "SELECT COUNT(*) n FROM (SELECT ticket_id FROM ticket_events WHERE action = 'escalate' GROUP BY ticket_id HAVING COUNT(*) > 1) d", [])).toBe(0);
      expect(await count(t, 'SELECT COUNT(*) n FROM tickets WHERE id IN (?) AND version = 2', [ids])).toBe(TICKETS);
      const [rows] = await t.deps.db.query('SELECT MAX(TIMESTAMPDIFF(MICROSECOND, respond_by, escalated_at)) / 1000 AS ms FROM tickets WHERE id IN (?)', [ids]);
      const worstMs = Number((rows as { ms: number }[])[0].ms);
      console.log(`latest escalation ${Math.round(worstMs)} ms after its deadline`);
      expect(worstMs).toBeLessThan(60_000);
    } finally {
      await first.kill('SIGKILL');
      await Promise.all(others.map((b) => b.kill()));
    }
  }, 180_000);
});
