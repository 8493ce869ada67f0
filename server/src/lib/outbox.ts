import type { PoolConnection } from 'mysql2/promise';
import type { Deps } from './deps';
import type { Statement } from './db';
import { newId } from './ids';

/**
 * The transactional outbox. A capability that changes something others react to writes an event in
 * the same MySQL transaction as the change (`publishEvent`), so the event exists if and only if the
 * change committed: no reaction is lost when a process dies after the commit, and none happens
 * for a change that rolled back. The dispatcher (`dispatchOutbox`, a leased job) fans each event
 * out to the subscribers of its type and runs every delivery until its handler succeeds, retrying
 * with backoff. Delivery is at least once: every handler must be idempotent (a unique key, a
 * conditional update), and must not assume the events of one aggregate arrive in order.
 */
export type OutboxEvent<P = Record<string, unknown>> = { id: string; type: string; aggregateId: string; payload: P; createdAt: Date };

export type Subscriber = {
  /** Stable: deliveries are recorded under it. */
  name: string;
  events: string[];
  handle: (deps: Deps, event: OutboxEvent) => Promise<void>;
};

/** The INSERT of one or more events, for callers that batch their statements in one round trip. */
export function publishEventsStatement(events: { type: string; aggregateId: string; payload: Record<string, unknown> }[]): Statement {
  const now = new Date();
  return {
    sql: 'INSERT INTO outbox_events (id, type, aggregate_id, payload, created_at) VALUES ?',
    values: [events.map((e) => [newId(now.getTime()), e.type, e.aggregateId, JSON.stringify(e.payload), now])],
  };
}

/** Writes an event inside the caller's transaction. */
export async function publishEvent(conn: PoolConnection, type: string, aggregateId: string, payload: Record<string, unknown>): Promise<void> {
  const st = publishEventsStatement([{ type, aggregateId, payload }]);
  await conn.query(st.sql, st.values);
}

export async function publishEvents(conn: PoolConnection, events: { type: string; aggregateId: string; payload: Record<string, unknown> }[]): Promise<void> {
  if (!events.length) return;
  const st = publishEventsStatement(events);
  await conn.query(st.sql, st.values);
}

/** After this many failed attempts a delivery is `dead`: logged, counted, and left for an operator. */
export const MAX_ATTEMPTS = 20;
/** A claimed delivery is not offered again for this long (its handler runs meanwhile). */
const CLAIM_SECONDS = 60;

const backoffMs = (attempts: number) => Math.min(60_000 * 10, 500 * 2 ** Math.min(attempts, 12));

const metrics = new WeakMap<Deps, { handled: ReturnType<Deps['metrics']['counter']>; dead: ReturnType<Deps['metrics']['counter']> }>();
function outboxMetrics(deps: Deps) {
  let m = metrics.get(deps);
  if (!m) {
    m = {
      handled: deps.metrics.counter('outbox_deliveries_total', 'Outbox deliveries by subscriber and outcome', ['subscriber', 'outcome']),
      dead: deps.metrics.counter('outbox_dead_deliveries_total', 'Outbox deliveries given up after too many attempts', ['subscriber']),
    };
    metrics.set(deps, m);
  }
  return m;
}

type DueRow = { eventId: string; subscriber: string; attempts: number; type: string; aggregateId: string; payload: string | Record<string, unknown>; createdAt: Date };

/**
 * One pass: fan out new events, then run the deliveries that are due. Safe to run in several
 * processes at once (fan-out is INSERT IGNORE; a delivery is claimed by a conditional UPDATE before
 * its handler runs), though the job runs it under a lease. Returns the number of deliveries run.
 */
export async function dispatchOutbox(deps: Deps, subscribers: Subscriber[], limit = 200): Promise<number> {
  const byName = new Map(subscribers.map((s) => [s.name, s]));
  await fanOut(deps, subscribers, limit);
  const [rows] = await deps.db.query(
    `SELECT d.event_id AS eventId, d.subscriber, d.attempts, e.type, e.aggregate_id AS aggregateId, e.payload, e.created_at AS createdAt
       FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= NOW(3)
      ORDER BY d.next_attempt_at, d.event_id LIMIT ?`,
    [limit],
  );
  const due = rows as DueRow[];
  const m = outboxMetrics(deps);
  await Promise.all(
    due.map(async (d) => {
      const [claimed] = await deps.db.query(
        `UPDATE outbox_deliveries SET attempts = attempts + 1, next_attempt_at = NOW(3) + INTERVAL ? SECOND
          WHERE event_id = ? AND subscriber = ? AND status = 'pending' AND attempts = ?`,
        [CLAIM_SECONDS, d.eventId, d.subscriber, d.attempts],
      );
      if ((claimed as { affectedRows: number }).affectedRows !== 1) return;
      const sub = byName.get(d.subscriber);
      const event: OutboxEvent = { id: d.eventId, type: d.type, aggregateId: d.aggregateId, payload: typeof d.payload === 'string' ? (JSON.parse(d.payload) as Record<string, unknown>) : d.payload, createdAt: d.createdAt };
      try {
        // A subscriber that no longer exists (removed in a later version) has nothing left to do.
        if (sub) await sub.handle(deps, event);
        await deps.db.query(`UPDATE outbox_deliveries SET status = 'done', done_at = NOW(3), last_error = NULL WHERE event_id = ? AND subscriber = ?`, [d.eventId, d.subscriber]);
        m.handled.inc({ subscriber: d.subscriber, outcome: 'done' });
      } catch (err) {
        const attempts = d.attempts + 1;
        const dead = attempts >= MAX_ATTEMPTS;
        const message = String((err as Error)?.message ?? err).slice(0, 500);
        await deps.db
          .query(`UPDATE outbox_deliveries SET status = ?, last_error = ?, next_attempt_at = NOW(3) + INTERVAL ? SECOND WHERE event_id = ? AND subscriber = ?`, [
            dead ? 'dead' : 'pending', message, backoffMs(attempts) / 1000, d.eventId, d.subscriber,
          ])
          .catch(() => undefined);
        m.handled.inc({ subscriber: d.subscriber, outcome: 'failed' });
        if (dead) {
          m.dead.inc({ subscriber: d.subscriber });
          deps.logger.error({ subscriber: d.subscriber, eventId: d.eventId, type: d.type, err: message }, 'outbox delivery given up');
        } else {
          deps.logger.warn({ subscriber: d.subscriber, eventId: d.eventId, type: d.type, attempts, err: message }, 'outbox delivery failed; will retry');
        }
      }
    }),
  );
  return due.length;
}

async function fanOut(deps: Deps, subscribers: Subscriber[], limit: number): Promise<void> {
  const [rows] = await deps.db.query('SELECT id, type FROM outbox_events WHERE fanned_out = FALSE ORDER BY id LIMIT ?', [limit]);
  const events = rows as { id: string; type: string }[];
  if (!events.length) return;
  const now = new Date();
  const deliveries = events.flatMap((e) => subscribers.filter((s) => s.events.includes(e.type)).map((s) => [e.id, s.name, now]));
  if (deliveries.length) await deps.db.query('INSERT IGNORE INTO outbox_deliveries (event_id, subscriber, next_attempt_at) VALUES ?', [deliveries]);
  await deps.db.query('UPDATE outbox_events SET fanned_out = TRUE WHERE id IN (?)', [events.map((e) => e.id)]);
}
